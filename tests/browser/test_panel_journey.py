"""A youth panellist on a phone: declares no conflict, scores every criterion, sends; declares a conflict on another."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.applications.snapshot import build_snapshot
from portal.demo import CRITERIA, QUESTIONS
from portal.extensions import db
from portal.models import Answer, Criterion, Organisation, PanelAssignment, Question, Role, User
from tests.conftest import PASSWORD, make_fund, make_organisation, make_user
from tests.fixtures.panel_round import assign, make_assessment_round, make_eligible_application, make_panellist

pytestmark = pytest.mark.browser


@dataclass
class PanelWork:
    """A panellist with two applications to assess, made directly in the live server's database."""

    email: str
    first_id: int
    first_reference: str
    first_group: str
    second_id: int
    second_reference: str
    second_group: str
    criteria: list[str]
    criterion_ids: list[int]


@pytest.fixture
def panel_work(live_server) -> PanelWork:
    """A round in assessment with two eligible applications from different groups, both given to one panellist."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"panel-fund-{tag}")
        fund.reference_prefix = f"P{tag[:4].upper()}"
        # One panellist per application: the live database keeps other tests' panellists, and a
        # recusal fills the panel back up to size from all of them.
        round_ = make_assessment_round(session, slug=f"safer-streets-{tag}", fund=fund, title=f"Safer streets {tag}",
                                       panellists_per_application=1)
        applicant = make_user(session, email=f"grace-{tag}@example.org", role=Role.APPLICANT, name="Grace Mensah")
        first_group: Organisation = make_organisation(session, name=f"Hackney Youth Voices {tag}", members=[applicant])
        second_group = make_organisation(session, name=f"Southwark Boxing Club {tag}", members=[applicant])
        first = make_eligible_application(session, round_=round_, organisation=first_group, by=applicant, number=1)
        second = make_eligible_application(session, round_=round_, organisation=second_group, by=applicant, number=2,
                                           project_title="Boxing after school")
        panellist: User = make_panellist(session, email=f"jordan-{tag}@example.org", name="Jordan Ellis")
        make_panellist(session, email=f"priya-{tag}@example.org", name="Priya Shah")  # free to replace
        one: PanelAssignment = assign(session, application=first, panellist=panellist)
        two: PanelAssignment = assign(session, application=second, panellist=panellist)
        work = PanelWork(email=panellist.email, first_id=one.id, first_reference=first.reference,
                         first_group=first_group.name, second_id=two.id, second_reference=second.reference,
                         second_group=second_group.name, criteria=[c.name for c in round_.criteria],
                         criterion_ids=[c.id for c in round_.criteria])
        session.commit()
    return work


def heading(page: Page) -> Locator:
    """The page's h1."""
    return page.get_by_role("heading", level=1)


def no_horizontal_scroll(page: Page) -> None:
    """Fail if the page is wider than the viewport."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], (
        f"{page.url} scrolls sideways at {page.viewport_size['width']}px: content is {widths['scroll']}px wide "
        f"in a {widths['client']}px viewport. Find the widest element and let it wrap or shrink."
    )


def sign_in_as_panellist(page: Page, email: str, check_accessibility) -> None:
    """Sign in through the real form and land on the panel's home page."""
    page.goto("/sign-in")
    expect(heading(page)).to_have_text("Sign in")
    check_accessibility(page)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page), "A panellist should land on their panel work after signing in").to_have_text(
        "Your panel work")
    check_accessibility(page)


def test_panellist_declares_no_conflict_scores_and_sends_on_a_phone(phone_page: Page, panel_work, check_accessibility):
    """At 320px: declare no conflict, score both criteria, save and continue, check the total and send."""
    page = phone_page

    def arrived(title: str) -> None:
        """Wait for the page with this h1, check it with axe and that it fits the phone's screen."""
        expect(heading(page)).to_have_text(title)
        check_accessibility(page)
        no_horizontal_scroll(page)

    sign_in_as_panellist(page, panel_work.email, check_accessibility)
    no_horizontal_scroll(page)
    # By its address: the link's words (the reference, or the project's title) are the home page's business.
    page.locator(f'a[href="/panel/assessments/{panel_work.first_id}"]').click()
    arrived(f"Do you know {panel_work.first_group}?")
    page.get_by_label("No, I have no conflict of interest", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    arrived(f"Score {panel_work.first_reference}")

    # One criterion at a time: the answer it is scored against comes first, directly above its score.
    need, change = panel_work.criteria
    page.get_by_role("link", name="Start scoring").click()
    arrived(f"Criterion 1 of 2: {need}")
    answer_top = page.get_by_role("heading", name="What will you do?").bounding_box()["y"]
    radios_top = page.get_by_role("group", name=f"Score for {need}").bounding_box()["y"]
    assert answer_top < radios_top, "On a phone the answer should come directly above the criterion's score"

    # Save part of it and come back.
    page.get_by_role("group", name=f"Score for {need}").get_by_label("4", exact=True).check()
    page.get_by_label(f"Comment for {need}", exact=True).fill("A real need on the estate")
    page.get_by_role("button", name="Save and come back later").click()
    arrived(f"Score {panel_work.first_reference}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Your score for {need} is saved")
    expect(page.locator(f"#status-{panel_work.criterion_ids[0]}")).to_have_text("Scored")
    page.get_by_role("link", name="Continue scoring").click()
    arrived(f"Criterion 2 of 2: {change}")

    # Move back with the criteria list, by keyboard: what was saved is there, and what was just typed is kept.
    page.get_by_label(f"Comment for {change}", exact=True).fill("Outcomes are clear")
    page.get_by_role("navigation", name="Criteria").get_by_role("button", name=f"1. {need}").focus()
    page.keyboard.press("Enter")
    arrived(f"Criterion 1 of 2: {need}")
    expect(page.get_by_role("group", name=f"Score for {need}").get_by_label("4", exact=True)).to_be_checked()
    page.get_by_role("button", name="Save and next criterion").click()
    arrived(f"Criterion 2 of 2: {change}")
    expect(page.get_by_label(f"Comment for {change}", exact=True)).to_have_value("Outcomes are clear")

    # Save and check with the score missing: told exactly what to do, beside the field, nothing lost.
    page.get_by_label(f"Comment for {change}", exact=True).fill("Outcomes are clear")
    page.get_by_role("button", name="Save and check your scores").click()
    arrived(f"Criterion 2 of 2: {change}")
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Choose a score for {change}")
    expect(page.get_by_label(f"Comment for {change}", exact=True)).to_have_value("Outcomes are clear")
    page.get_by_role("group", name=f"Score for {change}").get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save and check your scores").click()

    arrived(f"Check your scores for {panel_work.first_reference}")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Total 72 out of 100")
    page.get_by_role("button", name="Send your scores").click()
    arrived(f"Score {panel_work.first_reference}")
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("You sent these scores on")
    page.get_by_role("link", name="See what the other panellists scored").click()
    arrived(f"The panel's scores for {panel_work.first_reference}")
    expect(page.get_by_role("region", name=f"Scores for {need}")).to_contain_text("You")


def test_panellist_declares_a_conflict_and_is_taken_off_the_application(phone_page: Page, panel_work,
                                                                        check_accessibility):
    """A conflict needs a reason; once given, the application leaves their work and cannot be opened."""
    page = phone_page

    def arrived(title: str) -> None:
        """Wait for the page with this h1, check it with axe and that it fits the phone's screen."""
        expect(heading(page)).to_have_text(title)
        check_accessibility(page)
        no_horizontal_scroll(page)

    sign_in_as_panellist(page, panel_work.email, check_accessibility)
    page.locator(f'a[href="/panel/assessments/{panel_work.second_id}"]').click()
    arrived(f"Do you know {panel_work.second_group}?")
    page.get_by_label("Yes, I have a conflict of interest", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    arrived(f"Do you know {panel_work.second_group}?")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tell us why you have a conflict of interest")
    expect(page.get_by_label("Yes, I have a conflict of interest", exact=True),
           "The choice made should be kept when the form comes back with an error").to_be_checked()
    page.get_by_label("If you have a conflict of interest, tell us why", exact=True).fill("I volunteer there")
    page.get_by_role("button", name="Continue").click()
    arrived("Your panel work")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"You will not assess {panel_work.second_reference}")
    expect(page.get_by_text("You declared a conflict of interest: someone else will assess this")).to_be_visible()
    expect(page.locator(f'a[href="/panel/assessments/{panel_work.second_id}"]')).to_have_count(0)


ANSWER = ("We run {topic} every week in the youth centre and the park next to the estate. Young people told us they "
          "want somewhere safe to go after school, and somebody to talk to who knows the area. Our volunteers "
          "are local parents and older young people who have been through the same things. We keep a simple "
          "record of who comes, what they say and what changes for them, and we share it with the young people's "
          "forum every term so they can tell us what to do differently. ") * 2


@pytest.fixture
def long_application(live_server) -> tuple[str, int, list[str]]:
    """A panellist's declared assignment to a larger grant in a round scored like the demo's: four criteria and
    five questions, each answered at length. Returns the panellist's e-mail, the assignment id and the criteria."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"long-fund-{tag}")
        fund.reference_prefix = f"L{tag[:4].upper()}"
        round_ = make_assessment_round(session, slug=f"long-round-{tag}", fund=fund, title=f"Long round {tag}",
                                       panellists_per_application=1)
        for record in [*round_.questions, *round_.criteria]:
            session.delete(record)
        session.flush()
        session.expire(round_, ["criteria", "questions"])
        criteria = [Criterion(round=round_, position=n, name=name, weight=weight, what_good_looks_like=good,
                              **{f"descriptor_{i}": text for i, text in enumerate(descriptors, start=1)})
                    for n, (name, weight, good, descriptors) in enumerate(CRITERIA, start=1)]
        session.add_all(criteria)
        session.add_all([Question(round=round_, position=n, text=text, guidance=guidance, word_limit=limit,
                                  criterion=criteria[criterion], asked_of_small_grants=small)
                         for n, (text, guidance, limit, criterion, small) in enumerate(QUESTIONS, start=1)])
        session.flush()
        session.expire(round_, ["criteria", "questions"])
        applicant = make_user(session, email=f"long-{tag}@example.org", role=Role.APPLICANT, name="Grace Mensah")
        group = make_organisation(session, name=f"Hackney Youth Voices {tag}", members=[applicant])
        application = make_eligible_application(session, round_=round_, organisation=group, by=applicant, number=1,
                                                amount_pence=1_500_000, answer=ANSWER.format(topic="sessions"))
        for question in round_.questions[1:]:
            application.answers.append(Answer(question_id=question.id, updated_by_id=applicant.id,
                                              text=ANSWER.format(topic=f"activity {question.position}")))
        session.flush()
        application.submitted_snapshot = build_snapshot(application, submitted_at=application.submitted_at)
        panellist = make_panellist(session, email=f"long-panellist-{tag}@example.org", name="Jordan Ellis")
        assignment = assign(session, application=application, panellist=panellist, declared=True)
        result = (panellist.email, assignment.id, [c.name for c in round_.criteria])
        session.commit()
    return result


def document_height(page: Page) -> int:
    """How tall the whole page is, in CSS pixels."""
    return page.evaluate("() => document.documentElement.scrollHeight")


def test_one_criterion_on_a_phone_is_far_shorter_than_the_whole_application(phone_page: Page, long_application,
                                                                           check_accessibility):
    """At 320px each criterion's page shows the answers it is scored against directly above its score, and is
    a fraction of the old layout (the whole application, then every score), measured here on the same data."""
    page = phone_page
    email, assignment_id, criteria = long_application
    sign_in_as_panellist(page, email, check_accessibility)
    screen = page.viewport_size["height"]

    # The old layout, still there as "Read the whole application".
    page.goto(f"/panel/assessments/{assignment_id}/application")
    expect(heading(page)).to_contain_text("The whole application")
    check_accessibility(page)
    no_horizontal_scroll(page)
    whole = document_height(page)
    assert whole > 10 * screen, f"The whole application should be long at 320px for this test to mean anything ({whole}px)"
    old_radios = [page.get_by_role("group", name=f"Score for {name}").bounding_box()["y"] for name in criteria]

    heights = []
    for number, (name, old_top) in enumerate(zip(criteria, old_radios), start=1):
        page.goto(f"/panel/assessments/{assignment_id}/scores/{number}")
        expect(heading(page)).to_have_text(f"Criterion {number} of {len(criteria)}: {name}")
        check_accessibility(page)
        no_horizontal_scroll(page)
        heights.append(height := document_height(page))
        assert height < whole * 0.6, (
            f"Criterion {number}'s page is {height}px tall at 320px against {whole}px for the whole application: "
            "it should show only the answers this criterion is scored against")
        answers = page.locator("#answers").bounding_box()
        radios_top = page.get_by_role("group", name=f"Score for {name}").bounding_box()["y"]
        assert answers["y"] < 2 * screen, f"The answers for {name} should start on the first or second screen"
        assert radios_top - (answers["y"] + answers["height"]) < screen, (
            f"The score for {name} should come directly after the answers it is scored against")
        assert radios_top < old_top * 0.7, (
            f"The score for {name} starts {radios_top:.0f}px down, against {old_top:.0f}px on the whole application")
    assert sum(heights) / len(heights) < whole * 0.4, (
        f"The criteria's pages average {sum(heights) / len(heights):.0f}px against {whole}px for the whole application")
