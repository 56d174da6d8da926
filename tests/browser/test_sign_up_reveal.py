"""Sign-up at 320px: choosing a type reveals only its own number box, and the page passes axe (issue 14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accounts_journey import field, heading, new_member

pytestmark = pytest.mark.browser


def test_choosing_a_type_reveals_only_its_number_box_on_a_phone(phone_page: Page, check_accessibility):
    """Unregistered shows no number; a registered charity shows a charity number; a company a company number."""
    page, member = phone_page, new_member("Ade")
    page.goto("/sign-up")
    expect(heading(page)).to_have_text("Create an account for your group")
    check_accessibility(page)
    boxes = page.locator(".govuk-radios__conditional input")
    expect(boxes).to_have_count(4)
    expect(boxes.locator("visible=true")).to_have_count(0)
    expect(page.get_by_label("School or college", exact=True)).to_have_count(0)

    field(page, "Unregistered community group or club").check()
    expect(boxes.locator("visible=true")).to_have_count(0)

    field(page, "Registered charity").check()
    expect(boxes.locator("visible=true")).to_have_count(1)
    charity = page.get_by_role("textbox", name="Charity number")
    expect(charity).to_be_visible()
    check_accessibility(page)  # with a box revealed (and the radios' aria-expanded set)

    field(page, "Company limited by guarantee").check()
    expect(charity).to_be_hidden()
    company = page.get_by_role("textbox", name="Company number")
    expect(company).to_be_visible()
    company.fill("01234567")

    # A group whose answers fail keeps the chosen type's box open, with what was typed in it.
    field(page, "Your full name").fill(member.name)
    page.get_by_role("button", name="Create account", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page)
    expect(page.get_by_role("textbox", name="Company number")).to_have_value("01234567")
    expect(page.get_by_role("textbox", name="Company number")).to_be_visible()
    expect(boxes.locator("visible=true")).to_have_count(1)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"sign-up scrolls sideways at 320px: {widths}"


def test_without_javascript_every_box_reads_under_its_own_type(browser, live_server):
    """With scripts off the boxes all show, each inside the radios straight after the type it belongs to.

    (The page itself is checked with axe in the test above; axe needs scripts.)
    """
    context = browser.new_context(viewport={"width": 320, "height": 640}, base_url=live_server.url,
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/sign-up")
        expect(heading(page)).to_have_text("Create an account for your group")
        order = page.evaluate("""() => [...document.querySelectorAll('.govuk-radios__item, .govuk-radios__conditional')]
            .filter(el => el.closest('fieldset').querySelector('legend').textContent.includes('type of organisation'))
            .map(el => el.classList.contains('govuk-radios__conditional')
                 ? 'box: ' + el.querySelector('label').textContent.trim()
                 : el.querySelector('label').textContent.trim())""")
        assert order == [
            "Unregistered community group or club",
            "Registered charity", "box: Charity number",
            "Charitable incorporated organisation (CIO)", "box: Charity number",
            "Community interest company (CIC)", "box: Company number",
            "Company limited by guarantee", "box: Company number",
            "Community benefit society",
            "Faith group",
        ]
        expect(page.locator(".govuk-radios__conditional input").locator("visible=true")).to_have_count(4)
    finally:
        context.close()
