"""iCalendar (RFC 5545) files for events, so people can add them to their own calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

# RFC 5545 3.1: lines longer than 75 octets are folded with CRLF and a single space.
MAX_OCTETS = 75
CRLF = "\r\n"
# TEXT values may not hold control characters other than tab (RFC 5545 3.3.11); newlines are escaped first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class CalendarEvent:
    """What a calendar entry needs to say about one event."""

    uid: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    url: str
    location: str | None = None
    cancelled: bool = False


def escape_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 3.3.11 asks: backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return _CONTROL.sub("", value)


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form, like 20261125T170000Z."""
    if moment.tzinfo is None:
        raise ValueError("Calendar times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets, never splitting a UTF-8 character."""
    pieces: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for character in line:
        octets = len(character.encode("utf-8"))
        if size + octets > limit:
            pieces.append(current)
            # Continuation lines start with a space, which counts towards their 75 octets.
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += character
        size += octets
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def _uri(value: str) -> str:
    """A URI value: not TEXT, so not escaped, but never allowed to break the line."""
    return _CONTROL.sub("", value.replace("\r", "").replace("\n", "").replace("\t", ""))


def calendar_file(event: CalendarEvent, *, product: str, stamp: datetime) -> str:
    """A VCALENDAR with one VEVENT, CRLF line endings and folded lines."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{escape_text(product)}//Events//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(event.starts_at)}",
        f"DTEND:{utc_stamp(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"DESCRIPTION:{escape_text(event.description)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    lines += [
        f"URL:{_uri(event.url)}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + CRLF for line in lines)
