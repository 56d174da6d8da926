"""What a panellist sees and does: their work, conflict declarations, scoring and sending scores.

The scoring rules (issue 5): a panellist reads an application only after declaring no conflict of interest;
they may save scores part-done and come back; sending needs a score from 1 to 5 and a comment for every
criterion, and locks the scores; they see other panellists' scores (never their names) only after sending.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from portal import audit
from portal.boroughs import borough_name
from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.formatting import date_time
from portal.models import (
    Application,
    ConflictDeclaration,
    Criterion,
    GuardianConsent,
    PanelAssignment,
    Role,
    Round,
    RoundStatus,
    Score,
    User,
    utcnow,
)
from portal.models.enums import AgeBand
from portal.panel import assigning, scores_due
from portal.panel.scoring import weighted_score, weights_add_up


def needs_guardian_consent(session: Session, *, panellist: User) -> bool:
    """Under-18 panellists see no application until a guardian's consent is recorded."""
    if panellist.age_band != AgeBand.UNDER_18:
        return False
    return session.scalar(
        select(GuardianConsent.id).where(GuardianConsent.panellist_id == panellist.id)
    ) is None


def my_assignments(session: Session, *, by: User) -> list[PanelAssignment]:
    """The applications this panellist has been asked to assess, oldest first."""
    if by.role != Role.PANELLIST:
        raise PermissionDenied("Only youth panellists have applications to assess")
    if needs_guardian_consent(session, panellist=by):
        return []
    return [a for a in session.scalars(
        select(PanelAssignment)
        .where(PanelAssignment.panellist_id == by.id, PanelAssignment.recused_at.is_(None))
        .order_by(PanelAssignment.assigned_at)
    ) if _checks().may_open(a)]


# Scoring rules ---------------------------------------------------------------------------------------

SCORE_CHOICES = ("1", "2", "3", "4", "5")
COMMENT_MAX_CHARACTERS = 3000
REASON_MAX_CHARACTERS = 2000
# Rounds the panel has finished with: the panellist's home folds them away.
FINISHED_ROUNDS = (RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED)
# The home page lists a round's applications with the work left first.
STAGE_ORDER = ("declare", "scoring", "closed", "sent", "recused")


ALREADY_DECLARED = ("You have already declared whether you have a conflict of interest. "
                    "Email the grants team if it has changed")


class DeclarationNeeded(PermissionDenied):
    """The panellist must declare any conflict of interest before reading the application."""


class ScoreProblems(ValidationError):
    """Several scores or comments need attention: one message per form field, in page order."""

    def __init__(self, problems: dict[str, str], *, fingerprint: str) -> None:
        super().__init__(next(iter(problems.values())), field=next(iter(problems)))
        self.problems = problems
        # What is saved now (a save may have happened before the check), for the re-shown form.
        self.fingerprint = fingerprint


class ScoresChangedElsewhere(StateTransitionError):
    """The scores were saved from another window or device after this page was loaded."""

    def __init__(self, *, saved: dict[int, tuple[int | None, str]], fingerprint: str) -> None:
        super().__init__("Your scores were changed in another window or on another device after you opened this "
                         "page. Check what is saved now and what you typed, then save the version you want")
        self.saved = saved
        self.fingerprint = fingerprint


@dataclass(frozen=True)
class ScoreEntry:
    """What was typed for one criterion: the score as sent by the form (may be blank) and the comment."""

    value: str | None
    comment: str


@dataclass(frozen=True)
class AssignmentSummary:
    """One application on the panellist's home page, and what they need to do next."""

    assignment: PanelAssignment
    # "recused", "declare", "scoring", "closed" or "sent".
    stage: str
    saved: int
    total: int

    @property
    def project_title(self) -> str:
        """The project's title as sent (never the group's name, which anonymised scoring hides)."""
        application = self.assignment.application
        sent = (application.submitted_snapshot or {}).get("project_title")
        return sent or application.project_title or application.reference or ""


@dataclass(frozen=True)
class RoundWork:
    """A round's applications for this panellist, and whether they lead its panel."""

    round: Round
    is_lead: bool
    items: list[AssignmentSummary]
    # When the page was asked for, to say whether the round's scores are overdue.
    now: datetime = field(default_factory=utcnow)

    @property
    def finished(self) -> bool:
        """The panel's work on the round is over: it has been decided."""
        return self.round.status in FINISHED_ROUNDS

    @property
    def to_declare(self) -> int:
        """Applications waiting for a declaration of any conflict of interest before they can be read."""
        return sum(1 for item in self.items if item.stage == "declare")

    @property
    def to_score(self) -> int:
        """Applications whose scores are still to send (declared or not)."""
        return sum(1 for item in self.items if item.stage in ("declare", "scoring"))

    @property
    def left_to_do(self) -> str:
        """What is left and by when, in words: '3 to score by 24 January 2027 (1 needs a declaration first)',
        '3 to score – they were due on 24 January 2027' once the round's date has passed, or that everything is
        sent. A round with no date for scores gives none rather than a guessed one.
        """
        if self.finished:
            return ""
        if not self.to_score:
            return "Nothing left to score" if self.items else ""
        text = scores_due.to_score(self.to_score, self.round, self.now)
        if self.to_declare:
            text += (f" ({self.to_declare} {'needs' if self.to_declare == 1 else 'need'} a declaration of any "
                     "conflict of interest first)")
        return text


@dataclass(frozen=True)
class PanelHome:
    """The panellist's home: rounds with work first, then finished rounds (folded away on the page)."""

    active: list[RoundWork]
    finished: list[RoundWork]

    @property
    def rounds(self) -> list[RoundWork]:
        """Every round, active first."""
        return self.active + self.finished


@dataclass(frozen=True)
class DeclarationPage:
    """What a panellist sees before declaring: who applied, where they work, and for what."""

    assignment: PanelAssignment
    organisation_name: str
    boroughs: list[str]
    project_title: str
    declaration: ConflictDeclaration | None
    is_open: bool


@dataclass(frozen=True)
class Evidence:
    """The parts of the application one criterion is scored against (issue 14: scoring on a phone).

    ``answers`` are the answers to the round's questions linked to this criterion (``Question.criterion``).
    A criterion with no questions of its own (``has_questions`` False, such as value for money) is scored
    against the rest: the answers linked to no criterion, the budget and the partners (``shows_rest``).
    """

    answers: list[dict[str, Any]]
    has_questions: bool
    shows_rest: bool


@dataclass(frozen=True)
class ScoringSheet:
    """The scoring page: the application as sent, the criteria and what this panellist has saved."""

    assignment: PanelAssignment
    round: Round
    criteria: list[Criterion]
    saved: dict[int, Score]
    fingerprint: str
    snapshot: dict[str, Any]
    applicant_label: str
    closed_reason: str | None
    # Which criterion each of the round's questions informs (None: no criterion), by question id.
    question_criteria: dict[int, int | None] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)

    @property
    def due(self) -> str:
        """By when the round's scores are due ('Send your scores by 24 January 2027.'), or '' with no date."""
        return scores_due.due_sentence(self.round, self.now)

    def number(self, criterion: Criterion) -> int:
        """The criterion's place in the round's list, from 1 (its page's address)."""
        return next(n for n, c in enumerate(self.criteria, start=1) if c.id == criterion.id)

    def criterion_number(self, number: int) -> Criterion:
        """The criterion at this place in the list (from 1); NotFound for any other number."""
        if not 1 <= number <= len(self.criteria):
            raise NotFound("There is no criterion with that number in this round")
        return self.criteria[number - 1]

    def status(self, criterion: Criterion) -> str:
        """"scored" (a score and a comment saved), "started" (one of them) or "not started"."""
        score = self.saved.get(criterion.id)
        if _complete(score):
            return "scored"
        if score is not None and (score.value is not None or score.comment.strip()):
            return "started"
        return "not started"

    def next_to_score(self) -> Criterion | None:
        """The first criterion without both a score and a comment; None when every one has them."""
        return next((c for c in self.criteria if not _complete(self.saved.get(c.id))), None)

    def fingerprint_of(self, criteria: Iterable[Criterion]) -> str:
        """A digest of what is saved for these criteria only: a criterion page checks just its own."""
        ids = {c.id for c in criteria}
        return _fingerprint(s for s in self.saved.values() if s.criterion_id in ids)

    def evidence(self, criterion: Criterion) -> Evidence:
        """What the group wrote that this criterion is scored against, from the application as sent."""
        linked = set(self.question_criteria.values())
        answers = self.snapshot.get("answers") or []
        if criterion.id in linked:
            mine = [a for a in answers if self.question_criteria.get(a.get("question_id")) == criterion.id]
            return Evidence(answers=mine, has_questions=True, shows_rest=False)
        criteria = {c.id for c in self.criteria}
        rest = [a for a in answers if self.question_criteria.get(a.get("question_id")) not in criteria]
        return Evidence(answers=rest, has_questions=False, shows_rest=True)

    @property
    def sent_at(self) -> datetime | None:
        """When the scores were sent, if they have been."""
        return self.assignment.scores_submitted_at

    @property
    def saved_count(self) -> int:
        """How many criteria have both a score and a comment saved."""
        return sum(1 for c in self.criteria if _complete(self.saved.get(c.id)))

    def value(self, criterion: Criterion) -> int | None:
        """The saved score for a criterion."""
        score = self.saved.get(criterion.id)
        return score.value if score else None

    def comment(self, criterion: Criterion) -> str:
        """The saved comment for a criterion."""
        score = self.saved.get(criterion.id)
        return score.comment if score else ""

    def problems(self) -> dict[str, str]:
        """What is missing before the scores can be sent, by form field name."""
        return _missing(self.criteria, {c.id: (self.value(c), self.comment(c)) for c in self.criteria})

    @property
    def weights_add_up(self) -> bool:
        """Whether the criteria weights add up to 100, so a total can be worked out (see ``total``)."""
        return weights_add_up({c.id: c.weight for c in self.criteria})

    def total(self) -> float | None:
        """The weighted score out of 100, once every criterion has a score; None while it cannot be worked out.

        The criteria are fixed from closing, so weights that do not add up to 100 should never reach here;
        if they do, the page says the total cannot be worked out rather than failing.
        """
        values = {c.id: self.value(c) for c in self.criteria}
        if not self.criteria or any(v is None for v in values.values()) or not self.weights_add_up:
            return None
        return weighted_score(values, {c.id: c.weight for c in self.criteria})


@dataclass(frozen=True)
class PanelMark:
    """One panellist's sent score and comment, labelled without their name."""

    label: str
    value: int | None
    comment: str


@dataclass(frozen=True)
class CriterionMarks:
    """Every sent score for one criterion, and their mean."""

    criterion: Criterion
    marks: list[PanelMark]
    mean: float | None


@dataclass(frozen=True)
class PanelScores:
    """What the panel as a whole scored, shown to a panellist once they have sent their own scores."""

    assignment: PanelAssignment
    applicant_label: str
    rows: list[CriterionMarks]
    others_sent: int


def score_field(criterion_id: int) -> str:
    """The form field name of a criterion's score."""
    return f"score_{criterion_id}"


def comment_field(criterion_id: int) -> str:
    """The form field name of a criterion's comment."""
    return f"comment_{criterion_id}"


def panel_home(session: Session, *, by: User) -> PanelHome:
    """The panellist's applications grouped by round, each with its next step, rounds with work first and decided
    rounds last; nothing while consent is awaited."""
    if by.role != Role.PANELLIST:
        raise PermissionDenied("Only youth panellists have applications to assess")
    if needs_guardian_consent(session, panellist=by):
        return PanelHome(active=[], finished=[])
    # A withdrawn (or not eligible) application leaves their work, unless they had sent scores for it.
    assignments = [a for a in session.scalars(
        select(PanelAssignment).where(PanelAssignment.panellist_id == by.id).order_by(PanelAssignment.id)
        # Everything each row shows, loaded with the list: not one query per application (issue 8).
        .options(selectinload(PanelAssignment.scores),
                 joinedload(PanelAssignment.application).joinedload(Application.round)
                 .selectinload(Round.criteria))
    ) if _checks().may_open(a)]
    declared = set(session.scalars(
        select(ConflictDeclaration.application_id)
        .where(ConflictDeclaration.panellist_id == by.id, ConflictDeclaration.has_conflict.is_(False))
    ))
    led = list(session.scalars(select(Round).where(Round.panel_lead_id == by.id)))
    rounds: dict[int, RoundWork] = {r.id: RoundWork(round=r, is_lead=True, items=[]) for r in led}
    for assignment in assignments:
        round_ = assignment.application.round
        work = rounds.setdefault(round_.id, RoundWork(round=round_, is_lead=round_.panel_lead_id == by.id,
                                                      items=[]))
        work.items.append(_summary(assignment, declared=assignment.application_id in declared))
    for work in rounds.values():  # what is left to do first, in the order it was given
        work.items.sort(key=lambda item: STAGE_ORDER.index(item.stage))
    ordered = sorted(rounds.values(), key=lambda w: (w.round.closes_at, w.round.id))
    active = [w for w in ordered if not w.finished]
    # Rounds with something left to score first, soonest closing first; decided rounds newest first.
    active.sort(key=lambda w: w.to_score == 0)
    return PanelHome(active=active, finished=[w for w in reversed(ordered) if w.finished])


def _summary(assignment: PanelAssignment, *, declared: bool) -> AssignmentSummary:
    """Where one assignment has got to."""
    criteria = assignment.application.round.criteria
    saved = sum(1 for s in assignment.scores if _complete(s))
    if assignment.recused_at is not None:
        stage = "recused"
    elif assignment.scores_submitted_at is not None:
        stage = "sent"
    elif assignment.application.round.status != RoundStatus.ASSESSMENT:
        stage = "closed"
    elif not declared:
        stage = "declare"
    else:
        stage = "scoring"
    return AssignmentSummary(assignment=assignment, stage=stage, saved=saved, total=len(criteria))


def declaration_page(session: Session, *, assignment_id: int, by: User) -> DeclarationPage:
    """The organisation's name, boroughs and project, for the panellist to say whether they know them."""
    assignment = _checks().assignment_for_panellist(session, assignment_id=assignment_id, by=by)
    application = assignment.application
    organisation = application.organisation
    return DeclarationPage(
        assignment=assignment,
        organisation_name=organisation.name,
        boroughs=[borough_name(code) for code in organisation.boroughs],
        project_title=application.project_title or "",
        declaration=_checks().declaration_for(session, assignment),
        is_open=application.round.status == RoundStatus.ASSESSMENT and _checks().still_assessed(application),
    )


def declare_conflict(session: Session, *, assignment_id: int, has_conflict: bool | None, reason: str | None,
                     by: User, public_url: str) -> ConflictDeclaration:
    """Record the panellist's declaration; a conflict takes them off the application and finds a replacement."""
    assignment = _checks().assignment_for_panellist(session, assignment_id=assignment_id, by=by)
    if assignment.application.round.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError("The panel is not assessing this round's applications now, so you cannot "
                                   "declare a conflict of interest", field="has_conflict")
    if not _checks().still_assessed(assignment.application):
        raise StateTransitionError(_checks().no_longer_assessed_message(assignment.application), field="has_conflict")
    if _checks().declaration_for(session, assignment) is not None:
        raise StateTransitionError(ALREADY_DECLARED, field="has_conflict")
    declaration = new_declaration(application_id=assignment.application_id, has_conflict=has_conflict,
                                  reason=reason, by=by)
    if not assigning.stored(session, declaration):  # the same form, sent twice at the same moment
        raise StateTransitionError(ALREADY_DECLARED, field="has_conflict")
    audit.record(session, actor=by, action="panel.conflict_declared", entity=declaration,
                 after={"application": assignment.application.reference, "has_conflict": has_conflict,
                        "reason": declaration.reason})
    if has_conflict:
        assigning.recuse(session, assignment=assignment, public_url=public_url)
    session.flush()
    return declaration


def new_declaration(*, application_id: int, has_conflict: bool | None, reason: str | None,
                    by: User) -> ConflictDeclaration:
    """A checked (not yet stored) declaration: yes or no, and a reason for a conflict."""
    if has_conflict is None:
        raise ValidationError("Select yes if you have a conflict of interest", field="has_conflict")
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise ValidationError("Tell us why you have a conflict of interest", field="reason")
    if len(reason) > REASON_MAX_CHARACTERS:
        raise ValidationError(f"Your reason must be {REASON_MAX_CHARACTERS:,} characters or fewer", field="reason")
    return ConflictDeclaration(application_id=application_id, panellist_id=by.id, has_conflict=has_conflict,
                               reason=reason if has_conflict else None)


def scoring_sheet(session: Session, *, assignment_id: int, by: User) -> ScoringSheet:
    """The scoring page for the panellist's own assignment, once they have declared no conflict."""
    assignment = _checks().assignment_for_panellist(session, assignment_id=assignment_id, by=by)
    if not _checks().has_declared_no_conflict(session, assignment):
        raise DeclarationNeeded("Declare any conflict of interest before you read the application")
    round_ = assignment.application.round
    saved = {s.criterion_id: s for s in assignment.scores}
    label = applicant_label(assignment)
    snapshot = assignment.application.submitted_snapshot or {}
    return ScoringSheet(
        assignment=assignment, round=round_, criteria=list(round_.criteria), saved=saved,
        fingerprint=_fingerprint(saved.values()),
        snapshot=anonymised_snapshot(snapshot, label=label) if round_.anonymised_scoring else snapshot,
        applicant_label=label if round_.anonymised_scoring else snapshot.get("organisation", {}).get("name", ""),
        closed_reason=_closed_reason(assignment),
        question_criteria={q.id: q.criterion_id for q in round_.questions},
    )


def save_scores(session: Session, *, assignment_id: int, entries: Mapping[int, ScoreEntry],
                fingerprint: str | None, complete: bool, by: User,
                only: Collection[int] | None = None) -> ScoringSheet:
    """Save what the panellist typed, even partly; with ``complete`` also require a score and comment for all.

    ``only`` names the criteria (by id) the form showed, as a page for one criterion does: the others'
    saved drafts are left as they are, and ``fingerprint`` and ``complete`` cover just these.
    Nothing is saved when a score is not 1 to 5, when scoring has closed, or when the saved scores changed
    since the page was loaded (``fingerprint``): the view shows what was typed so nothing is lost.
    """
    sheet = scoring_sheet(session, assignment_id=assignment_id, by=by)
    if sheet.closed_reason:
        raise StateTransitionError(sheet.closed_reason)
    criteria = [c for c in sheet.criteria if only is None or c.id in only]
    typed = {c.id: entries.get(c.id, ScoreEntry(value=None, comment="")) for c in criteria}
    problems: dict[str, str] = {}
    values: dict[int, int | None] = {}
    for criterion in criteria:
        entry = typed[criterion.id]
        raw = (entry.value or "").strip()
        if raw and raw not in SCORE_CHOICES:
            problems[score_field(criterion.id)] = f"Choose a score from 1 to 5 for {criterion.name}"
        values[criterion.id] = int(raw) if raw in SCORE_CHOICES else None
        if len(entry.comment.strip()) > COMMENT_MAX_CHARACTERS:
            problems[comment_field(criterion.id)] = (
                f"Your comment for {criterion.name} must be {COMMENT_MAX_CHARACTERS:,} characters or fewer")
    if problems:
        raise ScoreProblems(problems, fingerprint=sheet.fingerprint_of(criteria))
    if fingerprint is not None and fingerprint != sheet.fingerprint_of(criteria):
        raise ScoresChangedElsewhere(saved={c.id: (sheet.value(c), sheet.comment(c)) for c in criteria},
                                     fingerprint=sheet.fingerprint_of(criteria))
    before = {c.name: sheet.value(c) for c in criteria}
    try:
        with session.begin_nested():  # a first save from another window at the same moment meets the same rows
            for criterion in criteria:
                _store(session, sheet=sheet, criterion=criterion, value=values[criterion.id],
                       comment=typed[criterion.id].comment.strip())
            session.flush()
    except IntegrityError:
        session.expire(sheet.assignment, ["scores"])
        sheet = scoring_sheet(session, assignment_id=assignment_id, by=by)
        raise ScoresChangedElsewhere(saved={c.id: (sheet.value(c), sheet.comment(c)) for c in criteria},
                                     fingerprint=sheet.fingerprint_of(criteria)) from None
    audit.record(session, actor=by, action="panel.scores_saved", entity=sheet.assignment, before=before,
                 after={c.name: values[c.id] for c in criteria})
    sheet = scoring_sheet(session, assignment_id=assignment_id, by=by)
    if complete:
        missing = _missing(criteria, {c.id: (sheet.value(c), sheet.comment(c)) for c in criteria})
        if missing:
            raise ScoreProblems(missing, fingerprint=sheet.fingerprint_of(criteria))
    return sheet


def send_scores(session: Session, *, assignment_id: int, by: User) -> PanelAssignment:
    """Send the panellist's scores to the panel: every criterion must be scored, and then they are locked."""
    sheet = scoring_sheet(session, assignment_id=assignment_id, by=by)
    if sheet.closed_reason:
        raise StateTransitionError(sheet.closed_reason)
    missing = sheet.problems()
    if missing:
        raise ScoreProblems(missing, fingerprint=sheet.fingerprint)
    assignment = sheet.assignment
    assignment.scores_submitted_at = utcnow()
    audit.record(session, actor=by, action="panel.scores_submitted", entity=assignment,
                 after={"application": assignment.application.reference, "total": sheet.total(),
                        **{c.name: sheet.value(c) for c in sheet.criteria}})
    session.flush()
    return assignment


def panel_scores_for(session: Session, *, assignment_id: int, by: User) -> PanelScores:
    """Every panellist's sent scores for the application, without names, once this panellist has sent theirs."""
    sheet = scoring_sheet(session, assignment_id=assignment_id, by=by)
    mine = sheet.assignment
    if mine.scores_submitted_at is None:
        raise PermissionDenied("You can see other panellists' scores once you have sent your own")
    others = list(session.scalars(
        select(PanelAssignment)
        .where(PanelAssignment.application_id == mine.application_id, PanelAssignment.id != mine.id,
               PanelAssignment.recused_at.is_(None), PanelAssignment.scores_submitted_at.is_not(None))
        .order_by(PanelAssignment.scores_submitted_at, PanelAssignment.id)
    ))
    labelled = [("You", mine)] + [(f"Panellist {n}", a) for n, a in enumerate(others, start=2)]
    rows = []
    for criterion in sheet.criteria:
        marks = []
        for label, assignment in labelled:
            score = next((s for s in assignment.scores if s.criterion_id == criterion.id), None)
            marks.append(PanelMark(label=label, value=score.value if score else None,
                                   comment=score.comment if score else ""))
        scored = [m.value for m in marks if m.value is not None]
        rows.append(CriterionMarks(criterion=criterion, marks=marks, mean=fmean(scored) if scored else None))
    return PanelScores(assignment=mine, applicant_label=sheet.applicant_label, rows=rows, others_sent=len(others))


def applicant_label(assignment: PanelAssignment) -> str:
    """The neutral name an anonymised round's scoring pages use instead of the organisation's."""
    return f"Applicant A-{assignment.application_id}"


def panel_project_title(assignment: PanelAssignment) -> str:
    """The project's title as the panel sees it: with the group's name hidden when scoring is anonymised."""
    application = assignment.application
    snapshot = application.submitted_snapshot or {}
    if application.round.anonymised_scoring:
        return anonymised_snapshot(snapshot, label=applicant_label(assignment))["project_title"]
    return snapshot.get("project_title") or application.project_title or ""


def anonymised_snapshot(snapshot: dict[str, Any], *, label: str) -> dict[str, Any]:
    """The application as sent, with who sent it hidden: names, numbers, address, partners and contacts."""
    organisation = snapshot.get("organisation") or {}
    declaration = snapshot.get("declaration") or {}
    names = [n for n in [organisation.get("name"), declaration.get("name"),
                         *[p.get("name") for p in snapshot.get("partners") or []]] if n]
    return {
        **snapshot,
        "organisation": {**organisation, "name": label, "charity_number": None, "company_number": None,
                         "address": []},
        "project_title": _hide(snapshot.get("project_title") or "", names),
        "answers": [{**a, "answer": _hide(a.get("answer") or "", names)} for a in snapshot.get("answers") or []],
        "budget": [{**line, "item": _hide(line.get("item") or "", names)} for line in snapshot.get("budget") or []],
        "partners": [{"name": f"Partner {n}", "role": _hide(p.get("role") or "", names)}
                     for n, p in enumerate(snapshot.get("partners") or [], start=1)],
        "documents": [{**d, "name": f"Document {n}"} for n, d in enumerate(snapshot.get("documents") or [], start=1)],
        "declaration": {**declaration, "name": None, "role": None},
    }


def _hide(text: str, names: list[str]) -> str:
    """Text with every mention of these names replaced by "[name hidden]"."""
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(re.escape(name), "[name hidden]", text, flags=re.IGNORECASE)
    return text


def _checks():
    """portal.panel.access, imported when used because it imports this module."""
    from portal.panel import access

    return access


def _closed_reason(assignment: PanelAssignment) -> str | None:
    """Why the scores cannot be changed now, or None while they can."""
    if assignment.scores_submitted_at is not None:
        return (f"You sent your scores on {date_time(assignment.scores_submitted_at)}, so they cannot be changed. "
                "Email the grants team if something is wrong")
    if assignment.application.round.status != RoundStatus.ASSESSMENT:
        return "Scoring has closed for this round, so your scores cannot be saved. Email the grants team for help"
    if not _checks().still_assessed(assignment.application):
        return _checks().no_longer_assessed_message(assignment.application)
    return None


def _complete(score: Score | None) -> bool:
    """Whether a saved score has both a value and a comment."""
    return score is not None and score.value is not None and bool(score.comment.strip())


def _missing(criteria: list[Criterion], typed: Mapping[int, tuple[int | None, str]]) -> dict[str, str]:
    """A message for every criterion without a score or without a comment, in page order."""
    problems: dict[str, str] = {}
    for criterion in criteria:
        value, comment = typed.get(criterion.id, (None, ""))
        if value is None:
            problems[score_field(criterion.id)] = f"Choose a score for {criterion.name}"
        if not comment.strip():
            problems[comment_field(criterion.id)] = (
                f"Write a comment for {criterion.name}: say why you chose this score")
    return problems


def _fingerprint(scores: Iterable[Score]) -> str:
    """A short digest of the saved scores, to notice a save made from another window."""
    rows = sorted((s.criterion_id, s.value, s.comment) for s in scores)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def _store(session: Session, *, sheet: ScoringSheet, criterion: Criterion, value: int | None, comment: str) -> None:
    """Create or update one criterion's saved score (nothing is stored for a criterion left untouched)."""
    score = sheet.saved.get(criterion.id)
    if score is None:
        if value is None and not comment:
            return
        score = Score(assignment=sheet.assignment, criterion_id=criterion.id)
        session.add(score)
    if score.value != value or score.comment != comment:
        score.value = value
        score.comment = comment
