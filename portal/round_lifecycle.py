"""A round's lifecycle (DESIGN.md): draft, published, open, closed, assessment, decided, decisions published.

Opening and closing follow the round's dates; every other step is a commissioner's action.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import StateTransitionError
from portal.models import Round, RoundStatus


def transition_round(round_: Round, target: RoundStatus) -> None:
    """Move a round along its lifecycle, refusing any other move."""
    match (round_.status, target):
        case (
            (RoundStatus.DRAFT, RoundStatus.PUBLISHED)
            | (RoundStatus.DRAFT, RoundStatus.OPEN)  # published after its opening time
            | (RoundStatus.PUBLISHED, RoundStatus.OPEN)
            | (RoundStatus.OPEN, RoundStatus.CLOSED)
            | (RoundStatus.PUBLISHED, RoundStatus.CLOSED)  # both dates passed unseen
            | (RoundStatus.CLOSED, RoundStatus.ASSESSMENT)
            | (RoundStatus.ASSESSMENT, RoundStatus.DECIDED)
            | (RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED)
        ):
            round_.status = target
        case (RoundStatus.DRAFT, _):
            raise StateTransitionError("This round is still a draft: publish it first")
        case (_, RoundStatus.PUBLISHED | RoundStatus.OPEN):
            raise StateTransitionError("This round has already been published")
        case _:
            raise StateTransitionError(f"A round cannot go from {round_.status.value} to {target.value}")


def date_status(round_: Round, now: datetime) -> RoundStatus:
    """Where the dates say a published or open round should be now."""
    if now >= round_.closes_at:
        return RoundStatus.CLOSED
    if now >= round_.opens_at:
        return RoundStatus.OPEN
    return RoundStatus.PUBLISHED


class PublicStage(StrEnum):
    """Where a round stands for the public, whatever step its status has reached."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"  # no longer taking applications; decisions not published yet
    DECIDED = "decided"  # decisions published


def public_stage(round_: Round, now: datetime) -> PublicStage | None:
    """The one rule the home page and the prospectus share; None for a draft, which the public never sees.

    The dates decide between coming soon, open and closed, even before ``follow_round_dates`` has caught
    up (a deadline moved to yesterday reads as closed at once); a round counts as decided only once its
    decisions are published.
    """
    match round_.status:
        case RoundStatus.DRAFT:
            return None
        case RoundStatus.DECISIONS_PUBLISHED:
            return PublicStage.DECIDED
        case RoundStatus.PUBLISHED | RoundStatus.OPEN if now < round_.opens_at:
            return PublicStage.UPCOMING
        case RoundStatus.PUBLISHED | RoundStatus.OPEN if now < round_.closes_at:
            return PublicStage.OPEN
        case _:
            return PublicStage.CLOSED


def follow_round_dates(session: Session, *, now: datetime) -> list[Round]:
    """Open rounds whose opening time has come and close those whose deadline has passed.

    Public pages call this on every read, so it looks first and locks only when a round is due (on SQLite a
    locking read takes the database's write lock); the locked read checks the dates again, so two requests
    arriving together change a round once.
    """
    is_due = or_(
        (Round.status == RoundStatus.PUBLISHED) & (Round.opens_at <= now),
        (Round.status.in_([RoundStatus.PUBLISHED, RoundStatus.OPEN])) & (Round.closes_at <= now),
    )
    if session.scalar(select(Round.id).where(is_due).limit(1)) is None:
        return []
    due = session.scalars(
        select(Round).where(is_due).with_for_update(skip_locked=True).execution_options(populate_existing=True)
    ).all()
    for round_ in due:
        before = round_.status
        transition_round(round_, date_status(round_, now))
        audit.record(session, actor=None, action="round.dates_followed", entity=round_,
                     before={"status": before.value}, after={"status": round_.status.value})
    return list(due)
