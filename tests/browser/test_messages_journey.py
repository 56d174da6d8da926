"""Messages about an application on a 320px phone, checked with axe-core (issue 14, part 14).

A commissioner asks the group a question; a member follows the e-mailed link, signs in, sends a reply that is
too long (refused, with the text kept), then a shorter one; the commissioner shares the reply with the panel and
the panellist reads it on their scores page.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.messages.services import CHARACTER_LIMIT
from tests.browser.test_panel_staff_pages import arrive, error_summary, no_horizontal_scroll, sign_in
from tests.conftest import PASSWORD, make_fund, make_organisation, make_user
from tests.fixtures.panel_round import assign, make_assessment_round, make_eligible_application, make_panellist

pytestmark = pytest.mark.browser


@dataclass
class Conversation:
    """A sent application being assessed, the people on each side, and a panellist assessing it."""

    application_id: int
    reference: str
    assignment_id: int
    commissioner: str
    member: str
    panellist: str


@pytest.fixture
def conversation(live_server) -> Conversation:
    """Made directly in the live server's database under a unique tag."""
    from portal.models import Role

    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"messages-fund-{tag}")
        fund.reference_prefix = f"M{tag[:4].upper()}"
        round_ = make_assessment_round(session, slug=f"messages-{tag}", fund=fund, title=f"Safe routes {tag}")
        commissioner = make_user(session, email=f"cleo-{tag}@example.org", role=Role.COMMISSIONER,
                                 name="Cleo Grant")
        member = make_user(session, email=f"ama-{tag}@example.org", role=Role.APPLICANT, name="Ama Owusu")
        group = make_organisation(session, name=f"Hackney Youth Voices {tag}", members=[member])
        panellist = make_panellist(session, email=f"jordan-{tag}@example.org", name=f"Jordan {tag}")
        application = make_eligible_application(session, round_=round_, organisation=group, by=member, number=1,
                                                project_title="Walking buses from three schools")
        assignment = assign(session, application=application, panellist=panellist, declared=True)
        made = Conversation(application_id=application.id, reference=application.reference,
                            assignment_id=assignment.id, commissioner=commissioner.email, member=member.email,
                            panellist=panellist.email)
        session.commit()
    return made


def test_a_question_and_its_answer_on_a_phone_then_shared_with_the_panel(open_page, conversation: Conversation,
                                                                         outbox, check_accessibility):
    """Both sides write on a phone; the notice e-mail links to the messages; the panel sees what is shared."""
    from tests.browser.conftest import PHONE

    funder = open_page(PHONE)
    sign_in(funder, conversation.commissioner, "Rounds to manage", check_accessibility)
    funder.goto(f"/commissioning/applications/{conversation.application_id}")
    expect(funder.locator("h1")).to_contain_text(conversation.reference)
    check_accessibility(funder)
    funder.get_by_role("link", name="Messages with the group", exact=True).click()
    title = f"Messages about {conversation.reference}"
    arrive(funder, title, check_accessibility)
    funder.get_by_label("Your message").fill("How many young people walk with you each day?\nRoughly is fine.")
    funder.get_by_role("button", name="Send message", exact=True).click()
    arrive(funder, title, check_accessibility)
    expect(funder.locator(".govuk-notification-banner")).to_contain_text("Your message has been sent")

    (notice,) = outbox.messages_to(conversation.member)
    assert "How many" not in notice.body and "Cleo" not in notice.body
    group = open_page(PHONE)
    group.goto(outbox.link_to(conversation.member, f"/applications/{conversation.application_id}/"))
    arrive(group, "Sign in", check_accessibility)
    group.get_by_label("Email address", exact=True).fill(conversation.member)
    group.get_by_label("Password", exact=True).fill(PASSWORD)
    group.get_by_role("button", name="Sign in", exact=True).click()
    group_title = f"Messages about application {conversation.reference}"
    arrive(group, group_title, check_accessibility)
    question = group.locator("li[id^=message-]")
    expect(question).to_contain_text("New")
    expect(question).to_contain_text("Cleo Grant")
    expect(question).to_contain_text("Funder")

    too_long = "About forty on a dry day. " + "x" * CHARACTER_LIMIT
    group.get_by_label("Your message").fill(too_long)
    group.get_by_role("button", name="Send message", exact=True).click()
    arrive(group, group_title, check_accessibility)
    expect(error_summary(group)).to_contain_text("Your message must be 3,000 characters or fewer")
    expect(group.get_by_label("Your message")).to_have_value(too_long)
    group.get_by_label("Your message").fill("About forty on a dry day.\nFewer when it rains.")
    group.get_by_role("button", name="Send message", exact=True).click()
    arrive(group, group_title, check_accessibility)
    expect(group.locator("li[id^=message-]")).to_have_count(2)

    funder.reload()
    arrive(funder, title, check_accessibility)
    answer = funder.locator("li[id^=message-]").nth(1)
    expect(answer).to_contain_text("About forty on a dry day.")
    answer.get_by_role("button", name="Share with the panel").click()
    arrive(funder, title, check_accessibility)
    expect(funder.locator("li[id^=message-]").nth(1)).to_contain_text("Shared with the panel")

    panel = open_page(PHONE)
    sign_in(panel, conversation.panellist, "Your panel work", check_accessibility)
    panel.goto(f"/panel/assessments/{conversation.assignment_id}/scores")
    expect(panel.locator("h1")).to_have_text(f"Score {conversation.reference}")
    check_accessibility(panel)
    no_horizontal_scroll(panel)
    shared = panel.locator("section[aria-labelledby=shared-messages]")
    expect(shared).to_contain_text("From the group")
    expect(shared).to_contain_text("About forty on a dry day.")
    expect(panel.locator("main")).not_to_contain_text("How many young people walk")
