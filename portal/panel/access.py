"""Which panel work a person may see: the record-level checks every panel page goes through.

The coarse rule (panellists only) sits on each view; these checks load the record and refuse anyone
else. A panellist sees an application only when it is assigned to them, they have not been recused,
a guardian's consent is recorded if they are under 18, and (to read it) they have declared no conflict.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import NotFound, PermissionDenied
from portal.models import Application, ApplicationStatus, ConflictDeclaration, PanelAssignment, Role, Round, User
from portal.panel.assigning import ASSESSED_STATUSES
from portal.panel.services import needs_guardian_consent

# Decided applications were assessed: their closed scoring pages stay readable to the panel.
DECIDED_STATUSES = (ApplicationStatus.AWARDED, ApplicationStatus.DECLINED, ApplicationStatus.RESERVE)


class Recused(PermissionDenied):
    """The panellist declared a conflict of interest with the application, so it is closed to them."""


def still_assessed(application: Application) -> bool:
    """Whether the panel still assesses the application: screened eligible or shortlisted (not withdrawn)."""
    return application.status in ASSESSED_STATUSES


def no_longer_assessed_message(application: Application) -> str:
    """Why an application has left the panel's work, in words."""
    if application.status == ApplicationStatus.WITHDRAWN:
        return "This application was withdrawn, so it no longer needs assessing"
    if application.status == ApplicationStatus.INELIGIBLE:
        return "This application was found not eligible, so it no longer needs assessing"
    return "This application is no longer being assessed, so it no longer needs scoring"


def may_open(assignment: PanelAssignment) -> bool:
    """Whether the panellist may still open the assignment: assessed or decided, or their scores were sent.

    A withdrawn (or not eligible) application leaves the panellist's work; scores already sent stay readable.
    """
    return (assignment.application.status in (*ASSESSED_STATUSES, *DECIDED_STATUSES)
            or assignment.scores_submitted_at is not None
            or assignment.interview_scores_submitted_at is not None)


def require_panellist(session: Session, *, by: User) -> None:
    """Refuse anyone who is not a panellist allowed to read applications."""
    if by.role != Role.PANELLIST:
        raise PermissionDenied("Only youth panellists assess applications")
    if needs_guardian_consent(session, panellist=by):
        raise PermissionDenied(
            "You cannot read applications until we have your parent or guardian's consent")


def assignment_for_panellist(session: Session, *, assignment_id: int, by: User) -> PanelAssignment:
    """The panellist's own assignment; refused when it is someone else's or they were recused from it."""
    require_panellist(session, by=by)
    assignment = session.get(PanelAssignment, assignment_id)
    if assignment is None:
        raise NotFound("There is no such assessment")
    if assignment.panellist_id != by.id:
        raise PermissionDenied("This application is not assigned to you")
    if assignment.recused_at is not None:
        raise Recused("You declared a conflict of interest with this application, so you cannot open it")
    if not may_open(assignment):
        raise PermissionDenied(no_longer_assessed_message(assignment.application))
    return assignment


def declaration_for(session: Session, assignment: PanelAssignment) -> ConflictDeclaration | None:
    """The panellist's conflict declaration for this application, if they have made one."""
    return session.scalar(
        select(ConflictDeclaration).where(
            ConflictDeclaration.application_id == assignment.application_id,
            ConflictDeclaration.panellist_id == assignment.panellist_id,
        )
    )


def has_declared_no_conflict(session: Session, assignment: PanelAssignment) -> bool:
    """True once the panellist has said they have no conflict with the application: they may read it."""
    declaration = declaration_for(session, assignment)
    return declaration is not None and not declaration.has_conflict


def is_panel_lead(round_: Round, user: User) -> bool:
    """Whether this person leads the round's youth panel (and so records moderated scores)."""
    return round_.panel_lead_id is not None and round_.panel_lead_id == user.id


def require_moderator(round_: Round, *, by: User) -> None:
    """Refuse anyone but the round's panel lead and commissioners."""
    if by.has_role(Role.COMMISSIONER, Role.ADMIN) or is_panel_lead(round_, by):
        return
    raise PermissionDenied("Only the panel lead and commissioners can moderate scores")
