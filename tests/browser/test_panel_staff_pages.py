"""The youth panel's staff and interview pages in a real browser, each checked with axe-core.

A commissioner runs the panel (settings, panellists, guardian's consent, moderation, ranking, interviews,
the question bank, shortlisting and booking), the panel lead moderates, and a panellist scores an
interview and sends the scores. Pages marked * in the brief are also visited at 320px wide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.extensions import db
from portal.models import (
    AgeBand,
    ApplicationStatus,
    ConflictDeclaration,
    InterviewQuestion,
    InterviewSlot,
    PanelAssignment,
    Role,
    RoundInterviewQuestion,
    Score,
    utcnow,
)
from tests.browser.conftest import pass_second_factor
from tests.conftest import PASSWORD, make_fund, make_organisation, make_user
from tests.fixtures.panel_round import make_assessment_round, make_eligible_application, make_panellist

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1024, "height": 768}
PHONE = {"width": 320, "height": 640}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@dataclass
class StaffRound:
    """A round in assessment with sent scores, a flag to moderate, a panel lead and a booked interview."""

    round_id: int
    round_title: str
    criteria: list[str]
    commissioner: str
    lead: str
    interviewer: str
    interview_assignment_id: int
    assessor_name: str  # one of the flagged application's panellists
    under_18_name: str
    questions: list[str]
    shortlisted_id: int  # shortlisted, with an interview slot
    shortlisted_reference: str
    flagged_id: int  # under assessment; sent scores differ by 2 or more on the first criterion
    flagged_reference: str
    flagged_organisation: str
    waiting_id: int  # under assessment; not yet scored, so it can be shortlisted
    waiting_reference: str


def _send_scores(session, *, application, panellist, values: list[int], criteria) -> PanelAssignment:
    """A panellist who declared no conflict and sent a score and comment for every criterion."""
    now = utcnow()
    session.add(ConflictDeclaration(application=application, panellist=panellist, has_conflict=False,
                                    declared_at=now - timedelta(days=3)))
    assignment = PanelAssignment(application=application, panellist=panellist, assigned_at=now - timedelta(days=4),
                                 scores_submitted_at=now - timedelta(days=1))
    session.add(assignment)
    for criterion, value in zip(criteria, values, strict=True):
        session.add(Score(assignment=assignment, criterion=criterion, value=value,
                          comment=f"Scored {value} for {criterion.name.lower()}."))
    session.flush()
    return assignment


@pytest.fixture
def staff_round(live_server) -> StaffRound:
    """Everything the staff pages show, made directly in the live server's database under a unique tag."""
    tag = uuid4().hex[:8]
    with live_server.app.app_context():
        session = db.session
        fund = make_fund(session, slug=f"staff-fund-{tag}")
        fund.reference_prefix = f"S{tag[:4].upper()}"
        round_ = make_assessment_round(session, slug=f"staff-pages-{tag}", fund=fund, title=f"Safe routes {tag}")
        criteria = list(round_.criteria)
        commissioner = make_user(session, email=f"cleo-{tag}@example.org", role=Role.COMMISSIONER,
                                 name="Cleo Commissioner")
        applicant = make_user(session, email=f"amara-{tag}@example.org", role=Role.APPLICANT, name="Amara Osei")
        groups = [make_organisation(session, name=f"{name} {tag}", members=[applicant])
                  for name in ("Hackney Youth Voices", "Southwark Boxing Club", "Lewisham Girls Coding")]
        shortlisted, flagged, waiting = (
            make_eligible_application(session, round_=round_, organisation=group, by=applicant, number=number,
                                      project_title=title)
            for number, (group, title) in enumerate(zip(groups, ("After-school football", "Boxing after school",
                                                                   "Code club on Saturdays")), start=1))
        # Four adult panellists (one leads the panel and assesses nothing) and an under-18 without consent.
        adults = [make_panellist(session, email=f"{first.lower()}-{tag}@example.org", name=f"{first} {tag}")
                  for first in ("Jordan", "Priya", "Kofi", "Lena")]
        jordan, priya, kofi, lena = adults
        under_18 = make_panellist(session, email=f"remi-{tag}@example.org", name=f"Remi {tag}",
                                  age_band=AgeBand.UNDER_18)
        round_.panel_lead_id = lena.id

        interview = _send_scores(session, application=shortlisted, panellist=jordan, values=[4, 4], criteria=criteria)
        _send_scores(session, application=shortlisted, panellist=priya, values=[4, 3], criteria=criteria)
        _send_scores(session, application=flagged, panellist=jordan, values=[5, 3], criteria=criteria)
        _send_scores(session, application=flagged, panellist=priya, values=[2, 3], criteria=criteria)
        _send_scores(session, application=flagged, panellist=kofi, values=[3, 4], criteria=criteria)

        texts = [f"Tell us about a young person your project has helped ({tag})",
                 f"How do young people have a say in what you do? ({tag})"]
        questions = [InterviewQuestion(text=text, guidance="Listen for a real example.", created_by_id=commissioner.id)
                     for text in texts]
        session.add_all(questions)
        session.add_all([RoundInterviewQuestion(round=round_, question=q, position=n)
                         for n, q in enumerate(questions, start=1)])
        shortlisted.status = ApplicationStatus.SHORTLISTED
        session.add(InterviewSlot(application=shortlisted, starts_at=utcnow() + timedelta(days=7), duration_minutes=30,
                                  place="Hackney Central Library, 1 Reading Lane, London E8 1GQ",
                                  scheduled_by_id=commissioner.id))
        session.flush()
        made = StaffRound(
            round_id=round_.id, round_title=round_.title, criteria=[c.name for c in criteria],
            commissioner=commissioner.email, lead=lena.email, interviewer=jordan.email,
            interview_assignment_id=interview.id, assessor_name=kofi.name, under_18_name=under_18.name, questions=texts,
            shortlisted_id=shortlisted.id, shortlisted_reference=shortlisted.reference,
            flagged_id=flagged.id, flagged_reference=flagged.reference, flagged_organisation=groups[1].name,
            waiting_id=waiting.id, waiting_reference=waiting.reference,
        )
        session.commit()
    return made


# Helpers ----------------------------------------------------------------------------------------


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


def arrive(page: Page, title: str, check_accessibility) -> None:
    """Wait for the page with this h1, check it with axe and, on a phone, that it fits the screen."""
    expect(heading(page)).to_have_text(title)
    check_accessibility(page)
    if page.viewport_size["width"] <= PHONE["width"]:
        no_horizontal_scroll(page)


def sign_in(page: Page, email: str, lands_on: str, check_accessibility) -> None:
    """Sign in through the real form and land on this person's home page."""
    page.goto("/sign-in")
    arrive(page, "Sign in", check_accessibility)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_factor(page, email, check_accessibility)
    arrive(page, lands_on, check_accessibility)


def error_summary(page: Page) -> Locator:
    """The error summary at the top of a form that came back with problems."""
    return page.locator(".govuk-error-summary")


def shows_error(page: Page, message: str, field: Locator) -> None:
    """The page says it has an error in its title and summary, and the summary's link takes you to the field."""
    assert page.title().startswith("Error:"), f"A page showing an error should say so in its title: {page.title()}"
    link = error_summary(page).get_by_role("link", name=message, exact=True)
    expect(link).to_be_visible()
    link.click()
    expect(field, f"The error summary's link “{message}” should move focus to its field").to_be_focused()


# The commissioner ------------------------------------------------------------------------------


def test_commissioner_runs_the_panel_and_interviews(page: Page, staff_round: StaffRound, check_accessibility):
    """Every commissioner page of the panel and interviews loads, passes axe, and shows its errors accessibly."""
    s = staff_round
    sign_in(page, s.commissioner, "Rounds to manage", check_accessibility)

    # The round's panel, and through its links the application's panel and the settings.
    page.goto(f"/commissioning/rounds/{s.round_id}/panel")
    arrive(page, "Youth panel", check_accessibility)
    page.get_by_role("link", name=s.flagged_reference, exact=True).click()
    arrive(page, f"Panel for {s.flagged_reference}", check_accessibility)
    expect(page.locator("main")).to_contain_text(s.assessor_name)
    page.get_by_role("link", name="Back to the round's panel").click()
    arrive(page, "Youth panel", check_accessibility)
    page.get_by_role("link", name="Change the panel's settings").click()
    arrive(page, "Panel settings", check_accessibility)
    page.get_by_label("Written score", exact=True).fill("60")
    page.get_by_label("Interview score", exact=True).fill("30")
    page.get_by_role("button", name="Save settings").click()
    arrive(page, "Panel settings", check_accessibility)
    shows_error(page, "The written and interview weights must add up to 100%. They add up to 90%",
                page.get_by_label("Written score", exact=True))

    # Panellists, and the under-18's guardian's consent.
    page.goto("/commissioning/panellists")
    arrive(page, "Youth panellists", check_accessibility)
    page.get_by_role("link", name=f"Record consent for {s.under_18_name}", exact=True).click()
    arrive(page, f"Guardian's consent for {s.under_18_name}", check_accessibility)
    expect(page.get_by_label("Parent or guardian's full name", exact=True)).to_be_visible()

    # Moderation: the list, the flagged application, and a moderated score without a reason.
    page.goto(f"/panel/rounds/{s.round_id}/moderation")
    arrive(page, f"Moderate scores for {s.round_title}", check_accessibility)
    page.get_by_role("link", name=f"Moderate for {s.flagged_reference}", exact=True).click()
    arrive(page, f"Moderate scores for {s.flagged_reference}", check_accessibility)
    first = s.criteria[0]
    expect(page.get_by_text("Scores differ by 2 or more: agree a moderated score")).to_be_visible()
    page.get_by_role("group", name=f"Moderated score for {first}").get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Save moderated scores").click()
    arrive(page, f"Moderate scores for {s.flagged_reference}", check_accessibility)
    shows_error(page, f"Enter why you moderated the score for {first}",
                page.get_by_label(f"Why is this the agreed score for {first}?", exact=True))

    # The ranked list.
    page.goto(f"/commissioning/rounds/{s.round_id}/ranking")
    arrive(page, f"Ranked list for {s.round_title}", check_accessibility)
    expect(page.locator("main")).to_contain_text(s.flagged_reference)

    # Interviews: the round's page, shortlisting, the question bank, a new question and booking.
    page.goto(f"/commissioning/rounds/{s.round_id}/interviews")
    arrive(page, f"Interviews for {s.round_title}", check_accessibility)
    expect(page.locator("main")).to_contain_text(s.questions[0])
    # The hidden ": reference" is absolutely positioned, so the accessible name may have a space before the colon.
    page.get_by_role("link", name=re.compile(rf"^Shortlist for interview ?: {re.escape(s.waiting_reference)}$")).click()
    arrive(page, f"Shortlist {s.waiting_reference} for interview?", check_accessibility)
    expect(page.get_by_role("button", name="Shortlist for interview", exact=True)).to_be_visible()

    page.goto("/commissioning/interview-questions")
    arrive(page, "Interview questions", check_accessibility)
    expect(page.locator("main")).to_contain_text(s.questions[1])
    page.get_by_role("link", name="Add a question", exact=True).click()
    arrive(page, "Add an interview question", check_accessibility)
    expect(page.get_by_label("Question", exact=True)).to_be_visible()

    page.goto(f"/commissioning/applications/{s.shortlisted_id}/interview")
    arrive(page, f"Change the interview for {s.shortlisted_reference}", check_accessibility)
    expect(page.get_by_label("Where", exact=True)).to_have_value(
        "Hackney Central Library, 1 Reading Lane, London E8 1GQ")
    expect(page.get_by_role("button", name="Save and e-mail the group", exact=True)).to_be_visible()


def test_commissioner_pages_fit_a_phone(phone_page: Page, staff_round: StaffRound, check_accessibility):
    """At 320px: the round's panel, an application's moderation (with its error) and the ranked list."""
    page, s = phone_page, staff_round
    sign_in(page, s.commissioner, "Rounds to manage", check_accessibility)
    page.goto(f"/commissioning/rounds/{s.round_id}/panel")
    arrive(page, "Youth panel", check_accessibility)
    page.goto(f"/panel/applications/{s.flagged_id}/moderation")
    arrive(page, f"Moderate scores for {s.flagged_reference}", check_accessibility)
    page.get_by_role("group", name=f"Moderated score for {s.criteria[0]}").get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Save moderated scores").click()
    arrive(page, f"Moderate scores for {s.flagged_reference}", check_accessibility)
    shows_error(page, f"Enter why you moderated the score for {s.criteria[0]}",
                page.get_by_label(f"Why is this the agreed score for {s.criteria[0]}?", exact=True))
    page.goto(f"/commissioning/rounds/{s.round_id}/ranking")
    arrive(page, f"Ranked list for {s.round_title}", check_accessibility)


# The panel lead ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_panel_lead_moderates(open_page, viewport: str, staff_round: StaffRound, check_accessibility):
    """The panel lead follows the link from their panel work to moderation and records an agreed score."""
    page, s = open_page(VIEWPORTS[viewport]), staff_round
    sign_in(page, s.lead, "Your panel work", check_accessibility)
    page.get_by_role("link", name=f"Moderate the panel's scores for {s.round_title}", exact=True).click()
    arrive(page, f"Moderate scores for {s.round_title}", check_accessibility)
    page.get_by_role("link", name=f"Moderate for {s.flagged_reference}", exact=True).click()
    # Like every panellist, the lead first says whether they know the group.
    arrive(page, f"Do you know {s.flagged_organisation}?", check_accessibility)
    page.get_by_label("No, I have no conflict of interest", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    arrive(page, f"Moderate scores for {s.flagged_reference}", check_accessibility)
    first = s.criteria[0]
    page.get_by_role("group", name=f"Moderated score for {first}").get_by_label("3", exact=True).check()
    page.get_by_label(f"Why is this the agreed score for {first}?", exact=True).fill(
        "The panel agreed the need is real but the evidence is thin.")
    page.get_by_role("button", name="Save moderated scores").click()
    arrive(page, f"Moderate scores for {s.flagged_reference}", check_accessibility)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"1 moderated score saved for {s.flagged_reference}")
    expect(page.locator(".portal-moderated")).to_contain_text("Moderated score: 3")


# A panellist scores an interview ----------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_panellist_scores_and_sends_an_interview(open_page, viewport: str, staff_round: StaffRound,
                                                 check_accessibility):
    """From their interviews, a panellist scores every answer with a comment and sends the scores."""
    page, s = open_page(VIEWPORTS[viewport]), staff_round
    sign_in(page, s.interviewer, "Your panel work", check_accessibility)
    page.get_by_role("link", name="Interviews to score", exact=True).click()
    arrive(page, "Your interviews", check_accessibility)
    expect(page.locator(f"#interview-{s.interview_assignment_id}")).to_contain_text("Not started")
    page.get_by_role("link", name=s.shortlisted_reference, exact=True).click()
    arrive(page, f"Interview scores for {s.shortlisted_reference}", check_accessibility)

    for number, (text, value) in enumerate(zip(s.questions, ("4", "5"), strict=True), start=1):
        group = page.get_by_role("group", name=f"Question {number}: {text}")
        radio = group.get_by_role("radio", name=f"{value} –")
        if number == 1:
            radio.check()  # a click
        else:
            radio.focus()  # the keyboard: focus a radio, then choose it with the space bar
            page.keyboard.press("Space")
        expect(radio).to_be_checked()
        comment = page.get_by_label(f"Your comment on the answer to question {number}", exact=True)
        comment.focus()
        page.keyboard.type(f"A clear, honest answer to question {number}.")

    page.get_by_role("button", name="Send your interview scores").click()
    arrive(page, "Your interviews", check_accessibility)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your interview scores are sent. Thank you")
    expect(page.locator(f"#interview-{s.interview_assignment_id}")).to_contain_text("Scores sent")

    page.get_by_role("link", name=s.shortlisted_reference, exact=True).click()
    arrive(page, f"Interview scores for {s.shortlisted_reference}", check_accessibility)
    expect(page.locator("#sent")).to_contain_text("You sent your interview scores on")
    expect(page.locator("#mean")).to_have_text("Your average score: 4.5 out of 5.")
