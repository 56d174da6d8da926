"""What commissioners see when they sign in."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain import PermissionDenied
from portal.models import Application, ApplicationStatus, Role, Round, User


def rounds_overview(session: Session, *, by: User) -> list[tuple[Round, int, int]]:
    """Every round, newest first, with its counts of draft and submitted applications."""
    if not by.has_role(Role.COMMISSIONER):
        raise PermissionDenied("Only commissioners can see every round")
    drafts = func.count(Application.id).filter(Application.status == ApplicationStatus.DRAFT)
    submitted = func.count(Application.id).filter(Application.status != ApplicationStatus.DRAFT)
    rows = session.execute(
        select(Round, drafts, submitted)
        .outerjoin(Application, Application.round_id == Round.id)
        .group_by(Round.id)
        .order_by(Round.opens_at.desc())
    ).all()
    return [(r, d, s) for r, d, s in rows]
