"""Each role's day starts with what needs doing (issue 14, parts 5, 6, 9 and 10).

Commissioners' home leads with what needs doing on each round, with counts and links, and says so when
nothing does; each round page links every stage with its state and shows the status the public sees.
Panellists' home shows rounds with work first, each application by its project's title with what is left,
and folds finished rounds away.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.commissioning import decision_services
from portal.formatting import LONDON
from portal.models import (
    ApplicationStatus,
    Decision,
    DecisionLogEntry,
    DecisionLogRedaction,
    Outcome,
    Role,
    RoundStatus,
    utcnow,
)
from portal.transparency.redaction import REASON_CATEGORIES
from tests.conftest import make_organisation, make_user
from tests.fixtures.clarifications import make_question
from tests.fixtures.events import make_event
from tests.fixtures.messages import make_message
from tests.fixtures.moderation import send_scores
from tests.fixtures.panel_round import assign, make_assessment_round, make_eligible_application, make_panellist
from tests.fixtures.submissions import make_submission
from tests.functional.test_query_counts import ALLOWED_DIFFERENCE, LARGE, SMALL, statements_for
from tests.functional.test_round_setup import round_form

HOME = "/commissioning"


def to_do(page) -> dict[str, dict[str, str]]:
    """Round title -> {item text: link} from the "What needs doing" list (hidden words left out)."""
    found = {}
    for section in page.soup.select(".portal-to-do"):
        title = section.select_one("h3 a").get_text(strip=True)
        items = {}
        for link in section.select("li a"):
            for hidden in link.select(".govuk-visually-hidden"):
                hidden.extract()
            items[link.get_text(" ", strip=True)] = link["href"]
        found[title] = items
    return found


def stages(page) -> dict[str, tuple[str, str]]:
    """Stage name -> (status, link), from the round page's stages task list."""
    heading = page.soup.find("h2", string="Stages")
    assert heading, "The round page should list the round's stages under a 'Stages' heading"
    items = heading.find_next("ul", class_="govuk-task-list").select(".govuk-task-list__item")
    return {item.select_one("a").get_text(strip=True):
            (item.select_one(".govuk-task-list__status").get_text(" ", strip=True), item.select_one("a")["href"])
            for item in items}


# Commissioners' home ------------------------------------------------------------------------------------


def test_with_nothing_to_do_the_home_page_says_so(commissioner_client, open_round, draft_round):
    page = commissioner_client.page(HOME)
    assert "Nothing needs doing" in page.text()
    assert to_do(page) == {}


def test_screening_questions_and_events_are_counted_and_linked(session, commissioner_client, open_round,
                                                               organisation, applicant, other_organisation,
                                                               other_applicant):
    make_submission(session, round_=open_round, organisation=organisation, by=applicant, number=1)
    make_submission(session, round_=open_round, organisation=other_organisation, by=other_applicant, number=2)
    make_question(session, round_=open_round)
    make_question(session, round_=open_round, question="Can schools apply?", email="tom@example.org",
                  answer="Only as partners.", answered_at=utcnow())  # answered: not on the list
    make_event(session, round_=open_round, title="Meet the funders", starts_in=timedelta(days=3))
    make_event(session, round_=open_round, title="Next month's drop-in", starts_in=timedelta(days=30))

    page = commissioner_client.page(HOME)
    assert "Nothing needs doing" not in page.text()
    items = to_do(page)["Staying in school"]
    assert items.pop("2 applications to screen") == f"/commissioning/rounds/{open_round.id}/applications?status=submitted"
    assert items.pop("1 question from the public to answer") == f"/commissioning/rounds/{open_round.id}/questions"
    [(event, link)] = items.items()
    assert event.startswith("Event this week: Meet the funders, ") and link.startswith("/commissioning/events/")
    # Nothing with a count of zero is listed: no decisions, letters or panel work on an open round.
    assert not any(word in page.soup.select_one(".portal-to-do").get_text() for word in ("decision", "letter", "0 "))


def test_the_panels_work_is_counted_for_a_round_in_assessment(session, commissioner_client, organisation,
                                                              applicant, other_organisation, other_applicant):
    round_ = make_assessment_round(session, panellists_per_application=2)
    first = make_eligible_application(session, round_=round_, organisation=organisation, by=applicant, number=31)
    second = make_eligible_application(session, round_=round_, organisation=other_organisation,
                                       by=other_applicant, number=32)
    kai, lee, max_ = (make_panellist(session, email=f"{name}@example.org", name=name.title())
                      for name in ("kai", "lee", "max"))
    # The first application: scores 5 and 2 on "Need" (2 or more apart: a flag to moderate).
    send_scores(session, application=first, panellist=kai, scores={"Need": 5, "What will change": 3})
    send_scores(session, application=first, panellist=lee, scores={"Need": 2, "What will change": 3})
    # The second: Max declared a conflict and nobody replaced him; Kai has not sent scores yet.
    conflicted = assign(session, application=second, panellist=max_, declared=False,
                        conflict_reason="My cousin runs it")
    conflicted.recused_at = utcnow()
    assign(session, application=second, panellist=kai, declared=True)
    session.flush()

    items = to_do(commissioner_client.page(HOME))["Safer streets"]
    panel = f"/commissioning/rounds/{round_.id}/panel"
    assert items["1 conflict of interest to replace"] == panel
    assert items["1 panellist has scores still to send"] == panel
    assert items["1 application has scores to moderate"] == f"/panel/rounds/{round_.id}/moderation"
    assert items["2 decisions to make"] == f"/commissioning/rounds/{round_.id}/decisions"
    assert not any("screen" in text or "letter" in text for text in items)


def test_letters_to_issue_are_counted_until_issued(session, commissioner_client, decision_published, letter_issued):
    """Four published decisions, one letter issued: three to issue, and the decisions are done."""
    items = to_do(commissioner_client.page(HOME))["Youth voices"]
    assert items == {"3 letters to issue": f"/commissioning/rounds/{decision_published.round.id}/letters"}


def test_public_notes_and_redactions_to_approve_are_listed_only_for_another_commissioner(
        session, commissioner, commissioner_client, decision_round):
    """Approving takes a second commissioner: each sees only what someone else wrote or asked for."""
    owen = make_user(session, email="owen@example.org", role=Role.COMMISSIONER, name="Owen Price")
    decision_services.accept_recommendation(session, round_=decision_round.round, by=commissioner)
    unnamed = [d for d in session.scalars(select(Decision)) if d.outcome != Outcome.AWARD]
    assert unnamed, "The fixture's recommendation should decline or reserve at least one application"
    unnamed[0].public_note, unnamed[0].public_note_by_id = "Close to the funding line.", owen.id
    session.flush()
    round_id = decision_round.round.id
    items = to_do(commissioner_client.page(HOME))["Youth voices"]
    assert items["1 public note written by another commissioner to approve"] == (
        f"/commissioning/rounds/{round_id}/decisions")
    # The writer is not asked to approve their own note.
    unnamed[0].public_note_by_id = commissioner.id
    session.flush()
    assert not any("public note" in text for text in to_do(commissioner_client.page(HOME))["Youth voices"])


def test_redactions_asked_for_by_another_commissioner_are_listed(session, commissioner, commissioner_client,
                                                                  decision_published):
    owen = make_user(session, email="owen@example.org", role=Role.COMMISSIONER, name="Owen Price")
    first, second = session.scalars(select(DecisionLogEntry).order_by(DecisionLogEntry.position)).all()[:2]
    session.add_all([
        DecisionLogRedaction(entry=first, field="project_title", reason_category=REASON_CATEGORIES[1],
                             reason="The group asked for it to be removed.", requested_by_id=owen.id),
        DecisionLogRedaction(entry=second, field="project_title", reason_category=REASON_CATEGORIES[1],
                             reason="The group asked for it to be removed.", requested_by_id=commissioner.id),
    ])
    session.flush()
    items = to_do(commissioner_client.page(HOME))["Youth voices"]
    assert items["1 redaction of the decision log asked for by another commissioner to approve"] == (
        "/commissioning/decision-log/redactions")


# A round's page -------------------------------------------------------------------------------------------


def test_a_round_in_assessment_links_every_stage_with_its_state(session, commissioner_client, decision_round):
    round_ = decision_round.round
    round_.question_deadline = None  # as in the demo's round being assessed: optional once published
    session.flush()
    page = commissioner_client.page(f"/commissioning/rounds/{round_.id}")
    base = f"/commissioning/rounds/{round_.id}"
    found = stages(page)
    assert found == {
        "Set up the round": ("Done", "#set-up"),
        "Applications": ("Done", f"{base}/applications"),
        "Youth panel": ("In progress", f"{base}/panel"),
        "Ranked list and funding line": ("In progress", f"{base}/ranking"),
        "Decisions": ("In progress", f"{base}/decisions"),
        "Outcome letters": ("Cannot start yet", f"{base}/letters"),
    }
    assert "4 decisions to make" in page.text()
    # Part 5: a round being assessed was published, so its details are complete (not "Incomplete").
    set_up = page.soup.select_one("#set-up").find_next("ul", class_="govuk-task-list")
    details = next(item for item in set_up.select(".govuk-task-list__item") if "Round details" in item.get_text())
    assert details.select_one(".govuk-task-list__status").get_text(strip=True) == "Completed"


def test_the_letters_stage_leads_to_the_letters_once_decisions_are_published(commissioner_client,
                                                                             decision_published):
    round_ = decision_published.round
    found = stages(commissioner_client.page(f"/commissioning/rounds/{round_.id}"))
    assert found["Decisions"][0] == "Done"
    assert found["Outcome letters"] == ("In progress", f"/commissioning/rounds/{round_.id}/letters")


def test_a_draft_rounds_later_stages_cannot_start_yet(commissioner_client, draft_round):
    found = stages(commissioner_client.page(f"/commissioning/rounds/{draft_round.id}"))
    assert found.pop("Set up the round")[0] == "In progress"
    assert {status for status, _ in found.values()} == {"Cannot start yet"}


def _london_parts(moment) -> list[str]:
    """Day, month, year and time as the round form takes them."""
    local = moment.astimezone(LONDON)
    return [str(local.day), str(local.month), str(local.year), local.strftime("%-I:%M%p").lower()]


def test_moving_the_closing_date_to_yesterday_closes_the_round_here_as_on_the_prospectus(
        session, commissioner_client, client, open_round):
    """Part 6: the round page shows the status by the rule the public prospectus uses."""
    now = utcnow()
    form = round_form(
        slug=open_round.slug, title=open_round.title,
        opens_at=_london_parts(now - timedelta(days=10)),
        question_deadline=_london_parts(now - timedelta(days=3)),
        closes_at=_london_parts(now - timedelta(days=1)),
        scoring_starts_at=_london_parts(now + timedelta(days=5)),
        interviews_at=_london_parts(now + timedelta(days=15)),
        decisions_by=_london_parts(now + timedelta(days=30)),
    )
    page = commissioner_client.submit(f"/commissioning/rounds/{open_round.id}/details", form, follow=True)
    assert page.h1 == open_round.title, page.error_summary()
    assert "Status Closed" in page.text()
    assert "Open for applications" not in page.text()
    assert stages(page)["Applications"][0] == "Done"
    assert stages(page)["Youth panel"][0] == "Not started"
    home = commissioner_client.page(HOME)
    row = next(tr for tr in home.soup.select("tbody tr") if open_round.title in tr.get_text())
    assert "Closed" in row.get_text()
    session.refresh(open_round)
    assert open_round.status == RoundStatus.CLOSED


def test_a_closed_round_with_screening_done_asks_for_the_panel_to_start(session, commissioner_client,
                                                                        organisation, applicant):
    round_ = make_assessment_round(session, status=RoundStatus.CLOSED)
    application = make_submission(session, round_=round_, organisation=organisation, by=applicant, number=71)
    assert to_do(commissioner_client.page(HOME))["Safer streets"] == {
        "1 application to screen": f"/commissioning/rounds/{round_.id}/applications?status=submitted"}
    application.status = ApplicationStatus.UNDER_ASSESSMENT
    session.flush()
    assert to_do(commissioner_client.page(HOME))["Safer streets"] == {
        "Screening is done: start the youth panel's assessment": f"/commissioning/rounds/{round_.id}/panel"}


# Panellists' home -----------------------------------------------------------------------------------------


def test_panellists_see_titles_and_whats_left_with_finished_rounds_folded_away(session, panellist_client, panellist,
                                                                              organisation, applicant):
    active = make_assessment_round(session, title="Safe routes home", anonymised_scoring=True)
    titles = ("Walking buses", "Safe havens", "Bike club")
    applications = [make_eligible_application(session, round_=active, organisation=organisation, by=applicant,
                                              number=40 + n, project_title=title)
                    for n, title in enumerate(titles)]
    assign(session, application=applications[0], panellist=panellist)  # to declare
    assign(session, application=applications[1], panellist=panellist, declared=True)  # to score
    send_scores(session, application=applications[2], panellist=panellist, scores={"Need": 4, "What will change": 4})
    for number, (title, status) in enumerate((("Summer 2025", RoundStatus.DECISIONS_PUBLISHED),
                                              ("Spring 2026", RoundStatus.DECIDED)), start=1):
        past = make_assessment_round(session, slug=f"past-{number}", title=title, status=status,
                                     opens_in_days=-200, closes_in_days=-150)
        old = make_eligible_application(session, round_=past, organisation=organisation, by=applicant,
                                        number=50 + number, project_title=f"Old project {number}")
        old.status = ApplicationStatus.AWARDED
        send_scores(session, application=old, panellist=panellist, scores={"Need": 3, "What will change": 3})

    page = panellist_client.page("/panel")
    main = page.soup.select_one("main")
    # The active round comes first, with what is left to do, and each application by its title.
    assert main.find("h2").get_text(strip=True) == "Safe routes home"
    assert "2 to score (1 needs a declaration of any conflict of interest first)" in page.text()
    links = [a.get_text(strip=True) for a in main.select(".govuk-task-list__link")]
    assert links[:3] == list(titles)
    assert applications[0].reference in page.text()
    assert organisation.name not in page.text(), "Anonymised scoring: the group's name is never shown"
    # Finished rounds are folded away in a details component, newest first.
    details = main.select_one("details.govuk-details")
    assert details.select_one(".govuk-details__summary-text").get_text(strip=True) == "Finished rounds (2)"
    assert [h.get_text(strip=True) for h in details.select("h3")] == ["Spring 2026", "Summer 2025"]
    assert not any(h.get_text(strip=True) in ("Spring 2026", "Summer 2025") for h in main.find_all("h2"))


def test_a_panellist_with_everything_sent_is_told_nothing_is_left(session, panellist_client, panellist,
                                                                 scoring_sent_assignment):
    page = panellist_client.page("/panel")
    assert "Nothing left to score" in page.text()
    assert page.soup.select_one("details.govuk-details") is None


# Statements ------------------------------------------------------------------------------------------------


def test_the_commissioners_home_runs_the_same_statements_at_3_and_12_applications(
        session, commissioner_client, open_round):
    """Counting the panel's work, flags, screening, questions and messages reads them together, not once per
    application."""
    round_ = make_assessment_round(session, panellists_per_application=3)
    kai, lee, max_ = (make_panellist(session, email=f"{name}@example.org", name=name.title())
                      for name in ("kai", "lee", "max"))
    made = 0

    def grow_to(size: int) -> None:
        nonlocal made
        for number in range(made + 1, size + 1):
            member = make_user(session, email=f"member{number}@example.org", role=Role.APPLICANT)
            group = make_organisation(session, name=f"Group {number}", members=[member])
            application = make_eligible_application(session, round_=round_, organisation=group, by=member,
                                                    number=100 + number)
            send_scores(session, application=application, panellist=kai, scores={"Need": 5, "What will change": 3})
            send_scores(session, application=application, panellist=lee, scores={"Need": 2, "What will change": 3})
            assign(session, application=application, panellist=max_, declared=False,
                   conflict_reason="I know them").recused_at = utcnow()
            sent = make_submission(session, round_=open_round, organisation=group, by=member, number=200 + number)
            make_message(session, application=sent, by=member, from_funder=False, body="Is our budget right?")
            make_question(session, round_=open_round, email=f"asker{number}@example.org")
        session.flush()
        made = size

    grow_to(SMALL)
    small = statements_for(commissioner_client, HOME)
    grow_to(LARGE)
    large = statements_for(commissioner_client, HOME)
    items = to_do(commissioner_client.page(HOME))
    assert "12 applications have scores to moderate" in items["Safer streets"]
    assert "12 conflicts of interest to replace" in items["Safer streets"]
    assert "12 applications to screen" in items["Staying in school"]
    assert "12 applications with messages from the group waiting for a reply" in items["Staying in school"]
    assert len(large) - len(small) <= ALLOWED_DIFFERENCE, (
        f"The commissioners' home ran {len(small)} statements with {SMALL} applications and {len(large)} with "
        f"{LARGE}: something is read once per application. Statements at {LARGE}:\n" + "\n".join(large))
