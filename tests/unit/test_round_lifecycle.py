"""Rounds open and close by their dates; every other move is explicit and checked."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain import StateTransitionError
from portal.models import AuditEvent, RoundStatus, utcnow
from portal.round_lifecycle import follow_round_dates, transition_round
from tests.conftest import make_round


def test_a_published_round_opens_when_its_opening_time_comes(session):
    """The status follows the dates, and the trail records it."""
    round_ = make_round(session, status=RoundStatus.PUBLISHED, opens_in_days=1, closes_in_days=30)
    now = utcnow()
    assert follow_round_dates(session, now=now) == []
    assert follow_round_dates(session, now=now + timedelta(days=2)) == [round_]
    assert round_.status == RoundStatus.OPEN
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "round.dates_followed"))
    assert event.before == {"status": "published"} and event.after == {"status": "open"}


def test_an_open_round_closes_at_its_deadline(session):
    """After the deadline the round is closed."""
    round_ = make_round(session, closes_in_days=1)
    follow_round_dates(session, now=utcnow() + timedelta(days=2))
    assert round_.status == RoundStatus.CLOSED


def test_drafts_and_decided_rounds_are_left_alone(session):
    """Only published and open rounds follow their dates."""
    draft = make_round(session, slug="draft", status=RoundStatus.DRAFT, opens_in_days=-5)
    decided = make_round(session, slug="decided", status=RoundStatus.DECIDED, opens_in_days=-50, closes_in_days=-20)
    assert follow_round_dates(session, now=utcnow()) == []
    assert draft.status == RoundStatus.DRAFT and decided.status == RoundStatus.DECIDED


@pytest.mark.parametrize("start, target, message", [
    (RoundStatus.DRAFT, RoundStatus.CLOSED, "still a draft"),
    (RoundStatus.OPEN, RoundStatus.PUBLISHED, "already been published"),
    (RoundStatus.CLOSED, RoundStatus.DECIDED, "cannot go from closed to decided"),
])
def test_other_moves_are_refused(session, start, target, message):
    """A status never skips a step or goes back."""
    round_ = make_round(session, status=start)
    with pytest.raises(StateTransitionError, match=message):
        transition_round(round_, target)


def test_the_home_page_shows_a_round_as_open_once_its_time_comes(client, session):
    """Nobody has to press a button for a round to open on time."""
    make_round(session, status=RoundStatus.PUBLISHED, opens_in_days=-1, closes_in_days=30)
    page = client.page("/")
    assert "Open for applications Staying in school" in page.text()


def test_the_command_line_follows_the_dates(app, session):
    """Operators can run it from cron; it says what it changed."""
    make_round(session, status=RoundStatus.PUBLISHED, opens_in_days=-1, closes_in_days=30)
    result = app.test_cli_runner().invoke(args=["follow-round-dates"])
    assert result.exit_code == 0 and "Staying in school: now open" in result.output
