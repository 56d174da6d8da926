"""Layout rules that keep pages usable at 320px and by keyboard alone."""

import pytest


@pytest.mark.parametrize("url", ["/commissioning", "/commissioning/people", "/commissioning/funds"])
def test_tables_that_scroll_sideways_can_be_reached_by_keyboard(commissioner_client, open_round, url):
    """On a phone a wide table scrolls inside its box; keyboard users must be able to focus it to scroll."""
    page = commissioner_client.page(url)
    wrappers = page.soup.select(".portal-table-wrapper")
    assert wrappers, f"{url} should show its table inside a .portal-table-wrapper"
    for wrapper in wrappers:
        assert wrapper.get("tabindex") == "0" and wrapper.get("role") == "region" and wrapper.get("aria-label"), (
            f"The table wrapper on {url} needs tabindex=\"0\", role=\"region\" and an aria-label (axe: "
            "scrollable-region-focusable)")
