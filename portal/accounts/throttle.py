"""Slow down repeated failed sign-ins, per account and per network address.

After a few failures each further attempt must wait longer, doubling up to a cap of 15 minutes.
Nothing is ever locked for longer than that, a successful sign-in clears the account's count, and
a password reset clears it too: the real owner is never shut out for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.models import SignInAttempt

WINDOW = timedelta(minutes=15)
MAX_WAIT = timedelta(minutes=15)
FREE_FAILURES_PER_ACCOUNT = 5
FREE_FAILURES_PER_ADDRESS = 20
FIRST_WAIT = timedelta(seconds=30)


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may go ahead now, and if not how long to wait."""

    wait: timedelta

    @property
    def allowed(self) -> bool:
        """True when no wait is needed."""
        return self.wait <= timedelta(0)


def _required_wait(failures: int, free: int) -> timedelta:
    """The pause owed after this many recent failures."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** (failures - free), MAX_WAIT)


def _recent_failures(session: Session, column, value: str, now: datetime) -> tuple[int, datetime | None]:
    """How many failures this key has had in the window, and when the latest was."""
    count, latest = session.execute(
        select(func.count(SignInAttempt.id), func.max(SignInAttempt.attempted_at)).where(
            column == value,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.attempted_at > now - WINDOW,
        )
    ).one()
    if latest is not None and latest.tzinfo is None:  # SQLite's MAX() loses the column type
        latest = latest.replace(tzinfo=UTC)
    return count, latest


def check(session: Session, *, email: str, address: str, now: datetime) -> Verdict:
    """Whether a sign-in attempt for this e-mail from this address may be checked now."""
    wait = timedelta(0)
    for column, value, free in (
        (SignInAttempt.email, email, FREE_FAILURES_PER_ACCOUNT),
        (SignInAttempt.address, address, FREE_FAILURES_PER_ADDRESS),
    ):
        failures, latest = _recent_failures(session, column, value, now)
        if latest is not None:
            wait = max(wait, latest + _required_wait(failures, free) - now)
    return Verdict(wait=wait)


def record(session: Session, *, email: str, address: str, succeeded: bool, now: datetime) -> None:
    """Note an attempt; success wipes the account's failures."""
    if succeeded:
        clear(session, email=email)
    session.add(SignInAttempt(email=email, address=address, succeeded=succeeded, attempted_at=now))


def clear(session: Session, *, email: str) -> None:
    """Forget an account's failed attempts (after sign-in or a password reset)."""
    session.execute(
        delete(SignInAttempt).where(SignInAttempt.email == email, SignInAttempt.succeeded.is_(False))
    )


def describe_wait(wait: timedelta) -> str:
    """'30 seconds', '1 minute', '15 minutes' — rounded up."""
    seconds = int(wait.total_seconds() + 0.999)
    if seconds < 60:
        return f"{seconds} seconds" if seconds != 1 else "1 second"
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
