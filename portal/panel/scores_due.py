"""When a round's written scores are due, in the words every page and e-mail uses (issue 14).

A commissioner picks a day; scores are due by the end of it in London, so the round stores 23:59 London time
(in UTC, like every moment). Scores are overdue once that moment has passed.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime, time

from portal.formatting import LONDON, date
from portal.models import Round

END_OF_DAY = time(23, 59)


def due_at(day: Date) -> datetime:
    """The moment scores are due on this day: its end in London."""
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def is_overdue(round_: Round, now: datetime) -> bool:
    """Whether the round's scores were due before now (False when it has no date)."""
    return round_.scores_due_at is not None and now > round_.scores_due_at


def to_score(count: int, round_: Round, now: datetime) -> str:
    """'3 to score by 24 January 2027', '3 to score – they were due on 24 January 2027', or '3 to score'."""
    text = f"{count} to score"
    if round_.scores_due_at is None:
        return text
    if is_overdue(round_, now):
        return f"{text} – {'it was' if count == 1 else 'they were'} due on {date(round_.scores_due_at)}"
    return f"{text} by {date(round_.scores_due_at)}"


def due_sentence(round_: Round, now: datetime) -> str:
    """For a panellist with scores to send: 'Send your scores by 24 January 2027.' or that they were due ('' if
    the round has no date)."""
    if round_.scores_due_at is None:
        return ""
    if is_overdue(round_, now):
        return f"Scores were due on {date(round_.scores_due_at)}. Send yours as soon as you can."
    return f"Send your scores by {date(round_.scores_due_at)}."
