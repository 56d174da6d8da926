"""Applying in a real browser: a whole small-grant application on a phone, keyboard-only sections, word limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, Role
from tests.conftest import PASSWORD, make_fund, make_organisation, make_round, make_user

pytestmark = pytest.mark.browser

BIG_QUESTION = "How will you keep young people safe?"  # make_round asks this only of larger grants
SMALL_QUESTION = "What will you do?"


@dataclass
class OpenRound:
    """A published round open for applications, made directly in the live server's database."""

    title: str
    slug: str
    prefix: str
    small_question_id: int
    big_question_id: int


@dataclass
class Applicant:
    """A community group member and the group they apply for."""

    name: str
    email: str
    password: str
    organisation: str


@pytest.fixture
def open_round(live_server) -> OpenRound:
    """An open round (two criteria, two questions, the second only for grants of £10,000 or more) that asks for documents."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        fund = make_fund(db.session, slug=f"youth-leadership-{tag}")
        round_ = make_round(db.session, fund=fund, slug=f"staying-in-school-{tag}", title=f"Staying in school {tag}",
                            asks_for_documents=True)
        questions = {q.text: q.id for q in round_.questions}
        made = OpenRound(title=round_.title, slug=round_.slug, prefix=fund.reference_prefix,
                         small_question_id=questions[SMALL_QUESTION], big_question_id=questions[BIG_QUESTION])
        db.session.commit()
    return made


def new_applicant() -> Applicant:
    """An applicant whose e-mail address and organisation no other test uses."""
    tag = uuid4().hex[:8]
    return Applicant(name="Grace Mensah", email=f"grace-{tag}@example.org", password="copper-meadow-lantern-42",
                     organisation=f"Hackney Youth Voices {tag}")


def heading(page: Page) -> Locator:
    """The page's h1."""
    return page.get_by_role("heading", level=1)


def field(page: Page, label: str) -> Locator:
    """The form control with exactly this label."""
    return page.get_by_label(label, exact=True)


def task(page: Page, title: str) -> Locator:
    """One row of the task list."""
    return page.locator(".govuk-task-list__item").filter(has=page.get_by_role("link", name=title, exact=True))


def no_horizontal_scroll(page: Page) -> None:
    """Fail if the page is wider than the viewport."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], (
        f"{page.url} scrolls sideways at {page.viewport_size['width']}px: content is {widths['scroll']}px wide "
        f"in a {widths['client']}px viewport. Find the widest element and let it wrap or shrink."
    )


def arrived(page: Page, check_accessibility, title: str, *, phone: bool = False) -> None:
    """Wait for the page with this h1, then check it with axe (and, on a phone, that it fits the screen)."""
    expect(heading(page)).to_have_text(title)
    check_accessibility(page)
    if phone:
        no_horizontal_scroll(page)


def tab_to(page: Page, target: Locator, what: str, *, presses: int = 1) -> None:
    """Press Tab (at most ``presses`` times) until ``target`` has focus; fail if it never does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    expect(target, f"Tab should reach {what} within {presses} press(es): check the tab order and that nothing "
                   "in between is focusable by mistake (tabindex, hidden controls)").to_be_focused()


def words(count: int) -> str:
    """An answer of exactly this many words."""
    pool = "we run football sessions after school on the estate so young people have somewhere safe".split()
    return " ".join(pool[i % len(pool)] for i in range(count))


def complete_section(page: Page) -> None:
    """Say the section is finished and save it, with the mouse."""
    field(page, "Yes, I've completed this section").check()
    page.get_by_role("button", name="Save and continue").click()


def test_small_group_applies_on_a_phone_from_the_prospectus_to_the_receipt(phone_page: Page, open_round, outbox,
                                                                           check_accessibility):
    """At 320px a new group starts from the prospectus, signs up on the way, completes every section and sends it."""
    page, me = phone_page, new_applicant()

    def arrived_here(title: str) -> None:
        """Wait for the page, check it with axe and that it fits 320px."""
        arrived(page, check_accessibility, title, phone=True)

    page.goto(f"/rounds/{open_round.slug}")
    arrived_here(open_round.title)
    page.get_by_role("button", name="Start an application").click()
    arrived_here("Sign in")
    page.get_by_role("link", name="create an account").click()
    arrived_here("Create an account for your group")
    field(page, "Your full name").fill(me.name)
    field(page, "Email address").fill(me.email)
    field(page, "Create a password").fill(me.password)
    field(page, "Name of your organisation or group").fill(me.organisation)
    field(page, "Unregistered community group or club").check()
    field(page, "Less than £10,000").check()
    field(page, "Hackney").check()
    field(page, "Address line 1").fill("St Mary's Church Hall")
    field(page, "Town or city").fill("London")
    field(page, "Postcode").fill("E9 5JA")
    page.get_by_role("button", name="Create account").click()
    expect(page, "Signing up on the way to apply should come back to the round's start page (keep ?next)"
           ).to_have_url(re.compile(rf"/rounds/{open_round.slug}/apply$"))
    arrived_here(f"Apply to {open_round.title}")
    page.get_by_role("button", name="Start an application").click()
    expect(page).to_have_url(re.compile(r"/applications/\d+$"))
    application_id = int(page.url.rsplit("/", 1)[1])
    arrived_here("Your application")
    for title in ("About your organisation", "Your project", "Budget", "Partners", "Declarations"):
        expect(task(page, title), f"A new application's task list should show '{title}' as not started"
               ).to_contain_text("Not started")

    # About your organisation: the details from sign-up are already there.
    task(page, "About your organisation").get_by_role("link").click()
    arrived_here("About your organisation")
    expect(field(page, "Name of your organisation or group"),
           "The organisation section should start from the details given at sign-up").to_have_value(me.organisation)
    complete_section(page)
    arrived_here("Your application")
    expect(task(page, "About your organisation")).to_contain_text("Completed")

    # Your project, with the keyboard alone: Tab to each field, type, Space on a radio, Enter to save.
    project_link = task(page, "Your project").get_by_role("link")
    tab_to(page, project_link, "the 'Your project' link on the task list", presses=30)
    page.keyboard.press("Enter")
    arrived_here("Your project")
    tab_to(page, field(page, "Project title"), "the project title", presses=30)
    page.keyboard.type("Friday night football")
    tab_to(page, field(page, "How much are you asking for?"), "the amount, straight after the title")
    page.keyboard.type("8,000")
    small_answer = page.locator(f"#answer_{open_round.small_question_id}")
    tab_to(page, small_answer, f"the answer to '{SMALL_QUESTION}', straight after the amount")
    answer = "Weekly football and mentoring for thirty young people at risk of exclusion, at the Eastway hall."
    page.keyboard.type(answer)
    expect(page.locator(f"#answer_{open_round.small_question_id} ~ .govuk-character-count__status"),
           "The answer should show a live word count (GOV.UK character count with data-maxwords)"
           ).to_contain_text(f"You have {300 - len(answer.split())} words remaining")
    tab_to(page, field(page, "Yes, I've completed this section"), "the 'completed' radios", presses=3)
    page.keyboard.press("Space")
    expect(field(page, "Yes, I've completed this section"), "Space on a focused radio should choose it").to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save and continue"), "the Save and continue button", presses=2)
    page.keyboard.press("Enter")
    arrived_here("Friday night football")
    expect(task(page, "Your project"), "Saving the project with 'Yes' should mark it completed").to_contain_text(
        "Completed")
    expect(task(page, "Supporting documents"),
           "A small grant (under £10,000) is asked for no documents: drop the section from its task list"
           ).to_have_count(0)

    task(page, "Your project").get_by_role("link").click()
    arrived_here("Your project")
    expect(field(page, "How much are you asking for?")).to_have_value("8,000")
    expect(small_answer).to_have_value(answer)
    expect(page.get_by_text(BIG_QUESTION),
           "At £8,000 the question for larger grants must not be asked: filter with asked_of_small_grants"
           ).to_have_count(0)
    page.get_by_role("link", name="Back to the task list").click()
    arrived_here("Friday night football")

    # Budget: two lines that first come to £500 short, then add up to the £8,000 asked for.
    task(page, "Budget").get_by_role("link").click()
    arrived_here("Budget")
    field(page, "What it is").fill("Hall hire, 40 Friday evenings")
    field(page, "Cost").fill("5,000")
    page.get_by_role("button", name="Save and add another item").click()
    arrived_here("Budget")
    item_2 = page.locator("fieldset").filter(has_text="Item 2")
    item_2.get_by_label("What it is", exact=True).fill("Coaches and kit")
    item_2.get_by_label("Cost", exact=True).fill("2,500")
    complete_section(page)
    arrived_here("Budget")
    message = "Your budget adds up to £7,500, which is £500 less than the £8,000 you are asking for"
    expect(page.locator(".govuk-error-summary"),
           "A budget that does not add up should be refused with the difference in the message (budget_problem)"
           ).to_contain_text(message)
    expect(item_2.get_by_label("Cost", exact=True), "A refused budget must keep what was typed").to_have_value("2,500")
    item_2.get_by_label("Cost", exact=True).fill("3,000")
    complete_section(page)
    arrived_here("Friday night football")
    expect(task(page, "Budget")).to_contain_text("Completed")

    # Partners: a partnership bid with one partner.
    task(page, "Partners").get_by_role("link").click()
    arrived_here("Partners")
    page.get_by_role("group", name="Is this a partnership bid?").get_by_label("Yes", exact=True).check()
    field(page, "Organisation name").fill("Eastway Tenants Association")
    field(page, "What they will do in the project").fill("Lend the hall and tell families on the estate.")
    complete_section(page)
    arrived_here("Friday night football")
    expect(task(page, "Partners")).to_contain_text("Completed")

    # Declarations, with the keyboard alone: Space ticks each box, arrow keys move between the radios.
    tab_to(page, task(page, "Declarations").get_by_role("link"), "the 'Declarations' link", presses=30)
    page.keyboard.press("Enter")
    arrived_here("Declarations")
    expect(field(page, "Your full name"), "Declarations should start with the signed-in person's name"
           ).to_have_value(me.name)
    tab_to(page, field(page, "Your full name"), "the name field", presses=30)
    tab_to(page, field(page, "Your role in the organisation"), "the role, straight after the name")
    page.keyboard.type("Chair")
    boxes = page.get_by_role("group", name="Tick each box to confirm").get_by_role("checkbox")
    expect(boxes).to_have_count(3)
    for number in range(3):
        tab_to(page, boxes.nth(number), f"declaration {number + 1}")
        page.keyboard.press("Space")
        expect(boxes.nth(number), "Space on a focused checkbox should tick it").to_be_checked()
    done, later = field(page, "Yes, I've completed this section"), field(page, "No, I'll come back to it later")
    tab_to(page, done, "the first 'completed' radio")
    page.keyboard.press("ArrowDown")
    expect(later, "ArrowDown in a radio group should choose the next radio").to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(done, "ArrowUp in a radio group should choose the previous radio").to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save and continue"), "the Save and continue button", presses=2)
    page.keyboard.press("Enter")
    arrived_here("Friday night football")
    for title in ("About your organisation", "Your project", "Budget", "Partners", "Declarations"):
        expect(task(page, title), f"'{title}' should be completed before checking answers").to_contain_text(
            "Completed")

    # Check answers, then send.
    page.get_by_role("link", name="Check your answers and send").click()
    arrived_here("Check your answers before sending your application")
    main = page.get_by_role("main")
    for text in (me.organisation, "Friday night football", "£8,000", answer, "Coaches and kit", "£3,000",
                 "Eastway Tenants Association", "Chair", "All confirmed"):
        expect(main, f"Check your answers should show {text!r}: see section_summary in _macros.html"
               ).to_contain_text(text)
    expect(main.get_by_text(BIG_QUESTION), "Check your answers must not list the larger-grant question at £8,000"
           ).to_have_count(0)
    expect(page.locator("#missing"), "Every section is complete, so nothing should be listed as missing"
           ).to_have_count(0)
    # A new account confirms its e-mail address before the group can send: the link from the sign-up e-mail.
    expect(page.locator("#confirm-email"), "A new account should be told to confirm its email address first"
           ).to_contain_text("Confirm your email address before you can send an application")
    expect(page.get_by_role("button", name="Send application")).to_have_count(0)
    page.goto(outbox.link_to(me.email, "/confirm-email/"))
    arrived_here("Your email address is confirmed")
    page.goto(f"/applications/{application_id}/check-answers")
    arrived_here("Check your answers before sending your application")
    page.get_by_role("button", name="Send application").click()
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/sent$"))
    arrived_here("Application sent")
    year = datetime.now(ZoneInfo("Europe/London")).year
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()
    assert re.fullmatch(rf"{open_round.prefix}-{year}-\d{{4}}", reference), (
        f"The reference {reference!r} should look like {open_round.prefix}-{year}-0001: the fund's prefix, the "
        "year in London and a four-digit number (see next_reference)"
    )

    page.get_by_role("link", name="Go to your applications").click()
    arrived_here("Your applications")
    card = page.locator(".govuk-summary-card").filter(has_text=reference)
    expect(card, "The dashboard should list the sent application under its reference").to_have_count(1)
    expect(card.locator(".govuk-summary-list__row").filter(has_text="Status"),
           "The dashboard should show a sent application's status as 'Sent' (STATUS_LABELS)").to_contain_text("Sent")
    expect(card).to_contain_text("Friday night football")

    receipts = [m for m in outbox.messages_to(me.email) if m.subject == f"Application {reference} received"]
    assert len(receipts) == 1, (
        f"Expected one receipt e-mail to {me.email} with the subject 'Application {reference} received', found "
        f"{[m.subject for m in outbox.messages_to(me.email)]}: submit_application should queue_email to each member"
    )
    assert f"/applications/{application_id}" in receipts[0].body, (
        "The receipt should link to the application (built from PUBLIC_URL)"
    )


def start_project_as_a_member(page: Page, live_server, open_round, check_accessibility, *, name: str,
                              group: str) -> int:
    """A member of a new group signs in on the way to applying, starts, and opens "Your project"."""
    email = f"{name.split()[0].lower()}-{uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        user = make_user(db.session, email=email, role=Role.APPLICANT, name=name)
        make_organisation(db.session, name=f"{group} {uuid4().hex[:8]}", members=[user])
        db.session.commit()
    page.goto(f"/rounds/{open_round.slug}/apply")
    arrived(page, check_accessibility, "Sign in")
    field(page, "Email address").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    arrived(page, check_accessibility, f"Apply to {open_round.title}")
    page.get_by_role("button", name="Start an application").click()
    arrived(page, check_accessibility, "Your application")
    application_id = int(page.url.rsplit("/", 1)[1])
    task(page, "Your project").get_by_role("link").click()
    arrived(page, check_accessibility, "Your project")
    return application_id


def test_answer_over_the_word_limit_is_refused_and_kept(page: Page, live_server, open_round, check_accessibility):
    """An answer over its limit is refused by the server, saying how many words to remove, and stays in the box."""
    application_id = start_project_as_a_member(page, live_server, open_round, check_accessibility,
                                               name="Daniel Kowalski", group="Southwark Boxing Club")

    field(page, "Project title").fill("Boxing for girls")
    field(page, "How much are you asking for?").fill("15,000")
    too_long = words(205)
    box = page.locator(f"#answer_{open_round.big_question_id}")
    box.fill(too_long)
    box.press("End")
    page.keyboard.type(" thanks")  # typed, so the live count updates as it would for a person
    too_long += " thanks"
    expect(page.locator(f"#answer_{open_round.big_question_id} ~ .govuk-character-count__status"),
           "The live word count should say the answer is over the limit").to_contain_text("You have 6 words too many")
    page.get_by_role("button", name="Save and continue").click()

    arrived(page, check_accessibility, "Your project")
    message = "Your answer is 206 words. Remove 6 words so it is no more than 200 words"
    expect(page.locator(".govuk-error-summary"),
           "The server must refuse an answer over its limit, saying how many words to remove (word_limit_problem)"
           ).to_contain_text(message)
    expect(page.locator(f"#answer_{open_round.big_question_id}-error"),
           "The word-limit message should also be shown beside the answer").to_contain_text(message)
    expect(box, "A refused answer must stay in the box exactly as typed, so nothing is lost").to_have_value(too_long)
    expect(field(page, "Project title"), "The other fields must keep what was typed too").to_have_value(
        "Boxing for girls")
    expect(field(page, "How much are you asking for?")).to_have_value("15,000")
    with live_server.app.app_context():
        application = db.session.scalar(select(Application).where(Application.id == application_id))
        saved = (application.project_title, [a.text for a in application.answers])
        db.session.remove()
    assert not saved[0] and saved[1] == [], (
        f"A refused save must change nothing, but the application now has {saved}: validate before writing"
    )


def test_answers_save_themselves_while_typing(page: Page, live_server, open_round, check_accessibility):
    """With JavaScript on, the project section saves quietly a few seconds after typing stops."""
    application_id = start_project_as_a_member(page, live_server, open_round, check_accessibility,
                                               name="Priya Shah", group="Newham Youth Forum")

    field(page, "Project title").type("Saturday football league")
    expect(page.locator(".portal-autosave"),
           "autosave.js should save the form and say so in the status line").to_contain_text("Saved at", timeout=15000)
    check_accessibility(page)
    with live_server.app.app_context():
        saved = db.session.get(Application, application_id)
        assert saved.project_title == "Saturday football league", "The quiet save must reach the database"
        db.session.remove()

    # A manual save afterwards is not mistaken for a colleague's conflicting edit: it reaches the task list,
    # whose heading is now the project's title.
    page.get_by_role("button", name="Save and continue").click()
    arrived(page, check_accessibility, "Saturday football league")
