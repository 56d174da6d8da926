"""Putting the allocation rules to work: who assesses which application of a round, kept in the database.

``portal.panel.allocation`` holds the rules as pure functions over ids; this module loads the ids, calls
them, stores new ``PanelAssignment`` rows, records each change in the audit trail and e-mails the
panellists who have new work. Commissioners' pages and the panellist's conflict declaration both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import PermissionDenied, StateTransitionError
from portal.models import (
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
from portal.models.enums import AgeBand
from portal.notifications.services import queue_email
from portal.panel.allocation import Allocation, allocate, replace_recused

# Applications the panel assesses: screened as eligible, or shortlisted for interview.
ASSESSED_STATUSES = (ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.SHORTLISTED)


@dataclass(frozen=True)
class AllocationResult:
    """What an automatic allocation did, for the commissioner's confirmation message."""

    added: int
    # Application reference -> how many panellists it is still missing (too few without a conflict).
    shortfalls: dict[str, int]


def assessed_applications(session: Session, round_: Round) -> list[Application]:
    """The round's applications the panel assesses, in reference order."""
    return list(session.scalars(
        select(Application)
        .where(Application.round_id == round_.id, Application.status.in_(ASSESSED_STATUSES))
        .order_by(Application.reference)
    ))


def available_panellists(session: Session) -> list[User]:
    """Active panellists who may read applications: under-18s only once a guardian's consent is recorded."""
    consented = select(GuardianConsent.panellist_id)
    return list(session.scalars(
        select(User)
        .where(
            User.role == Role.PANELLIST,
            User.is_active_account.is_(True),
            (User.age_band.is_(None)) | (User.age_band != AgeBand.UNDER_18) | User.id.in_(consented),
        )
        .order_by(User.id)
    ))


def current_panels(session: Session, round_: Round) -> dict[int, set[int]]:
    """Application id -> ids of the panellists assessing it (recused panellists left out)."""
    panels: dict[int, set[int]] = {}
    rows = session.execute(
        select(PanelAssignment.application_id, PanelAssignment.panellist_id)
        .join(Application, Application.id == PanelAssignment.application_id)
        .where(Application.round_id == round_.id, PanelAssignment.recused_at.is_(None))
    )
    for application_id, panellist_id in rows:
        panels.setdefault(application_id, set()).add(panellist_id)
    return panels


def round_conflicts(session: Session, round_: Round) -> set[tuple[int, int]]:
    """(application id, panellist id) pairs allocation must never assign: conflicts, recusals and exclusions.

    A panellist a commissioner took off an application by hand stays off it when allocation runs again
    or finds a replacement after a recusal; only adding them back by hand ends that.
    """
    excluded = session.execute(
        select(PanelExclusion.application_id, PanelExclusion.panellist_id)
        .join(Application, Application.id == PanelExclusion.application_id)
        .where(Application.round_id == round_.id)
    )
    return conflicts_of_interest(session, round_) | {tuple(row) for row in excluded}


def conflicts_of_interest(session: Session, round_: Round) -> set[tuple[int, int]]:
    """(application id, panellist id) pairs with a declared conflict of interest or a recusal."""
    declared = session.execute(
        select(ConflictDeclaration.application_id, ConflictDeclaration.panellist_id)
        .join(Application, Application.id == ConflictDeclaration.application_id)
        .where(Application.round_id == round_.id, ConflictDeclaration.has_conflict.is_(True))
    )
    recused = session.execute(
        select(PanelAssignment.application_id, PanelAssignment.panellist_id)
        .join(Application, Application.id == PanelAssignment.application_id)
        .where(Application.round_id == round_.id, PanelAssignment.recused_at.is_not(None))
    )
    return {tuple(row) for row in declared} | {tuple(row) for row in recused}


def allocate_round(session: Session, *, round_: Round, by: User, public_url: str) -> AllocationResult:
    """Fill every assessed application's panel to the round's size, keeping hand-made assignments.

    Only commissioners may do this, and only while the round is in assessment. Each panellist given new
    work gets one e-mail saying how many applications are waiting for them.
    """
    if not by.has_role(Role.COMMISSIONER, Role.ADMIN):
        raise PermissionDenied("Only commissioners can assign applications to the panel")
    if round_.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError("Applications can be assigned to the panel only while the round is in assessment")
    applications = assessed_applications(session, round_)
    pool = available_panellists(session)
    existing = current_panels(session, round_)
    allocation = allocate(
        applications=[a.id for a in applications],
        panellists=[p.id for p in pool],
        per_application=round_.panellists_per_application,
        conflicts=round_conflicts(session, round_),
        existing=existing,
    )
    added = _store_new(session, allocation=allocation, existing=existing, by=by, public_url=public_url)
    references = {a.id: a.reference for a in applications}
    return AllocationResult(
        added=added,
        shortfalls={references[a]: missing for a, missing in sorted(allocation.shortfalls.items())},
    )


def recuse(session: Session, *, assignment: PanelAssignment, public_url: str) -> PanelAssignment | None:
    """Take a panellist who declared a conflict off an application and bring in a replacement.

    The replacement is the least-loaded available panellist with no conflict (see ``replace_recused``).
    When the panel was already short (say the round's panel size was raised), it is filled up to size.
    Returns the first new assignment, or None when nobody is free to take it: the commissioners' progress
    view then shows the application as short of panellists. An application the panel no longer assesses
    (withdrawn, say) needs nobody new.
    """
    application = assignment.application
    round_ = application.round
    assignment.recused_at = utcnow()
    audit.record(session, actor=assignment.panellist, action="panel.recused", entity=assignment,
                 after={"application": application.reference})
    if application.status not in ASSESSED_STATUSES:
        return None
    panels = current_panels(session, round_)
    panels.setdefault(application.id, set()).add(assignment.panellist_id)  # recused_at is not flushed yet
    pool = [p.id for p in available_panellists(session)]
    allocation = replace_recused(
        panels, application_id=application.id, panellist_id=assignment.panellist_id, panellists=pool,
        conflicts=round_conflicts(session, round_), per_application=round_.panellists_per_application,
    )
    replacements = []
    for panellist_id in sorted(allocation.assignments[application.id] - panels[application.id]):
        replacement = PanelAssignment(application_id=application.id, panellist_id=panellist_id)
        if not stored(session, replacement):
            continue  # someone else assigned them at the same moment
        audit.record(session, actor=None, action="panel.assigned", entity=replacement,
                     after={"application": application.reference, "panellist_id": panellist_id,
                            "reason": "replacement after a conflict of interest"})
        replacements.append(replacement)
    _tell_panellists(session, dict.fromkeys((r.panellist_id for r in replacements), 1), public_url=public_url)
    return replacements[0] if replacements else None


def _store_new(session: Session, *, allocation: Allocation, existing: dict[int, set[int]], by: User,
               public_url: str) -> int:
    """Add the assignments the allocation made, audit them and e-mail the panellists; returns how many."""
    new_work: dict[int, int] = {}
    for application_id, panellists in allocation.assignments.items():
        for panellist_id in sorted(panellists - existing.get(application_id, set())):
            assignment = PanelAssignment(application_id=application_id, panellist_id=panellist_id,
                                         assigned_by_id=by.id)
            if not stored(session, assignment):
                continue  # another allocation, at the same moment, assigned them already
            audit.record(session, actor=by, action="panel.assigned", entity=assignment,
                         after={"application_id": application_id, "panellist_id": panellist_id,
                                "reason": "automatic allocation"})
            new_work[panellist_id] = new_work.get(panellist_id, 0) + 1
    _tell_panellists(session, new_work, public_url=public_url)
    return sum(new_work.values())


def stored(session: Session, row: object) -> bool:
    """Insert a row inside a savepoint; False (and nothing stored) when a unique constraint refuses it.

    Two people acting at the same moment (two allocations, a double-clicked form) can both decide to insert
    the same assignment; the second meets the unique constraint, and the rest of its transaction carries on.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def _tell_panellists(session: Session, new_work: dict[int, int], *, public_url: str) -> None:
    """E-mail each panellist once about the applications newly waiting for them."""
    for panellist in _users(session, new_work):
        count = new_work[panellist.id]
        what = "1 new application" if count == 1 else f"{count} new applications"
        queue_email(
            session, to=panellist.email, subject=f"You have {what} to assess",
            body=(
                f"Hello {panellist.name},\n\n"
                f"You have {what} to assess for the youth panel.\n\n"
                "Before you read each one, you will be asked whether you know the group that applied. "
                "If you do, say so: somebody else will assess it instead.\n\n"
                f"Start here: {public_url}/panel\n"
            ),
        )


def _users(session: Session, ids: Iterable[int]) -> list[User]:
    """The users with these ids, in id order."""
    ids = sorted(ids)
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))
