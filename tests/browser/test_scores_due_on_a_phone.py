"""On a 320px phone, checked with axe-core (issue 14, parts 9 and 10): a commissioner sets the date scores are
due (a wrong date refused beside the boxes, what was typed kept), the panellist then sees what is left and by
when, and the commissioner reads the messages from groups waiting for a reply from the to-do list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.formatting import LONDON
from portal.models import Role, utcnow
from tests.browser.test_panel_staff_pages import arrive, error_summary, no_horizontal_scroll, sign_in
from tests.conftest import make_fund, make_organisation, make_user
from tests.fixtures.messages import make_message
from tests.fixtures.panel_round import assign, make_assessment_round, make_eligible_application, make_panellist

pytestmark = pytest.mark.browser


@dataclass
class Panel:
    """A round in assessment with one application for a panellist, and a message from its group."""

    round_id: int
    round_title: str
    panellist: str
    commissioner: str


@pytest.fixture
def panel(live_server) -> Panel:
    """Made directly in the live server's database under a unique tag."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"due-fund-{tag}")
        fund.reference_prefix = f"S{tag[:4].upper()}"
        round_ = make_assessment_round(session, slug=f"due-{tag}", fund=fund, title=f"Safe routes {tag}")
        commissioner = make_user(session, email=f"cleo-{tag}@example.org", role=Role.COMMISSIONER, name="Cleo")
        member = make_user(session, email=f"ama-{tag}@example.org", role=Role.APPLICANT, name="Ama")
        group = make_organisation(session, name=f"Hackney Youth Voices {tag}", members=[member])
        jordan = make_panellist(session, email=f"jordan-{tag}@example.org", name=f"Jordan {tag}")
        application = make_eligible_application(session, round_=round_, organisation=group, by=member, number=1,
                                                project_title="Walking buses")
        assign(session, application=application, panellist=jordan, declared=True)
        make_message(session, application=application, by=member, from_funder=False, body="Is our budget right?")
        made = Panel(round_id=round_.id, round_title=round_.title, panellist=jordan.email, commissioner=commissioner.email)
        session.commit()
    return made


def test_scores_due_and_messages_waiting_on_a_phone(phone_page: Page, panel: Panel, check_accessibility):
    page = phone_page
    sign_in(page, panel.commissioner, "Rounds to manage", check_accessibility)
    work = page.locator("section", has=page.get_by_role("heading", level=3, name=panel.round_title))
    item = "1 application with messages from the group waiting for a reply"
    work.get_by_role("link", name=f"{item} in {panel.round_title}", exact=True).click()
    arrive(page, "Messages waiting for a reply", check_accessibility)
    link = page.locator("main tbody a")
    expect(link).to_have_count(1)
    reference = link.inner_text().strip().split(":")[0].strip()
    link.click()
    arrive(page, f"Messages about {reference}", check_accessibility)

    page.goto(f"/commissioning/rounds/{panel.round_id}/panel/settings")
    arrive(page, "Panel settings", check_accessibility)
    due = page.get_by_role("group", name="Scores due by")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save settings").click()
    expect(error_summary(page)).to_contain_text("The date scores are due must be a real date")
    expect(due.get_by_label("Day")).to_have_value("31")
    check_accessibility(page)
    no_horizontal_scroll(page)

    day = (utcnow() + timedelta(days=7)).astimezone(LONDON)
    due.get_by_label("Day").fill(str(day.day))
    due.get_by_label("Month").fill(str(day.month))
    due.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Save settings").click()
    arrive(page, "Youth panel", check_accessibility)
    when = f"{day.day} {day:%B %Y}"
    expect(page.locator("#scores-due")).to_have_text(f"Scores are due by {when}.")

    page.context.clear_cookies()
    sign_in(page, panel.panellist, "Your panel work", check_accessibility)
    expect(page.locator("main")).to_contain_text(f"1 to score by {when}")
