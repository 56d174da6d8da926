"""What a panellist sees when they sign in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import PermissionDenied
from portal.models import GuardianConsent, PanelAssignment, Role, User
from portal.models.enums import AgeBand


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
    return list(session.scalars(
        select(PanelAssignment)
        .where(PanelAssignment.panellist_id == by.id, PanelAssignment.recused_at.is_(None))
        .order_by(PanelAssignment.assigned_at)
    ))
