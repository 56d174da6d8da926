"""Places, the waiting list and promotion; London times; calendar files and CSV cells."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.events import services
from portal.events.calendar import CalendarEvent, calendar_file, escape_text, fold
from portal.events.forms import clock_text, parse_clock
from portal.models import AuditEvent, EventFormat, OutboxMessage, RoundStatus, utcnow
from tests.conftest import make_round
from tests.fixtures.events import make_event, make_registration

SETTINGS = services.Settings(public_url="http://portal.test", portal_name="Safer Futures Grants")


def book(session, event, email, name="Sam Taylor", **kwargs):
    """Register somebody through the service, as the public page does."""
    return services.register(session, event_id=event.id, name=name, email=email, organisation_name=None,
                             access_needs=None, settings=SETTINGS, **kwargs)


def emails_to(session, address):
    """Every outbox message to an address, oldest first."""
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    ))


def cancel_token(message) -> str:
    """The token in an e-mail's cancellation link."""
    return re.search(r"/events/cancel/(\S+)", message.body).group(1)


# Places and the waiting list ----------------------------------------------------------------


def test_people_get_places_until_the_event_is_full_then_join_the_waiting_list(session, events_round):
    """First come, first served; the third person for two places waits."""
    event = make_event(session, round_=events_round, capacity=2)
    first, second, third = (book(session, event, f"p{n}@example.org") for n in range(3))
    assert [first.waiting_list, second.waiting_list, third.waiting_list] == [False, False, True]
    assert services.places_for(session, event) == services.Places(capacity=2, taken=2, waiting=1)
    assert services.waiting_position(session, third) == 1
    assert services.waiting_position(session, first) is None


def test_a_place_email_has_the_venue_and_a_waiting_email_says_so(session, events_round):
    """Confirmation e-mails say which it is, with the calendar and cancel links."""
    event = make_event(session, round_=events_round, capacity=1)
    book(session, event, "placed@example.org")
    book(session, event, "waiting@example.org")
    (placed,) = emails_to(session, "placed@example.org")
    assert placed.subject == f"Your place at {event.title}"
    assert "You have a place" in placed.body and "1 Mare Street" in placed.body
    assert "Step-free entrance" in placed.body
    [calendar] = placed.attachments
    assert calendar["filename"] == "event.ics" and calendar["content_type"] == "text/calendar"
    assert "BEGIN:VEVENT" in calendar["content"]
    assert "http://portal.test/events/cancel/" in placed.body
    (waiting,) = emails_to(session, "waiting@example.org")
    assert waiting.subject == f"You are on the waiting list for {event.title}"
    assert "You do not have a place yet" in waiting.body and "number 1" in waiting.body


def test_the_online_link_goes_only_to_people_with_a_place(session, events_round):
    """Somebody waiting is told the link will come if they get a place."""
    event = make_event(session, round_=events_round, event_format=EventFormat.ONLINE, capacity=1)
    book(session, event, "placed@example.org")
    book(session, event, "waiting@example.org")
    assert event.online_link in emails_to(session, "placed@example.org")[0].body
    assert event.online_link not in emails_to(session, "waiting@example.org")[0].body


def test_only_the_hash_of_the_cancel_token_is_stored(session, event_in_person):
    """The link's token never reaches the database or the audit trail."""
    registration = book(session, event_in_person, "sam@example.org")
    token = cancel_token(emails_to(session, "sam@example.org")[0])
    assert registration.cancel_token_hash == services._hash_token(token) != token
    trail = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "event_registration")).all()
    assert trail and all("cancel_token_hash" not in (event.after or {}) for event in trail)


def test_the_same_email_cannot_book_twice(session, event_in_person):
    """Addresses compare without case; the message is beside the e-mail field."""
    book(session, event_in_person, "sam@example.org")
    with pytest.raises(ValidationError) as refused:
        book(session, event_in_person, " SAM@example.org ")
    assert refused.value.field == "email"
    assert "already booked" in refused.value.message


def test_cancelling_a_place_promotes_the_first_person_waiting(session, events_round):
    """The longest-waiting person gets the place, a promoted_at time and an e-mail with a new link."""
    event = make_event(session, round_=events_round, event_format=EventFormat.ONLINE, capacity=1)
    book(session, event, "placed@example.org")
    first_waiting = book(session, event, "waiting1@example.org")
    second_waiting = book(session, event, "waiting2@example.org")
    token = cancel_token(emails_to(session, "placed@example.org")[0])
    old_waiting_token = cancel_token(emails_to(session, "waiting1@example.org")[0])

    cancelled, promoted = services.cancel_registration(session, token=token, settings=SETTINGS)

    assert cancelled.cancelled_at is not None
    assert promoted == [first_waiting]
    assert first_waiting.waiting_list is False and first_waiting.promoted_at is not None
    assert second_waiting.waiting_list is True
    message = emails_to(session, "waiting1@example.org")[-1]
    assert message.subject == f"Your place at {event.title}"
    assert "a place has become free" in message.body and event.online_link in message.body
    new_token = cancel_token(message)
    assert new_token != old_waiting_token
    with pytest.raises(NotFound):
        services.registration_for_token(session, old_waiting_token)
    assert services.registration_for_token(session, new_token) == first_waiting
    actions = session.scalars(select(AuditEvent.action)).all()
    assert {"event_registration.cancelled", "event_registration.promoted"} <= set(actions)


def test_leaving_the_waiting_list_promotes_nobody(session, events_round):
    """A waiting person cancelling frees no place."""
    event = make_event(session, round_=events_round, capacity=1)
    book(session, event, "placed@example.org")
    book(session, event, "waiting1@example.org")
    book(session, event, "waiting2@example.org")
    _, promoted = services.cancel_registration(
        session, token=cancel_token(emails_to(session, "waiting1@example.org")[0]), settings=SETTINGS)
    assert promoted == []
    assert services.places_for(session, event) == services.Places(capacity=1, taken=1, waiting=1)


def test_a_cancel_link_works_once(session, event_in_person):
    """The second use says the booking is already cancelled."""
    book(session, event_in_person, "sam@example.org")
    token = cancel_token(emails_to(session, "sam@example.org")[0])
    services.cancel_registration(session, token=token, settings=SETTINGS)
    with pytest.raises(NotFound, match="already been cancelled"):
        services.cancel_registration(session, token=token, settings=SETTINGS)


def test_somebody_who_cancelled_can_book_again(session, event_in_person):
    """The same row is used again (one per address and event), with a fresh link."""
    first = book(session, event_in_person, "sam@example.org")
    services.cancel_registration(session, token=cancel_token(emails_to(session, "sam@example.org")[0]),
                                 settings=SETTINGS)
    again = book(session, event_in_person, "sam@example.org", name="Sam T")
    assert again.id == first.id and again.cancelled_at is None and again.name == "Sam T"
    assert services.places_for(session, event_in_person).taken == 1


def test_more_places_go_to_the_waiting_list_at_once(session, commissioner, event_full):
    """Raising the capacity promotes people waiting, in order."""
    waiting = make_registration(session, event=event_full, email="w@example.org", waiting_list=True)
    details = services.EventDetails(
        title=event_full.title, description=event_full.description, event_format=EventFormat.IN_PERSON,
        day=event_full.starts_at.date(), starts=time(10), ends=time(12), capacity=3,
        venue_address=event_full.venue_address, access_information=event_full.access_information,
    )
    services.update_event(session, event=event_full, details=details, by=commissioner, settings=SETTINGS)
    assert waiting.waiting_list is False and waiting.promoted_at is not None


def test_capacity_cannot_drop_below_the_places_taken(session, commissioner, event_full):
    """The message says how many already have a place."""
    details = services.EventDetails(
        title=event_full.title, description=event_full.description, event_format=EventFormat.IN_PERSON,
        day=event_full.starts_at.date(), starts=time(10), ends=time(12), capacity=1,
        venue_address=event_full.venue_address, access_information=event_full.access_information,
    )
    with pytest.raises(ValidationError) as refused:
        services.update_event(session, event=event_full, details=details, by=commissioner, settings=SETTINGS)
    assert refused.value.field == "capacity" and "2 people already have a place" in refused.value.message


@pytest.mark.parametrize(("change", "message"), [
    ({"cancelled_at": utcnow()}, "has been cancelled"),
    ({"starts_at": utcnow() - timedelta(minutes=5)}, "has already started"),
])
def test_cancelled_and_started_events_refuse_registration(session, event_in_person, change, message):
    """A clear reason, not a field error."""
    for key, value in change.items():
        setattr(event_in_person, key, value)
    session.flush()
    with pytest.raises(StateTransitionError, match=message):
        book(session, event_in_person, "late@example.org")


def test_unpublished_events_and_events_of_draft_rounds_cannot_be_booked(session, event_unpublished):
    """Nobody can book what the public cannot see."""
    with pytest.raises(NotFound):
        book(session, event_unpublished, "sam@example.org")
    draft = make_round(session, slug="draft-events", status=RoundStatus.DRAFT, opens_in_days=30, closes_in_days=60)
    hidden = make_event(session, round_=draft)
    with pytest.raises(NotFound):
        book(session, hidden, "sam@example.org")


def test_only_commissioners_manage_events(session, applicant, event_in_person):
    """Services check the actor as well as the route."""
    with pytest.raises(PermissionDenied):
        services.event_overview(session, event_id=event_in_person.id, by=applicant)
    with pytest.raises(PermissionDenied):
        services.publish_event(session, event=event_in_person, by=applicant)


def test_publishing_needs_a_published_round(session, commissioner):
    """Events of a draft round stay private until the round is published."""
    draft = make_round(session, slug="draft-events", status=RoundStatus.DRAFT, opens_in_days=30, closes_in_days=60)
    event = make_event(session, round_=draft, published=False)
    with pytest.raises(StateTransitionError, match="still a draft"):
        services.publish_event(session, event=event, by=commissioner)
    draft.status = RoundStatus.PUBLISHED
    services.publish_event(session, event=event, by=commissioner)
    assert event.published_at is not None


# Times ----------------------------------------------------------------------------------------


def test_london_times_are_stored_in_utc_in_summer_and_winter():
    """British Summer Time is an hour ahead of UTC; Greenwich Mean Time is UTC."""
    assert services.london_moment(date(2027, 7, 1), time(10)) == datetime(2027, 7, 1, 9, tzinfo=UTC)
    assert services.london_moment(date(2027, 1, 12), time(18, 30)) == datetime(2027, 1, 12, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "expected"), [
    ("10am", time(10)), ("2:30pm", time(14, 30)), ("2.30 PM", time(14, 30)), ("14:30", time(14, 30)),
    ("12pm", time(12)), ("12am", time(0)), ("midday", time(12)), ("9:05 a.m.", time(9, 5)),
    ("7", None), ("13pm", None), ("25:00", None), ("10:75am", None), ("teatime", None),
])
def test_times_are_read_as_people_write_them(typed, expected):
    """Ambiguous or impossible times are refused (None)."""
    assert parse_clock(typed) == expected


def test_times_are_written_the_portal_way():
    """10am, 2:30pm."""
    assert clock_text(time(10)) == "10am" and clock_text(time(14, 30)) == "2:30pm"


def test_when_gives_the_date_once(session, events_round):
    """25 November 2026, 5pm to 7pm."""
    event = make_event(session, round_=events_round, starts_at=datetime(2026, 11, 25, 17, tzinfo=UTC),
                       ends_at=datetime(2026, 11, 25, 19, tzinfo=UTC))
    assert services.when(event) == "25 November 2026, 5pm to 7pm"


# Calendar files ---------------------------------------------------------------------------------


def test_text_is_escaped_as_rfc_5545_asks():
    """Backslashes, semicolons, commas and newlines."""
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    """Continuation lines start with a space; multi-byte characters stay whole."""
    line = "DESCRIPTION:" + "é" * 100 + "x" * 50
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join([pieces[0]] + [piece[1:] for piece in pieces[1:]]) == line
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_a_calendar_file_has_the_parts_calendars_need():
    """VCALENDAR with one VEVENT, UTC times, CRLF line endings."""
    body = calendar_file(
        CalendarEvent(uid="event-7@portal.test", summary="Meet us; ask, listen", description="Line one\nLine two",
                      starts_at=datetime(2026, 11, 25, 17, tzinfo=UTC), ends_at=datetime(2026, 11, 25, 19, tzinfo=UTC),
                      url="http://portal.test/events/7", location="1 Mare Street, London"),
        product="Safer Futures Grants", stamp=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    )
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    for expected in ["VERSION:2.0", "BEGIN:VEVENT", "UID:event-7@portal.test", "DTSTAMP:20261101T093000Z",
                     "DTSTART:20261125T170000Z", "DTEND:20261125T190000Z", "SUMMARY:Meet us\\; ask\\, listen",
                     "DESCRIPTION:Line one\\nLine two", "LOCATION:1 Mare Street\\, London",
                     "URL:http://portal.test/events/7", "STATUS:CONFIRMED", "END:VEVENT"]:
        assert expected in lines, f"{expected!r} missing from {lines}"


def test_the_public_calendar_file_never_holds_the_joining_link(session, event_online):
    """The link is sent only to people with a place."""
    body = services.calendar_for(session, event_id=event_online.id, settings=SETTINGS)
    assert "LOCATION:Online" in body
    assert "secret-room" not in body.replace("\r\n ", "")


# Spreadsheets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"), ("+1", "'+1"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("Grace", "Grace"), (None, ""), ("a=b", "a=b"),
])
def test_csv_cells_never_start_a_formula(value, expected):
    """Cells starting with =, +, - or @ are prefixed with a quote."""
    assert services.safe_cell(value) == expected



def test_an_online_place_has_the_joining_link_in_its_calendar_file_but_the_public_file_does_not(session, events_round):
    """The attached calendar file carries the link for people with a place; the public .ics never does."""
    event = make_event(session, round_=events_round, capacity=5, event_format=EventFormat.ONLINE,
                       online_link="https://meet.example.org/secret-room", venue_address=None)
    book(session, event, "placed@example.org")
    (placed,) = emails_to(session, "placed@example.org")
    assert "https://meet.example.org/secret-room" in placed.attachments[0]["content"]
    public = services.calendar_for(session, event_id=event.id, settings=SETTINGS)
    assert "secret-room" not in public
