"""When a reminder to finish a draft falls due: a week before the deadline, then two days before, never missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.notifications.reminders import TWO_DAYS, WEEK, days_left, draft_reminder_due

DEADLINE = datetime(2026, 1, 22, 17, 0, tzinfo=UTC)  # Thursday 22 January 2026, 5pm in London (GMT)


def nine_am(day: int, month: int = 1) -> datetime:
    """9am in London on a day of 2026 (GMT in January, BST in July)."""
    hour = 8 if month in (4, 5, 6, 7, 8, 9) else 9
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _daily_runs(deadline: datetime, days: range, month: int = 1) -> dict[int, str]:
    """What a daily 9am run sends from each day, remembering what it sent (as the draft_reminder rows do)."""
    sent: dict[int, str] = {}
    for day in days:
        due = draft_reminder_due(closes_at=deadline, now=nine_am(day, month))
        if due is not None and due not in sent.values() and not (due == WEEK and TWO_DAYS in sent.values()):
            sent[day] = due
    return sent


def test_a_daily_run_sends_the_week_reminder_a_week_before_and_the_other_two_days_before():
    assert _daily_runs(DEADLINE, range(1, 23)) == {15: WEEK, 20: TWO_DAYS}


def test_the_same_in_summer_time():
    deadline = datetime(2026, 7, 22, 16, 0, tzinfo=UTC)  # 5pm in London (BST)
    assert _daily_runs(deadline, range(1, 23), month=7) == {15: WEEK, 20: TWO_DAYS}


@pytest.mark.parametrize("now, expected", [
    (nine_am(14), None),  # eight days to go: too early
    (nine_am(15), WEEK),
    (nine_am(19), WEEK),  # a run missed, or a draft started late: the next run still sends it
    (nine_am(20), TWO_DAYS),
    (nine_am(22), TWO_DAYS),  # the deadline's day, before 5pm
    (DEADLINE, None),  # closed
    (DEADLINE + timedelta(hours=16), None),
])
def test_which_reminder_is_due(now, expected):
    assert draft_reminder_due(closes_at=DEADLINE, now=now) == expected


def test_a_draft_started_with_two_days_left_is_due_only_the_two_day_reminder():
    assert _daily_runs(DEADLINE, range(21, 23)) == {21: TWO_DAYS}


def test_a_deadline_at_midnight_belongs_to_the_day_it_ends():
    midnight = datetime(2026, 1, 23, 0, 0, tzinfo=UTC)  # the end of Thursday 22 January in London
    assert days_left(closes_at=midnight, now=nine_am(20)) == 2
    assert _daily_runs(midnight, range(1, 23)) == {15: WEEK, 20: TWO_DAYS}
