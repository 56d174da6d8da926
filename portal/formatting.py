"""How money and dates read on every page: pounds with commas, Europe/London time."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

LONDON = ZoneInfo("Europe/London")


def money(pence: int | None) -> str:
    """£8,000 for whole pounds, £8,000.50 otherwise; an empty string for no amount."""
    if pence is None:
        return ""
    pounds, rem = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    if rem:
        return f"{sign}£{pounds:,}.{rem:02d}"
    return f"{sign}£{pounds:,}"


def _clock(moment: datetime) -> str:
    """5pm, 9:30am, midday or midnight."""
    if moment.minute == 0 and moment.hour == 12:
        return "midday"
    if moment.minute == 0 and moment.hour == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if moment.minute:
        return f"{hour}:{moment.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def clock(moment: datetime) -> str:
    """The London time of day: 5pm, 9:30am, midday."""
    return _clock(london(moment))


def london(moment: datetime) -> datetime:
    """The same instant in London time."""
    return moment.astimezone(LONDON)


def date_time(moment: datetime | None) -> str:
    """25 November 2026, 5pm (London time)."""
    if moment is None:
        return ""
    local = london(moment)
    return f"{local.day} {local:%B %Y}, {_clock(local)}"


def date(moment: datetime | None) -> str:
    """25 November 2026 (London date)."""
    if moment is None:
        return ""
    local = london(moment)
    return f"{local.day} {local:%B %Y}"


def round_status(status) -> str:
    """A round's status in words."""
    return ROUND_STATUS_LABELS.get(str(status), str(status))


ROUND_STATUS_LABELS = {
    "draft": "Draft",
    "published": "Published, not yet open",
    "open": "Open for applications",
    "closed": "Closed",
    "assessment": "Being assessed",
    "decided": "Decided",
    "decisions_published": "Decisions published",
}


def paragraphs(text: str | None, css_class: str = "govuk-body") -> Markup:
    """Plain text as escaped paragraphs: blank lines separate them, single newlines break lines."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup('<p class="{}">{}</p>').format(css_class, Markup("<br>").join(block.split("\n")))
        for block in blocks
    )


def lines(values: str | list[str | None] | tuple | None) -> Markup:
    """Lines (a list, or text with newlines) escaped one by one and joined with line breaks; blanks left out.

    For an address in a summary list's "html" value: ``| join("<br>")`` after escaping would
    escape the "<br>" too, and the reader would see it as text.
    """
    if not values:
        return Markup("")
    if isinstance(values, str):
        values = values.splitlines()
    return Markup("<br>").join(line.strip() for line in values if line and line.strip())


def duration(minutes: int) -> str:
    """'about 45 minutes', 'about 2 hours 30 minutes' (rounded to the nearest quarter hour)."""
    minutes = max(15, round(minutes / 15) * 15)
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append("1 hour" if hours == 1 else f"{hours} hours")
    if rest:
        parts.append(f"{rest} minutes")
    return "about " + " ".join(parts)


def register(app) -> None:
    """Make the formatters available as Jinja filters."""
    from portal.boroughs import borough_name

    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["borough_name"] = borough_name
    app.jinja_env.filters["round_status"] = round_status
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["lines"] = lines
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["date_time"] = date_time
    app.jinja_env.filters["date"] = date


# The largest amount any money field takes: £100,000,000 (every *_pence column is a 64-bit integer, so even
# the most budget lines allowed, each at this amount, add up to far less than it can hold).
MAX_PENCE = 100_000_000_00
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+")


class MoneyProblem(ValueError):
    """What a person typed is not an amount we take; ``message`` says why when it is more than "not money"."""

    def __init__(self, text: str, message: str | None = None) -> None:
        super().__init__(text)
        self.message = message


def money_message(error: ValueError, otherwise: str) -> str:
    """The specific reason an amount was refused (commas out of place, too large), or ``otherwise``."""
    return getattr(error, "message", None) or otherwise


def whole_number(text: str) -> int:
    """A whole number typed with or without separators between groups of three digits ("12,345", "12 345").

    Raises MoneyProblem (with a message) when commas or spaces are anywhere else: "1,2,3,4,5" is not 12,345.
    """
    cleaned = text.strip()
    if not _GROUPED.fullmatch(cleaned):
        if re.fullmatch(r"[\d, ]+", cleaned) and any(c.isdigit() for c in cleaned):
            raise MoneyProblem(text, "Use commas only between groups of three digits, like 12,345")
        raise MoneyProblem(text)
    return int(cleaned.replace(",", "").replace(" ", ""))


def parse_pounds(text: str) -> int:
    """Pence from what a person types: "£8,000", "8000", "8,000.50", at most MAX_PENCE.

    Raises MoneyProblem if it is not money, if commas do not group thousands, or if it is too large.
    """
    cleaned = text.strip().removeprefix("£").strip()
    if not cleaned or cleaned.startswith("-"):
        raise MoneyProblem(text)
    whole, _, fraction = cleaned.partition(".")
    if fraction and (not fraction.isdigit() or len(fraction) > 2):
        raise MoneyProblem(text)
    pence = whole_number(whole) * 100 + int(fraction.ljust(2, "0") or 0)
    if pence > MAX_PENCE:
        raise MoneyProblem(text, f"Enter an amount of {money(MAX_PENCE)} or less")
    return pence
