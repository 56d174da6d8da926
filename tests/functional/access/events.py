"""Who may use the event pages: the public books and cancels; commissioners set events up."""

from tests.functional.access import COMMISSIONERS_ONLY, EVERYONE

EXPECTED = {
    "events.upcoming_events": EVERYONE,
    "events.event_page": EVERYONE,
    "events.calendar": EVERYONE,
    "events.cancel_booking": EVERYONE,
    "events.manage_events": COMMISSIONERS_ONLY,
    "events.new_event": COMMISSIONERS_ONLY,
    "events.manage_event": COMMISSIONERS_ONLY,
    "events.edit_event": COMMISSIONERS_ONLY,
    "events.publish_event": COMMISSIONERS_ONLY,
    "events.cancel_event": COMMISSIONERS_ONLY,
    "events.send_reminder": COMMISSIONERS_ONLY,
    "events.attendees_csv": COMMISSIONERS_ONLY,
}

METHODS = {
    "events.event_page": ("GET", "POST"),
    "events.cancel_booking": ("GET", "POST"),
    "events.new_event": ("GET", "POST"),
    "events.edit_event": ("GET", "POST"),
    "events.publish_event": ("POST",),
    "events.cancel_event": ("GET", "POST"),
    "events.send_reminder": ("GET", "POST"),
}

# An unknown cancellation link reaches the view and gets "Cancellation link not valid" (404).
TOKEN_ENDPOINTS = {"events.cancel_booking"}

# A published in-person event in a published round (tests/fixtures/events.py).
URL_VALUES = {"event_id": ("event_in_person", "id")}
