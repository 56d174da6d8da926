"""Moderation and the ranked list: every sent score, the panel lead's moderated scores, and the recommendation.

Only sent scores count: a panellist's scores are read once they have submitted them (and not been recused),
so drafts never reach the panel lead. The panel lead (or a commissioner) may record a moderated score with a
reason for any criterion; panellists' own scores are never changed. The maths lives in ``portal.panel.scoring``:
this module loads the rows, calls it, and keeps the audit trail.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal import audit
from portal.boroughs import borough_name
from portal.commissioning.submission_services import pounds, safe_cell
from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.models import (
    Application,
    ApplicationStatus,
    ConflictDeclaration,
    Criterion,
    InterviewScore,
    InterviewSlot,
    ModeratedScore,
    PanelAssignment,
    Round,
    RoundStatus,
    Score,
    User,
    utcnow,
)
from portal.models.enums import INCOME_BAND_LABELS, IncomeBand
from portal.panel import assigning, scoring
from portal.panel import services as panel_services
from portal.panel.access import is_panel_lead, require_moderator
from portal.panel.assigning import ASSESSED_STATUSES
from portal.permissions import is_commissioner

REASON_MAX_CHARACTERS = 2000
# Organisations with an income under £100,000 a year count as small (see IncomeBand).
SMALL_ORGANISATION_LIMIT_POUNDS = 100_000
# Applications whose scores can still be looked at once the round has moved on to decisions.
DECIDED_STATUSES = (ApplicationStatus.AWARDED, ApplicationStatus.DECLINED, ApplicationStatus.RESERVE)


# What the pages show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanellistScore:
    """One panellist's sent score and comment for one criterion."""

    label: str  # "Panellist 1": the same number for the same person across the application's criteria
    name: str
    value: int
    comment: str


@dataclass(frozen=True)
class CriterionScores:
    """A criterion of one application: every sent score, the mean, the flag and any moderated score."""

    criterion: Criterion
    scores: list[PanellistScore]
    mean: float | None
    flagged: bool
    moderated: ModeratedScore | None

    @property
    def used(self) -> float | None:
        """The score that counts: the moderated score where there is one, else the mean of sent scores."""
        return self.moderated.value if self.moderated is not None else self.mean


@dataclass(frozen=True)
class ApplicationScores:
    """One application's scores as the panel lead moderates them."""

    application: Application
    criteria: list[CriterionScores]
    sent: int  # panellists who have sent their scores
    panel_size: int  # panellists expected to score it
    # Out of 100: from the means only, and with moderated scores in place of means. None until scores are sent.
    written_before_moderation: float | None
    written: float | None
    # False when the round's criteria weights do not add up to 100, so no written score can be worked out.
    weights_add_up: bool = True

    @property
    def waiting(self) -> bool:
        """True while no panellist has sent scores: it cannot be ranked yet."""
        return self.sent == 0

    @property
    def flagged_count(self) -> int:
        """How many criteria have scores 2 or more apart."""
        return sum(1 for c in self.criteria if c.flagged)

    @property
    def moderated(self) -> bool:
        """Whether any criterion has a moderated score."""
        return any(c.moderated is not None for c in self.criteria)


@dataclass(frozen=True)
class ModerationRow:
    """One application on the round's moderation list."""

    scores: ApplicationScores
    organisation: str | None  # None when the person may not see who applied
    conflicted: bool  # the panel lead declared a conflict with it: a commissioner moderates it
    own_scores_pending: bool = False  # the panel lead is on its panel and has not sent their own scores

    @property
    def scores_hidden(self) -> bool:
        """The panel lead may not see anything of this application's scores (flags, moderation): blind scoring."""
        return self.conflicted or self.own_scores_pending


@dataclass(frozen=True)
class ModerationOverview:
    """The round's moderation list."""

    round: Round
    in_assessment: bool
    rows: list[ModerationRow]
    shows_organisations: bool


@dataclass(frozen=True)
class ModerationPage:
    """One application's scores for moderation, with what the person looking may see and do."""

    round: Round
    scores: ApplicationScores
    organisation: str | None
    shows_names: bool
    can_moderate: bool  # the round is in assessment


@dataclass(frozen=True)
class RankedRow:
    """One application in the ranked list."""

    rank: int
    application: Application
    organisation: str
    small_organisation: bool
    amount_pence: int
    written: float
    interview: float | None
    combined: float
    tied: bool
    funded: bool
    sent: int = 0  # panellists who have sent their written scores
    panel_size: int = 0  # panellists expected to score it
    # Interviewed (shortlisted or given a slot) and not every panellist on it has sent interview scores.
    interview_pending: bool = False

    @property
    def partly_scored(self) -> bool:
        """Fewer panellists than its panel have sent written scores: the score may still move."""
        return self.sent < self.panel_size

    @property
    def provisional(self) -> bool:
        """The row may still move: written or interview scores are still to come."""
        return self.partly_scored or self.interview_pending


@dataclass(frozen=True)
class WaitingRow:
    """An application no panellist has sent scores for: listed below the ranking, not in it."""

    application: Application
    organisation: str
    sent: int
    panel_size: int


@dataclass(frozen=True)
class RoundRanking:
    """The panel's recommendation to commissioners: the ranked list with the funding line."""

    round: Round
    in_assessment: bool
    started: bool  # the round has reached assessment (or later), so there is something to rank
    rows: list[RankedRow]
    waiting: list[WaitingRow]
    ranking: scoring.Ranking | None = field(default=None)
    # False when the criteria weights do not add up to 100: no written score, so nothing can be ranked.
    weights_add_up: bool = True

    @property
    def provisional_count(self) -> int:
        """How many ranked rows may still move because scores are still to come."""
        return sum(1 for row in self.rows if row.provisional)

    @property
    def funding_line(self) -> int:
        """How many rows, from the top, the budget pays for."""
        return self.ranking.funding_line if self.ranking else 0

    @property
    def small_organisation_percent(self) -> float:
        """The share of money above the line going to small organisations, as a percentage to one decimal."""
        share = Decimal(str(self.ranking.small_organisation_share if self.ranking else 0.0)) * 100
        return float(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# Who may look ------------------------------------------------------------------------------------


def _round(session: Session, round_id: int) -> Round:
    """The round, or a 404."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def _lead_conflicts(session: Session, *, round_: Round, lead: User) -> set[int]:
    """Ids of the round's applications the lead declared a conflict with or was recused from."""
    declared = session.scalars(
        select(ConflictDeclaration.application_id)
        .join(Application, Application.id == ConflictDeclaration.application_id)
        .where(Application.round_id == round_.id, ConflictDeclaration.panellist_id == lead.id,
               ConflictDeclaration.has_conflict.is_(True))
    )
    recused = session.scalars(
        select(PanelAssignment.application_id)
        .join(Application, Application.id == PanelAssignment.application_id)
        .where(Application.round_id == round_.id, PanelAssignment.panellist_id == lead.id,
               PanelAssignment.recused_at.is_not(None))
    )
    return set(declared) | set(recused)


def _unsent_own_scores(session: Session, *, round_: Round, lead: User) -> set[int]:
    """Ids of the round's applications the lead is assessing and has not yet sent their own scores for."""
    return set(session.scalars(
        select(PanelAssignment.application_id)
        .join(Application, Application.id == PanelAssignment.application_id)
        .where(Application.round_id == round_.id, PanelAssignment.panellist_id == lead.id,
               PanelAssignment.recused_at.is_(None), PanelAssignment.scores_submitted_at.is_(None))
    ))


class LeadDeclarationNeeded(PermissionDenied):
    """The panel lead must declare any conflict of interest before first opening an application's scores."""


def _lead_declaration(session: Session, *, application: Application, lead: User) -> ConflictDeclaration | None:
    """The panel lead's conflict declaration for this application (made as its panellist, or to moderate it)."""
    return session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.application_id == application.id,
                                                            ConflictDeclaration.panellist_id == lead.id))


def _require_may_see_application(session: Session, *, application: Application, by: User) -> None:
    """Refuse the panel lead an application they have a conflict with, have not yet declared any conflict with,
    or have not yet sent their own scores for."""
    require_moderator(application.round, by=by)
    if is_commissioner(by):
        return
    if application.id in _lead_conflicts(session, round_=application.round, lead=by):
        raise PermissionDenied("You declared a conflict of interest with this application, so you cannot "
                               "moderate its scores. A commissioner will moderate this one")
    if _lead_declaration(session, application=application, lead=by) is None:
        # Like every panellist, the lead says whether they know the group before seeing anything about it.
        raise LeadDeclarationNeeded("Declare any conflict of interest before you moderate this application")
    if application.id in _unsent_own_scores(session, round_=application.round, lead=by):
        # Scoring is blind: a panellist sees nobody else's scores until they have sent their own.
        raise PermissionDenied("You are on this application's panel too. Send your own scores for it "
                               "before you moderate it")


def moderation_round(session: Session, *, round_id: int, by: User) -> Round:
    """A round whose scores this person may moderate: they lead its panel or are a commissioner."""
    round_ = _round(session, round_id)
    require_moderator(round_, by=by)
    return round_


def application_for_moderator(session: Session, *, assessed_application_id: int, by: User) -> Application:
    """An application the panel assessed, for its round's panel lead or a commissioner."""
    application = _assessed_application(session, assessed_application_id)
    _require_may_see_application(session, application=application, by=by)
    return application


@dataclass(frozen=True)
class LeadDeclarationPage:
    """What the panel lead sees before first opening an application's scores: who applied, where, for what."""

    application: Application
    organisation_name: str
    boroughs: list[str]
    project_title: str
    # Nothing to declare: a commissioner, or a lead who has declared already (as its panellist or to moderate).
    declared: bool


def _assessed_application(session: Session, assessed_application_id: int) -> Application:
    """An application the panel assessed (or that has been decided since), or a 404."""
    application = session.get(Application, assessed_application_id)
    if application is None or application.status not in (*ASSESSED_STATUSES, *DECIDED_STATUSES):
        raise NotFound("There is no application with this number being assessed by the panel")
    return application


def lead_declaration_page(session: Session, *, assessed_application_id: int, by: User) -> LeadDeclarationPage:
    """The organisation's name, boroughs and project, for the panel lead to say whether they know them."""
    application = _assessed_application(session, assessed_application_id)
    require_moderator(application.round, by=by)
    organisation = application.organisation
    declared = is_commissioner(by) or _lead_declaration(session, application=application, lead=by) is not None
    return LeadDeclarationPage(application=application, organisation_name=organisation.name,
                               boroughs=[borough_name(code) for code in organisation.boroughs],
                               project_title=application.project_title or "", declared=declared)


def declare_lead_conflict(session: Session, *, application: Application, has_conflict: bool | None,
                          reason: str | None, by: User, public_url: str) -> ConflictDeclaration:
    """Record the panel lead's declaration for an application; a conflict hands its moderation to commissioners.

    The same record as a panellist's declaration, so it also counts if they are on the application's panel:
    a conflict then takes them off it too (with a replacement while the round is in assessment).
    """
    require_moderator(application.round, by=by)
    if is_commissioner(by):
        raise PermissionDenied("Commissioners do not declare conflicts of interest to moderate")
    if _lead_declaration(session, application=application, lead=by) is not None:
        raise StateTransitionError(panel_services.ALREADY_DECLARED, field="has_conflict")
    declaration = panel_services.new_declaration(application_id=application.id, has_conflict=has_conflict,
                                                 reason=reason, by=by)
    if not assigning.stored(session, declaration):  # the same form, sent twice at the same moment
        raise StateTransitionError(panel_services.ALREADY_DECLARED, field="has_conflict")
    audit.record(session, actor=by, action="panel.conflict_declared", entity=declaration,
                 after={"application": application.reference, "has_conflict": declaration.has_conflict,
                        "reason": declaration.reason, "as": "panel lead"})
    if declaration.has_conflict:
        mine = session.scalar(select(PanelAssignment).where(PanelAssignment.application_id == application.id,
                                                            PanelAssignment.panellist_id == by.id,
                                                            PanelAssignment.recused_at.is_(None)))
        if mine is not None and application.round.status == RoundStatus.ASSESSMENT:
            assigning.recuse(session, assignment=mine, public_url=public_url)
        elif mine is not None:
            mine.recused_at = utcnow()  # too late for a replacement, but they must not open it either
            audit.record(session, actor=by, action="panel.recused", entity=mine,
                         after={"application": application.reference})
    session.flush()
    return declaration


def _panel_applications(session: Session, round_: Round) -> list[Application]:
    """The applications the panel assessed (once the round moves on, decided ones too), in reference order."""
    statuses = ASSESSED_STATUSES if round_.status == RoundStatus.ASSESSMENT else (*ASSESSED_STATUSES,
                                                                                   *DECIDED_STATUSES)
    return list(session.scalars(
        select(Application)
        .where(Application.round_id == round_.id, Application.status.in_(statuses))
        .order_by(Application.reference)
    ))


def _shows_organisations(round_: Round, by: User) -> bool:
    """Commissioners always see who applied; the panel lead does unless the round's scoring is anonymised."""
    return is_commissioner(by) or (is_panel_lead(round_, by) and not round_.anonymised_scoring)


def organisation_name(application: Application) -> str:
    """The organisation's name as it was when the application was sent."""
    snapshot = application.submitted_snapshot or {}
    return snapshot.get("organisation", {}).get("name") or application.organisation.name


def is_small_organisation(application: Application) -> bool:
    """Whether the organisation's income band (as sent) is under £100,000 a year."""
    band = _income_band(application)
    limit = band.upper_limit_pounds
    return limit is not None and limit <= SMALL_ORGANISATION_LIMIT_POUNDS


def _income_band(application: Application) -> IncomeBand:
    """The income band given in the sent application, falling back to the organisation's current one."""
    label = (application.submitted_snapshot or {}).get("organisation", {}).get("income_band")
    by_label = {text: band for band, text in INCOME_BAND_LABELS.items()}
    return by_label.get(label, application.organisation.income_band)


# Gathering scores --------------------------------------------------------------------------------


def _sent_scores(session: Session, application_ids: list[int]) -> dict[int, list[tuple[PanelAssignment, list[Score]]]]:
    """Application id -> each panellist's sent scores, as (assignment, scores), in assignment order."""
    if not application_ids:
        return {}
    assignments = session.scalars(
        select(PanelAssignment)
        .where(PanelAssignment.application_id.in_(application_ids),
               PanelAssignment.scores_submitted_at.is_not(None), PanelAssignment.recused_at.is_(None))
        .order_by(PanelAssignment.application_id, PanelAssignment.id)
        # Each panellist's scores and name with the list, not one query per assignment.
        .options(selectinload(PanelAssignment.scores), joinedload(PanelAssignment.panellist))
    )
    sent: dict[int, list[tuple[PanelAssignment, list[Score]]]] = {}
    for assignment in assignments:
        scores = [s for s in assignment.scores if s.value is not None]
        sent.setdefault(assignment.application_id, []).append((assignment, scores))
    return sent


def _panel_sizes(session: Session, round_: Round, application_ids: list[int]) -> dict[int, int]:
    """Application id -> how many panellists are expected to score it (never fewer than the round's panel size)."""
    counts = dict.fromkeys(application_ids, 0)
    if application_ids:
        for application_id in session.scalars(
            select(PanelAssignment.application_id)
            .where(PanelAssignment.application_id.in_(application_ids), PanelAssignment.recused_at.is_(None))
        ):
            counts[application_id] += 1
    return {a: max(n, round_.panellists_per_application) for a, n in counts.items()}


def _moderated(session: Session, application_ids: list[int]) -> dict[int, dict[int, ModeratedScore]]:
    """Application id -> criterion id -> its moderated score."""
    moderated: dict[int, dict[int, ModeratedScore]] = {}
    if application_ids:
        for row in session.scalars(select(ModeratedScore).where(ModeratedScore.application_id.in_(application_ids))):
            moderated.setdefault(row.application_id, {})[row.criterion_id] = row
    return moderated


def aggregate(*, application: Application, criteria: list[Criterion],
              sent: list[tuple[PanelAssignment, list[Score]]], moderated: Mapping[int, ModeratedScore],
              panel_size: int) -> ApplicationScores:
    """Put one application's sent scores and moderated scores together, with the means, flags and written score."""
    per_panellist = [{s.criterion_id: s.value for s in scores} for _, scores in sent]
    means = scoring.mean_scores(per_panellist)
    flags = scoring.moderation_flags(per_panellist)
    rows = []
    for criterion in criteria:
        scores = [
            PanellistScore(label=f"Panellist {number}", name=assignment.panellist.name, value=score.value,
                           comment=score.comment)
            for number, (assignment, sent_scores) in enumerate(sent, start=1)
            for score in sent_scores if score.criterion_id == criterion.id
        ]
        rows.append(CriterionScores(criterion=criterion, scores=scores, mean=means.get(criterion.id),
                                    flagged=criterion.id in flags, moderated=moderated.get(criterion.id)))
    weights = {c.id: c.weight for c in criteria}
    before = _written(weights, {r.criterion.id: r.mean for r in rows}) if sent else None
    after = _written(weights, {r.criterion.id: r.used for r in rows}) if sent else None
    return ApplicationScores(application=application, criteria=rows, sent=len(sent), panel_size=panel_size,
                             written_before_moderation=before, written=after,
                             weights_add_up=scoring.weights_add_up(weights))


def _written(weights: dict[int, int], scores: dict[int, float | None]) -> float | None:
    """The weighted score out of 100, or None while a criterion has no score at all.

    Also None when the weights do not add up to 100 (criteria are fixed from closing, so this is a safety
    net): the pages then say the score cannot be worked out instead of failing.
    """
    if any(value is None for value in scores.values()) or not scoring.weights_add_up(weights):
        return None
    return scoring.weighted_score(scores, weights)


def _round_scores(session: Session, round_: Round, applications: list[Application]) -> list[ApplicationScores]:
    """Every listed application's scores, loaded together."""
    ids = [a.id for a in applications]
    sent = _sent_scores(session, ids)
    sizes = _panel_sizes(session, round_, ids)
    moderated = _moderated(session, ids)
    criteria = list(round_.criteria)
    return [
        aggregate(application=a, criteria=criteria, sent=sent.get(a.id, []), moderated=moderated.get(a.id, {}),
                  panel_size=sizes[a.id])
        for a in applications
    ]


def application_scores(session: Session, *, application: Application) -> ApplicationScores:
    """One application's sent scores, means, flags, moderated scores and written score."""
    return _round_scores(session, application.round, [application])[0]


# Moderation --------------------------------------------------------------------------------------


def moderation_overview(session: Session, *, round_: Round, by: User) -> ModerationOverview:
    """The round's assessed applications with how many panellists have sent scores, flags and moderation."""
    require_moderator(round_, by=by)
    applications = _panel_applications(session, round_)
    conflicts = set() if is_commissioner(by) else _lead_conflicts(session, round_=round_, lead=by)
    pending = set() if is_commissioner(by) else _unsent_own_scores(session, round_=round_, lead=by)
    shows = _shows_organisations(round_, by)
    rows = [
        ModerationRow(scores=scores, organisation=organisation_name(scores.application) if shows else None,
                      conflicted=scores.application.id in conflicts,
                      own_scores_pending=scores.application.id in pending)
        for scores in _round_scores(session, round_, applications)
    ]
    return ModerationOverview(round=round_, in_assessment=round_.status == RoundStatus.ASSESSMENT, rows=rows,
                              shows_organisations=shows)


def moderation_page(session: Session, *, application: Application, by: User) -> ModerationPage:
    """One application's scores for the panel lead or a commissioner to moderate."""
    _require_may_see_application(session, application=application, by=by)
    round_ = application.round
    return ModerationPage(
        round=round_, scores=application_scores(session, application=application),
        organisation=organisation_name(application) if _shows_organisations(round_, by) else None,
        shows_names=is_commissioner(by), can_moderate=round_.status == RoundStatus.ASSESSMENT,
    )


@dataclass(frozen=True)
class ModerationEntry:
    """A moderated score for one criterion, as typed: the score (1 to 5) and why."""

    criterion_id: int
    value: int | None
    reason: str | None


def moderate(session: Session, *, application: Application, entries: list[ModerationEntry], by: User,
             now: datetime | None = None) -> list[ModeratedScore]:
    """Record moderated scores for an application's criteria; panellists' own scores are kept as they are.

    Only the round's panel lead (not for an application they have a conflict with) or a commissioner,
    only while the round is in assessment, and only for criteria with a score from 1 to 5 and a reason.
    Re-moderating a criterion updates its row; the audit trail keeps the value and reason before and after.
    Returns the rows that changed.
    """
    _require_may_see_application(session, application=application, by=by)
    round_ = application.round
    if round_.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError("Scores can be moderated only while the round is in assessment. "
                                   "This round has moved on, so nothing was saved")
    if application.status not in ASSESSED_STATUSES:
        raise StateTransitionError("This application is no longer being assessed, so its scores cannot be moderated")
    criteria = {c.id: c for c in round_.criteria}
    given = [e for e in entries if e.value is not None or (e.reason or "").strip()]
    if not given:
        first = next(iter(criteria), None)
        raise ValidationError("Choose a moderated score for at least one criterion",
                              field=f"score_{first}" if first else None)
    cleaned = [_checked(entry, criteria) for entry in given]
    existing = _moderated(session, [application.id]).get(application.id, {})
    changed = []
    for criterion, value, reason in cleaned:
        row = _store(session, application=application, criterion=criterion, value=value, reason=reason,
                     current=existing.get(criterion.id), by=by, now=now or utcnow())
        if row is not None:
            changed.append(row)
    return changed


def _checked(entry: ModerationEntry, criteria: dict[int, Criterion]) -> tuple[Criterion, int, str]:
    """The criterion, score and reason of one entry, or a ValidationError beside the field at fault."""
    criterion = criteria.get(entry.criterion_id)
    if criterion is None:
        raise ValidationError("That criterion is not one of this round's criteria")
    value = entry.value
    if value is None:
        raise ValidationError(f"Choose a moderated score for {criterion.name}, or delete the reason",
                              field=f"score_{criterion.id}")
    if isinstance(value, bool) or not isinstance(value, int) or not scoring.MIN_SCORE <= value <= scoring.MAX_SCORE:
        raise ValidationError(f"The moderated score for {criterion.name} must be a whole number from 1 to 5",
                              field=f"score_{criterion.id}")
    reason = (entry.reason or "").strip()
    if not reason:
        raise ValidationError(f"Enter why you moderated the score for {criterion.name}",
                              field=f"reason_{criterion.id}")
    if len(reason) > REASON_MAX_CHARACTERS:
        raise ValidationError(f"The reason for {criterion.name} must be {REASON_MAX_CHARACTERS:,} characters or "
                              f"fewer. Remove {len(reason) - REASON_MAX_CHARACTERS:,} characters",
                              field=f"reason_{criterion.id}")
    return criterion, value, reason


def _store(session: Session, *, application: Application, criterion: Criterion, value: int, reason: str,
           current: ModeratedScore | None, by: User, now: datetime) -> ModeratedScore | None:
    """Add or update one moderated score and audit it; None when nothing changed."""
    if current is not None and current.value == value and current.reason == reason:
        return None
    fields = ["value", "reason", "moderated_by_id", "moderated_at"]
    before = audit.snapshot(current, fields) if current is not None else None
    row = current or ModeratedScore(application_id=application.id, criterion_id=criterion.id)
    row.value, row.reason, row.moderated_by_id, row.moderated_at = value, reason, by.id, now
    if current is None:
        session.add(row)
    session.flush()
    audit.record(session, actor=by, action="panel.score_moderated", entity=row, before=before,
                 after={**audit.snapshot(row, fields), "application": application.reference,
                        "criterion": criterion.name})
    return row


# Ranking -----------------------------------------------------------------------------------------


def ranking_round(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, for a commissioner."""
    if not is_commissioner(by):
        raise PermissionDenied("Only commissioners can see the panel's ranked list")
    return _round(session, round_id)


def _interview_scores(session: Session, application_ids: list[int]) -> dict[int, float]:
    """Application id -> interview score out of 100, from panellists who have sent their interview scores."""
    if not application_ids:
        return {}
    rows = session.execute(
        select(InterviewScore.application_id, InterviewScore.value)
        .join(PanelAssignment, (PanelAssignment.application_id == InterviewScore.application_id)
              & (PanelAssignment.panellist_id == InterviewScore.panellist_id))
        .where(InterviewScore.application_id.in_(application_ids), InterviewScore.value.is_not(None),
               PanelAssignment.interview_scores_submitted_at.is_not(None), PanelAssignment.recused_at.is_(None))
    )
    answers: dict[int, list[int]] = {}
    for application_id, value in rows:
        answers.setdefault(application_id, []).append(value)
    return {a: scoring.interview_score(values) for a, values in answers.items()}


def _interviews_pending(session: Session, applications: list[Application]) -> set[int]:
    """Ids of the interviewed applications (shortlisted or given a slot) whose panel has not all sent interview scores."""
    ids = [a.id for a in applications]
    if not ids:
        return set()
    with_slot = set(session.scalars(select(InterviewSlot.application_id).where(InterviewSlot.application_id.in_(ids))))
    interviewed = {a.id for a in applications if a.status == ApplicationStatus.SHORTLISTED} | with_slot
    if not interviewed:
        return set()
    return set(session.scalars(
        select(PanelAssignment.application_id)
        .where(PanelAssignment.application_id.in_(interviewed), PanelAssignment.recused_at.is_(None),
               PanelAssignment.interview_scores_submitted_at.is_(None))
    ))


def round_ranking(session: Session, *, round_: Round, by: User) -> RoundRanking:
    """The panel's recommendation: assessed applications ranked by combined score, with the funding line."""
    if not is_commissioner(by):
        raise PermissionDenied("Only commissioners can see the panel's ranked list")
    started = round_.status in (RoundStatus.ASSESSMENT, RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED)
    in_assessment = round_.status == RoundStatus.ASSESSMENT
    applications = _panel_applications(session, round_)
    all_scores = _round_scores(session, round_, applications)
    waiting = [WaitingRow(application=s.application, organisation=organisation_name(s.application), sent=s.sent,
                          panel_size=s.panel_size)
               for s in all_scores if s.waiting or s.written is None]
    scored = [s for s in all_scores if not s.waiting and s.written is not None]
    interviews = _interview_scores(session, [s.application.id for s in scored])
    combined = {
        s.application.id: scoring.combined_score(s.written, interviews.get(s.application.id),
                                                 written_weight=round_.written_weight,
                                                 interview_weight=round_.interview_weight)
        for s in scored
    }
    candidates = [
        scoring.Candidate(application_id=s.application.id, reference=s.application.reference or "",
                          score=combined[s.application.id], amount_pence=s.application.amount_requested_pence or 0,
                          small_organisation=is_small_organisation(s.application))
        for s in scored
    ]
    result = scoring.rank(candidates, budget_pence=round_.budget_pence)
    by_id = {s.application.id: s for s in scored}
    interviews_pending = _interviews_pending(session, [s.application for s in scored])
    rows = [
        RankedRow(rank=_rank_number(result, position), application=by_id[c.application_id].application,
                  organisation=organisation_name(by_id[c.application_id].application),
                  small_organisation=c.small_organisation, amount_pence=c.amount_pence,
                  written=by_id[c.application_id].written, interview=interviews.get(c.application_id),
                  combined=c.score, tied=result.is_tied(c.application_id), funded=position < result.funding_line,
                  sent=by_id[c.application_id].sent, panel_size=by_id[c.application_id].panel_size,
                  interview_pending=c.application_id in interviews_pending)
        for position, c in enumerate(result.ordered)
    ]
    return RoundRanking(round=round_, in_assessment=in_assessment, started=started, rows=rows, waiting=waiting,
                        ranking=result,
                        weights_add_up=scoring.weights_add_up({c.id: c.weight for c in round_.criteria}))


def _rank_number(result: scoring.Ranking, position: int) -> int:
    """The rank shown for the candidate at this position: tied candidates share the best rank of their group."""
    score = result.ordered[position].score
    return next(i for i, c in enumerate(result.ordered, start=1) if c.score == score)


RANKING_CSV_HEADER = ["Rank", "Reference", "Organisation", "Small organisation", "Amount requested (£)",
                      "Written score", "Interview score", "Combined score", "Tied", "Above the funding line",
                      "Provisional"]


def ranking_csv(session: Session, *, round_: Round, by: User) -> str:
    """The ranked list as CSV (no byte order mark), with cells a spreadsheet never runs as formulas."""
    result = round_ranking(session, round_=round_, by=by)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RANKING_CSV_HEADER)
    for row in result.rows:
        writer.writerow([safe_cell(cell) for cell in (
            row.rank, row.application.reference, row.organisation, "Yes" if row.small_organisation else "No",
            pounds(row.amount_pence), row.written, "" if row.interview is None else row.interview, row.combined,
            "Yes" if row.tied else "No", "Yes" if row.funded else "No", "Yes" if row.provisional else "No",
        )])
    audit.record(session, actor=by, action="panel.ranking_downloaded", entity=round_, after={"rows": len(result.rows)})
    return buffer.getvalue()
