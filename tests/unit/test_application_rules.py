"""The applicant's rules: word counts, time left, budget totals, references."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from portal.applications import services
from portal.domain import StateTransitionError, ValidationError
from portal.models import ApplicationStatus, ReferenceCounter
from tests.fixtures.applications import complete_application, make_application

CLOSES = datetime(2027, 1, 4, 17, 0, tzinfo=timezone.utc)  # 5pm GMT


def test_words_are_split_on_whitespace():
    """Any run of spaces, tabs or newlines separates words."""
    assert services.word_count("  one two\nthree\t four  ") == 4
    assert services.word_count("") == 0


def test_word_limit_message_says_how_many_to_remove():
    """312 words against 300: remove 12."""
    assert services.word_limit_problem(" ".join(["w"] * 300), 300) is None
    assert services.word_limit_problem(" ".join(["w"] * 312), 300) == (
        "Your answer is 312 words. Remove 12 words so it is no more than 300 words")
    assert "Remove 1 word so" in services.word_limit_problem(" ".join(["w"] * 301), 300)


@pytest.mark.parametrize(("before", "expected"), [
    (timedelta(days=39, hours=2), "Closes 4 January 2027, 5pm (39 days left)"),
    (timedelta(days=1), "Closes 4 January 2027, 5pm (1 day left)"),
    (timedelta(hours=3, minutes=20), "Closes 4 January 2027, 5pm (3 hours left)"),
    (timedelta(minutes=20), "Closes 4 January 2027, 5pm (less than an hour left)"),
    (timedelta(0), "Closed 4 January 2027, 5pm"),
])
def test_time_left(before, expected):
    """Days, then hours on the last day, then closed."""
    assert services.time_left(CLOSES, CLOSES - before) == expected


def test_budget_problem_says_the_difference(session, draft_application):
    """Equal is fine; less or more says by how much."""
    assert services.budget_problem(draft_application, 800_000) is None
    assert "£500 less than the £8,000" in services.budget_problem(draft_application, 750_000)
    assert "£1,000.50 more than the £8,000" in services.budget_problem(draft_application, 900_050)


def test_references_are_per_fund_and_year(session, open_round, organisation, other_organisation, applicant,
                                          other_applicant):
    """0001 then 0002 for the same fund and year; the counter row is created when missing."""
    now = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    open_round.closes_at = now + timedelta(days=30)
    first = complete_application(session, make_application(session, round_=open_round, organisation=organisation,
                                                           by=applicant), by=applicant)
    second = complete_application(session, make_application(session, round_=open_round,
                                                            organisation=other_organisation, by=other_applicant),
                                  by=other_applicant)
    services.submit_application(session, application_id=first.id, by=applicant, now=now)
    services.submit_application(session, application_id=second.id, by=other_applicant, now=now)
    assert (first.reference, second.reference) == ("YLF-2026-0001", "YLF-2026-0002")
    counter = session.query(ReferenceCounter).one()
    assert (counter.year, counter.last_number) == (2026, 2)


def test_submit_refuses_an_incomplete_application(session, draft_application, applicant):
    """Every required section must be completed."""
    with pytest.raises(ValidationError, match="Complete 'Budget'"):
        services.submit_application(session, application_id=draft_application.id, by=applicant)
    assert draft_application.status == ApplicationStatus.DRAFT


def test_submit_refuses_a_budget_that_no_longer_matches(session, complete_draft, applicant):
    """The amount changed after the budget was completed."""
    complete_draft.amount_requested_pence = 900_000
    with pytest.raises(ValidationError, match="£1,000 less than the £9,000"):
        services.submit_application(session, application_id=complete_draft.id, by=applicant)


def test_only_sent_applications_can_be_withdrawn(session, draft_application, applicant):
    """A draft has nothing to withdraw."""
    with pytest.raises(StateTransitionError):
        services.withdraw_application(session, application_id=draft_application.id, by=applicant)


def test_a_stale_section_version_is_refused(session, draft_application, applicant):
    """Saving from version 0 after somebody saved version 1 raises a conflict naming them."""
    services.save_partners(session, application_id=draft_application.id, by=applicant, version=0,
                           partnership=False, partners=[], completed=True)
    with pytest.raises(services.SectionConflict, match="Grace Mensah saved this section"):
        services.save_partners(session, application_id=draft_application.id, by=applicant, version=0,
                               partnership=False, partners=[], completed=True)
