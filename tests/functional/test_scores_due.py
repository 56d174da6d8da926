"""A date by which panellists' scores are due (issue 14, part 10): commissioners set it on the panel's settings,
panellists see what is left and by when (or that it was due), and it is on the progress page, the scoring page,
reminders and the commissioners' to-do list."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.formatting import LONDON, date
from portal.models import AuditEvent, Round, utcnow
from portal.notifications import reminders
from tests.fixtures.panel_round import assign

SETTINGS = {"panellists_per_application": "3", "anonymised_scoring": "False", "written_weight": "70",
            "interview_weight": "30", "panel_lead_id": ""}


def london_day(days: int):
    """The London date this many days from today."""
    return (utcnow() + timedelta(days=days)).astimezone(LONDON).date()


def due_on(days: int) -> datetime:
    """Scores due by the end of the London day this many days from today (as the settings page stores it)."""
    return datetime.combine(london_day(days), time(23, 59), tzinfo=LONDON)


def settings_url(round_) -> str:
    return f"/commissioning/rounds/{round_.id}/panel/settings"


def typed(day) -> dict:
    """The date boxes, as a browser posts them (three values under one name)."""
    return {"scores_due_at": [str(day.day), str(day.month), str(day.year)]}


# Setting the date -------------------------------------------------------------------------------------------


def test_commissioners_set_the_date_scores_are_due_and_it_is_audited(session, commissioner_client,
                                                                     assessment_round):
    day = london_day(7)
    page = commissioner_client.submit(settings_url(assessment_round), {**SETTINGS, **typed(day)}, follow=True)
    assert "settings are saved" in page.text()
    stored = session.get(Round, assessment_round.id).scores_due_at
    assert stored.astimezone(LONDON) == datetime.combine(day, time(23, 59), tzinfo=LONDON)
    assert f"Scores are due by {date(stored)}." in page.text()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "panel.settings_changed"))
    assert event.before["scores_due_at"] is None and event.after["scores_due_at"]
    # The form shows the date again; emptying the boxes takes it away.
    form = commissioner_client.page(settings_url(assessment_round))
    assert [form.soup.select_one(f"#scores_due_at-{part}")["value"] for part in ("day", "month", "year")] == [
        str(day.day), str(day.month), str(day.year)]
    commissioner_client.submit(settings_url(assessment_round), {**SETTINGS, "scores_due_at": ["", "", ""]})
    assert session.get(Round, assessment_round.id).scores_due_at is None


@pytest.mark.parametrize(("boxes", "message"), [
    (lambda r: [str(london_day(-5).day), str(london_day(-5).month), str(london_day(-5).year)],
     "The date scores are due must be after panel scoring starts on {scoring}"),
    (lambda r: [str(london_day(20).day), str(london_day(20).month), str(london_day(20).year)],
     "The date scores are due must be before decisions are due on {decisions}"),
    (lambda r: ["24", "", "2027"], "The date scores are due must include a month"),
    (lambda r: ["31", "2", "2027"], "The date scores are due must be a real date"),
    (lambda r: ["24", "1", "27"], "The year scores are due must include 4 numbers, like 2027"),
])
def test_a_wrong_date_is_refused_with_what_was_typed_kept(session, commissioner_client, assessment_round,
                                                          boxes, message):
    values = boxes(assessment_round)
    page = commissioner_client.submit(settings_url(assessment_round), {**SETTINGS, "scores_due_at": values})
    assert page.status == 200
    assert page.title.startswith("Error: Panel settings")
    expected = message.format(scoring=date(assessment_round.scoring_starts_at),
                              decisions=date(assessment_round.decisions_by))
    assert page.field_error("scores_due_at") == expected
    assert expected in page.error_summary()
    assert [page.soup.select_one(f"#scores_due_at-{part}")["value"] for part in ("day", "month", "year")] == values
    assert session.get(Round, assessment_round.id).scores_due_at is None


# Panellists ------------------------------------------------------------------------------------------------


def test_the_panellists_home_says_by_when_and_then_that_scores_were_due(session, panellist_client, panel_assignment,
                                                                        assessment_round):
    assessment_round.scores_due_at = due_on(7)
    session.flush()
    text = panellist_client.page("/panel").text()
    assert f"1 to score by {date(due_on(7))} (1 needs a declaration" in text

    assessment_round.scores_due_at = due_on(-1)
    session.flush()
    text = panellist_client.page("/panel").text()
    assert f"1 to score – it was due on {date(due_on(-1))}" in text
    assert f"by {date(due_on(-1))}" not in text


def test_the_scoring_page_says_by_when(session, panellist_client, panel_application, panellist, assessment_round):
    assignment = assign(session, application=panel_application, panellist=panellist, declared=True)
    assessment_round.scores_due_at = due_on(3)
    session.flush()
    page = panellist_client.page(f"/panel/assessments/{assignment.id}/scores")
    assert page.soup.select_one("#scores-due").get_text(strip=True) == f"Send your scores by {date(due_on(3))}."
    assessment_round.scores_due_at = due_on(-2)
    session.flush()
    page = panellist_client.page(f"/panel/assessments/{assignment.id}/scores")
    assert page.soup.select_one("#scores-due").get_text(strip=True) == (
        f"Scores were due on {date(due_on(-2))}. Send yours as soon as you can.")


def test_reminders_say_by_when(session, panel_assignment, assessment_round, sent_emails, commissioner_client):
    assessment_round.scores_due_at = due_on(4)
    session.flush()
    reminders.send_reminders(session, public_url="http://portal.test", portal_name="Safer Futures Grants")
    session.commit()
    [email] = sent_emails()
    assert f"Send your scores by {date(due_on(4))}." in " ".join(email.get_content().split())


# Commissioners ---------------------------------------------------------------------------------------------


def test_progress_and_to_do_list_show_the_date(session, commissioner_client, panel_assignment, assessment_round):
    assessment_round.scores_due_at = due_on(5)
    session.flush()
    page = commissioner_client.page(f"/commissioning/rounds/{assessment_round.id}/panel")
    assert page.soup.select_one("#scores-due").get_text(strip=True) == f"Scores are due by {date(due_on(5))}."
    assert f"1 panellist has scores still to send by {date(due_on(5))}" in commissioner_client.page(
        "/commissioning").text()

    assessment_round.scores_due_at = due_on(-1)
    session.flush()
    page = commissioner_client.page(f"/commissioning/rounds/{assessment_round.id}/panel")
    assert page.soup.select_one("#scores-due").get_text(strip=True) == (
        f"Scores were due on {date(due_on(-1))}: 1 still to send.")
    assert f"1 panellist has scores still to send: they were due on {date(due_on(-1))}" in commissioner_client.page(
        "/commissioning").text()


# The demo --------------------------------------------------------------------------------------------------


def test_the_demo_round_being_assessed_has_a_date_for_scores(app, session, client):
    from portal.demo import DEMO_PASSWORD

    app.test_cli_runner().invoke(args=["seed-demo"])
    round_ = session.scalar(select(Round).where(Round.slug == "safe-routes-home-2026"))
    assert round_.scores_due_at is not None
    client.sign_in("panellist@example.org", DEMO_PASSWORD)
    assert f"to score by {date(round_.scores_due_at)}" in client.page("/panel").text()
