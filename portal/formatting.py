"""How money and dates read on every page: pounds with commas, Europe/London time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

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


def register(app) -> None:
    """Make the formatters available as Jinja filters."""
    from portal.boroughs import borough_name

    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["borough_name"] = borough_name
    app.jinja_env.filters["round_status"] = round_status
    app.jinja_env.filters["date_time"] = date_time
    app.jinja_env.filters["date"] = date
