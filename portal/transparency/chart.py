"""Server-rendered SVG bar charts: no script, no external files, readable by screen readers.

Each bar has its label written above it (so long borough names fit on a phone) and its value written at
its end. The chart names itself with <title> and <desc>, and pages put a table of the same numbers
beside it for anyone who cannot see or read the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 400
LABEL_HEIGHT = 20  # room for a label's line of text above its bar
BAR_HEIGHT = 18
GAP = 10
VALUE_ROOM = 48  # room after the longest bar for its value
TOP = 4
BAR_COLOUR = "#0b5954"
TEXT_COLOUR = "#0b0c0c"
# The portal's font stack ($govuk-font-family in assets/portal.scss), named on the chart itself: the page's
# body sets no font (GOV.UK Frontend styles only its own classes), so "inherit" fell back to a serif font.
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', arial, sans-serif"


def bar_width(value: int, *, largest: int, room: int = WIDTH - VALUE_ROOM) -> float:
    """A bar's length in proportion to the largest value (which fills the room); nothing for zero."""
    if largest <= 0 or value <= 0:
        return 0.0
    return round(room * value / largest, 2)


def bar_chart(bars: Sequence[tuple[str, int]], *, chart_id: str, title: str, description: str) -> Markup:
    """A horizontal bar chart of (label, value) pairs as inline SVG, named by its title and description."""
    largest = max((value for _, value in bars), default=0)
    row = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = TOP + row * len(bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart" viewBox="0 0 {WIDTH} {max(height, 1)}" '
        f'width="100%" role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="{FONT_FAMILY}" font-size="15">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        top = TOP + index * row
        bar_top = top + LABEL_HEIGHT
        length = bar_width(value, largest=largest)
        parts += [
            f'<text x="0" y="{top + 15}" fill="{TEXT_COLOUR}">{escape(label)}</text>',
            f'<rect x="0" y="{bar_top}" width="{length}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>',
            f'<text x="{length + 6}" y="{bar_top + 14}" fill="{TEXT_COLOUR}" font-weight="bold">{value:,}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
