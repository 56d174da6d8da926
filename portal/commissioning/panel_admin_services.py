"""Commissioners run the youth panel: settings, starting assessment, allocation, hand changes, progress, reminders.

Also the safeguarding step for under-18 panellists (a guardian's consent, recorded by a commissioner) and
the public count of conflicts of interest shown on the prospectus. The allocation rules themselves live in
``portal.panel.allocation`` and are stored by ``portal.panel.assigning``; this module is the commissioners'
side of them. Every change is audited and every function checks the person is a commissioner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.commissioning import round_services
from portal.domain import NotFound, StateTransitionError, ValidationError
from portal.formatting import date
from portal.models import (
    AgeBand,
    Application,
    ApplicationStatus,
    ConflictDeclaration,
    GuardianConsent,
    PanelAssignment,
    PanelExclusion,
    Role,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from portal.notifications.services import queue_email
from portal.panel import scores_due
from portal.panel.access import no_longer_assessed_message
from portal.panel.assigning import (
    ASSESSED_STATUSES,
    AllocationResult,
    allocate_round,
    available_panellists,
    conflicts_of_interest,
)
from portal.permissions import require_commissioner
from portal.round_lifecycle import transition_round

MIN_PANEL_SIZE = 1
MAX_PANEL_SIZE = 10
GUARDIAN_NAME_MAX = 200
GUARDIAN_CONTACT_MAX = 1000
SETTINGS_FIELDS = ["panellists_per_application", "anonymised_scoring", "written_weight", "interview_weight",
                   "panel_lead_id", "scores_due_at"]
# Rounds whose panel has started (or finished): the public sees how the panel worked.
PANEL_STARTED = (RoundStatus.ASSESSMENT, RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED)
# Statuses of applications that may still go to the panel (drafts never do).
NOT_SENT = (ApplicationStatus.DRAFT,)
# Applications that left the panel's work before a decision: what is still to do on them no longer counts.
NO_LONGER_ASSESSED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE, ApplicationStatus.SUBMITTED)


# Pure rules ---------------------------------------------------------------------------------------


class Progress(StrEnum):
    """Where one panellist is with one application, as the progress view says it."""

    NOT_OPENED = "not_opened"
    RECUSED = "recused"
    SCORING = "scoring"
    SENT = "sent"

    @property
    def label(self) -> str:
        """The status in words (the date of sending is added by the page)."""
        return {"not_opened": "Not opened yet", "recused": "Conflict declared — recused", "scoring": "Scoring",
                "sent": "Scores sent"}[self.value]


def progress_of(*, recused: bool, declared_conflict: bool, declared_no_conflict: bool,
                sent: bool) -> Progress:
    """One assignment's progress: a conflict beats everything, then sent scores, then an opened application."""
    if recused or declared_conflict:
        return Progress.RECUSED
    if sent:
        return Progress.SENT
    if declared_no_conflict:
        return Progress.SCORING
    return Progress.NOT_OPENED


def check_weights(*, written: int, interview: int) -> None:
    """Written and interview weights are whole percentages that add up to 100 (the ranking combines them)."""
    for name, value, what in (("written_weight", written, "written"), ("interview_weight", interview, "interview")):
        if not 0 <= value <= 100:
            raise ValidationError(f"The {what} weight must be between 0% and 100%", field=name)
    if written + interview != 100:
        raise ValidationError(
            f"The written and interview weights must add up to 100%. They add up to {written + interview}%",
            field="written_weight")


def check_scores_due(round_: Round, due: datetime | None) -> None:
    """Scores are due on a day after the one scoring starts, and before the day decisions are due."""
    if due is None:
        return
    problem = round_services.scores_due_problem(due, scoring_starts_at=round_.scoring_starts_at,
                                                decisions_by=round_.decisions_by)
    if problem is not None:
        raise ValidationError(problem.message, field="scores_due_at")


def check_panel_size(size: int) -> None:
    """Each application is read by 1 to 10 panellists."""
    if not MIN_PANEL_SIZE <= size <= MAX_PANEL_SIZE:
        raise ValidationError(f"The number of panellists per application must be between {MIN_PANEL_SIZE} and "
                              f"{MAX_PANEL_SIZE}", field="panellists_per_application")


def outstanding_by_panellist(assignments: Iterable[PanelAssignment]) -> dict[int, list[PanelAssignment]]:
    """Panellist id -> their assignments still waiting for scores (not sent, not recused, still assessed)."""
    waiting: dict[int, list[PanelAssignment]] = {}
    for assignment in assignments:
        if (assignment.scores_submitted_at is None and assignment.recused_at is None
                and assignment.application.status in ASSESSED_STATUSES):
            waiting.setdefault(assignment.panellist_id, []).append(assignment)
    return waiting


def shortfall_message(shortfalls: dict[str, int]) -> str | None:
    """Which applications still need panellists, and why, in one sentence; None when none are short."""
    if not shortfalls:
        return None
    parts = [f"{reference} needs {missing} more" for reference, missing in shortfalls.items()]
    return (f"{'; '.join(parts)}. There are too few panellists without a conflict of interest: "
            "invite more panellists, or add one by hand")


def allocation_message(result: AllocationResult) -> str:
    """What an automatic allocation did, for the confirmation banner."""
    added = "1 assignment" if result.added == 1 else f"{result.added} assignments"
    short = shortfall_message(result.shortfalls)
    if result.added:
        message = f"Added {added}. We have emailed the panellists who have new work"
    else:
        message = "No assignments added" if short else "Nothing to add: every application already has its panellists"
    return f"{message}. Still short of panellists: {short}" if short else message


# Who may look --------------------------------------------------------------------------------------


COMMISSIONERS_ONLY = "Only commissioners can run the youth panel"


def round_for_panel(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, for a commissioner running its panel."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def application_for_panel(session: Session, *, panel_application_id: int, by: User) -> Application:
    """A sent application, for a commissioner choosing who assesses it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    application = session.get(Application, panel_application_id)
    if application is None or application.status in NOT_SENT or application.reference is None:
        raise NotFound("There is no sent application with this number")
    return application


def assignment_for_commissioner(session: Session, *, panel_assignment_id: int, by: User) -> PanelAssignment:
    """One panellist's assignment to one application, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    assignment = session.get(PanelAssignment, panel_assignment_id)
    if assignment is None:
        raise NotFound("This panellist is no longer assessing that application")
    return assignment


def panellist_for_commissioner(session: Session, *, panellist_id: int, by: User) -> User:
    """A youth panellist, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    panellist = session.get(User, panellist_id)
    if panellist is None or panellist.role != Role.PANELLIST:
        raise NotFound("There is no panellist with this number")
    return panellist


# The progress view ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    """One panellist on one application, with where they are."""

    assignment: PanelAssignment
    progress: Progress
    declaration: ConflictDeclaration | None = None

    @property
    def sent_at(self) -> datetime | None:
        """When the scores were sent."""
        return self.assignment.scores_submitted_at


@dataclass(frozen=True)
class ApplicationProgress:
    """An application's panel: who is on it and how many more it needs."""

    application: Application
    rows: list[AssignmentRow]
    needed: int

    @property
    def active(self) -> list[AssignmentRow]:
        """Panellists still assessing it."""
        return [r for r in self.rows if r.progress != Progress.RECUSED]

    @property
    def recused(self) -> list[AssignmentRow]:
        """Panellists who declared a conflict."""
        return [r for r in self.rows if r.progress == Progress.RECUSED]

    @property
    def shortfall(self) -> int:
        """How many more panellists it needs (none once it has left assessment, withdrawn say)."""
        if self.application.status not in ASSESSED_STATUSES:
            return 0
        return max(0, self.needed - len(self.active))


@dataclass(frozen=True)
class PanellistProgress:
    """One panellist's work on the round."""

    panellist: User
    assigned: int
    sent: int
    outstanding: int
    last_reminded: datetime | None


@dataclass(frozen=True)
class RoundPanel:
    """Everything the round's panel page shows."""

    round: Round
    applications: list[ApplicationProgress] = field(default_factory=list)
    panellists: list[PanellistProgress] = field(default_factory=list)
    panel_size: int = 0  # how many panellists can read applications now
    now: datetime = field(default_factory=utcnow)

    @property
    def scores_due(self) -> str:
        """By when the panel's scores are due, and whether that has passed ('' when the round has no date)."""
        due = self.round.scores_due_at
        if due is None:
            return ""
        if not scores_due.is_overdue(self.round, self.now):
            return f"Scores are due by {date(due)}."
        if self.outstanding:
            return f"Scores were due on {date(due)}: {self.outstanding} still to send."
        return f"Scores were due on {date(due)}."

    @property
    def in_assessment(self) -> bool:
        """Allocation, hand changes and reminders happen only while the round is in assessment."""
        return self.round.status == RoundStatus.ASSESSMENT

    @property
    def can_start(self) -> bool:
        """A closed round is ready for the panel."""
        return self.round.status == RoundStatus.CLOSED

    @property
    def started(self) -> bool:
        """The panel has started (or finished)."""
        return self.round.status in PANEL_STARTED

    @property
    def outstanding(self) -> int:
        """Assignments still waiting for scores."""
        return sum(p.outstanding for p in self.panellists)


def _declarations(session: Session, application_ids: list[int]) -> dict[tuple[int, int], ConflictDeclaration]:
    """(application id, panellist id) -> the declaration made, for these applications."""
    if not application_ids:
        return {}
    rows = session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.application_id.in_(application_ids)))
    return {(d.application_id, d.panellist_id): d for d in rows}


def _row(assignment: PanelAssignment, declaration: ConflictDeclaration | None) -> AssignmentRow:
    """An assignment with its progress worked out."""
    progress = progress_of(
        recused=assignment.recused_at is not None,
        declared_conflict=declaration is not None and declaration.has_conflict,
        declared_no_conflict=declaration is not None and not declaration.has_conflict,
        sent=assignment.scores_submitted_at is not None,
    )
    return AssignmentRow(assignment=assignment, progress=progress, declaration=declaration)


def _round_assignments(session: Session, round_: Round) -> list[PanelAssignment]:
    """Every assignment in the round, by application reference then when it was made."""
    return list(session.scalars(
        select(PanelAssignment)
        .join(Application, Application.id == PanelAssignment.application_id)
        .where(Application.round_id == round_.id)
        .order_by(Application.reference, PanelAssignment.assigned_at, PanelAssignment.id)
    ))


def _panel_applications(session: Session, round_: Round, assigned_ids: set[int]) -> list[Application]:
    """Applications the panel assesses now, and any others that were assessed (decided ones keep their panel)."""
    return list(session.scalars(
        select(Application)
        .where(Application.round_id == round_.id,
               Application.status.in_((ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.SHORTLISTED))
               | Application.id.in_(assigned_ids))
        .order_by(Application.reference)
    ))


def round_panel(session: Session, *, round_: Round, by: User) -> RoundPanel:
    """The round's panel: each application's panellists and where they are, and each panellist's load."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status not in PANEL_STARTED:
        return RoundPanel(round=round_, panel_size=len(available_panellists(session)))
    assignments = _round_assignments(session, round_)
    applications = _panel_applications(session, round_, {a.application_id for a in assignments})
    declarations = _declarations(session, [a.id for a in applications])
    rows: dict[int, list[AssignmentRow]] = {}
    for assignment in assignments:
        declaration = declarations.get((assignment.application_id, assignment.panellist_id))
        rows.setdefault(assignment.application_id, []).append(_row(assignment, declaration))
    progress = [ApplicationProgress(application=a, rows=rows.get(a.id, []), needed=round_.panellists_per_application)
                for a in applications]
    return RoundPanel(round=round_, applications=progress, panellists=_panellist_progress(rows),
                      panel_size=len(available_panellists(session)))


def _panellist_progress(rows: dict[int, list[AssignmentRow]]) -> list[PanellistProgress]:
    """Each panellist's assigned, sent and outstanding counts, and their last reminder, by name."""
    by_panellist: dict[int, list[AssignmentRow]] = {}
    for application_rows in rows.values():
        for row in application_rows:
            # Work on an application that left assessment (withdrawn, say) no longer counts, unless it was done.
            counts = row.progress == Progress.SENT or row.assignment.application.status not in NO_LONGER_ASSESSED
            if row.progress != Progress.RECUSED and counts:
                by_panellist.setdefault(row.assignment.panellist_id, []).append(row)
    summaries = []
    for panellist_rows in by_panellist.values():
        reminders = [r.assignment.reminded_at for r in panellist_rows if r.assignment.reminded_at is not None]
        sent = sum(1 for r in panellist_rows if r.progress == Progress.SENT)
        summaries.append(PanellistProgress(
            panellist=panellist_rows[0].assignment.panellist, assigned=len(panellist_rows), sent=sent,
            outstanding=len(panellist_rows) - sent, last_reminded=max(reminders) if reminders else None,
        ))
    return sorted(summaries, key=lambda s: (s.panellist.name.casefold(), s.panellist.id))


# Starting, allocating, reminding ---------------------------------------------------------------------


def start_assessment(session: Session, *, round_: Round, by: User) -> None:
    """Move a closed round into assessment, so the panel can be given applications."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status != RoundStatus.CLOSED:
        raise StateTransitionError(_not_closed_message(round_))
    before = round_.status
    transition_round(round_, RoundStatus.ASSESSMENT)
    audit.record(session, actor=by, action="panel.assessment_started", entity=round_,
                 before={"status": before.value}, after={"status": round_.status.value})


def _not_closed_message(round_: Round) -> str:
    """Why assessment cannot start now, in words."""
    if round_.status in PANEL_STARTED:
        return "Assessment has already started for this round"
    return "Assessment can start only once the round has closed for applications"


def allocate(session: Session, *, round_: Round, by: User, public_url: str) -> AllocationResult:
    """Give every assessed application its panellists automatically (see portal.panel.assigning)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError("You can assign applications only while the round is in assessment. "
                                   + ("Start assessment first" if round_.status == RoundStatus.CLOSED else
                                      "This round is not in assessment"))
    return allocate_round(session, round_=round_, by=by, public_url=public_url)


def email_reminder(session: Session, *, round_: Round, assignments: list[PanelAssignment], public_url: str,
                   now: datetime) -> None:
    """The reminder e-mail: how many applications wait for this panellist's scores, by when, and where to carry
    on (the same e-mail from the button and from the daily reminders)."""
    panellist = assignments[0].panellist
    count = len(assignments)
    what = "1 application is" if count == 1 else f"{count} applications are"
    due = scores_due.due_sentence(round_, now)
    queue_email(
        session, to=panellist.email, subject=f"Reminder: {what} waiting for your scores",
        body=(f"Hello {panellist.name},\n\n"
              f"{what[0].upper()}{what[1:]} waiting for your scores for {round_.title}.{' ' + due if due else ''}"
              f"\n\nCarry on here: {public_url}/panel\n\n"
              "If you know a group that applied, say so when you open its application and somebody "
              "else will assess it.\n"),
    )


def send_reminders(session: Session, *, round_: Round, by: User, public_url: str, now: datetime) -> int:
    """E-mail each panellist with scores outstanding in this round, once; returns how many were e-mailed."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError("Reminders can be sent only while the round is in assessment")
    waiting = {panellist_id: assignments for panellist_id, assignments
               in outstanding_by_panellist(_round_assignments(session, round_)).items()
               if assignments[0].panellist.is_active_account}  # closed accounts get no e-mail
    for assignments in waiting.values():
        email_reminder(session, round_=round_, assignments=assignments, public_url=public_url, now=now)
        for assignment in assignments:
            assignment.reminded_at = now
    if waiting:
        audit.record(session, actor=by, action="panel.reminders_sent", entity=round_,
                     after={"panellist_ids": sorted(waiting), "assignments": sum(map(len, waiting.values()))})
    return len(waiting)


# Settings -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSettings:
    """What a commissioner sets for a round's panel."""

    panellists_per_application: int
    anonymised_scoring: bool
    written_weight: int
    interview_weight: int
    panel_lead_id: int | None
    # The end of the day panellists' written scores are due (scores_due.due_at), or None for no date.
    scores_due_at: datetime | None = None

    @classmethod
    def of(cls, round_: Round) -> PanelSettings:
        """The round's current settings."""
        return cls(**{name: getattr(round_, name) for name in SETTINGS_FIELDS})


def lead_choices(session: Session, *, by: User) -> list[User]:
    """Panellists who could lead the panel: active, and able to read applications (consent for under-18s)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    return sorted(available_panellists(session), key=lambda u: (u.name.casefold(), u.id))


def update_settings(session: Session, *, round_: Round, settings: PanelSettings, by: User) -> None:
    """Change the round's panel settings; existing assignments stay as they are."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status in (RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED):
        raise StateTransitionError("The panel's settings cannot change once decisions have been made",
                                   field="panellists_per_application")
    check_panel_size(settings.panellists_per_application)
    check_weights(written=settings.written_weight, interview=settings.interview_weight)
    if settings.panel_lead_id is not None and settings.panel_lead_id not in {
            u.id for u in lead_choices(session, by=by)}:
        raise ValidationError("Choose a panel lead from the list", field="panel_lead_id")
    check_scores_due(round_, settings.scores_due_at)
    before = audit.snapshot(round_, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        setattr(round_, name, getattr(settings, name))
    after = audit.snapshot(round_, SETTINGS_FIELDS)
    old, new = audit.changed(before, after)
    if new:
        audit.record(session, actor=by, action="panel.settings_changed", entity=round_, before=old, after=new)


# One application's panel, changed by hand --------------------------------------------------------------


@dataclass(frozen=True)
class ExcludedPanellist:
    """A panellist a commissioner took off the application by hand: allocation leaves them off it."""

    panellist: User
    excluded_at: datetime
    excluded_by: User


@dataclass(frozen=True)
class ApplicationPanel:
    """An application's panellists, the recused ones, those taken off by hand, and who could be added."""

    application: Application
    progress: ApplicationProgress
    candidates: list[User]
    taken_off: list[ExcludedPanellist] = field(default_factory=list)

    @property
    def can_change(self) -> bool:
        """Hand changes happen only while the round is in assessment."""
        return self.application.round.status == RoundStatus.ASSESSMENT


def _candidates(session: Session, application: Application, rows: list[AssignmentRow]) -> list[User]:
    """Panellists who could be added: able to read applications, not on it, no declared conflict with it.

    Those taken off by hand are offered: adding them back by hand is how a commissioner changes their mind.
    """
    taken = {r.assignment.panellist_id for r in rows}
    conflicted = {p for a, p in conflicts_of_interest(session, application.round) if a == application.id}
    return sorted((u for u in available_panellists(session) if u.id not in taken | conflicted),
                  key=lambda u: (u.name.casefold(), u.id))


def application_panel(session: Session, *, application: Application, by: User) -> ApplicationPanel:
    """Who is assessing this application, who stepped back, and who else could."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    declarations = _declarations(session, [application.id])
    assignments = session.scalars(
        select(PanelAssignment).where(PanelAssignment.application_id == application.id)
        .order_by(PanelAssignment.assigned_at, PanelAssignment.id))
    rows = [_row(a, declarations.get((a.application_id, a.panellist_id))) for a in assignments]
    progress = ApplicationProgress(application=application, rows=rows,
                                   needed=application.round.panellists_per_application)
    return ApplicationPanel(application=application, progress=progress,
                            candidates=_candidates(session, application, rows),
                            taken_off=_taken_off(session, application))


def _exclusion(session: Session, *, application_id: int, panellist_id: int) -> PanelExclusion | None:
    """The record that this panellist was taken off this application by hand, if there is one."""
    return session.scalar(select(PanelExclusion).where(PanelExclusion.application_id == application_id,
                                                       PanelExclusion.panellist_id == panellist_id))


def _taken_off(session: Session, application: Application) -> list[ExcludedPanellist]:
    """Panellists taken off this application by hand (and not added back), oldest first."""
    exclusions = list(session.scalars(select(PanelExclusion).where(PanelExclusion.application_id == application.id)
                                      .order_by(PanelExclusion.excluded_at, PanelExclusion.id)))
    people = {u.id: u for u in _people(session, {e.panellist_id for e in exclusions}
                                       | {e.excluded_by_id for e in exclusions})}
    return [ExcludedPanellist(panellist=people[e.panellist_id], excluded_at=e.excluded_at,
                              excluded_by=people[e.excluded_by_id]) for e in exclusions]


def _people(session: Session, ids: set[int]) -> list[User]:
    """The users with these ids."""
    return list(session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def _require_assessment(application: Application, what: str, field_name: str | None = None) -> None:
    """Refuse hand changes unless the application's round is in assessment."""
    if application.round.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError(f"You can {what} only while the round is in assessment", field=field_name)


def add_panellist(session: Session, *, application: Application, panellist_id: int | None, by: User,
                  public_url: str) -> PanelAssignment:
    """Ask one more panellist, chosen by hand, to assess this application, and e-mail them."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _require_assessment(application, "add panellists", "panellist_id")
    if application.status not in ASSESSED_STATUSES:
        raise StateTransitionError(no_longer_assessed_message(application), field="panellist_id")
    if panellist_id is None:
        raise ValidationError("Choose a panellist to add", field="panellist_id")
    panel = application_panel(session, application=application, by=by)
    panellist = next((u for u in panel.candidates if u.id == panellist_id), None)
    if panellist is None:
        raise ValidationError("Choose a panellist from the list: they may already be on this application, "
                              "have declared a conflict of interest, or not yet be able to read applications",
                              field="panellist_id")
    assignment = PanelAssignment(application_id=application.id, panellist_id=panellist.id, assigned_by_id=by.id)
    try:
        with session.begin_nested():  # another commissioner may add the same person at the same moment
            session.add(assignment)
            session.flush()
    except IntegrityError:
        raise ValidationError(f"{panellist.name} is already on this application: someone added them a moment ago",
                              field="panellist_id") from None
    exclusion = _exclusion(session, application_id=application.id, panellist_id=panellist.id)
    if exclusion is not None:
        session.delete(exclusion)  # added back by hand: allocation may keep them on it again
    audit.record(session, actor=by, action="panel.assigned", entity=assignment,
                 after={"application": application.reference, "panellist_id": panellist.id, "reason": "by hand",
                        "was_taken_off_by_hand": exclusion is not None})
    queue_email(
        session, to=panellist.email, subject="You have 1 new application to assess",
        body=(f"Hello {panellist.name},\n\n"
              f"You have 1 new application to assess for the youth panel ({application.round.title}).\n\n"
              "Before you read it, you will be asked whether you know the group that applied. "
              "If you do, say so: somebody else will assess it instead.\n\n"
              f"Start here: {public_url}/panel\n"),
    )
    return assignment


def remove_panellist(session: Session, *, assignment: PanelAssignment, by: User) -> None:
    """Take a panellist off an application before they send scores; their draft scores go with it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    application = assignment.application
    _require_assessment(application, "take panellists off applications")
    if assignment.scores_submitted_at is not None:
        raise StateTransitionError(f"{assignment.panellist.name} has already sent their scores for "
                                   f"{application.reference}, so they stay on its panel")
    if assignment.recused_at is not None:
        raise StateTransitionError(f"{assignment.panellist.name} declared a conflict of interest and is already "
                                   "off this application. The declaration is kept")
    before = audit.snapshot(assignment) | {"draft_scores": len(assignment.scores),
                                           "application": application.reference}
    audit.record(session, actor=by, action="panel.unassigned", entity=assignment, before=before,
                 after={"excluded_from_automatic_allocation": True})
    # Remembered, so the next automatic allocation does not put them straight back (see round_conflicts).
    if _exclusion(session, application_id=application.id, panellist_id=assignment.panellist_id) is None:
        session.add(PanelExclusion(application_id=application.id, panellist_id=assignment.panellist_id,
                                   excluded_by_id=by.id))
    session.delete(assignment)
    session.flush()


# Panellists and guardians' consent --------------------------------------------------------------------


@dataclass(frozen=True)
class PanellistSummary:
    """A panellist as the commissioners' list shows them."""

    panellist: User
    consent: GuardianConsent | None
    assignments: int

    @property
    def under_18(self) -> bool:
        """Under-18s need a guardian's consent before they read any application."""
        return self.panellist.age_band == AgeBand.UNDER_18

    @property
    def needs_consent(self) -> bool:
        """An under-18 still waiting for their guardian's consent to be recorded."""
        return self.under_18 and self.consent is None


def consents_by_panellist(session: Session) -> dict[int, GuardianConsent]:
    """Panellist id -> the guardian's consent recorded for them (the first, if more than one)."""
    consents: dict[int, GuardianConsent] = {}
    for consent in session.scalars(select(GuardianConsent).order_by(GuardianConsent.recorded_at.desc())):
        consents[consent.panellist_id] = consent
    return consents


def panellists(session: Session, *, by: User) -> list[PanellistSummary]:
    """Every youth panellist with age band, consent and how many applications they have (not recused)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    counts = dict(session.execute(
        select(PanelAssignment.panellist_id, func.count())
        .where(PanelAssignment.recused_at.is_(None))
        .group_by(PanelAssignment.panellist_id)
    ).all())
    consents = consents_by_panellist(session)
    people = session.scalars(select(User).where(User.role == Role.PANELLIST).order_by(User.name, User.id))
    return [PanellistSummary(panellist=p, consent=consents.get(p.id), assignments=counts.get(p.id, 0))
            for p in people]


def consent_for(session: Session, *, panellist: User, by: User) -> GuardianConsent | None:
    """The guardian's consent recorded for this panellist, if any."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    return consents_by_panellist(session).get(panellist.id)


def record_guardian_consent(session: Session, *, panellist: User, guardian_name: str, guardian_contact: str,
                            confirmed: bool, by: User) -> GuardianConsent:
    """Record that an under-18 panellist's parent or guardian consented: they can then read applications."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if panellist.age_band != AgeBand.UNDER_18:
        raise StateTransitionError(f"{panellist.name} is not under 18, so no guardian's consent is needed")
    existing = consent_for(session, panellist=panellist, by=by)
    if existing is not None:
        raise StateTransitionError(f"A guardian's consent for {panellist.name} is already recorded")
    name, contact = (guardian_name or "").strip(), (guardian_contact or "").strip()
    if not name:
        raise ValidationError("Enter the parent or guardian's name", field="guardian_name")
    if len(name) > GUARDIAN_NAME_MAX:
        raise ValidationError(f"The name must be {GUARDIAN_NAME_MAX} characters or fewer", field="guardian_name")
    if not contact:
        raise ValidationError("Enter how to contact the parent or guardian", field="guardian_contact")
    if len(contact) > GUARDIAN_CONTACT_MAX:
        raise ValidationError(f"How to contact them must be {GUARDIAN_CONTACT_MAX:,} characters or fewer",
                              field="guardian_contact")
    if not confirmed:
        raise ValidationError("Confirm that the parent or guardian has given their consent", field="confirmed")
    consent = GuardianConsent(panellist_id=panellist.id, guardian_name=name, guardian_contact=contact,
                              recorded_by_id=by.id, recorded_at=utcnow())
    session.add(consent)
    audit.record(session, actor=by, action="panel.guardian_consent_recorded", entity=consent,
                 after={"panellist_id": panellist.id, "guardian_name": name})
    return consent


# What the public sees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelStatistics:
    """How the youth panel assessed a round's applications: counts only, never names."""

    applications_assessed: int
    panellists_taking_part: int
    conflicts_declared: int


def panel_statistics(session: Session, round_: Round) -> PanelStatistics | None:
    """The public counts for a round whose panel has started; None before then."""
    if round_.status not in PANEL_STARTED:
        return None
    in_round = select(Application.id).where(Application.round_id == round_.id)
    applications = session.scalar(
        select(func.count(func.distinct(PanelAssignment.application_id)))
        .where(PanelAssignment.application_id.in_(in_round)))
    people = session.scalar(
        select(func.count(func.distinct(PanelAssignment.panellist_id)))
        .where(PanelAssignment.application_id.in_(in_round), PanelAssignment.recused_at.is_(None)))
    conflicts = session.scalar(
        select(func.count(ConflictDeclaration.id))
        .where(ConflictDeclaration.application_id.in_(in_round), ConflictDeclaration.has_conflict.is_(True)))
    return PanelStatistics(applications_assessed=applications or 0, panellists_taking_part=people or 0,
                           conflicts_declared=conflicts or 0)
