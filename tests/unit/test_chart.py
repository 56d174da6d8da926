"""The server-rendered SVG bar chart: proportional bars, escaped labels, an accessible name, nothing external."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from portal.transparency.chart import VALUE_ROOM, WIDTH, bar_chart, bar_width

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ElementTree.Element:
    """The chart as XML (it must be well-formed)."""
    return ElementTree.fromstring(str(markup))


def test_bars_are_in_proportion_to_their_values():
    svg = parse(bar_chart([("Hackney", 4), ("Lambeth", 2), ("Camden", 1)], chart_id="c", title="T", description="D"))
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert widths == [WIDTH - VALUE_ROOM, (WIDTH - VALUE_ROOM) / 2, (WIDTH - VALUE_ROOM) / 4]


def test_zero_and_nothing():
    assert bar_width(0, largest=5) == 0 and bar_width(3, largest=0) == 0
    svg = parse(bar_chart([], chart_id="empty", title="No awards", description="No awards"))
    assert list(svg.iter(f"{SVG}rect")) == []


def test_every_bar_has_its_label_and_value_as_text():
    svg = parse(bar_chart([("Hackney", 1200), ("Lambeth", 3)], chart_id="c", title="T", description="D"))
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts == ["Hackney", "1,200", "Lambeth", "3"]


def test_the_chart_is_named_for_screen_readers():
    svg = parse(bar_chart([("Hackney", 1)], chart_id="awards", title="Awards by borough", description="Hackney: 1"))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "awards-title awards-desc"
    assert svg.find(f"{SVG}title").get("id") == "awards-title"
    assert svg.find(f"{SVG}title").text == "Awards by borough"
    assert svg.find(f"{SVG}desc").text == "Hackney: 1"


def test_labels_are_escaped():
    markup = bar_chart([('<script>alert("x")</script> & Co', 2)], chart_id="x", title="A <b>", description="& more")
    assert "<script>" not in markup and "<b>" not in markup
    svg = parse(markup)
    assert [text.text for text in svg.iter(f"{SVG}text")][0] == '<script>alert("x")</script> & Co'
    assert svg.find(f"{SVG}title").text == "A <b>" and svg.find(f"{SVG}desc").text == "& more"


def test_no_script_and_no_external_references():
    markup = str(bar_chart([("Hackney", 2), ("Lambeth", 1)], chart_id="c", title="T", description="D"))
    assert "<script" not in markup and "href" not in markup and "url(" not in markup
    assert "http://www.w3.org/2000/svg" in markup  # the namespace, not a reference
    assert markup.count("http") == 1


def test_labels_use_the_portal_font_not_a_serif_fallback():
    """The chart names the portal's sans-serif stack (the one in assets/portal.scss), not "inherit"."""
    svg = parse(bar_chart([("Hackney", 2)], chart_id="c", title="T", description="D"))
    stack = [font.strip().strip("'\"") for font in svg.get("font-family").split(",")]
    scss = (Path(__file__).parents[2] / "assets" / "portal.scss").read_text()
    portal = re.search(r"\$govuk-font-family:\s*\(([^)]*)\)", scss).group(1)
    assert stack == [font.strip().strip("'\"") for font in portal.split(",")]
    assert stack[-1] == "sans-serif"
    assert all(text.get("font-family") is None for text in svg.iter(f"{SVG}text"))
