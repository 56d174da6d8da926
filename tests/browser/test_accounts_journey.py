"""Accounts in a real browser: sign-up, sign-in and out, invitations, password resets, errors, phones, keyboards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@dataclass
class Member:
    """A community group member and the group they sign up."""

    name: str
    email: str
    password: str
    organisation: str


def new_member(first_name: str = "Grace") -> Member:
    """A member with an e-mail address and organisation no other test uses."""
    tag = uuid4().hex[:8]
    return Member(
        name=f"{first_name} Mensah",
        email=f"{first_name.lower()}-{tag}@example.org",
        password="copper-meadow-lantern-42",
        organisation=f"Hackney Youth Voices {tag}",
    )


def heading(page: Page):
    """The page's h1."""
    return page.get_by_role("heading", level=1)


def field(page: Page, label: str):
    """The form control with exactly this label."""
    return page.get_by_label(label, exact=True)


def sign_up(page: Page, check_accessibility, member: Member) -> None:
    """Create the member's account through the real sign-up form, filling every field it asks for."""
    page.goto("/sign-up")
    expect(heading(page)).to_have_text("Create an account for your group")
    check_accessibility(page)
    field(page, "Your full name").fill(member.name)
    field(page, "Email address").fill(member.email)
    field(page, "Create a password").fill(member.password)
    field(page, "Name of your organisation or group").fill(member.organisation)
    field(page, "Unregistered community group or club").check()
    field(page, "Less than £10,000").check()
    field(page, "Hackney").check()
    field(page, "Tower Hamlets").check()
    field(page, "Address line 1").fill("St Mary's Church Hall")
    field(page, "Address line 2 (optional)").fill("Eastway")
    field(page, "Town or city").fill("London")
    field(page, "Postcode").fill("e9 5ja")
    page.get_by_role("button", name="Create account", exact=True).click()
    expect(heading(page)).to_have_text("Your applications")
    check_accessibility(page)


def sign_out(page: Page, check_accessibility) -> None:
    """Sign out with the button in the header."""
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    check_accessibility(page)


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill in and send the sign-in form, which must already be showing."""
    expect(heading(page)).to_have_text("Sign in")
    field(page, "Email address").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_group_signs_up_signs_out_and_signs_in_again(page: Page, check_accessibility):
    """A community group creates an account, lands on its applications, signs out and back in."""
    member = new_member()
    sign_up(page, check_accessibility, member)
    expect(page.locator(".govuk-notification-banner--success"),
           "The dashboard should confirm the new account with a success banner").to_contain_text(
        f"Your account for {member.organisation} has been created")
    expect(page.locator("#confirm-email"), "A new account is asked to confirm its email address").to_contain_text(
        "Confirm your email address before you can send an application")
    expect(page.get_by_role("heading", level=2, name=member.organisation)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text(f"Signed in as {member.name}")

    sign_out(page, check_accessibility)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Sign in").click()
    expect(heading(page)).to_have_text("Sign in")
    check_accessibility(page)
    sign_in(page, member.email, member.password)
    expect(heading(page)).to_have_text("Your applications")
    expect(page.get_by_role("heading", level=2, name=member.organisation)).to_be_visible()
    check_accessibility(page)


def test_member_invites_a_colleague_who_joins_the_organisation(page: Page, open_page, outbox,
                                                                 check_accessibility):
    """A member invites a colleague, who accepts from the e-mailed link and then appears as a member."""
    member = new_member()
    colleague = new_member("Daniel")
    sign_up(page, check_accessibility, member)
    page.get_by_role("link", name=f"Organisation details and members for {member.organisation}").click()
    expect(heading(page)).to_have_text(member.organisation)
    check_accessibility(page)

    page.get_by_role("link", name="Invite a colleague").click()
    expect(page).to_have_url(re.compile(r"/organisations/\d+/invite$"))
    expect(heading(page)).to_have_text("Invite a colleague")
    check_accessibility(page)
    field(page, "Their full name").fill(colleague.name)
    field(page, "Their email address").fill(colleague.email)
    page.get_by_role("button", name="Send invitation").click()
    expect(heading(page)).to_have_text(member.organisation)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Invitation sent to {colleague.email}")
    expect(page.get_by_text(f"{colleague.name} ({colleague.email}), invited")).to_be_visible()
    check_accessibility(page)

    link = outbox.link_to(colleague.email, "/invitations/")
    colleague_page = open_page()  # a fresh browser context: the colleague's own computer
    colleague_page.goto(link)
    expect(heading(colleague_page)).to_have_text("Accept your invitation")
    expect(colleague_page.get_by_role("main")).to_contain_text(
        f"{member.name} has invited {colleague.email}"
    )
    expect(field(colleague_page, "Your full name"),
           "The invitation form should start with the name the inviter gave").to_have_value(colleague.name)
    check_accessibility(colleague_page)
    field(colleague_page, "Create a password").fill(colleague.password)
    colleague_page.get_by_role("button", name="Accept invitation").click()
    expect(heading(colleague_page)).to_have_text("Your applications")
    expect(colleague_page.locator(".govuk-notification-banner")).to_contain_text("You have accepted the invitation")
    expect(colleague_page.get_by_role("heading", level=2, name=member.organisation)).to_be_visible()
    check_accessibility(colleague_page)

    colleague_page.get_by_role("link", name=f"Organisation details and members for {member.organisation}").click()
    expect(heading(colleague_page)).to_have_text(member.organisation)
    members = colleague_page.get_by_role("main").get_by_role("listitem")
    expect(members.filter(has_text=f"{member.name} ({member.email})")).to_have_count(1)
    expect(members.filter(has_text=f"{colleague.name} ({colleague.email})")).to_have_count(1)
    expect(colleague_page.get_by_text("Invited, not yet joined"),
           "An accepted invitation should no longer be listed as waiting").to_have_count(0)
    check_accessibility(colleague_page)

    page.reload()
    expect(heading(page)).to_have_text(member.organisation)
    expect(page.get_by_role("main").get_by_role("listitem")
           .filter(has_text=f"{colleague.name} ({colleague.email})")).to_have_count(1)
    check_accessibility(page)


def test_forgotten_password_is_reset_from_a_single_use_link(page: Page, outbox, check_accessibility):
    """A member resets a forgotten password from the e-mailed link, signs in with it, and the link then dies."""
    member = new_member()
    sign_up(page, check_accessibility, member)
    sign_out(page, check_accessibility)

    page.goto("/sign-in")
    check_accessibility(page)
    page.get_by_role("link", name="I have forgotten my password").click()
    expect(heading(page)).to_have_text("Reset your password")
    check_accessibility(page)
    field(page, "Email address").fill(member.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(heading(page)).to_have_text("Check your email")
    expect(page.get_by_role("main")).to_contain_text(member.email)
    check_accessibility(page)

    link = outbox.link_to(member.email, "/reset-password/")
    page.goto(link)
    expect(heading(page)).to_have_text("Choose a new password")
    check_accessibility(page)
    new_password = "harbour-quill-thistle-88"
    field(page, "New password").fill(new_password)
    page.get_by_role("button", name="Save new password").click()
    expect(heading(page)).to_have_text("Your applications")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your password has been changed")
    check_accessibility(page)

    sign_out(page, check_accessibility)
    page.goto("/sign-in")
    check_accessibility(page)
    sign_in(page, member.email, member.password)
    expect(page.locator(".govuk-error-summary"),
           "The old password must stop working once the password has been reset").to_contain_text(
        "Enter a correct email address and password")
    check_accessibility(page)
    sign_in(page, member.email, new_password)
    expect(heading(page)).to_have_text("Your applications")
    check_accessibility(page)

    response = page.goto(link)
    assert response is not None and response.status == 404, (
        f"A used reset link should answer 404, got {response and response.status}: check reset_token_valid"
    )
    expect(heading(page)).to_have_text("Password reset link not valid")
    expect(page.get_by_role("main")).to_contain_text("not valid")
    expect(field(page, "New password"),
           "A used reset link must not offer the new-password form again").to_have_count(0)
    check_accessibility(page)


def test_failed_sign_up_shows_focused_error_summary_and_keeps_what_was_typed(page: Page, check_accessibility):
    """Sending an incomplete sign-up shows the GOV.UK error summary, focused, and keeps the typed answers."""
    member = new_member()
    page.goto("/sign-up")
    expect(heading(page)).to_have_text("Create an account for your group")
    check_accessibility(page)
    field(page, "Your full name").fill(member.name)
    field(page, "Email address").fill(member.email)
    field(page, "Name of your organisation or group").fill(member.organisation)
    page.get_by_role("button", name="Create account").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary, "GOV.UK Frontend's ErrorSummary should focus the summary: check js/init.js runs initAll() "
                    "and the summary has data-module=govuk-error-summary").to_be_focused()
    expect(page, "A failed form's title must start with 'Error: '").to_have_title(re.compile(r"^Error: "))
    for message in ("Create a password", "Select the type of organisation",
                    "Select your organisation's annual income", "Select at least one London borough you work in",
                    "Enter the first line of your address", "Enter your postcode"):
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(field(page, "Your full name")).to_have_value(member.name)
    expect(field(page, "Email address")).to_have_value(member.email)
    expect(field(page, "Name of your organisation or group")).to_have_value(member.organisation)
    expect(field(page, "Create a password"), "Passwords must never be sent back in the page").to_have_value("")
    check_accessibility(page)

    summary.get_by_role("link", name="Create a password").click()
    expect(field(page, "Create a password"),
           "Each error summary link should move focus to its field: its href must be the input's id").to_be_focused()


def no_horizontal_scroll(page: Page) -> None:
    """Fail if the page is wider than the viewport."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"], (
        f"{page.url} scrolls sideways at {page.viewport_size['width']}px: content is {widths['scroll']}px wide "
        f"in a {widths['client']}px viewport. Find the widest element and let it wrap or shrink."
    )


def test_phone_sized_pages_do_not_scroll_sideways_and_the_menu_works(phone_page: Page, check_accessibility):
    """At 320px wide, sign-in and sign-up fit the screen and the service navigation opens from its Menu button."""
    page = phone_page
    page.goto("/sign-in")
    expect(heading(page)).to_have_text("Sign in")
    no_horizontal_scroll(page)
    check_accessibility(page)

    menu = page.get_by_role("button", name="Menu")
    create_account = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Create an account")
    expect(menu, "On a phone the service navigation should collapse behind a Menu button").to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(create_account).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(create_account).to_be_visible()
    no_horizontal_scroll(page)
    check_accessibility(page)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(create_account).to_be_hidden()

    menu.click()
    create_account.click()
    expect(heading(page)).to_have_text("Create an account for your group")
    no_horizontal_scroll(page)
    check_accessibility(page)

    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    no_horizontal_scroll(page)
    check_accessibility(page)


def test_sign_in_works_with_the_keyboard_alone(page: Page, check_accessibility):
    """Tab reaches the skip link first, Enter on it moves focus to the main content, and the form is keyboard-usable."""
    member = new_member()
    sign_up(page, check_accessibility, member)
    sign_out(page, check_accessibility)

    page.goto("/sign-in")
    expect(heading(page)).to_have_text("Sign in")
    check_accessibility(page)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link, "The skip link must be the first thing Tab reaches on every page").to_be_focused()
    box = skip_link.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, (
        f"The focused skip link should be shown on screen, but its box is {box}: keep govuk-skip-link's focus styles"
    )
    page.keyboard.press("Enter")
    expect(page.locator("#main-content"),
           "Enter on the skip link should move focus to <main id=main-content> (GOV.UK Frontend's SkipLink)"
           ).to_be_focused()

    page.keyboard.press("Tab")
    expect(field(page, "Email address"), "After skipping, Tab should reach the email field first").to_be_focused()
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    expect(field(page, "Password"), "Tab from email should reach the password field").to_be_focused()
    page.keyboard.type(member.password)
    sign_in_button = page.get_by_role("button", name="Sign in", exact=True)
    for _ in range(3):  # past the password's Show button, if its script has added one
        page.keyboard.press("Tab")
        if sign_in_button.evaluate("button => button === document.activeElement"):
            break
    expect(sign_in_button, "Tab from the password field should soon reach the Sign in button").to_be_focused()
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Your applications")
    expect(page.get_by_role("heading", level=2, name=member.organisation)).to_be_visible()
    check_accessibility(page)
