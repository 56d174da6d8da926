"""A commissioner accepts the panel's recommendation, marks the round decided and publishes; the public reads it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.extensions import db
from portal.models import Role
from tests.browser.conftest import pass_second_factor
from tests.conftest import PASSWORD, make_fund, make_organisation, make_user
from tests.fixtures.moderation import send_scores
from tests.fixtures.panel_round import make_assessment_round, make_eligible_application, make_panellist

pytestmark = pytest.mark.browser


@dataclass
class ScoredRound:
    """A round in assessment whose two applications the panel has scored: one above the funding line, one below."""

    round_id: int
    title: str
    commissioner: str
    funded_reference: str
    funded_group: str
    declined_reference: str
    declined_group: str


@pytest.fixture
def scored_round(live_server) -> ScoredRound:
    """Two scored applications in a round with a £6,000 budget: the £5,000 one fits, the £4,000 one does not."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"decision-fund-{tag}")
        fund.reference_prefix = f"D{tag[:4].upper()}"
        title = f"Safer summers {tag}"
        round_ = make_assessment_round(session, slug=f"safer-summers-{tag}", fund=fund, title=title,
                                       budget_pence=600_000, panellists_per_application=1)
        commissioner = make_user(session, email=f"cleo-{tag}@example.org", role=Role.COMMISSIONER, name="Cleo Okafor")
        applicant = make_user(session, email=f"grace-{tag}@example.org", role=Role.APPLICANT, name="Grace Mensah")
        funded_group = make_organisation(session, name=f"Hackney Youth Voices {tag}", members=[applicant])
        declined_group = make_organisation(session, name=f"Lewisham Girls Club {tag}", members=[applicant])
        declined_group.boroughs = ["E09000023"]
        funded = make_eligible_application(session, round_=round_, organisation=funded_group, by=applicant, number=1,
                                           amount_pence=500_000)
        declined = make_eligible_application(session, round_=round_, organisation=declined_group, by=applicant,
                                             number=2, amount_pence=400_000, project_title="Girls' football")
        for number, (application, need, change) in enumerate(((funded, 5, 4), (declined, 3, 3)), start=1):
            scorer = make_panellist(session, email=f"scorer{number}-{tag}@example.org", name=f"Scorer {number}")
            send_scores(session, application=application, panellist=scorer,
                        scores={"Need": need, "What will change": change})
        scored = ScoredRound(round_id=round_.id, title=title, commissioner=commissioner.email,
                             funded_reference=funded.reference, funded_group=funded_group.name,
                             declined_reference=declined.reference, declined_group=declined_group.name)
        session.commit()
    return scored


def heading(page: Page) -> Locator:
    """The page's h1."""
    return page.get_by_role("heading", level=1)


def arrive(page: Page, title: str, check_accessibility) -> None:
    """Wait for the page with this h1 and check it with axe."""
    expect(heading(page)).to_have_text(title)
    check_accessibility(page)


def test_commissioner_publishes_decisions_and_the_public_reads_them(page: Page, scored_round: ScoredRound,
                                                                    check_accessibility):
    """Accept the recommendation, mark decided, check what the public will see, publish, then read it signed out."""
    s = scored_round
    page.goto("/sign-in")
    arrive(page, "Sign in", check_accessibility)
    page.get_by_label("Email address", exact=True).fill(s.commissioner)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_factor(page, s.commissioner, check_accessibility)
    expect(heading(page)).to_have_text("Rounds to manage")
    check_accessibility(page)

    page.goto(f"/commissioning/rounds/{s.round_id}/decisions")
    arrive(page, f"Decisions for {s.title}", check_accessibility)
    page.get_by_role("button", name="Mark the round as decided").click()
    arrive(page, f"Decisions for {s.title}", check_accessibility)
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Record a decision for {s.funded_reference}")

    page.get_by_role("button", name="Accept the panel's recommendation").click()
    arrive(page, f"Decisions for {s.title}", check_accessibility)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 to award and 1 to decline")
    expect(page.locator("#awarded-total")).to_have_text("£5,000")

    page.get_by_role("button", name="Mark the round as decided").click()
    arrive(page, f"Decisions for {s.title}", check_accessibility)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is marked as decided")

    page.get_by_role("link", name="Check and publish decisions").click()
    arrive(page, f"Publish decisions for {s.title}", check_accessibility)
    declined_card = page.locator(f".portal-public-preview[data-reference='{s.declined_reference}']")
    expect(declined_card).to_contain_text("A community group in Lewisham")
    expect(declined_card).not_to_contain_text(s.declined_group)
    expect(page.locator(f".portal-public-preview[data-reference='{s.funded_reference}']")).to_contain_text(
        s.funded_group)
    page.get_by_role("button", name="Publish 2 decisions").click()
    arrive(page, f"Decisions for {s.title}", check_accessibility)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 decisions are published")

    # The public, signed out, reads the decision log.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    check_accessibility(page)
    page.goto("/decisions")
    expect(heading(page)).to_contain_text("Decision")
    check_accessibility(page)
    body = page.locator("main")
    expect(body).to_contain_text(s.funded_group)
    expect(body).to_contain_text(s.declined_reference)
    expect(body).to_contain_text("A community group in Lewisham")
    expect(body).not_to_contain_text(s.declined_group)


def test_the_decision_form_shows_only_the_chosen_outcomes_fields(page: Page, scored_round: ScoredRound,
                                                                 check_accessibility):
    """With JavaScript, GOV.UK's conditional reveal shows the fields of the outcome chosen and hides the rest."""
    s = scored_round
    page.goto("/sign-in")
    arrive(page, "Sign in", check_accessibility)
    page.get_by_label("Email address", exact=True).fill(s.commissioner)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_factor(page, s.commissioner, check_accessibility)
    arrive(page, "Rounds to manage", check_accessibility)
    page.goto(f"/commissioning/rounds/{s.round_id}/decisions")
    arrive(page, f"Decisions for {s.title}", check_accessibility)
    page.get_by_role("link", name=f"Decide {s.declined_reference}").click()
    arrive(page, f"Decide {s.declined_reference}", check_accessibility)
    amount, feedback = page.get_by_label("Amount awarded"), page.get_by_label("Feedback for the group")
    expect(amount).to_be_hidden()
    expect(feedback).to_be_hidden()
    page.get_by_label("Decline", exact=True).check()
    expect(feedback).to_be_visible()
    expect(amount).to_be_hidden()
    page.get_by_label("Award", exact=True).check()
    expect(amount).to_be_visible()
    expect(feedback).to_be_hidden()
    check_accessibility(page)
