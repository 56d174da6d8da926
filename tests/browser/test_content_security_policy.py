"""Real pages in Chromium keep to the Content Security Policy: nothing is refused, nothing logs a violation.

The policy (portal/security.py) refuses inline scripts and styles that carry no hash or nonce, style=""
attributes, and anything from another site. A page that breaks it still "works" in a test client but loses
its script or styling in a browser, so each page is opened for real and fails on any "securitypolicyviolation"
event or "Refused to ..." console message, naming what was refused and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from config import BASE_DIR
from portal.extensions import db
from portal.models import Outcome, Role, RoundStatus, utcnow
from portal.transparency import log
from tests.browser.conftest import pass_second_factor
from tests.conftest import PASSWORD, make_fund, make_organisation, make_round, make_user
from tests.fixtures.applications import make_application
from tests.fixtures.decision_log import log_decision, log_organisation
from tests.fixtures.panel_round import assign, make_assessment_round, make_eligible_application, make_panellist

pytestmark = pytest.mark.browser

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"  # as tests/browser/conftest.py finds it

# Runs in every document before its own scripts, so even a violation during parsing is recorded.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI || 'inline code'}`
    + ` at ${event.sourceFile || location.href}:${event.lineNumber}` + (event.sample ? ` (${event.sample})` : ''));
});
"""


@dataclass
class PolicyWorld:
    """Pages of each kind, made in the live server's database."""

    round_slug: str
    decisions_slug: str
    applicant: str
    application_id: int
    commissioner: str
    round_id: int
    panellist: str
    assignment_id: int
    sent_application_id: int


@pytest.fixture
def policy_world(live_server) -> PolicyWorld:
    """An open round with a draft application, a round in assessment, and a round with published decisions."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        now = utcnow()
        applicant = make_user(session, email=f"grace-{tag}@example.org", role=Role.APPLICANT, name="Grace Mensah")
        commissioner = make_user(session, email=f"amara-{tag}@example.org", role=Role.COMMISSIONER, name="Amara")
        group = make_organisation(session, name=f"Hackney Youth Voices {tag}", members=[applicant])

        open_fund = make_fund(session, slug=f"csp-open-{tag}")
        open_fund.reference_prefix = f"C{tag[:4].upper()}"
        open_round = make_round(session, fund=open_fund, slug=f"staying-in-school-{tag}",
                                title=f"Staying in school {tag}")
        draft = make_application(session, round_=open_round, organisation=group, by=applicant)

        panel_fund = make_fund(session, slug=f"csp-panel-{tag}")
        panel_fund.reference_prefix = f"P{tag[:4].upper()}"
        panel_round = make_assessment_round(session, slug=f"safer-streets-{tag}", fund=panel_fund,
                                            title=f"Safer streets {tag}", panellists_per_application=1)
        assessed = make_eligible_application(session, round_=panel_round, organisation=group, by=applicant, number=1)
        panellist = make_panellist(session, email=f"jordan-{tag}@example.org", name="Jordan Ellis")
        assignment = assign(session, application=assessed, panellist=panellist, declared=True)

        log_fund = make_fund(session, slug=f"csp-log-{tag}")
        log_fund.reference_prefix = f"L{tag[:4].upper()}"
        decided = make_assessment_round(session, slug=f"safer-summers-{tag}", fund=log_fund,
                                        title=f"Safer summers {tag}", status=RoundStatus.DECISIONS_PUBLISHED,
                                        decisions_by=now - timedelta(days=3),
                                        decisions_published_at=now - timedelta(days=1))
        winner = log_organisation(session, name=f"Lambeth Arts Collective {tag}", members=[applicant],
                                  boroughs=("E09000022", "E09000028"))
        loser = log_organisation(session, name=f"Southwark Boxing Club {tag}", members=[applicant])
        award = log_decision(session, round_=decided, organisation=winner, by=applicant, decided_by=commissioner,
                             number=1, outcome=Outcome.AWARD, asked_pence=1_200_000, awarded_pence=1_000_000)
        decline = log_decision(session, round_=decided, organisation=loser, by=applicant, decided_by=commissioner,
                               number=2, outcome=Outcome.DECLINE, asked_pence=600_000,
                               reason_category="Outcomes not clear enough", reason="We could not see the change.")
        log.append(session, [award, decline], now=decided.decisions_published_at)

        world = PolicyWorld(round_slug=open_round.slug, decisions_slug=decided.slug, applicant=applicant.email,
                            application_id=draft.id, commissioner=commissioner.email, round_id=panel_round.id,
                            panellist=panellist.email, assignment_id=assignment.id,
                            sent_application_id=award.application.id)
        session.commit()
    return world


def heading(page: Page) -> Locator:
    """The page's h1."""
    return page.get_by_role("heading", level=1)


def watch(page: Page) -> list[str]:
    """Record the page's policy violations from now on; returns the list of console refusals it fills."""
    refusals: list[str] = []

    def on_console(message) -> None:
        """Keep the browser's messages about refused content."""
        text = message.text
        if "Content Security Policy" in text or text.startswith("Refused to"):
            refusals.append(f"console: {text}")

    page.on("console", on_console)
    page.add_init_script(WATCH_VIOLATIONS)
    return refusals


def keeps_to_the_policy(page: Page, refusals: list[str], check_accessibility) -> None:
    """Check the page as it is now with axe, then fail on any policy violation since the last check."""
    page.wait_for_load_state("load")
    violations = page.evaluate("() => window.__cspViolations || []") + refusals
    refusals.clear()
    # axe goes in through DevTools, which the policy does not govern (a <script> tag would be refused).
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    check_accessibility(page)
    assert not violations, (
        f"{page.url} breaks the Content Security Policy:\n- " + "\n- ".join(violations)
        + "\nMove inline scripts into portal/static/js/ (or give them nonce=\"{{ csp_nonce() }}\"), and style=\"\" "
        "attributes into assets/portal.scss as classes. Do not loosen the policy in portal/security.py."
    )


def sign_in(page: Page, refusals: list[str], email: str, check_accessibility) -> None:
    """Sign in through the real form (the sign-in page is checked too)."""
    page.goto("/sign-in")
    expect(heading(page)).to_have_text("Sign in")
    keeps_to_the_policy(page, refusals, check_accessibility)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_factor(page, email, check_accessibility)


def test_public_pages_keep_to_the_policy(page: Page, policy_world, check_accessibility):
    """Home, a prospectus, the decision log, a round's results with its SVG chart, and sign-in."""
    refusals = watch(page)
    for url, title in [
        ("/", None),
        (f"/rounds/{policy_world.round_slug}", f"Staying in school {policy_world.round_slug.rsplit('-', 1)[1]}"),
        ("/decisions", "Decision log"),
        (f"/decisions/rounds/{policy_world.decisions_slug}", None),
        ("/sign-in", "Sign in"),
    ]:
        page.goto(url)
        if title:
            expect(heading(page)).to_contain_text(title)
        else:
            expect(heading(page)).to_be_visible()
        if url.startswith("/decisions/rounds/"):
            expect(page.locator("svg.portal-chart").first).to_be_visible()
        keeps_to_the_policy(page, refusals, check_accessibility)
    # GOV.UK Frontend's inline script (allowed by its hash) ran, so its JavaScript enhancements are on.
    assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")


def test_an_applicants_task_list_keeps_to_the_policy(page: Page, policy_world, check_accessibility):
    """The task list and a section's form, where autosave's script runs."""
    refusals = watch(page)
    sign_in(page, refusals, policy_world.applicant, check_accessibility)
    keeps_to_the_policy(page, refusals, check_accessibility)
    page.goto(f"/applications/{policy_world.application_id}")
    expect(heading(page)).to_be_visible()
    keeps_to_the_policy(page, refusals, check_accessibility)
    page.goto(f"/applications/{policy_world.application_id}/project")
    expect(heading(page)).to_be_visible()
    keeps_to_the_policy(page, refusals, check_accessibility)


def test_commissioner_pages_keep_to_the_policy(page: Page, policy_world, check_accessibility):
    """The commissioners' home and a round's list of applications."""
    refusals = watch(page)
    sign_in(page, refusals, policy_world.commissioner, check_accessibility)
    keeps_to_the_policy(page, refusals, check_accessibility)
    for url in ("/commissioning", f"/commissioning/rounds/{policy_world.round_id}/applications"):
        page.goto(url)
        expect(heading(page)).to_be_visible()
        keeps_to_the_policy(page, refusals, check_accessibility)


def test_the_panels_scoring_page_keeps_to_the_policy(page: Page, policy_world, check_accessibility):
    """A panellist's home and the scoring page beside the criteria."""
    refusals = watch(page)
    sign_in(page, refusals, policy_world.panellist, check_accessibility)
    expect(heading(page)).to_have_text("Your panel work")
    keeps_to_the_policy(page, refusals, check_accessibility)
    page.goto(f"/panel/assessments/{policy_world.assignment_id}/scores")
    expect(heading(page)).to_contain_text("Score")
    keeps_to_the_policy(page, refusals, check_accessibility)


def test_the_letter_preview_keeps_to_the_policy(page: Page, policy_world, check_accessibility):
    """A commissioner previews an outcome letter before issuing it."""
    refusals = watch(page)
    sign_in(page, refusals, policy_world.commissioner, check_accessibility)
    keeps_to_the_policy(page, refusals, check_accessibility)
    page.goto(f"/commissioning/applications/{policy_world.sent_application_id}/letter")
    expect(heading(page)).to_be_visible()
    expect(page.locator("iframe#letter-preview")).to_be_visible()
    keeps_to_the_policy(page, refusals, check_accessibility)
