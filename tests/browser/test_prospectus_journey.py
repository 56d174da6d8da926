"""A round in a real browser: a commissioner sets it up and publishes it; the public reads, checks, books and asks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.accounts.passwords import hash_password
from portal.extensions import db
from portal.models import Role, User
from tests.browser.conftest import pass_second_factor
from tests.conftest import enrol_second_factor

pytestmark = pytest.mark.browser

PASSWORD = "saffron-kettle-meadow-19"


@dataclass
class RoundPlan:
    """What the commissioner types for a fund, its round and the round's event, unique to one test."""

    tag: str
    fund_name: str
    fund_slug: str
    prefix: str
    title: str
    slug: str
    event_title: str
    opens: datetime  # London wall-clock times: the forms take day, month, year and time
    question_deadline: datetime
    closes: datetime
    scoring_starts: datetime
    interviews: datetime
    decisions_by: datetime
    event_day: date


def new_plan() -> RoundPlan:
    """A fund, round and event with names no other test uses, every date weeks in the future."""
    tag = uuid4().hex[:8]
    start = datetime.combine(date.today() + timedelta(days=30), time(9))
    return RoundPlan(
        tag=tag,
        fund_name=f"Safer Streets Fund {tag}",
        fund_slug=f"safer-streets-{tag}",
        prefix="".join(chr(ord("A") + int(c, 16)) for c in tag[:5]),  # 5 capital letters from the tag
        title=f"Youth Voices Against Violence {tag}",
        slug=f"youth-voices-{tag}",
        event_title=f"Meet the funders {tag}",
        opens=start,
        question_deadline=start.replace(hour=17) + timedelta(days=14),
        closes=start.replace(hour=17) + timedelta(days=28),
        scoring_starts=start.replace(hour=10) + timedelta(days=35),
        interviews=start.replace(hour=10) + timedelta(days=42),
        decisions_by=start.replace(hour=17) + timedelta(days=56),
        event_day=date.today() + timedelta(days=7),
    )


@dataclass
class Commissioner:
    """A commissioner's account, made directly in the live server's database."""

    name: str
    email: str


@pytest.fixture
def commissioner(live_server) -> Commissioner:
    """A commissioner who can sign in with PASSWORD."""
    person = Commissioner(name="Amara Okafor", email=f"amara-{uuid4().hex[:8]}@example.org")
    with live_server.app.app_context():
        user = User(email=person.email, name=person.name, role=Role.COMMISSIONER,
                    password_hash=hash_password(PASSWORD, fast=True))
        db.session.add(user)
        db.session.flush()
        enrol_second_factor(db.session, user)  # staff pages open only after a second factor
        db.session.commit()
    return person


def heading(page: Page) -> Locator:
    """The page's h1."""
    return page.get_by_role("heading", level=1)


def field(scope: Page | Locator, label: str) -> Locator:
    """The form control with exactly this label."""
    return scope.get_by_label(label, exact=True)


def group(page: Page, legend: str) -> Locator:
    """The fieldset with this legend."""
    return page.get_by_role("group", name=legend, exact=True)


def banner(page: Page) -> Locator:
    """The success banner shown after a change is saved."""
    return page.locator(".govuk-notification-banner")


def clock(moment: datetime) -> str:
    """9am or 5pm, as the date-and-time boxes take it."""
    return f"{moment.hour % 12 or 12}{'am' if moment.hour < 12 else 'pm'}"


def fill_moment(page: Page, legend: str, moment: datetime) -> None:
    """Fill the day, month, year and time boxes of one date-and-time question."""
    boxes = group(page, legend)
    field(boxes, "Day").fill(str(moment.day))
    field(boxes, "Month").fill(str(moment.month))
    field(boxes, "Year").fill(str(moment.year))
    field(boxes, "Time").fill(clock(moment))


def no_horizontal_scroll(page: Page) -> None:
    """Fail if the page is wider than the viewport."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], (
        f"{page.url} scrolls sideways at {page.viewport_size['width']}px: content is {widths['scroll']}px wide "
        f"in a {widths['client']}px viewport. Find the widest element and let it wrap or shrink."
    )


# The commissioner -------------------------------------------------------------------------------


def sign_in_as_commissioner(page: Page, check_accessibility, commissioner: Commissioner) -> None:
    """Sign in through the form and land on the commissioners' home."""
    page.goto("/sign-in")
    expect(heading(page)).to_have_text("Sign in")
    check_accessibility(page)
    field(page, "Email address").fill(commissioner.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_factor(page, commissioner.email, check_accessibility)
    expect(heading(page), "A commissioner should land on /commissioning after signing in: check home_for"
           ).to_have_text("Rounds to manage")
    check_accessibility(page)


def create_fund(page: Page, check_accessibility, plan: RoundPlan) -> None:
    """From the commissioners' home, create the fund through its form."""
    page.get_by_role("main").get_by_role("link", name="Funds", exact=True).click()
    expect(heading(page)).to_have_text("Funds")
    check_accessibility(page)
    page.get_by_role("link", name="Create a fund").click()
    expect(heading(page)).to_have_text("Create a fund")
    check_accessibility(page)
    field(page, "Name of the fund").fill(plan.fund_name)
    field(page, "Web address").fill(plan.fund_slug)
    field(page, "Reference prefix").fill(plan.prefix)
    field(page, "Description (optional)").fill("Money for community groups keeping young Londoners safe.")
    page.get_by_role("button", name="Save fund").click()
    expect(heading(page), "Saving a fund should return to the list of funds").to_have_text("Funds")
    expect(banner(page)).to_contain_text(f"{plan.fund_name} created")
    expect(page.get_by_role("row", name=re.compile(re.escape(plan.fund_name)))).to_contain_text(plan.prefix)
    check_accessibility(page)


def create_round(page: Page, check_accessibility, plan: RoundPlan) -> int:
    """Create the round in the new fund, answering every question on the round form; its id."""
    page.get_by_role("link", name=f"Create a round in {plan.fund_name}").click()
    expect(heading(page)).to_have_text("Create a round")
    expect(field(page, "Fund"), "The fund's 'Create a round' link should choose that fund"
           ).to_have_value(re.compile(r"^\d+$"))
    expect(field(page, "Fund").locator("option:checked")).to_have_text(plan.fund_name)
    check_accessibility(page)

    field(page, "Title").fill(plan.title)
    field(page, "Web address").fill(plan.slug)
    field(page, "Summary").fill("Grants for small groups that help young people stay safe from violence.")
    field(page, "Aims and priorities").fill("We want young people to lead the work.")
    field(page, "Online harm").check()
    field(page, "Critical thinking").check()
    field(page, "Unregistered community group or club").check()
    field(page, "Registered charity").check()
    field(page, "Maximum annual income (optional)").fill("100,000")
    field(group(page, "Must groups work with young people in at least one London borough?"), "Yes").check()
    field(page, "Who cannot apply (optional)").fill("Individuals and national charities.")
    field(page, "Minimum grant").fill("2,000")
    field(page, "Maximum grant").fill("10,000")
    field(page, "Small-grant threshold (optional)").fill("5,000")
    field(page, "Total budget").fill("150,000")
    fill_moment(page, "Applications open", plan.opens)
    fill_moment(page, "Deadline for questions", plan.question_deadline)
    fill_moment(page, "Applications close", plan.closes)
    fill_moment(page, "Panel scoring starts", plan.scoring_starts)
    fill_moment(page, "Interviews (optional)", plan.interviews)
    fill_moment(page, "Decisions by", plan.decisions_by)
    field(page, "Panellists who score each application").fill("3")
    field(page, "What applicants will need").fill("Your latest bank statement and a safeguarding policy.")
    field(page, "How to get help").fill("Email grants@example.org. We answer within two working days.")
    page.get_by_role("button", name="Save round details").click()

    expect(heading(page), "Saving a new round should open its set-up overview").to_have_text(plan.title)
    expect(banner(page)).to_contain_text(f"{plan.title} created as a draft")
    expect(page.get_by_role("main")).to_contain_text("Draft")
    check_accessibility(page)
    match = re.search(r"/commissioning/rounds/(\d+)$", page.url)
    assert match, f"The round overview should be at /commissioning/rounds/<id>, but the page is {page.url}"
    return int(match.group(1))


def open_task(page: Page, check_accessibility, task: str, title: str) -> None:
    """Follow a task in the round's set-up task list."""
    page.locator(".govuk-task-list").get_by_role("link", name=task, exact=True).click()
    expect(heading(page)).to_have_text(title)
    check_accessibility(page)


def back_to_round(page: Page, check_accessibility, plan: RoundPlan) -> None:
    """Return to the round's overview from one of its set-up pages."""
    page.get_by_role("link", name="Back to the round").click()
    expect(heading(page)).to_have_text(plan.title)
    check_accessibility(page)


def add_criterion(page: Page, check_accessibility, name: str, weight: int) -> None:
    """Add a criterion with its weight, what good looks like and all five descriptors."""
    page.get_by_role("link", name="Add a criterion").click()
    expect(heading(page)).to_have_text("Add a criterion")
    check_accessibility(page)
    field(page, "Name").fill(name)
    field(page, "What good looks like").fill(f"Strong {name.lower()} that young people helped to shape.")
    field(page, "Weight").fill(str(weight))
    for score in range(1, 6):
        field(page, f"What a score of {score} means").fill(f"{name}: level {score} of 5")
    page.get_by_role("button", name="Save criterion").click()
    expect(heading(page)).to_have_text("Assessment criteria")
    expect(banner(page)).to_contain_text(f"Criterion “{name}” added")
    expect(page.get_by_role("heading", level=2, name=re.compile(rf"{re.escape(name)} \({weight}%\)"))).to_be_visible()
    check_accessibility(page)


def add_question(page: Page, check_accessibility, *, text: str, words: int, required: bool, criterion: str,
                 small_grants: bool, number: int) -> None:
    """Add an application question through its form."""
    page.get_by_role("link", name="Add a question").click()
    expect(heading(page)).to_have_text("Add a question")
    check_accessibility(page)
    field(page, "Question").fill(text)
    field(page, "Guidance (optional)").fill("Tell us in your own words; bullet points are fine.")
    field(page, "Word limit").fill(str(words))
    field(page, "Yes, it is required" if required else "No, it is optional").check()
    field(page, "Which criterion does it inform?").select_option(label=criterion)
    field(group(page, "Are applicants for small grants asked it?"), "Yes" if small_grants else "No").check()
    page.get_by_role("button", name="Save question").click()
    expect(heading(page)).to_have_text("Application questions")
    expect(banner(page)).to_contain_text(f"Question {number} added")
    card = page.locator(".govuk-summary-card").filter(has=page.get_by_role("heading", name=f"Question {number}"))
    expect(card).to_contain_text(text)
    expect(card).to_contain_text(f"{words} words, {'required' if required else 'optional'}")
    check_accessibility(page)


def publish_round(page: Page) -> None:
    """Press the overview's publish button."""
    page.get_by_role("button", name="Publish the round").click()


def set_up_and_publish_round(page: Page, check_accessibility, plan: RoundPlan) -> int:
    """Fund, round, criteria, questions and FAQ through the forms; a refused publish, then a good one."""
    create_fund(page, check_accessibility, plan)
    round_id = create_round(page, check_accessibility, plan)

    open_task(page, check_accessibility, "Assessment criteria", "Assessment criteria")
    add_criterion(page, check_accessibility, "Reach", 60)
    expect(page.locator(".govuk-warning-text"), "With weights short of 100% the criteria page should warn"
           ).to_contain_text("add 40%")
    back_to_round(page, check_accessibility, plan)

    publish_round(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary, "Publishing an incomplete round should show every problem in a GOV.UK error summary"
           ).to_contain_text("You cannot publish this round yet")
    expect(page, "A refused publish is an error page: its title must start with 'Error: '"
           ).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_contain_text("Fix these 2 problems, then publish again.")
    weights = summary.get_by_role("link", name="The weights of the assessment criteria add up to 60%. "
                                               "They must add up to 100%")
    expect(weights, "The summary should name the criteria total: check criteria_problems").to_be_visible()
    expect(summary.get_by_role("link", name="Add at least one application question"),
           "The summary should say the round has no questions: check publication_problems").to_be_visible()
    expect(page.get_by_role("main"), "A refused publish must leave the round a draft").to_contain_text("Draft")
    check_accessibility(page)

    weights.click()
    expect(heading(page), "The criteria problem should link to the criteria page").to_have_text("Assessment criteria")
    check_accessibility(page)
    add_criterion(page, check_accessibility, "Value for money", 40)
    expect(page.locator("#total-weight")).to_contain_text("100%")
    expect(page.locator(".govuk-warning-text"), "At 100% the weights warning should go").to_have_count(0)
    back_to_round(page, check_accessibility, plan)

    open_task(page, check_accessibility, "Application questions", "Application questions")
    add_question(page, check_accessibility, text="What will young people do in your project?", words=300,
                 required=True, criterion="Reach", small_grants=True, number=1)
    add_question(page, check_accessibility, text="How will you spend the money?", words=150,
                 required=False, criterion="Value for money", small_grants=False, number=2)
    back_to_round(page, check_accessibility, plan)

    open_task(page, check_accessibility, "Frequently asked questions", "Frequently asked questions")
    page.get_by_role("link", name="Add a question and answer").click()
    expect(heading(page)).to_have_text("Add a question and answer")
    check_accessibility(page)
    field(page, "Question").fill("Can we apply with a partner organisation?")
    field(page, "Answer").fill("Yes. One organisation leads the application.")
    page.get_by_role("button", name="Save question and answer").click()
    expect(heading(page)).to_have_text("Frequently asked questions")
    expect(banner(page)).to_contain_text("Question and answer added")
    check_accessibility(page)
    back_to_round(page, check_accessibility, plan)

    open_task(page, check_accessibility, "Preview the prospectus", plan.title)
    expect(page.locator(".govuk-warning-text"), "The commissioners' preview must say it is a preview"
           ).to_contain_text("This is a preview")
    expect(page.get_by_role("heading", name="Reach (60% of the score)")).to_be_visible()
    page.go_back()
    expect(heading(page)).to_have_text(plan.title)
    check_accessibility(page)

    publish_round(page)
    expect(page.locator(".govuk-error-summary"),
           "With everything fixed the round should publish: read the error summary for what still stops it"
           ).to_have_count(0)
    expect(banner(page)).to_contain_text(f"{plan.title} is published. Anyone can now read its prospectus")
    expect(page.get_by_role("main"), "A round opening in the future should be published but not yet open"
           ).to_contain_text("Published, not yet open")
    check_accessibility(page)
    page.get_by_role("link", name="Read the public prospectus").click()
    expect(heading(page)).to_have_text(plan.title)
    expect(page.locator(".govuk-warning-text").filter(has_text="This is a preview"),
           "The published prospectus must not be marked as a preview").to_have_count(0)
    check_accessibility(page)
    return round_id


def create_and_publish_event(page: Page, check_accessibility, plan: RoundPlan, round_id: int) -> int:
    """An in-person event with one place for the round, saved and then published; its id."""
    page.goto(f"/commissioning/events/new?round={round_id}")
    expect(heading(page)).to_have_text("Set up an event")
    expect(field(page, plan.title), "?round=<id> should choose the round").to_be_checked()
    check_accessibility(page)
    field(page, "Event title").fill(plan.event_title)
    field(page, "What will happen at the event?").fill("Hear about the round and ask us anything.")
    field(page, "In person, at a venue").check()
    field(page, "Venue address").fill("Hackney Town Hall\nMare Street\nLondon E8 1EA")
    field(page, "Access information").fill("Step-free entrance on Reading Lane. Hackney Central station.")
    when = group(page, "Date of the event")
    field(when, "Day").fill(str(plan.event_day.day))
    field(when, "Month").fill(str(plan.event_day.month))
    field(when, "Year").fill(str(plan.event_day.year))
    field(page, "Start time").fill("6pm")
    field(page, "End time").fill("8pm")
    field(page, "Number of places").fill("1")
    page.get_by_role("button", name="Save event").click()
    expect(heading(page), "Saving an event should open its management page").to_have_text(plan.event_title)
    expect(banner(page)).to_contain_text("Event saved")
    expect(page.get_by_role("main").locator(".govuk-tag")).to_have_text("Not published")
    check_accessibility(page)

    page.get_by_role("button", name="Publish event").click()
    expect(banner(page), "A published round's event should publish: check publishing_problems"
           ).to_contain_text("Event published. Anyone can now book a place")
    expect(page.get_by_role("main").locator(".govuk-tag")).to_have_text("Published")
    expect(page.get_by_role("main")).to_contain_text("0 of 1 taken, 0 on the waiting list")
    check_accessibility(page)
    match = re.search(r"/commissioning/events/(\d+)$", page.url)
    assert match, f"The event's management page should be at /commissioning/events/<id>, not {page.url}"
    return int(match.group(1))


# The public -------------------------------------------------------------------------------------


def read_prospectus(page: Page, check_accessibility, plan: RoundPlan) -> None:
    """The public prospectus shows the round's criteria, questions, event and FAQ."""
    page.goto(f"/rounds/{plan.slug}")
    expect(heading(page)).to_have_text(plan.title)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Opens for applications on")
    expect(main).to_contain_text("You can ask for between £2,000 and £10,000")
    for name, weight in (("Reach", 60), ("Value for money", 40)):
        expect(page.get_by_role("heading", level=3, name=f"{name} ({weight}% of the score)"),
               "Each criterion should be a heading with its weight").to_be_visible()
        descriptors = page.get_by_role("table", name=f"What each score means for {name.lower()}")
        expect(descriptors.locator("tbody tr"), f"{name} should list all five descriptors").to_have_count(5)
        expect(descriptors).to_contain_text(f"{name}: level 5 of 5")
    questions = page.locator("#the-questions + p + ol > li")
    expect(questions).to_have_count(2)
    expect(questions.nth(0)).to_contain_text("What will young people do in your project? (300 words)")
    expect(questions.nth(1)).to_contain_text("How will you spend the money? (150 words, optional)")
    expect(questions.nth(1), "A question small grants skip should say so").to_contain_text(
        "Only if you ask for £5,000 or more.")
    expect(page.get_by_role("link", name=plan.event_title),
           "The published event should be listed under Events").to_be_visible()
    expect(page.get_by_role("heading", name="Frequently asked questions")).to_be_visible()
    expect(page.get_by_role("heading", name="Can we apply with a partner organisation?")).to_be_visible()
    expect(main).to_contain_text("No questions have been answered yet.")
    check_accessibility(page)


def check_eligibility(page: Page, *, organisation_type: str, income: str, boroughs: list[str],
                      amount: str) -> None:
    """Answer the eligibility checker's four questions and send them."""
    field(page, organisation_type).check()
    field(page, income).check()
    for borough in boroughs:
        field(page, borough).check()
    field(page, "How much money do you want to ask for?").fill(amount)
    page.get_by_role("button", name="Check if we can apply").click()


def fail_then_pass_eligibility(page: Page, check_accessibility, plan: RoundPlan) -> None:
    """A group too large for the round is told which rule stops it; a small charity is told it can apply."""
    page.get_by_role("link", name="Check if your group can apply").click()
    expect(heading(page)).to_have_text("Check if your group can apply")
    check_accessibility(page)
    check_eligibility(page, organisation_type="Registered charity", income="£1 million or more",
                      boroughs=["Hackney"], amount="8,000")
    expect(heading(page)).to_have_text("Your group cannot apply to this round")
    rules = page.get_by_role("main").locator(".govuk-inset-text")
    expect(rules, "Only the income rule is broken, so only it should be shown").to_have_count(1)
    expect(rules).to_contain_text("This round is for organisations with an annual income under £100,000.")
    expect(page.get_by_role("main")).to_contain_text("This rule stops your group applying")
    check_accessibility(page)

    page.get_by_role("link", name="Change your answers").click()
    expect(heading(page)).to_have_text("Check if your group can apply")
    check_accessibility(page)
    check_eligibility(page, organisation_type="Registered charity", income="£10,000 to £49,999",
                      boroughs=["Hackney", "Tower Hamlets"], amount="4,000")
    expect(heading(page), "A small London charity asking within the range should be able to apply"
           ).to_have_text("You can apply")
    expect(page.get_by_role("main")).to_contain_text("your group can apply for £4,000")
    expect(page.get_by_role("main"), "£4,000 is under the £5,000 threshold, so it is a small grant"
           ).to_contain_text("you will answer fewer questions")
    check_accessibility(page)
    page.get_by_role("link", name="Back to the prospectus").click()
    expect(heading(page)).to_have_text(plan.title)
    check_accessibility(page)


def book_event(page: Page, check_accessibility, plan: RoundPlan, *, name: str, email: str, full: bool) -> None:
    """From the prospectus, open the event and book (or join the waiting list)."""
    page.get_by_role("link", name=plan.event_title).click()
    expect(heading(page)).to_have_text(plan.event_title)
    places = page.get_by_role("main").locator(".govuk-summary-list")
    action = "Join the waiting list" if full else "Book a place"
    expect(places).to_contain_text("Fully booked. You can join the waiting list" if full else "1 place left")
    expect(page.get_by_role("heading", level=2, name=action)).to_be_visible()
    check_accessibility(page)
    field(page, "Full name").fill(name)
    field(page, "Email address").fill(email)
    field(page, "Organisation or group (optional)").fill("Clapton Youth Collective")
    field(page, "Access needs (optional)").fill("A seat near the front, please.")
    page.get_by_role("button", name=action).click()


def ask_question(page: Page, check_accessibility, plan: RoundPlan, *, name: str, email: str, question: str) -> None:
    """From the prospectus, ask a clarification question without an account."""
    page.get_by_role("link", name="Ask a question about this round").click()
    expect(heading(page)).to_have_text(f"Ask a question about {plan.title}")
    check_accessibility(page)
    field(page, "Your name").fill(name)
    field(page, "Your email address").fill(email)
    field(page, "Your question").fill(question)
    page.get_by_role("button", name="Send question").click()
    expect(heading(page), "Sending a question should show the confirmation").to_have_text("Question sent")
    expect(page.get_by_role("main")).to_contain_text(f"About {plan.title}")
    check_accessibility(page)


def answer_question(page: Page, check_accessibility, plan: RoundPlan, round_id: int, *, asker: str,
                    published: str, answer: str) -> None:
    """As the commissioner, publish an answer with the question reworded so the asker cannot be identified."""
    page.goto(f"/commissioning/rounds/{round_id}/questions")
    expect(heading(page)).to_have_text(f"Questions about {plan.title}")
    expect(page.get_by_role("heading", level=2, name="Waiting for an answer (1)")).to_be_visible()
    expect(page.get_by_role("main"), "Commissioners should see who asked").to_contain_text(asker)
    check_accessibility(page)
    page.get_by_role("link", name="Answer question 1").click()
    expect(heading(page)).to_have_text("Answer question 1")
    check_accessibility(page)
    field(page, "Question as it will be published").fill(published)
    field(page, "Answer").fill(answer)
    page.get_by_role("button", name="Publish answer").click()
    expect(heading(page)).to_have_text(f"Questions about {plan.title}")
    expect(banner(page)).to_contain_text("Answer published. We have emailed everyone who asked this question")
    expect(page.get_by_role("heading", level=2, name="Answered (1)")).to_be_visible()
    check_accessibility(page)


# The journey ------------------------------------------------------------------------------------


def test_commissioner_publishes_a_round_that_the_public_reads_checks_books_and_asks_about(
        page: Page, open_page, phone_page: Page, commissioner: Commissioner, outbox, check_accessibility):
    """A round set up and published through the forms; the public reads, checks, books and asks; then on a phone."""
    plan = new_plan()
    sign_in_as_commissioner(page, check_accessibility, commissioner)
    round_id = set_up_and_publish_round(page, check_accessibility, plan)
    event_id = create_and_publish_event(page, check_accessibility, plan, round_id)

    public = open_page()  # a fresh browser context, not signed in
    read_prospectus(public, check_accessibility, plan)
    expect(public.get_by_role("button", name="Sign out"), "The public context must not be signed in").to_have_count(0)
    fail_then_pass_eligibility(public, check_accessibility, plan)

    booker = f"grace-{plan.tag}@example.org"
    book_event(public, check_accessibility, plan, name="Grace Mensah", email=booker, full=False)
    expect(heading(public), "The only place should be booked").to_have_text("You have a place")
    expect(public.get_by_role("main")).to_contain_text(plan.event_title)
    check_accessibility(public)
    assert outbox.messages_to(booker), (
        f"Booking a place should queue a confirmation e-mail to {booker}: check register() calls queue_email"
    )

    second = open_page()  # somebody else, on another computer
    second.goto(f"/rounds/{plan.slug}")
    expect(heading(second)).to_have_text(plan.title)
    check_accessibility(second)
    waiting = f"daniel-{plan.tag}@example.org"
    book_event(second, check_accessibility, plan, name="Daniel Osei", email=waiting, full=True)
    expect(heading(second), "With the one place taken, the second person should join the waiting list"
           ).to_have_text("You are on the waiting list")
    expect(second.get_by_role("main")).to_contain_text("You are number 1 on the waiting list")
    check_accessibility(second)
    page.goto(f"/commissioning/events/{event_id}")
    expect(heading(page)).to_have_text(plan.event_title)
    expect(page.get_by_role("main"), "The commissioner should see the place taken and one person waiting"
           ).to_contain_text("1 of 1 taken, 1 on the waiting list")
    expect(page.get_by_role("table", name="Waiting list (1)")).to_contain_text(waiting)
    check_accessibility(page)

    public.goto(f"/rounds/{plan.slug}")
    expect(heading(public)).to_have_text(plan.title)
    check_accessibility(public)
    asker, asker_email, organisation = "Priya Shah", f"priya-{plan.tag}@example.org", f"Clapton Stars {plan.tag}"
    ask_question(public, check_accessibility, plan, name=asker, email=asker_email,
                 question=f"I run {organisation}. Can we spend some of the grant on volunteers' travel?")

    published = "Can a group spend some of the grant on volunteers' travel?"
    answer = "Yes. Travel for volunteers can be up to 10% of the grant."
    answer_question(page, check_accessibility, plan, round_id, asker=asker, published=published, answer=answer)

    public.goto(f"/rounds/{plan.slug}")
    expect(heading(public)).to_have_text(plan.title)
    answers = public.locator("#questions-and-answers ~ *")
    expect(public.get_by_role("heading", level=3, name=published),
           "The answered question should be published on the prospectus as the commissioner worded it"
           ).to_be_visible()
    expect(answers.filter(has_text=answer).first).to_be_visible()
    main_text = public.get_by_role("main").inner_text()
    for private in (asker, asker_email, organisation):
        assert private not in main_text, (
            f"The prospectus shows “{private}”, which identifies who asked: publish only published_question "
            "and the answer, never the asker's details or original wording"
        )
    check_accessibility(public)

    phone = phone_page
    phone.goto(f"/rounds/{plan.slug}")
    expect(heading(phone)).to_have_text(plan.title)
    expect(phone.get_by_role("heading", level=3, name=published)).to_be_visible()
    no_horizontal_scroll(phone)
    check_accessibility(phone)
    phone.get_by_role("link", name="Check if your group can apply").click()
    expect(heading(phone)).to_have_text("Check if your group can apply")
    no_horizontal_scroll(phone)
    check_accessibility(phone)
    check_eligibility(phone, organisation_type="Faith group", income="Less than £10,000", boroughs=["Newham"],
                      amount="3,000")
    expect(heading(phone)).to_have_text("Your group cannot apply to this round")
    expect(phone.get_by_role("main")).to_contain_text("This round is only for unregistered community group or club "
                                                      "or registered charity.")
    no_horizontal_scroll(phone)
    check_accessibility(phone)
    phone.get_by_role("link", name="Change your answers").click()
    expect(heading(phone)).to_have_text("Check if your group can apply")
    check_accessibility(phone)
    check_eligibility(phone, organisation_type="Unregistered community group or club", income="Less than £10,000",
                      boroughs=["Newham"], amount="3,000")
    expect(heading(phone)).to_have_text("You can apply")
    no_horizontal_scroll(phone)
    check_accessibility(phone)
