"""The public on a phone: reads the decision log, filters it by outcome, opens a round's results and checks the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.extensions import db
from portal.models import IncomeBand, OrganisationType, Outcome, Role, RoundStatus, utcnow
from portal.transparency import log
from tests.conftest import make_fund, make_user
from tests.fixtures.decision_log import log_decision, log_organisation
from tests.fixtures.panel_round import make_assessment_round

pytestmark = pytest.mark.browser


@dataclass
class PublishedRound:
    """What the test published in the live server's database."""

    slug: str
    title: str
    award_reference: str
    award_group: str
    decline_reference: str
    decline_group: str


@pytest.fixture
def published_round(live_server) -> PublishedRound:
    """A round with an award (to a group in two boroughs) and a decline, published in the log."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"log-fund-{tag}")
        fund.reference_prefix = f"L{tag[:4].upper()}"
        now = utcnow()
        round_ = make_assessment_round(session, slug=f"safer-summers-{tag}", fund=fund, title=f"Safer summers {tag}",
                                       status=RoundStatus.DECISIONS_PUBLISHED, decisions_by=now - timedelta(days=3),
                                       decisions_published_at=now - timedelta(days=1))
        commissioner = make_user(session, email=f"amara-{tag}@example.org", role=Role.COMMISSIONER, name="Amara")
        applicant = make_user(session, email=f"grace-{tag}@example.org", role=Role.APPLICANT, name="Grace")
        winner = log_organisation(session, name=f"Lambeth Arts Collective {tag}", members=[applicant],
                                  organisation_type=OrganisationType.CHARITY, income_band=IncomeBand.FROM_10K_TO_50K,
                                  boroughs=("E09000022", "E09000028"), charity_number="1234567")
        loser = log_organisation(session, name=f"Southwark Boxing Club {tag}", members=[applicant])
        award = log_decision(session, round_=round_, organisation=winner, by=applicant, decided_by=commissioner,
                             number=1, outcome=Outcome.AWARD, asked_pence=1_200_000, awarded_pence=1_000_000,
                             score=78.5, reason="Reaches young people nobody else does.")
        decline = log_decision(session, round_=round_, organisation=loser, by=applicant, decided_by=commissioner,
                               number=2, outcome=Outcome.DECLINE, asked_pence=600_000, score=52.0,
                               reason_category="Outcomes not clear enough", reason="We could not see what would change.")
        log.append(session, [award, decline], now=round_.decisions_published_at)
        published = PublishedRound(slug=round_.slug, title=round_.title, award_reference=award.application.reference,
                                   award_group=winner.name, decline_reference=decline.application.reference,
                                   decline_group=loser.name)
        session.commit()
    return published


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


def test_the_public_reads_the_decision_log_on_a_phone(phone_page: Page, published_round, check_accessibility):
    """At 320px, without signing in: the log, filtered by round and outcome, a round's results, the chain check."""
    page = phone_page
    published = published_round

    def arrived(title: str) -> None:
        """Wait for the page with this h1, check it with axe and that it fits the phone's screen."""
        expect(heading(page)).to_have_text(title)
        check_accessibility(page)
        no_horizontal_scroll(page)

    page.goto("/")
    expect(heading(page)).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Decisions", exact=True).click()
    arrived("Decision log")

    page.get_by_label("Round", exact=True).select_option(label=published.title)
    page.get_by_label("Outcome", exact=True).select_option(label="Declined")
    page.get_by_role("button", name="Show decisions").click()
    arrived("Decision log")
    expect(page.locator("#entries")).to_contain_text("1 decision matches the filters")
    entries = page.locator("#decision-entries")
    expect(entries).to_contain_text(published.decline_reference)
    expect(entries).to_contain_text("A community group in Hackney")
    expect(entries).to_contain_text("Outcomes not clear enough")
    expect(entries).not_to_contain_text(published.award_reference)
    assert published.decline_group not in page.content(), "a declined group must never be named"

    page.get_by_role("link", name=published.decline_reference, exact=True).click()
    arrived(f"Entry {page.url.rsplit('/', 1)[-1]}: {published.decline_reference}")
    expect(page.get_by_text("This is the only entry published for")).to_be_visible()
    assert published.decline_group not in page.content()
    page.go_back()
    arrived("Decision log")

    page.get_by_role("link", name=published.title).first.click()
    arrived(f"Results: {published.title}")
    expect(page.locator("#money")).to_contain_text("£10,000 of a £100,000 budget (10%)")
    expect(page.locator("#deadline")).to_contain_text("2 days after the promised date")
    expect(page.get_by_role("img", name=f"Awards by borough, {published.title}")).to_be_visible()
    label_font = page.locator("svg.portal-chart text").first.evaluate("text => getComputedStyle(text).fontFamily")
    assert label_font.endswith("sans-serif") and label_font.startswith("system-ui"), (
        f"The chart's labels are in {label_font!r}: name the portal's font stack on the SVG (chart.FONT_FAMILY)")
    table = page.get_by_role("region", name="Table: awards by borough")
    expect(table).to_contain_text("Lambeth")
    expect(table).to_contain_text("Southwark")
    assert published.decline_group not in page.content()

    page.get_by_role("link", name="Decision log").first.click()
    arrived("Decision log")
    page.get_by_role("link", name="Check that the log has not been changed").click()
    arrived("Check the decision log")
    expect(page.locator("#chain-result")).to_contain_text("The decision log is intact.")
    expect(page.locator("#head-hash")).to_be_visible()
