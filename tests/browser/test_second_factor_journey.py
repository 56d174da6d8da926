"""A new commissioner sets up an authenticator app on a phone, then signs in with a code and a recovery code."""

from __future__ import annotations

from uuid import uuid4

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Role
from tests.browser.test_panel_staff_pages import arrive, no_horizontal_scroll
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def new_commissioner(live_server) -> str:
    """A commissioner with a password and nothing more yet."""
    email = f"kofi-{uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        make_user(db.session, email=email, role=Role.COMMISSIONER, name="Kofi Mensah", second_factor=False)
        db.session.commit()
        db.session.remove()
    return email


def give_password(page: Page, email: str, check_accessibility) -> None:
    """The sign-in form, filled in and sent."""
    page.goto("/sign-in")
    arrive(page, "Sign in", check_accessibility)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_commissioner_sets_up_an_app_and_signs_in_with_codes_on_a_phone(phone_page: Page, new_commissioner,
                                                                          check_accessibility):
    """At 320px: sent to set up, QR code on screen, key by hand, recovery codes, then code and recovery code."""
    page = phone_page
    give_password(page, new_commissioner, check_accessibility)
    arrive(page, "Set up an authenticator app", check_accessibility)
    no_horizontal_scroll(page)
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from your authenticator app", exact=True).fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    arrive(page, "Set up an authenticator app", check_accessibility)
    expect(page.locator(".govuk-error-summary")).to_contain_text("That code is not right")
    page.get_by_label("Code from your authenticator app", exact=True).fill(totp.now())
    page.get_by_role("button", name="Confirm and continue").click()
    arrive(page, "Save your recovery codes", check_accessibility)
    no_horizontal_scroll(page)
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved my recovery codes – continue").click()
    arrive(page, "Rounds to manage", check_accessibility)

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    check_accessibility(page)
    give_password(page, new_commissioner, check_accessibility)
    arrive(page, "Enter the code from your authenticator app", check_accessibility)
    no_horizontal_scroll(page)
    page.get_by_role("link", name="Use a recovery code").click()
    arrive(page, "Enter a recovery code", check_accessibility)
    page.get_by_label("Recovery code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continue", exact=True).click()
    arrive(page, "Rounds to manage", check_accessibility)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 recovery codes left")
