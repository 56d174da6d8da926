"""The ranked list fits its page at 1280px, "Combined score" in view, and stays usable at 320px (issue 14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import pass_second_factor
from tests.browser.test_panel_staff_pages import (  # noqa: F401 (staff_round is a fixture)
    StaffRound,
    arrive,
    no_horizontal_scroll,
    staff_round,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 320, "height": 640}

# Where the "Combined score" header is, and whether anything of the table is hidden in its scrolling box.
MEASURE = """
() => {
  const header = [...document.querySelectorAll('#ranking thead th')].find(th => th.textContent.trim() === 'Combined score');
  const box = header.getBoundingClientRect();
  const wrapper = document.querySelector('#ranking').closest('.portal-table-wrapper') || document.querySelector('#ranking');
  const clip = wrapper.getBoundingClientRect();
  return {left: box.left, right: box.right, clipRight: clip.right, viewport: document.documentElement.clientWidth,
          scrollWidth: wrapper.scrollWidth, clientWidth: wrapper.clientWidth};
}
"""


def sign_in(page: Page, email: str, check_accessibility) -> None:
    """Sign in through the real form, wherever the commissioner's home is."""
    page.goto("/sign-in")
    arrive(page, "Sign in", check_accessibility)
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    pass_second_factor(page, email, check_accessibility)
    page.wait_for_url(lambda url: "/sign-in" not in url)
    check_accessibility(page)


def test_the_combined_score_is_in_view_at_1280px(open_page, staff_round: StaffRound, check_accessibility):  # noqa: F811
    """At 1280px nothing of the ranked list is hidden: the table fits its box and its last header is on screen."""
    page: Page = open_page(WIDE)
    s = staff_round
    sign_in(page, s.commissioner, check_accessibility)
    page.goto(f"/commissioning/rounds/{s.round_id}/ranking")
    arrive(page, f"Ranked list for {s.round_title}", check_accessibility)
    at = page.evaluate(MEASURE)
    assert at["scrollWidth"] <= at["clientWidth"], (
        f"The ranked list is {at['scrollWidth']}px wide in a {at['clientWidth']}px box at 1280px: columns are hidden")
    assert 0 <= at["left"] and at["right"] <= min(at["clipRight"], at["viewport"]), (
        f"'Combined score' is at {at['left']}-{at['right']}px, outside the visible {at['clipRight']}px")
    no_horizontal_scroll(page)


def test_the_ranked_list_is_usable_at_320px(open_page, staff_round: StaffRound, check_accessibility):  # noqa: F811
    """At 320px the page does not scroll sideways; the table scrolls in its own box, reachable by keyboard."""
    page: Page = open_page(PHONE)
    s = staff_round
    sign_in(page, s.commissioner, check_accessibility)
    page.goto(f"/commissioning/rounds/{s.round_id}/ranking")
    arrive(page, f"Ranked list for {s.round_title}", check_accessibility)
    no_horizontal_scroll(page)
    wrapper = page.locator("#ranking").locator("xpath=ancestor::div[contains(@class, 'portal-table-wrapper')]")
    assert wrapper.get_attribute("tabindex") == "0"
    wrapper.focus()
    page.keyboard.press("End")
    wrapper.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    header = page.get_by_role("columnheader", name="Combined score")
    box, clip = header.bounding_box(), wrapper.bounding_box()
    assert box["x"] + box["width"] <= clip["x"] + clip["width"] + 1, "scrolled to its end, the last column shows"
