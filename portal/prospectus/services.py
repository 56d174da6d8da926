"""The rounds the public can see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Round, RoundStatus

PUBLIC_STATUSES = [s for s in RoundStatus if s != RoundStatus.DRAFT]


@dataclass(frozen=True)
class HomeRounds:
    """Rounds grouped as the home page shows them."""

    open: list[Round]
    upcoming: list[Round]
    decided: list[Round]


def home_rounds(session: Session) -> HomeRounds:
    """Open, upcoming and decided rounds; drafts are never shown."""
    rounds = session.scalars(
        select(Round).where(Round.status.in_(PUBLIC_STATUSES)).order_by(Round.opens_at)
    ).all()
    return HomeRounds(
        open=[r for r in rounds if r.status == RoundStatus.OPEN],
        upcoming=[r for r in rounds if r.status == RoundStatus.PUBLISHED],
        decided=[r for r in reversed(rounds) if r.status in (RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED)],
    )
