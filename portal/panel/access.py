"""Which panel work a person may see: the record-level checks every panel page goes through.

The coarse rule (panellists only) sits on each view; these checks load the record and refuse anyone
else. A panellist sees an application only when it is assigned to them, they have not been recused,
a guardian's consent is recorded if they are under 18, and (to read it) they have declared no conflict.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import NotFound, PermissionDenied
from portal.models import ConflictDeclaration, PanelAssignment, Role, Round, User
from portal.panel.services import needs_guardian_consent


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
        raise PermissionDenied("You declared a conflict of interest with this application, so you cannot open it")
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
