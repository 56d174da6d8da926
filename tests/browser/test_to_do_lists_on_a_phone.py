"""Each role's home leads with what needs doing, on a 320px phone, checked with axe-core (issue 14, parts 9 and 10).

A panellist sees the round with work first, each application by its project's title with what is left, and
opens the folded "Finished rounds". A commissioner sees what needs doing on the round, follows a link to the
page where it is done, and reads the round's stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import ApplicationStatus, Role, RoundStatus, utcnow
from tests.browser.test_panel_staff_pages import arrive, no_horizontal_scroll, sign_in
from tests.conftest import make_fund, make_organisation, make_user
from tests.fixtures.moderation import send_scores
from tests.fixtures.panel_round import assign, make_assessment_round, make_eligible_application, make_panellist

pytestmark = pytest.mark.browser


@dataclass
class Day:
    """A round in assessment with work for a panellist and the commissioners, and a finished round."""

    round_id: int
    round_title: str
    finished_title: str
    titles: list[str]
    panellist: str
    commissioner: str


@pytest.fixture
def day(live_server) -> Day:
    """Made directly in the live server's database under a unique tag."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"day-fund-{tag}")
        fund.reference_prefix = f"D{tag[:4].upper()}"
        round_ = make_assessment_round(session, slug=f"day-{tag}", fund=fund, title=f"Safe routes {tag}",
                                       panellists_per_application=2, anonymised_scoring=True)
        finished = make_assessment_round(session, slug=f"day-past-{tag}", fund=fund, title=f"Safer summers {tag}",
                                         status=RoundStatus.DECISIONS_PUBLISHED, opens_in_days=-200,
                                         closes_in_days=-150)
        commissioner = make_user(session, email=f"cleo-{tag}@example.org", role=Role.COMMISSIONER, name="Cleo")
        member = make_user(session, email=f"ama-{tag}@example.org", role=Role.APPLICANT, name="Ama")
        group = make_organisation(session, name=f"Hackney Youth Voices {tag}", members=[member])
        jordan = make_panellist(session, email=f"jordan-{tag}@example.org", name=f"Jordan {tag}")
        priya = make_panellist(session, email=f"priya-{tag}@example.org", name=f"Priya {tag}")
        titles = ["Walking buses from three schools to the estate", "Safe havens in faith buildings"]
        first, second = (make_eligible_application(session, round_=round_, organisation=group, by=member,
                                                   number=number, project_title=title)
                         for number, title in enumerate(titles, start=1))
        assign(session, application=first, panellist=jordan)  # to declare
        assign(session, application=second, panellist=jordan, declared=True)  # to score
        conflict = assign(session, application=second, panellist=priya, declared=False, conflict_reason="My aunt")
        conflict.recused_at = utcnow()
        old = make_eligible_application(session, round_=finished, organisation=group, by=member, number=3,
                                        project_title="Summer football")
        old.status = ApplicationStatus.AWARDED
        send_scores(session, application=old, panellist=jordan, scores={"Need": 4, "What will change": 4})
        made = Day(round_id=round_.id, round_title=round_.title, finished_title=finished.title, titles=titles,
                   panellist=jordan.email, commissioner=commissioner.email)
        session.commit()
    return made


def test_a_panellists_work_comes_first_on_a_phone(phone_page: Page, day: Day, check_accessibility):
    page = phone_page
    sign_in(page, day.panellist, "Your panel work", check_accessibility)
    main = page.locator("main")
    expect(main.get_by_role("heading", level=2, name=day.round_title)).to_be_visible()
    expect(main).to_contain_text("2 to score (1 needs a declaration of any conflict of interest first)")
    for title in day.titles:
        expect(main.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(main).not_to_contain_text("Hackney Youth Voices")  # anonymised scoring: never the group's name

    # Finished rounds are folded away until opened.
    finished = main.get_by_role("heading", name=day.finished_title)
    expect(finished).to_be_hidden()
    main.get_by_text("Finished rounds (1)", exact=True).click()
    expect(finished).to_be_visible()
    expect(main.get_by_role("link", name="Summer football", exact=True)).to_be_visible()
    check_accessibility(page)
    no_horizontal_scroll(page)

    # The title leads to the next step: declaring any conflict of interest.
    main.get_by_role("link", name=day.titles[0], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(page)


def test_a_commissioners_to_do_list_on_a_phone(phone_page: Page, day: Day, check_accessibility):
    page = phone_page
    sign_in(page, day.commissioner, "Rounds to manage", check_accessibility)
    no_horizontal_scroll(page)
    work = page.locator("section", has=page.get_by_role("heading", level=3, name=day.round_title))
    expect(work).to_contain_text("1 conflict of interest to replace")
    expect(work).to_contain_text("1 panellist has scores still to send")
    expect(work).to_contain_text("2 decisions to make")
    work.get_by_role("link", name=f"1 conflict of interest to replace in {day.round_title}", exact=True).click()
    arrive(page, "Youth panel", check_accessibility)

    page.goto(f"/commissioning/rounds/{day.round_id}")
    arrive(page, day.round_title, check_accessibility)
    letters = page.get_by_role("link", name="Outcome letters", exact=True)
    expect(letters).to_have_attribute("href", f"/commissioning/rounds/{day.round_id}/letters")
    expect(page.locator("main")).to_contain_text("Status Being assessed")
