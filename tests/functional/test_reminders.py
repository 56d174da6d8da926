"""Daily reminders: panellists with scores outstanding, and people with a place at tomorrow's event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal import jobs
from portal.models import ApplicationStatus, AuditEvent, utcnow
from portal.notifications import reminders
from tests.fixtures.events import make_event, make_registration
from tests.fixtures.moderation import send_scores
from tests.fixtures.panel_round import assign, make_panellist

URL = "http://portal.test"


def _run(session, now=None):
    """One run of the daily reminders."""
    return reminders.send_reminders(session, public_url=URL, portal_name="Safer Futures Grants", now=now)


def test_panellists_with_scores_outstanding_are_reminded_once_in_three_days(session, panel_assignment, panellist,
                                                                              sent_emails):
    first = _run(session)
    assert first.panellists == 1
    session.commit()
    emails = sent_emails()
    assert [e["To"] for e in emails] == [panellist.email]
    assert "1 application is waiting for your scores" in emails[0]["Subject"]
    assert f"{URL}/panel" in emails[0].get_content()
    assert panel_assignment.reminded_at is not None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "panel.reminders_sent")).after["automatic"]

    assert _run(session).panellists == 0  # the same day: nothing new
    assert _run(session, now=utcnow() + timedelta(days=2)).panellists == 0
    assert _run(session, now=utcnow() + timedelta(days=3, minutes=1)).panellists == 1


def test_who_is_not_reminded(session, panel_application, assessment_round, panellist, sent_emails):
    sent = make_panellist(session, email="sent@example.org", name="Sent Scores")
    send_scores(session, application=panel_application, panellist=sent, scores={"Need": 4, "What will change": 3})
    recused = make_panellist(session, email="recused@example.org", name="Recused One")
    assign(session, application=panel_application, panellist=recused).recused_at = utcnow()
    closed = make_panellist(session, email="closed@example.org", name="Closed Account")
    closed.is_active_account = False
    assign(session, application=panel_application, panellist=closed)
    assert _run(session).panellists == 0

    assign(session, application=panel_application, panellist=panellist)
    panel_application.status = ApplicationStatus.WITHDRAWN  # no longer assessed: nothing to score
    session.flush()
    assert _run(session).panellists == 0
    session.commit()
    assert sent_emails() == []


def test_event_reminders_go_the_day_before_and_once(session, events_round, commissioner, sent_emails):
    tomorrow = make_event(session, round_=events_round, title="Meet the funders", starts_in=timedelta(hours=20))
    make_registration(session, event=tomorrow, email="sam@example.org")
    make_registration(session, event=tomorrow, email="waiting@example.org", waiting_list=True)
    later = make_event(session, round_=events_round, title="Next week", starts_in=timedelta(days=7))
    make_registration(session, event=later, email="later@example.org")

    result = _run(session)
    assert (result.events, result.event_people) == (1, 1)
    session.commit()
    assert [(e["To"], e["Subject"]) for e in sent_emails()] == [("sam@example.org", "Reminder: Meet the funders")]
    assert tomorrow.reminder_sent_at is not None and later.reminder_sent_at is None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "event.reminder_sent")).actor_id == \
        commissioner.id

    assert _run(session).events == 0  # already reminded
    session.commit()
    assert sent_emails() == []


def test_an_event_reminded_by_hand_is_not_reminded_again(session, events_round, commissioner, sent_emails):
    event = make_event(session, round_=events_round, starts_in=timedelta(hours=5), reminder_sent_at=utcnow())
    make_registration(session, event=event, email="sam@example.org")
    assert _run(session).events == 0


def test_send_reminders_command(app, session, panel_assignment, commissioner):
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Reminded 1 panellist(s)" in result.output
    again = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "Reminded 0 panellist(s)" in again.output


def test_the_daily_task_runs_at_nine_in_london(session, panel_assignment):
    assert jobs.nine_in_london(utcnow().replace(year=2026, month=1, day=15, hour=9, minute=0, tzinfo=None))
    assert jobs.nine_in_london(utcnow().replace(year=2026, month=7, day=15, hour=8, minute=0, tzinfo=None))  # BST
    assert not jobs.nine_in_london(utcnow().replace(year=2026, month=7, day=15, hour=9, minute=0, tzinfo=None))
    assert "Reminded 1 panellist(s)" in jobs.daily_reminders.call_local()
