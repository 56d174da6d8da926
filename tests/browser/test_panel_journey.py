"""A youth panellist on a phone: declares no conflict, scores every criterion, sends; declares a conflict on another."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.extensions import db
from portal.models import Organisation, PanelAssignment, Role, User
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
                         second_group=second_group.name, criteria=[c.name for c in round_.criteria])
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
    page.get_by_role("link", name=panel_work.first_reference, exact=True).click()
    arrived(f"Do you know {panel_work.first_group}?")
    page.get_by_label("No, I have no conflict of interest", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    arrived(f"Score {panel_work.first_reference}")

    # On a phone the application comes first, then the criteria.
    application_top = page.get_by_role("heading", name="The application").bounding_box()["y"]
    scores_top = page.get_by_role("heading", name="Your scores").bounding_box()["y"]
    assert application_top < scores_top, "On a phone the application should come before the criteria"

    # Save part of it and come back.
    need, change = panel_work.criteria
    page.get_by_role("group", name=f"Score for {need}").get_by_label("4", exact=True).check()
    page.get_by_label(f"Comment for {need}", exact=True).fill("A real need on the estate")
    page.get_by_role("button", name="Save and come back later").click()
    arrived(f"Score {panel_work.first_reference}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your scores are saved")
    expect(page.get_by_role("group", name=f"Score for {need}").get_by_label("4", exact=True)).to_be_checked()

    # Save and continue with a criterion missing: told exactly what to do, nothing lost.
    page.get_by_role("button", name="Save and continue").click()
    arrived(f"Score {panel_work.first_reference}")
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Choose a score for {change}")
    expect(page.get_by_label(f"Comment for {need}", exact=True)).to_have_value("A real need on the estate")
    page.get_by_role("group", name=f"Score for {change}").get_by_label("3", exact=True).check()
    page.get_by_label(f"Comment for {change}", exact=True).fill("Outcomes are clear")
    page.get_by_role("button", name="Save and continue").click()

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
    page.get_by_role("link", name=panel_work.second_reference, exact=True).click()
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
    expect(page.get_by_role("link", name=panel_work.second_reference, exact=True)).to_have_count(0)
