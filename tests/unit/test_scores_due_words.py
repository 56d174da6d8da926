"""The words for when a round's scores are due: by a date, overdue after the end of that London day, or none."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.models import Round
from portal.panel import scores_due


def _round(due: datetime | None) -> Round:
    return Round(title="Safer streets", scores_due_at=due)


def test_due_at_is_the_end_of_the_london_day():
    # 24 June is in British Summer Time: 23:59 in London is 22:59 UTC.
    assert scores_due.due_at(date(2027, 6, 24)).astimezone(UTC) == datetime(2027, 6, 24, 22, 59, tzinfo=UTC)


def test_to_score_before_on_and_after_the_day():
    round_ = _round(scores_due.due_at(date(2027, 1, 24)))
    assert scores_due.to_score(3, round_, datetime(2027, 1, 20, tzinfo=UTC)) == "3 to score by 24 January 2027"
    assert scores_due.to_score(3, round_, datetime(2027, 1, 24, 23, 0, tzinfo=UTC)) == "3 to score by 24 January 2027"
    late = datetime(2027, 1, 25, 9, tzinfo=UTC)
    assert scores_due.to_score(3, round_, late) == "3 to score – they were due on 24 January 2027"
    assert scores_due.to_score(1, round_, late) == "1 to score – it was due on 24 January 2027"
    assert scores_due.due_sentence(round_, late) == "Scores were due on 24 January 2027. Send yours as soon as you can."


def test_no_date_gives_no_date():
    round_ = _round(None)
    now = datetime(2027, 1, 25, tzinfo=UTC)
    assert scores_due.to_score(2, round_, now) == "2 to score"
    assert scores_due.due_sentence(round_, now) == ""
    assert not scores_due.is_overdue(round_, now)
