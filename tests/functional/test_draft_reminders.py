"""Reminders to finish a draft: a week before the deadline and two days before, each once, only to drafts' groups."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from portal import jobs, sqlite_writers
from portal.models import (
    ApplicationStatus,
    AuditEvent,
    Base,
    DraftReminder,
    Membership,
    OutboxMessage,
    Role,
    utcnow,
)
from portal.notifications import reminders
from tests.conftest import make_organisation, make_round, make_user
from tests.fixtures.applications import make_application

URL = "http://portal.test"
DEADLINE = datetime(2026, 1, 22, 17, 0, tzinfo=UTC)  # Thursday 22 January 2026, 5pm in London


def nine_am(day: int) -> datetime:
    """The daily run: 9am in London (GMT) on a day of January 2026."""
    return datetime(2026, 1, day, 9, 0, tzinfo=UTC)


def _run(session, day: int):
    """One run of the daily reminders on that day of January 2026."""
    return reminders.send_reminders(session, public_url=URL, portal_name="Safer Futures Grants", now=nine_am(day))


@pytest.fixture
def closing_round(session):
    """An open round whose applications close at 5pm on Thursday 22 January 2026."""
    return make_round(session, slug="closing-soon", title="Staying in school", closes_at=DEADLINE,
                      opens_at=DEADLINE - timedelta(days=60))


def test_each_reminder_goes_once_to_every_member_of_the_group(session, closing_round, organisation, applicant,
                                                                other_organisation, other_applicant, sent_emails):
    colleague = make_user(session, email="kofi@example.org", role=Role.APPLICANT, name="Kofi Boateng")
    left = make_user(session, email="left@example.org", role=Role.APPLICANT, name="Closed Account")
    left.is_active_account = False
    session.add_all([Membership(user=colleague, organisation=organisation),
                     Membership(user=left, organisation=organisation)])
    draft = make_application(session, round_=closing_round, organisation=organisation, by=applicant,
                             project_title="After-school boxing")
    make_application(session, round_=closing_round, organisation=other_organisation, by=other_applicant,
                     project_title="Riverside mentoring")

    assert _run(session, 14).drafts == 0  # eight days before: too early
    session.commit()
    assert sent_emails() == []

    week = _run(session, 15)
    assert (week.drafts, week.draft_people) == (2, 3)
    session.commit()
    emails = {e["To"]: e for e in sent_emails()}
    assert sorted(emails) == ["dan@example.org", "grace@example.org", "kofi@example.org"]
    grace = emails["grace@example.org"]
    assert grace["Subject"] == "Reminder: applications to Staying in school close in 7 days"
    body = grace.get_content()
    assert "Hello Grace Mensah" in body
    assert "Hackney Youth Voices has started an application to Staying in school" in body
    assert "22 January 2026, 5pm (London time)" in body
    assert f"{URL}/applications/{draft.id}" in body
    assert "Southwark Boxing Club" not in body and "Riverside mentoring" not in body  # nobody else's group
    assert "Hackney Youth Voices" not in emails["dan@example.org"].get_content()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "application.draft_reminders_sent"))
    assert event.entity_id == closing_round.id and event.after["automatic"]

    for day in (15, 16, 17, 18, 19):  # the same day again, and the rest of the week window: nothing new
        assert _run(session, day).drafts == 0
    session.commit()
    assert sent_emails() == []

    two_days = _run(session, 20)
    assert (two_days.drafts, two_days.draft_people) == (2, 3)
    session.commit()
    subjects = {e["Subject"] for e in sent_emails()}
    assert subjects == {"Reminder: applications to Staying in school close in 2 days"}

    for day in (20, 21, 22):
        assert _run(session, day).drafts == 0
    session.commit()
    assert sent_emails() == []
    kinds = session.execute(select(DraftReminder.kind, DraftReminder.recipients)
                            .where(DraftReminder.application_id == draft.id).order_by(DraftReminder.kind)).all()
    assert [tuple(row) for row in kinds] == [("two_days", 2), ("week", 2)]


def test_groups_that_sent_or_withdrew_get_no_reminder(session, closing_round, organisation, applicant,
                                                      other_organisation, other_applicant, sent_emails):
    sent = make_application(session, round_=closing_round, organisation=organisation, by=applicant)
    sent.status, sent.reference, sent.submitted_at = ApplicationStatus.SUBMITTED, "YLF-2026-0001", nine_am(10)
    withdrawn = make_application(session, round_=closing_round, organisation=other_organisation, by=other_applicant)
    withdrawn.status, withdrawn.withdrawn_at = ApplicationStatus.WITHDRAWN, nine_am(11)
    session.flush()
    for day in range(10, 23):
        assert _run(session, day).drafts == 0
    session.commit()
    assert sent_emails() == []
    assert session.scalar(select(func.count()).select_from(DraftReminder)) == 0


def test_a_group_that_sends_after_the_week_reminder_gets_no_two_day_one(session, closing_round, organisation,
                                                                        applicant, sent_emails):
    draft = make_application(session, round_=closing_round, organisation=organisation, by=applicant)
    assert _run(session, 15).drafts == 1
    draft.status, draft.reference, draft.submitted_at = ApplicationStatus.SUBMITTED, "YLF-2026-0001", nine_am(17)
    session.flush()
    for day in range(16, 23):
        assert _run(session, day).drafts == 0
    session.commit()
    assert [e["Subject"] for e in sent_emails()] == ["Reminder: applications to Staying in school close in 7 days"]


def test_a_draft_started_after_the_week_window_gets_only_the_two_day_reminder(session, closing_round, organisation,
                                                                              applicant, sent_emails):
    for day in range(15, 21):
        assert _run(session, day).drafts == 0  # nothing to remind yet
    make_application(session, round_=closing_round, organisation=organisation, by=applicant,
                     created_at=nine_am(21) - timedelta(hours=12))
    assert _run(session, 21).drafts == 1
    assert _run(session, 22).drafts == 0
    session.commit()
    assert [e["Subject"] for e in sent_emails()] == ["Reminder: applications to Staying in school close tomorrow"]
    assert session.scalars(select(DraftReminder.kind)).all() == ["two_days"]


def test_no_week_reminder_after_the_two_day_one_even_if_the_deadline_moves(session, closing_round, organisation,
                                                                           applicant, sent_emails):
    make_application(session, round_=closing_round, organisation=organisation, by=applicant)
    assert _run(session, 20).drafts == 1  # the first run it meets: two days to go
    closing_round.closes_at = DEADLINE + timedelta(days=7)  # a commissioner gives everyone another week
    for day in range(21, 30):
        assert _run(session, day).drafts == 0
    session.commit()
    assert len(sent_emails()) == 1


def test_the_daily_task_and_the_command_send_them(app, session, organisation, applicant, sent_emails):
    round_ = make_round(session, slug="closing-in-five-days", title="Safer streets",
                        closes_at=utcnow() + timedelta(days=5))
    make_application(session, round_=round_, organisation=organisation, by=applicant)
    assert "reminded the groups of 1 draft application(s) to finish them (1 people)" in \
        jobs.daily_reminders.call_local()
    session.commit()
    [email] = sent_emails()
    assert email["Subject"].startswith("Reminder: applications to Safer streets close in ")
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "reminded the groups of 0 draft application(s)" in result.output


@pytest.fixture
def engine(own_database_url):
    """An engine on an empty database of this test's own, set up as the portal sets up its own."""
    engine = create_engine(own_database_url)
    if engine.dialect.name == "sqlite":
        sqlite_writers.install(engine)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.own_database
def test_two_workers_running_at_once_send_each_reminder_once(engine):
    with Session(engine) as setup:
        applicant = make_user(setup, email="grace@example.org", role=Role.APPLICANT, name="Grace Mensah")
        organisation = make_organisation(setup, name="Hackney Youth Voices", members=[applicant])
        round_ = make_round(setup, slug="closing-soon", closes_at=DEADLINE, opens_at=DEADLINE - timedelta(days=60))
        make_application(setup, round_=round_, organisation=organisation, by=applicant)
        setup.commit()

    first = Session(engine)
    assert reminders.remind_drafts(first, public_url=URL, now=nine_am(15)) == (1, 1)  # not yet committed
    second_results: list[object] = []

    def run_the_second() -> None:
        with Session(engine) as second:
            try:
                second_results.append(reminders.remind_drafts(second, public_url=URL, now=nine_am(15)))
                second.commit()
            except Exception as error:  # reported below, where the test can fail on it
                second_results.append(error)
                second.rollback()

    running = threading.Thread(target=run_the_second)
    running.start()
    running.join(timeout=0.3)
    assert running.is_alive(), "the second waits for the first to finish"
    first.commit()
    first.close()
    running.join()

    assert second_results == [(0, 0)]
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert check.scalar(select(func.count()).select_from(DraftReminder)) == 1
