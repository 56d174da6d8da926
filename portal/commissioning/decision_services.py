"""Commissioners' decisions: record each application's outcome, accept the panel's recommendation, publish.

A decision is recorded for every application the panel assessed while the round is in assessment or
decided; nothing reaches the public (or the applicant) until "Publish decisions" appends the round's
decisions to the hash-chained decision log and moves each application to awarded, declined or reserve.
After publication a reserve application can still be decided (a late decision, published on its own),
and a published entry can be corrected by a new entry that names it, with a reason shown publicly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.application_lifecycle import transition_application
from portal.boroughs import BOROUGHS
from portal.commissioning import assessment_services
from portal.commissioning.assessment_services import RankedRow, RoundRanking, organisation_name
from portal.domain import DomainError, NotFound, StateTransitionError, ValidationError
from portal.formatting import date_time, money, money_message, parse_pounds
from portal.identifying import Identifying, Kind, removal_words
from portal.models import (
    Application,
    ApplicationStatus,
    Decision,
    DecisionException,
    DecisionLogEntry,
    Outcome,
    Role,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from portal.panel.assigning import ASSESSED_STATUSES
from portal.permissions import require_commissioner
from portal.round_lifecycle import transition_round
from portal.transparency import log

REASON_MAX_CHARACTERS = 2000
# Optional text for the public about a declined or reserve decision: a sentence or two.
PUBLIC_NOTE_MAX_CHARACTERS = 1000
# Why an application may be decided without its full set of scores: a sentence or two, kept from the public.
EXCEPTION_MAX_CHARACTERS = 500
# Why an application was declined: one is published with the written feedback.
DECLINE_CATEGORIES = (
    "Scored below the funding line",
    "Need not shown clearly enough",
    "Outcomes not clear enough",
    "Young people not involved enough",
    "Budget not realistic",
    "Safeguarding not strong enough",
    "Similar work already funded nearby",
    "Other",
)
BELOW_LINE_CATEGORY = "Scored below the funding line"
BELOW_LINE_FEEDBACK = ("The panel scored other applications higher, and the round's budget ran out before yours.")
# Someone else published these decisions between this commissioner opening the page and pressing the button.
PUBLISHED_BY_SOMEONE_ELSE = "These decisions were published a moment ago by someone else"
# Outcomes published without naming the group: their reasons must not name it either.
UNNAMED_OUTCOMES = (Outcome.DECLINE, Outcome.RESERVE)
OUTCOME_WORDS = {Outcome.AWARD: "Award", Outcome.DECLINE: "Decline", Outcome.RESERVE: "Reserve"}
# Rounds whose decisions can still be recorded and changed before publication.
DECIDING_STATUSES = (RoundStatus.ASSESSMENT, RoundStatus.DECIDED)
DECIDED_APPLICATION_STATUSES = (ApplicationStatus.AWARDED, ApplicationStatus.DECLINED, ApplicationStatus.RESERVE)
STATUS_FOR_OUTCOME = {
    Outcome.AWARD: ApplicationStatus.AWARDED,
    Outcome.DECLINE: ApplicationStatus.DECLINED,
    Outcome.RESERVE: ApplicationStatus.RESERVE,
}
AUDITED_FIELDS = ["outcome", "amount_awarded_pence", "reason_category", "reason", "panel_score", "decided_by_id",
                  "decided_by_role", "decided_at", "from_recommendation", "published_at", "public_note",
                  "public_note_by_id", "public_note_approved_by_id", "public_note_approved_at"]


# Errors ------------------------------------------------------------------------------------------


class DecisionConflict(ValidationError):
    """A save started from an older version of the decision: another commissioner saved it first."""

    def __init__(self, decision: Decision) -> None:
        who = decision.decided_by.name if decision.decided_by else "Another commissioner"
        super().__init__(
            f"{who} saved a decision for this application on {date_time(decision.decided_at)}, after you opened "
            "it. We have not saved yours. Compare the two below; if you save again, yours will replace theirs",
            field="version",
        )
        self.decision = decision


class Problem(str):
    """One thing still to do before a round moves on, as words, with the application it is about (if any) so the
    page can link the words to that application's row."""

    reference: str | None

    def __new__(cls, text: str, *, reference: str | None = None) -> "Problem":
        problem = super().__new__(cls, text)
        problem.reference = reference
        return problem


class RoundNotReady(DomainError):
    """The round cannot move on yet; ``problems`` lists everything still to do."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class EntrySuperseded(StateTransitionError):
    """The entry has already been corrected or replaced; only the latest entry can be corrected."""

    def __init__(self, latest: DecisionLogEntry) -> None:
        super().__init__(f"Entry {latest.position} has replaced this entry since it was published. "
                         "Only the latest entry for an application can be corrected")
        self.latest = latest


# Who may act -------------------------------------------------------------------------------------


COMMISSIONERS_ONLY = "Only commissioners can record and publish decisions"


def decisions_round(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def decision_application(session: Session, *, decision_application_id: int, by: User) -> Application:
    """An application the panel assessed (or that has been decided), for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    application = session.get(Application, decision_application_id)
    if application is None or application.status not in (*ASSESSED_STATUSES, *DECIDED_APPLICATION_STATUSES):
        raise NotFound("There is no application with this number waiting for a decision")
    return application


def decision_for(session: Session, application: Application) -> Decision | None:
    """The application's decision, if one has been recorded."""
    return session.scalar(select(Decision).where(Decision.application_id == application.id))


# What the pages show -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRow:
    """One application on the round's decisions page: its place in the ranking and its decision."""

    application: Application
    organisation: str
    ranked: RankedRow | None  # None while no panellist has sent scores
    decision: Decision | None
    latest_entry: DecisionLogEntry | None  # its newest entry in the public log, once published
    sent: int = 0  # panellists who have sent their written scores
    panel_size: int = 0  # panellists expected to score it
    # The reason recorded for deciding it without its full set of scores, if any.
    exception: DecisionException | None = None

    @property
    def score(self) -> float | None:
        """The combined score out of 100, or None when not scored."""
        return self.ranked.combined if self.ranked else None

    @property
    def provisional(self) -> bool:
        """Ranked, but its place may still move: written or interview scores are still to come."""
        return self.ranked is not None and self.ranked.provisional

    @property
    def interview_pending(self) -> bool:
        """Interviewed, and not every panellist on it has sent interview scores."""
        return self.ranked is not None and self.ranked.interview_pending

    @property
    def scores_missing(self) -> bool:
        """Not every panellist expected to score it has sent their scores (written, or interview when interviewed)."""
        return self.sent < self.panel_size or self.interview_pending

    @property
    def missing_words(self) -> str:
        """What is missing, as "2 of 3 panellists have sent their scores"."""
        parts = []
        if self.sent < self.panel_size:
            verb = "has" if self.sent == 1 else "have"
            parts.append(f"{self.sent} of {self.panel_size} panellists {verb} sent their scores")
        if self.interview_pending:
            parts.append("not every panellist has sent their interview scores")
        return " and ".join(parts)

    @property
    def published(self) -> bool:
        """Whether the decision as it stands now is in the public log."""
        return self.decision is not None and self.decision.published_at is not None


@dataclass(frozen=True)
class RoundDecisions:
    """Everything the round's decisions page shows."""

    round: Round
    ranking: RoundRanking
    rows: list[DecisionRow]
    awarded_pence: int

    @property
    def deciding(self) -> bool:
        """Decisions can be recorded and changed (before publication)."""
        return self.round.status in DECIDING_STATUSES

    @property
    def started(self) -> bool:
        """The round has reached assessment, so there is something to decide."""
        return self.ranking.started

    @property
    def published(self) -> bool:
        """The round's decisions are in the public log."""
        return self.round.status == RoundStatus.DECISIONS_PUBLISHED

    @property
    def over_budget_pence(self) -> int:
        """How much the awards exceed the budget by (0 when within it)."""
        return max(0, self.awarded_pence - self.round.budget_pence)

    @property
    def undecided(self) -> list[DecisionRow]:
        """Applications without a decision yet."""
        return [row for row in self.rows if row.decision is None]

    @property
    def recommendation_pending(self) -> bool:
        """Accepting the panel's recommendation would decide something (a fully scored application is undecided)."""
        return any(row.ranked is not None and not row.provisional and row.decision is None for row in self.rows)

    @property
    def missing_scores(self) -> list[DecisionRow]:
        """Applications without their full set of sent scores, with or without a recorded exception."""
        return [row for row in self.rows if row.scores_missing]

    @property
    def unexcused(self) -> list[DecisionRow]:
        """Applications without their full set of sent scores and no reason recorded for deciding them so."""
        return [row for row in self.missing_scores if row.exception is None]

    @property
    def unpublished(self) -> list[DecisionRow]:
        """After publication: decisions changed or made late, waiting to be published on their own."""
        return [row for row in self.rows if row.decision is not None and row.decision.published_at is None]


def _latest_entries(session: Session, application_ids: list[int]) -> dict[int, DecisionLogEntry]:
    """Application id -> its newest entry in the public log."""
    if not application_ids:
        return {}
    latest = (select(func.max(DecisionLogEntry.position))
              .where(DecisionLogEntry.application_id.in_(application_ids))
              .group_by(DecisionLogEntry.application_id).scalar_subquery())
    entries = session.scalars(select(DecisionLogEntry).where(DecisionLogEntry.position.in_(latest)))
    return {entry.application_id: entry for entry in entries}


def _decisions(session: Session, application_ids: list[int]) -> dict[int, Decision]:
    """Application id -> its decision."""
    if not application_ids:
        return {}
    return {d.application_id: d for d in session.scalars(
        select(Decision).where(Decision.application_id.in_(application_ids)))}


def _exceptions(session: Session, application_ids: list[int]) -> dict[int, DecisionException]:
    """Application id -> the reason recorded for deciding it without its full set of scores."""
    if not application_ids:
        return {}
    return {e.application_id: e for e in session.scalars(
        select(DecisionException).where(DecisionException.application_id.in_(application_ids)))}


def round_decisions(session: Session, *, round_: Round, by: User) -> RoundDecisions:
    """The panel's ranking with each application's decision, in rank order (unscored ones last)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    ranking = assessment_services.round_ranking(session, round_=round_, by=by)
    applications = [row.application for row in ranking.rows] + [row.application for row in ranking.waiting]
    ids = [a.id for a in applications]
    decisions = _decisions(session, ids)
    entries = _latest_entries(session, ids)
    exceptions = _exceptions(session, ids)
    rows = [DecisionRow(application=row.application, organisation=row.organisation, ranked=row,
                        decision=decisions.get(row.application.id), latest_entry=entries.get(row.application.id),
                        sent=row.sent, panel_size=row.panel_size, exception=exceptions.get(row.application.id))
            for row in ranking.rows]
    rows += [DecisionRow(application=row.application, organisation=row.organisation, ranked=None,
                         decision=decisions.get(row.application.id), latest_entry=entries.get(row.application.id),
                         sent=row.sent, panel_size=row.panel_size, exception=exceptions.get(row.application.id))
             for row in ranking.waiting]
    awarded = sum(d.amount_awarded_pence or 0 for d in decisions.values() if d.outcome == Outcome.AWARD)
    return RoundDecisions(round=round_, ranking=ranking, rows=rows, awarded_pence=awarded)


@dataclass(frozen=True)
class DecisionPage:
    """One application's decision page."""

    application: Application
    organisation: str
    ranked: RankedRow | None
    decision: Decision | None
    can_decide: bool
    late: bool  # a reserve application being decided after the round's decisions were published
    why_not: str | None  # why the decision cannot be changed now

    @property
    def outcomes(self) -> list[Outcome]:
        """The outcomes that may be chosen: a late decision is an award or a decline."""
        return [Outcome.AWARD, Outcome.DECLINE] if self.late else list(Outcome)


def decision_page(session: Session, *, application: Application, by: User) -> DecisionPage:
    """The application's ranking, its decision so far and whether it can be decided now."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    ranking = assessment_services.round_ranking(session, round_=application.round, by=by)
    ranked = next((row for row in ranking.rows if row.application.id == application.id), None)
    problem = _why_not_decidable(application)
    return DecisionPage(application=application, organisation=organisation_name(application), ranked=ranked,
                        decision=decision_for(session, application), can_decide=problem is None,
                        late=_is_late(application), why_not=problem)


def _is_late(application: Application) -> bool:
    """A reserve application in a round whose decisions are published: it can still be awarded or declined."""
    return (application.round.status == RoundStatus.DECISIONS_PUBLISHED
            and application.status == ApplicationStatus.RESERVE)


def _why_not_decidable(application: Application) -> str | None:
    """Why this application's decision cannot be recorded or changed now, or None when it can."""
    status = application.round.status
    if status in DECIDING_STATUSES:
        if application.status in ASSESSED_STATUSES:
            return None
        return "This application is not being assessed, so it cannot be decided"
    if status == RoundStatus.DECISIONS_PUBLISHED:
        if _is_late(application):
            return None
        return ("This round's decisions have been published. Only an application on the reserve list can still be "
                "decided; to put a mistake in a published entry right, correct the entry instead")
    return "Decisions are made once the round is in assessment and the youth panel has scored the applications"


# Recording a decision ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    """A decision as typed: the outcome, amount (text, in pounds), reason category, reason and version."""

    outcome: str | None
    amount: str | None = None
    reason_category: str | None = None
    reason: str | None = None
    version: int | None = None  # the decision's version when the form was opened; None for a new decision
    public_note: str | None = None  # optional text for the public, for a decline or reserve only


@dataclass(frozen=True)
class CleanDecision:
    """A decision that passed every rule, ready to store."""

    outcome: Outcome
    amount_awarded_pence: int | None
    reason_category: str | None
    reason: str
    public_note: str = ""


def _amount_problem(text: str | None, *, asked_pence: int, field_name: str) -> tuple[int | None, dict[str, str]]:
    """The amount awarded in pence, or a message for the field."""
    if not (text or "").strip():
        return None, {field_name: "Enter the amount awarded"}
    try:
        pence = parse_pounds(text or "")
    except ValueError as error:
        return None, {field_name: money_message(error, "Enter the amount awarded in pounds, like 8,000 or 7,500.50")}
    if pence <= 0:
        return None, {field_name: "The amount awarded must be more than £0"}
    if pence > asked_pence:
        return None, {field_name: f"The amount awarded must be no more than the {money(asked_pence)} asked for"}
    return pence, {}


def _reason_problem(reason: str, *, outcome: Outcome) -> dict[str, str]:
    """A message for the reason field, or nothing when it is fine."""
    if not reason:
        return {"reason": {
            Outcome.AWARD: "Enter why you are making this award",
            Outcome.DECLINE: "Enter feedback for the group on why their application was declined",
            Outcome.RESERVE: "Enter why this application is on the reserve list",
        }[outcome]}
    if len(reason) > REASON_MAX_CHARACTERS:
        return {"reason": f"The reason must be {REASON_MAX_CHARACTERS:,} characters or fewer. "
                          f"Remove {len(reason) - REASON_MAX_CHARACTERS:,} characters"}
    return {}


# Naming the group ---------------------------------------------------------------------------------

# Towns in a sent address say only where a group is (as the published description does), not who it is.
PLACE_NAMES = frozenset({"London", *BOROUGHS.values()})


def identifying_terms(application: Application) -> Identifying:
    """What would identify the group in a public reason (see portal/identifying.py): its name (as sent and as
    now), charity and company numbers, postcode and address lines (not the town, which only says where), the
    names of its members and of the person who applied and signed the declaration, and the project title."""
    organisation = application.organisation
    snapshot = application.submitted_snapshot or {}
    sent = snapshot.get("organisation") or {}
    declaration = snapshot.get("declaration") or {}
    sent_address = [line for line in (sent.get("address") or []) if isinstance(line, str)]
    created_by = getattr(application, "created_by", None)
    people = [membership.user.name for membership in getattr(organisation, "memberships", None) or []]
    people += [created_by.name if created_by else None, getattr(application, "declared_by_name", None),
               declaration.get("name")]
    return Identifying(
        names=[sent.get("name"), organisation.name],
        numbers=[sent.get("charity_number"), organisation.charity_number, sent.get("company_number"),
                 organisation.company_number],
        postcodes=[organisation.postcode],
        address_lines=[organisation.address_line_1, organisation.address_line_2, *sent_address],
        people=people, project_titles=[snapshot.get("project_title"), application.project_title],
        places=[organisation.town, *PLACE_NAMES])


def naming_found(text: str | None, identifying: Identifying | None) -> list[Kind]:
    """The kinds of identifying detail in the text, in the order they appear (never the details themselves)."""
    return identifying.kinds(text) if identifying else []


def naming_message(found: Sequence[Kind]) -> str:
    """What to do about a public text that identifies a declined or reserve group."""
    return ("Do not name the group: declined and reserve decisions are published without it. "
            f"Remove {removal_words(found)}")


def _naming_problems(fields: dict[str, str | None], identifying: Identifying | None) -> dict[str, str]:
    """A message for each field whose text identifies the group."""
    problems = {}
    for name, text in fields.items():
        found = naming_found(text, identifying)
        if found:
            problems[name] = naming_message(found)
    return problems


def check_decision(entry: DecisionInput, *, asked_pence: int, allowed: list[Outcome] | None = None,
                   identifying: Identifying | None = None) -> tuple[CleanDecision | None, dict[str, str]]:
    """Apply the decision rules to what was typed: the clean decision, or a message for each field at fault.

    ``identifying`` holds what would name the group (see ``identifying_terms``): a decline or reserve
    public note containing any of it is refused, because those decisions are published without the name.
    """
    allowed = allowed or list(Outcome)
    try:
        outcome = Outcome(entry.outcome or "")
    except ValueError:
        outcome = None
    if outcome is None or outcome not in allowed:
        words = [OUTCOME_WORDS[o].lower() for o in allowed]
        choices = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return None, {"outcome": f"Choose {choices}"}
    reason = (entry.reason or "").strip()
    problems: dict[str, str] = {}
    amount = None
    category = None
    if outcome == Outcome.AWARD:
        amount, problems = _amount_problem(entry.amount, asked_pence=asked_pence, field_name="amount")
    if outcome == Outcome.DECLINE:
        category = (entry.reason_category or "").strip()
        if category not in DECLINE_CATEGORIES:
            problems["reason_category"] = "Choose the main reason for declining"
    problems.update(_reason_problem(reason, outcome=outcome))
    note = ""
    if outcome in UNNAMED_OUTCOMES:
        note = (entry.public_note or "").strip()
        problems.update(public_note_problems(note, identifying))
    if problems:
        return None, problems
    return CleanDecision(outcome=outcome, amount_awarded_pence=amount, reason_category=category, reason=reason,
                         public_note=note), {}


def public_note_problems(note: str, identifying: Identifying | None) -> dict[str, str]:
    """A message for optional public text that is too long or identifies the group; nothing when it is fine."""
    if len(note) > PUBLIC_NOTE_MAX_CHARACTERS:
        return {"public_note": f"The public note must be {PUBLIC_NOTE_MAX_CHARACTERS:,} characters or fewer. "
                               f"Remove {len(note) - PUBLIC_NOTE_MAX_CHARACTERS:,} characters"}
    return _naming_problems({"public_note": note}, identifying)


def _first_problem(problems: dict[str, str]) -> ValidationError:
    """The first problem as a ValidationError beside its field."""
    name, message = next(iter(problems.items()))
    return ValidationError(message, field=name)


def _panel_score(session: Session, application: Application, by: User) -> float | None:
    """The application's combined score from the panel's ranking, or None when not scored."""
    ranking = assessment_services.round_ranking(session, round_=application.round, by=by)
    return next((row.combined for row in ranking.rows if row.application.id == application.id), None)


def record_decision(session: Session, *, application: Application, entry: DecisionInput, by: User,
                    now: datetime | None = None) -> Decision:
    """Record or change an application's decision, refusing a save started from an older version."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    problem = _why_not_decidable(application)
    if problem:
        raise StateTransitionError(problem)
    late = _is_late(application)
    clean, problems = check_decision(entry, asked_pence=application.amount_requested_pence or 0,
                                     allowed=[Outcome.AWARD, Outcome.DECLINE] if late else None,
                                     identifying=identifying_terms(application))
    if problems:
        raise _first_problem(problems)
    if late and clean.outcome == Outcome.AWARD:
        over = budget_problem(session, round_=application.round, application_id=application.id,
                              amount_pence=clean.amount_awarded_pence or 0)
        if over:
            raise ValidationError(over, field="amount")
    decision = decision_for(session, application)
    if decision is not None and entry.version != decision.version:
        raise DecisionConflict(decision)
    if decision is None and entry.version is not None:
        raise ValidationError("The decision you opened has gone. Check the application and decide it again",
                              field="version")
    before = audit.snapshot(decision, AUDITED_FIELDS) if decision is not None else None
    score = _panel_score(session, application, by)
    stored = _store(session, application=application, decision=decision, clean=clean, score=score, by=by,
                    now=now or utcnow())
    audit.record(session, actor=by, action="decision.recorded" if before is None else "decision.changed",
                 entity=stored, before=before,
                 after={**audit.snapshot(stored, AUDITED_FIELDS), "application": application.reference})
    return stored


def _store(session: Session, *, application: Application, decision: Decision | None, clean: CleanDecision,
           score: float | None, by: User, now: datetime) -> Decision:
    """Write the decision in a savepoint, so a colleague's save in between is caught and nothing is half-saved."""
    try:
        with session.begin_nested():
            row = decision or Decision(application_id=application.id)
            row.outcome = clean.outcome
            row.amount_awarded_pence = clean.amount_awarded_pence
            row.reason_category = clean.reason_category
            row.reason = clean.reason
            if clean.public_note != (row.public_note or ""):  # new text needs a new approval
                row.public_note = clean.public_note
                row.public_note_by_id = by.id if clean.public_note else None
                row.public_note_approved_by_id = row.public_note_approved_at = None
            row.panel_score = score
            row.decided_by_id, row.decided_by_role, row.decided_at = by.id, Role(by.role), now
            row.from_recommendation = False
            row.published_at = None  # as it stands now, it is not what the public log shows
            if decision is None:
                session.add(row)
            session.flush()
    except StaleDataError:
        current = decision_for(session, application)
        if current is not None:
            session.refresh(current)
            raise DecisionConflict(current) from None
        raise
    session.refresh(row, ["decided_by"])
    return row


# Accepting the panel's recommendation ------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationResult:
    """What accepting the recommendation did: decisions made and applications left for later."""

    awarded: list[Decision] = field(default_factory=list)
    declined: list[Decision] = field(default_factory=list)
    waiting: list[Application] = field(default_factory=list)  # still waiting for scores: left undecided

    @property
    def skipped(self) -> int:
        """How many undecided applications were left as they are because scores are still to come."""
        return len(self.waiting)


def score_words(score: float) -> str:
    """A score out of 100 as people read it: 72, 68.5."""
    text = f"{score:.1f}"
    return text.removesuffix(".0")


def accept_recommendation(session: Session, *, round_: Round, by: User,
                          now: datetime | None = None) -> RecommendationResult:
    """Decide every fully scored, undecided application as the panel recommends: award above the line, decline
    below. Applications still waiting for scores (unscored, or provisional: some panellists have not sent theirs)
    are left undecided, as the page promises, and listed in the result."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status not in DECIDING_STATUSES:
        raise StateTransitionError("The panel's recommendation can be accepted only while the round is in "
                                   "assessment, before decisions are published")
    now = now or utcnow()
    ranking = assessment_services.round_ranking(session, round_=round_, by=by)
    existing = _decisions(session, [row.application.id for row in [*ranking.rows, *ranking.waiting]])
    waiting = [row.application for row in ranking.rows if row.provisional and row.application.id not in existing]
    waiting += [row.application for row in ranking.waiting if row.application.id not in existing]
    result = RecommendationResult(waiting=waiting)
    for row in ranking.rows:
        if row.application.id in existing or row.provisional:
            continue
        decision = _recommended(row, by=by, now=now)
        try:
            with session.begin_nested():
                session.add(decision)
                session.flush()
        except IntegrityError:
            continue  # another commissioner decided it at the same moment: theirs stands
        audit.record(session, actor=by, action="decision.recorded", entity=decision,
                     after={**audit.snapshot(decision, AUDITED_FIELDS), "application": row.application.reference})
        (result.awarded if decision.outcome == Outcome.AWARD else result.declined).append(decision)
    return result


def _recommended(row: RankedRow, *, by: User, now: datetime) -> Decision:
    """The decision the panel recommends for a ranked application."""
    common = dict(application_id=row.application.id, panel_score=row.combined, decided_by_id=by.id,
                  decided_by_role=Role(by.role), decided_at=now, from_recommendation=True)
    if row.funded:
        return Decision(outcome=Outcome.AWARD, amount_awarded_pence=row.amount_pence,
                        reason=f"Recommended by the youth panel (scored {score_words(row.combined)} out of 100).",
                        **common)
    return Decision(outcome=Outcome.DECLINE, reason_category=BELOW_LINE_CATEGORY, reason=BELOW_LINE_FEEDBACK,
                    **common)


# The budget after publication -------------------------------------------------------------------


def awards_in_force_pence(session: Session, *, round_: Round, application_id: int | None = None,
                          amount_pence: int | None = None) -> int:
    """The money the round's published awards add up to, as the current log shows them.

    With ``application_id``, that application's current entry is replaced by an award of ``amount_pence``
    (None: by no award), to see what the total would be after a late award or a correction.
    """
    current = session.scalars(log.current_entries(log.LogFilters(round_id=round_.id, outcome=Outcome.AWARD)))
    total = sum(entry.amount_awarded_pence or 0 for entry in current if entry.application_id != application_id)
    return total + (amount_pence or 0)


def budget_problem(session: Session, *, round_: Round, application_id: int, amount_pence: int) -> str | None:
    """Why awarding this amount to this application now would take the round over its budget, or None."""
    total = awards_in_force_pence(session, round_=round_, application_id=application_id, amount_pence=amount_pence)
    if total <= round_.budget_pence:
        return None
    return (f"Awarding {money(amount_pence)} would bring the round's published awards to {money(total)}, "
            f"which is {money(total - round_.budget_pence)} more than the budget of {money(round_.budget_pence)}. "
            "Award less, or reduce another award first")


# Marking the round as decided --------------------------------------------------------------------


def readiness_problems(overview: RoundDecisions) -> list[str]:
    """What stops the round's decisions being final: undecided applications, applications without their full
    set of sent scores (unless a reason is recorded for deciding them so) and awards over budget."""
    problems = [Problem(f"Record a decision for {row.application.reference} ({row.organisation})",
                        reference=row.application.reference) for row in overview.undecided]
    problems += [Problem(f"{row.application.reference} ({row.organisation}): {row.missing_words}. Wait for the "
                         "scores, or record why it can be decided without them", reference=row.application.reference)
                 for row in overview.unexcused]
    if overview.over_budget_pence:
        problems.append(f"The awards add up to {money(overview.awarded_pence)}, which is "
                        f"{money(overview.over_budget_pence)} more than the budget of "
                        f"{money(overview.round.budget_pence)}. Reduce or remove awards first")
    return problems


def mark_decided(session: Session, *, round_: Round, by: User) -> Round:
    """Move the round from assessment to decided, once every application has a decision within the budget."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError("Only a round in assessment can be marked as decided")
    overview = round_decisions(session, round_=round_, by=by)
    if not overview.rows:
        raise RoundNotReady("The round cannot be marked as decided yet",
                            ["No application has been assessed by the panel, so there is nothing to decide"])
    problems = readiness_problems(overview)
    if problems:
        raise RoundNotReady("The round cannot be marked as decided yet", problems)
    for row in overview.rows:
        if row.exception is not None and not row.scores_missing:
            _drop_exception(session, row.exception, by=by)
    transition_round(round_, RoundStatus.DECIDED)
    audit.record(session, actor=by, action="round.decided", entity=round_, before={"status": "assessment"},
                 after={"status": round_.status.value, "decisions": len(overview.rows),
                        "awarded_pence": overview.awarded_pence,
                        "decided_with_fewer_scores": [row.application.reference for row in overview.missing_scores]})
    return round_


def _drop_exception(session: Session, exception: DecisionException, *, by: User) -> None:
    """Remove a reason that is no longer needed: the missing scores arrived after it was recorded."""
    audit.record(session, actor=by, action="decision_exception.removed", entity=exception,
                 before={"reason": exception.reason, "scores_sent": exception.scores_sent,
                         "panel_size": exception.panel_size, "application": exception.application.reference},
                 after={"why": "every panellist sent their scores"})
    session.delete(exception)
    session.flush()


# Deciding without the full set of scores -------------------------------------------------------------


@dataclass(frozen=True)
class ExceptionPage:
    """The page for recording why an application may be decided without its full set of sent scores."""

    application: Application
    row: DecisionRow | None  # None when the panel does not assess it
    why_not: str | None  # why no reason can be recorded now

    @property
    def exception(self) -> DecisionException | None:
        """The reason recorded so far."""
        return self.row.exception if self.row else None


def exception_page(session: Session, *, application: Application, by: User) -> ExceptionPage:
    """What is missing for this application and whether a reason for deciding it without them can be recorded."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    overview = round_decisions(session, round_=application.round, by=by)
    row = next((r for r in overview.rows if r.application.id == application.id), None)
    return ExceptionPage(application=application, row=row, why_not=_why_no_exception(application, row))


def _why_no_exception(application: Application, row: DecisionRow | None) -> str | None:
    """Why no reason for deciding with fewer scores can be recorded for this application now, or None."""
    if application.round.status != RoundStatus.ASSESSMENT or row is None:
        return ("A reason for deciding with fewer scores than planned can be recorded only for an application the "
                "panel is assessing, before the round is marked as decided")
    if not row.scores_missing:
        return f"Every panellist on {application.reference} has sent their scores, so no reason is needed"
    return None


def record_exception(session: Session, *, application: Application, reason: str | None, by: User,
                     now: datetime | None = None) -> DecisionException:
    """Record (or change) why an application may be decided without its full set of sent scores."""
    page = exception_page(session, application=application, by=by)
    if page.why_not:
        raise StateTransitionError(page.why_not)
    text = (reason or "").strip()
    if not text:
        raise ValidationError("Enter why this application can be decided without all its scores", field="reason")
    if len(text) > EXCEPTION_MAX_CHARACTERS:
        raise ValidationError(f"The reason must be {EXCEPTION_MAX_CHARACTERS} characters or fewer. "
                              f"Remove {len(text) - EXCEPTION_MAX_CHARACTERS:,} characters", field="reason")
    row = page.row
    exception = page.exception
    before = None if exception is None else {"reason": exception.reason, "scores_sent": exception.scores_sent,
                                             "panel_size": exception.panel_size}
    new = exception is None
    exception = exception or DecisionException(application_id=application.id, round_id=application.round_id)
    exception.reason = text
    exception.scores_sent, exception.panel_size = row.sent, row.panel_size
    exception.recorded_by_id, exception.recorded_at = by.id, now or utcnow()
    try:
        with session.begin_nested():  # a colleague's reason recorded meanwhile is caught by the unique key
            if new:
                session.add(exception)
            session.flush()
    except IntegrityError:
        raise StateTransitionError(f"A colleague recorded a reason for {application.reference} a moment ago. "
                                   "Open it again to see theirs") from None
    audit.record(session, actor=by, action="decision_exception.recorded" if before is None
                 else "decision_exception.changed", entity=exception, before=before,
                 after={"reason": text, "scores_sent": row.sent, "panel_size": row.panel_size,
                        "application": application.reference})
    return exception


# Publishing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPreview:
    """One entry as the public will see it once published."""

    decision: Decision
    reference: str
    outcome: Outcome
    named: str | None  # the organisation's name, for awards only
    description: str  # "A community group in Hackney"
    project_title: str | None
    amount_requested_pence: int
    amount_awarded_pence: int | None
    panel_score: float | None
    reason_category: str | None
    reason: str


def preview(decision: Decision) -> PublicPreview:
    """What the public log will show for this decision (the same rules as ``log.append``)."""
    application = decision.application
    sent = log.organisation_as_sent(application)
    named = decision.outcome == Outcome.AWARD
    return PublicPreview(
        decision=decision, reference=application.reference or "", outcome=Outcome(decision.outcome),
        named=sent.name if named else None,
        description=log.describe_group(sent.organisation_type, sent.boroughs),
        project_title=application.project_title if named else None,
        amount_requested_pence=application.amount_requested_pence or 0,
        amount_awarded_pence=decision.amount_awarded_pence if named else None,
        panel_score=None if decision.panel_score is None else round(decision.panel_score, 1),
        reason_category=decision.reason_category, reason=decision.published_reason,
    )


def _ready_to_publish(session: Session, *, round_: Round, by: User) -> RoundDecisions:
    """The round's decisions, refusing unless the round is decided, complete and within budget."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status == RoundStatus.DECISIONS_PUBLISHED:
        raise StateTransitionError("This round's decisions have already been published")
    if round_.status != RoundStatus.DECIDED:
        raise StateTransitionError("Mark the round as decided before you publish its decisions")
    overview = round_decisions(session, round_=round_, by=by)
    problems = readiness_problems(overview) + naming_problems(overview)
    if problems:
        raise RoundNotReady("The decisions cannot be published yet", problems)
    return overview


def naming_problems(overview: RoundDecisions) -> list[str]:
    """Declined and reserve decisions whose public text identifies the group or awaits a second commissioner's
    approval: none may be published like that."""
    problems = []
    for row in overview.rows:
        decision = row.decision
        if decision is None or decision.outcome not in UNNAMED_OUTCOMES:
            continue
        problem = _published_naming_problem(decision)
        if problem:
            problems.append(problem)
    return problems


def _published_naming_problem(decision: Decision) -> str | None:
    """Why this decision's public text cannot be published as it is: it identifies a declined or reserve group
    (checked again, in case it got in some other way), or no second commissioner has approved it."""
    reference = decision.application.reference
    found = naming_found(decision.public_note, identifying_terms(decision.application))
    if found:
        return Problem(f"Change the public note for {reference}. {naming_message(found)}", reference=reference)
    if decision.public_note_awaiting_approval:
        return Problem(f"The public note for {reference} is waiting for approval. A commissioner other than the one "
                       "who wrote it must approve it, or remove it", reference=reference)
    return None


def publication_preview(session: Session, *, round_: Round, by: User) -> list[PublicPreview]:
    """Every decision of the round as the public will see it, best ranked first."""
    overview = _ready_to_publish(session, round_=round_, by=by)
    return [preview(row.decision) for row in overview.rows if row.decision is not None]


def publish_decisions(session: Session, *, round_: Round, by: User,
                      now: datetime | None = None) -> list[DecisionLogEntry]:
    """Append the round's decisions to the public log in rank order, move each application on, publish the round.

    Two commissioners pressing "Publish" at once: the second waits for the first (the log's turn), then sees
    the round already published and is told so, rather than publishing everything twice. Anything the
    database still refuses (a decision saved by someone else meanwhile) is undone and reported the same way.
    """
    require_commissioner(by, COMMISSIONERS_ONLY)
    _published_meanwhile(session, round_)
    overview = _ready_to_publish(session, round_=round_, by=by)
    now = (now or utcnow()).replace(microsecond=0)
    decisions = [row.decision for row in overview.rows if row.decision is not None]
    try:
        with session.begin_nested():
            entries = log.append(session, decisions, now=now)
            for decision in decisions:
                transition_application(decision.application, to=STATUS_FOR_OUTCOME[Outcome(decision.outcome)])
            transition_round(round_, RoundStatus.DECISIONS_PUBLISHED)
            round_.decisions_published_at = now
            session.flush()
    except (StaleDataError, IntegrityError):
        raise StateTransitionError(PUBLISHED_BY_SOMEONE_ELSE) from None
    audit.record(session, actor=by, action="decisions.published", entity=round_, before={"status": "decided"},
                 after={"status": round_.status.value, "entries": [e.position for e in entries],
                        "decisions_published_at": now.isoformat()})
    return entries


def _published_meanwhile(session: Session, round_: Round) -> None:
    """Wait for any other publisher, then read the round's status afresh: refuse if it was published meanwhile."""
    seen = round_.status
    session.flush()  # nothing of this request's own is lost by reading afresh
    log.take_turn(session)
    session.refresh(round_, ["status", "decisions_published_at"])
    if seen != RoundStatus.DECISIONS_PUBLISHED and round_.status == RoundStatus.DECISIONS_PUBLISHED:
        raise StateTransitionError(PUBLISHED_BY_SOMEONE_ELSE)


def publish_one(session: Session, *, application: Application, by: User,
                now: datetime | None = None) -> DecisionLogEntry:
    """Publish one decision made or changed after the round's decisions were published (a late decision)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if application.round.status != RoundStatus.DECISIONS_PUBLISHED:
        raise StateTransitionError("A decision is published on its own only after the round's decisions have "
                                   "been published. Publish the round's decisions together")
    decision = decision_for(session, application)
    if decision is None:
        raise StateTransitionError(f"There is no decision for {application.reference} to publish")
    if decision.published_at is not None:
        raise StateTransitionError(f"The decision for {application.reference} is already published")
    session.flush()
    log.take_turn(session)
    session.refresh(decision, ["published_at"])
    if decision.published_at is not None:
        raise StateTransitionError(f"The decision for {application.reference} was published a moment ago by "
                                   "someone else")
    if decision.outcome in UNNAMED_OUTCOMES:
        problem = _published_naming_problem(decision)
        if problem:
            raise StateTransitionError(problem)
    if decision.outcome == Outcome.AWARD:
        over = budget_problem(session, round_=application.round, application_id=application.id,
                              amount_pence=decision.amount_awarded_pence or 0)
        if over:
            raise StateTransitionError(over)
    target = STATUS_FOR_OUTCOME[Outcome(decision.outcome)]
    before = application.status.value
    try:
        with session.begin_nested():
            (entry,) = log.append(session, [decision], now=now)
            if application.status != target:
                transition_application(application, to=target)
            session.flush()
    except (StaleDataError, IntegrityError):
        raise StateTransitionError(f"The decision for {application.reference} was changed or published a moment "
                                   "ago by someone else. Check it and try again") from None
    audit.record(session, actor=by, action="decision.published", entity=decision,
                 before={"application_status": before},
                 after={"application_status": application.status.value, "entry": entry.position,
                        "application": application.reference})
    return entry


# Approving public text ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicNotePage:
    """A declined or reserve decision's public text, for a second commissioner to read and approve."""

    application: Application
    decision: Decision | None
    why_not: str | None  # why this commissioner cannot approve it now, or None when they can

    @property
    def approved(self) -> bool:
        """The text has been approved (and is published with the decision)."""
        return self.decision is not None and self.decision.public_note_approved_at is not None


def public_note_page(session: Session, *, application: Application, by: User) -> PublicNotePage:
    """The application's public text and whether this commissioner may approve it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    decision = decision_for(session, application)
    return PublicNotePage(application=application, decision=decision,
                          why_not=_why_not_approvable(decision, application=application, by=by))


def _why_not_approvable(decision: Decision | None, *, application: Application, by: User) -> str | None:
    """Why this commissioner cannot approve the decision's public text now, or None when they can."""
    if decision is None or decision.outcome not in UNNAMED_OUTCOMES or not decision.public_note:
        return f"There is no public note for {application.reference} to approve"
    if decision.public_note_approved_at is not None:
        approver = decision.public_note_approved_by.name if decision.public_note_approved_by else "A commissioner"
        return f"{approver} approved this public note on {date_time(decision.public_note_approved_at)}"
    if decision.published_at is not None:
        return f"The decision for {application.reference} is already published"
    if decision.public_note_by_id == by.id:
        return "You wrote this public note, so a different commissioner must approve it"
    found = naming_found(decision.public_note, identifying_terms(application))
    if found:
        return f"This public note cannot be approved. {naming_message(found)}"
    return None


def approve_public_note(session: Session, *, application: Application, version: int | None, by: User,
                        now: datetime | None = None) -> Decision:
    """Approve a declined or reserve decision's public text for publication, as a second commissioner.

    ``version`` is the decision's version the approver read: text changed since is refused, so nobody approves
    words they have not seen.
    """
    page = public_note_page(session, application=application, by=by)
    if page.why_not:
        raise StateTransitionError(page.why_not)
    decision = page.decision
    if version != decision.version:
        raise StateTransitionError("The decision was changed after you opened this page. Read the public note "
                                   "again before you approve it")
    before = audit.snapshot(decision, AUDITED_FIELDS)
    try:
        with session.begin_nested():
            decision.public_note_approved_by_id = by.id
            decision.public_note_approved_at = now or utcnow()
            session.flush()
    except StaleDataError:
        raise StateTransitionError("The decision was changed a moment ago by someone else. Read the public note "
                                   "again before you approve it") from None
    audit.record(session, actor=by, action="decision.public_note_approved", entity=decision, before=before,
                 after={**audit.snapshot(decision, AUDITED_FIELDS), "application": application.reference})
    return decision


# Correcting a published entry --------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectionInput:
    """A correction as typed: new amount, reason category and reason, and why the entry is corrected."""

    amount: str | None = None
    reason_category: str | None = None
    reason: str | None = None
    correction_reason: str | None = None


def log_entry(session: Session, *, log_entry_id: int, by: User) -> DecisionLogEntry:
    """A published entry, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    entry = session.get(DecisionLogEntry, log_entry_id)
    if entry is None:
        raise NotFound("There is no entry with this number in the decision log")
    return entry


def latest_entry(session: Session, entry: DecisionLogEntry) -> DecisionLogEntry:
    """The newest entry for the same application (the entry itself when nothing has replaced it)."""
    return session.scalar(select(DecisionLogEntry).where(DecisionLogEntry.application_id == entry.application_id)
                          .order_by(DecisionLogEntry.position.desc()).limit(1))


def correction_problem(session: Session, entry: DecisionLogEntry) -> DomainError | None:
    """Why this entry cannot be corrected now, or None when it can."""
    latest = latest_entry(session, entry)
    if latest.position != entry.position:
        return EntrySuperseded(latest)
    if entry.decision.published_at is None:
        return StateTransitionError(f"The decision for {entry.reference} has been changed since this entry was "
                                    "published. Publish that decision first; it will replace this entry")
    return None


def check_correction(entry: DecisionLogEntry, typed: CorrectionInput) -> tuple[CleanDecision | None, str,
                                                                                 dict[str, str]]:
    """Apply the rules to a correction: the corrected decision, the public reason, and messages per field."""
    outcome = Outcome(entry.outcome)
    identifying = identifying_terms(entry.application) if outcome in UNNAMED_OUTCOMES else None
    clean, problems = check_decision(
        DecisionInput(outcome=outcome.value, amount=typed.amount, reason_category=typed.reason_category,
                      reason=typed.reason),
        asked_pence=entry.amount_requested_pence, allowed=[outcome], identifying=identifying)
    why = (typed.correction_reason or "").strip()
    if not why:
        problems["correction_reason"] = "Enter the reason for the correction: it is published with the entry"
    elif len(why) > REASON_MAX_CHARACTERS:
        problems["correction_reason"] = (f"The reason for the correction must be {REASON_MAX_CHARACTERS:,} "
                                         "characters or fewer")
    else:
        problems.update(_naming_problems({"correction_reason": why}, identifying))
    if clean is not None and not problems and _unchanged(entry, clean):
        problems["reason"] = "Nothing has changed. Change the amount, reason category or reason to correct the entry"
    return (None if problems else clean), why, problems


def _unchanged(entry: DecisionLogEntry, clean: CleanDecision) -> bool:
    """Whether the correction would publish the same amount, category and reason again (for a decline or
    reserve, the reason is the group's feedback, which is not published: compared with the decision's)."""
    reason = entry.reason if clean.outcome == Outcome.AWARD else correction_reason_text(entry)
    return (clean.amount_awarded_pence == entry.amount_awarded_pence
            and (clean.reason_category or None) == (entry.reason_category or None) and clean.reason == reason)


def correction_reason_text(entry: DecisionLogEntry) -> str:
    """The reason a correction starts from: the published reason of an award, the feedback of a decline or
    reserve (its public text, approved separately, stays as it is)."""
    if entry.outcome == Outcome.AWARD:
        return "" if entry.reason == log.REDACTED else entry.reason or ""  # never the redaction marker
    return entry.decision.reason or ""


def correct_entry(session: Session, *, entry: DecisionLogEntry, typed: CorrectionInput, by: User,
                  now: datetime | None = None) -> DecisionLogEntry:
    """Correct a published entry: update the decision and append a new entry naming the one it corrects."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    problem = correction_problem(session, entry)
    if problem:
        raise problem
    clean, why, problems = check_correction(entry, typed)
    if problems:
        raise _first_problem(problems)
    if clean.outcome == Outcome.AWARD and (clean.amount_awarded_pence or 0) > (entry.amount_awarded_pence or 0):
        over = budget_problem(session, round_=entry.round, application_id=entry.application_id,
                              amount_pence=clean.amount_awarded_pence or 0)
        if over:
            raise ValidationError(over, field="amount")
    decision = entry.decision
    before = audit.snapshot(decision, AUDITED_FIELDS)
    try:
        with session.begin_nested():
            decision.amount_awarded_pence = clean.amount_awarded_pence
            decision.reason_category = clean.reason_category
            decision.reason = clean.reason
            decision.from_recommendation = False
            session.flush()
            (new_entry,) = log.append(session, [decision], now=now,
                                      correction=log.Correction(entry=entry, reason=why))
    except (StaleDataError, IntegrityError):
        raise StateTransitionError(f"Entry {entry.position} was corrected a moment ago by someone else. Open the "
                                   "latest entry and correct that instead") from None
    audit.record(session, actor=by, action="decision.corrected", entity=decision, before=before,
                 after={**audit.snapshot(decision, AUDITED_FIELDS), "application": entry.reference,
                        "corrects": entry.position, "entry": new_entry.position, "correction_reason": why})
    return new_entry
