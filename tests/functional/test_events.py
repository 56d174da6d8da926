"""Market-warming events: the public finds and books them; commissioners set them up and run them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.formatting import london
from portal.models import AuditEvent, Event, EventFormat, EventRegistration, RoundStatus, utcnow
from tests.conftest import make_round
from tests.fixtures.events import make_event, make_registration

BOOKING = {"name": "Grace Mensah", "email": "Grace@Example.org", "organisation_name": "Hackney Youth Voices",
           "access_needs": "Step-free access, please"}


def text_of(message) -> str:
    """The plain-text body of an e-mail (which may have attachments)."""
    return message.get_body(preferencelist=("plain",)).get_content()


def cancel_path(message) -> str:
    """The cancellation link's path in an e-mail."""
    return re.search(r"http://portal\.test(/events/cancel/\S+)", text_of(message)).group(1)


def to(messages, address):
    """The messages sent to an address."""
    return [m for m in messages if m["To"] == address]


def next_year_form(**changes) -> dict:
    """A complete in-person event form for a date a year ahead."""
    day = (utcnow() + timedelta(days=365)).date()
    values = {
        "title": "Meet the funders", "description": "Hear about the round.\n\nAsk your questions.",
        "event_format": "in_person", "venue_address": "Hackney Community Centre\n1 Mare Street",
        "access_information": "Step-free entrance", "online_link": "",
        "date": [str(day.day), str(day.month), str(day.year)], "start_time": "6pm", "end_time": "8pm",
        "capacity": "40",
    }
    values.update(changes)
    return values


# The public: finding events -------------------------------------------------------------------


def test_the_events_page_lists_upcoming_published_events_with_their_round(client, session, event_in_person,
                                                                          event_online, event_unpublished):
    """Soonest first; unpublished, cancelled, finished and draft-round events are left out."""
    cancelled = make_event(session, round_=event_in_person.round, title="Called off", cancelled_at=utcnow())
    finished = make_event(session, round_=event_in_person.round, title="Last month", starts_in=timedelta(days=-30))
    draft_round = make_round(session, slug="secret-round", title="Secret round", status=RoundStatus.DRAFT,
                             opens_in_days=30, closes_in_days=60)
    make_event(session, round_=draft_round, title="In a draft round")
    session.commit()
    page = client.page("/events")
    assert page.status == 200 and page.h1 == "Events for community groups"
    titles = [a.get_text(strip=True) for a in page.soup.select(".govuk-summary-card__title a")]
    assert titles == [event_online.title, event_in_person.title]
    text = page.text()
    assert "Safer online" in text and "/rounds/events-round" in str(page.soup)
    for hidden in (event_unpublished.title, cancelled.title, finished.title, "In a draft round"):
        assert hidden not in text
    assert "30 places left" in text
    assert "secret-room" not in page.response.get_data(as_text=True)


def test_an_event_page_shows_when_where_and_places(client, event_in_person):
    """Times in London time, the venue and access information, and the booking form."""
    page = client.page(f"/events/{event_in_person.id}")
    assert page.h1 == event_in_person.title
    text = page.text()
    start = london(event_in_person.starts_at)
    assert f"{start.day} {start:%B %Y}" in text
    assert "1 Mare Street" in text and "Step-free entrance" in text
    assert "30 places left" in text
    assert page.soup.find("button", string=re.compile("Book a place"))
    assert page.soup.find("a", href=f"/events/{event_in_person.id}/calendar.ics")


def test_the_online_link_is_never_on_a_public_page(client, session, event_online, sent_emails):
    """Not on the list, the event page, the confirmation page or the calendar file: only in the e-mail."""
    secret = event_online.online_link
    pages = [client.get("/events"), client.get(f"/events/{event_online.id}"),
             client.get(f"/events/{event_online.id}/calendar.ics")]
    booked = client.submit(f"/events/{event_online.id}", BOOKING)
    assert booked.h1 == "You have a place"
    pages.append(booked.response)
    for response in pages:
        assert secret not in response.get_data(as_text=True).replace("\r\n ", "")
    (message,) = to(sent_emails(), "grace@example.org")
    assert secret in text_of(message)


def test_unpublished_events_and_events_of_draft_rounds_are_not_found(client, session, event_unpublished):
    """Their pages and calendar files are 404 for the public."""
    draft_round = make_round(session, slug="secret-round", status=RoundStatus.DRAFT, opens_in_days=30,
                             closes_in_days=60)
    hidden = make_event(session, round_=draft_round)
    session.commit()
    for event in (event_unpublished, hidden):
        assert client.page(f"/events/{event.id}").status == 404
        assert client.get(f"/events/{event.id}/calendar.ics").status_code == 404
        assert client.submit(f"/events/{event.id}", BOOKING, token_from="/forgot-password").status == 404


# The public: booking ----------------------------------------------------------------------------


def test_somebody_books_a_place_without_an_account(client, session, event_in_person, sent_emails):
    """The confirmation page and e-mail say they have a place, with the venue, calendar and cancel links."""
    page = client.submit(f"/events/{event_in_person.id}", BOOKING)
    assert page.status == 200 and page.h1 == "You have a place"
    assert "grace@example.org" in page.text()
    registration = session.scalar(select(EventRegistration))
    assert registration.email == "grace@example.org" and registration.waiting_list is False
    assert registration.organisation_name == "Hackney Youth Voices"
    assert registration.access_needs == "Step-free access, please"
    (message,) = sent_emails()
    body = text_of(message)
    assert message["Subject"] == f"Your place at {event_in_person.title}"
    assert "You have a place" in body and "1 Mare Street" in body
    assert "open the attached file (event.ics)" in body
    [calendar] = [part for part in message.iter_attachments() if part.get_filename() == "event.ics"]
    assert calendar.get_content_type() == "text/calendar"
    ics = calendar.get_content()
    assert "BEGIN:VEVENT" in ics and "1 Mare Street" in ics
    assert cancel_path(message).startswith("/events/cancel/")
    assert "event_registration.registered" in session.scalars(select(AuditEvent.action)).all()


def test_booking_mistakes_are_explained_and_what_was_typed_is_kept(client, session, event_in_person):
    """Each problem is beside its field and in the summary."""
    page = client.submit(f"/events/{event_in_person.id}",
                         {"name": "", "email": "grace-at-example", "organisation_name": "Hackney Youth Voices",
                          "access_needs": "Captions"})
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error("name") == "Enter your full name"
    assert page.field_error("email") == "Enter an email address in the correct format, like name@example.com"
    assert set(page.error_summary()) == {"Enter your full name",
                                         "Enter an email address in the correct format, like name@example.com"}
    assert page.value_of("email") == "grace-at-example"
    assert page.value_of("organisation_name") == "Hackney Youth Voices"
    assert page.value_of("access_needs").strip() == "Captions"
    assert session.scalar(select(EventRegistration)) is None
    assert client.submit(f"/events/{event_in_person.id}", {}).field_error("email") == "Enter your email address"


def test_the_same_email_cannot_book_twice(client, event_in_person):
    """A clear message beside the e-mail address."""
    client.submit(f"/events/{event_in_person.id}", BOOKING)
    page = client.submit(f"/events/{event_in_person.id}", {**BOOKING, "email": "grace@EXAMPLE.org"})
    assert page.status == 200
    assert page.field_error("email").startswith("This email address is already booked on this event")
    assert page.value_of("name") == "Grace Mensah"


def test_a_full_event_offers_the_waiting_list(client, session, event_full, sent_emails):
    """The page and button say waiting list; booking puts them on it and the e-mail says so."""
    page = client.page(f"/events/{event_full.id}")
    assert "Fully booked" in page.text()
    assert page.soup.find("button", string=re.compile("Join the waiting list"))
    booked = client.submit(f"/events/{event_full.id}", BOOKING)
    assert booked.h1 == "You are on the waiting list"
    assert "number 1 on the waiting list" in booked.text()
    assert session.scalar(select(EventRegistration).where(EventRegistration.email == "grace@example.org")).waiting_list
    (message,) = to(sent_emails(), "grace@example.org")
    assert message["Subject"] == f"You are on the waiting list for {event_full.title}"
    assert "You do not have a place yet" in text_of(message)


def test_a_started_event_refuses_bookings(client, session, event_in_person):
    """No form, a clear reason; a form posted from an old page is refused with the same reason."""
    event_in_person.starts_at = utcnow() - timedelta(minutes=10)
    session.commit()
    page = client.page(f"/events/{event_in_person.id}")
    assert "This event has already started, so you cannot register for it" in page.text()
    assert page.soup.find("input", attrs={"name": "email"}) is None
    refused = client.submit(f"/events/{event_in_person.id}", BOOKING, token_from="/forgot-password")
    assert refused.error_summary() == ["This event has already started, so you cannot register for it"]
    assert session.scalar(select(EventRegistration)) is None


def test_a_cancelled_event_says_so_and_refuses_bookings(client, session, event_in_person):
    """The page stays, for people following old links."""
    event_in_person.cancelled_at = utcnow()
    session.commit()
    page = client.page(f"/events/{event_in_person.id}")
    assert "This event has been cancelled" in page.text()
    refused = client.submit(f"/events/{event_in_person.id}", BOOKING, token_from="/forgot-password")
    assert refused.error_summary() == ["This event has been cancelled, so you cannot register for it"]


def test_the_calendar_file_is_served_as_text_calendar(client, event_in_person):
    """An .ics attachment with CRLF lines, UTC times and the venue."""
    response = client.get(f"/events/{event_in_person.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{event_in_person.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in body
    assert "LOCATION:Hackney Community Centre\\, 1 Mare Street\\, London E8 1DY" in body.replace("\r\n ", "")


# The public: cancelling ----------------------------------------------------------------------


def test_a_cancel_link_asks_first_and_works_once(client, session, event_full, sent_emails):
    """GET asks, POST cancels; leaving the waiting list frees no place; the link then stops working."""
    client.submit(f"/events/{event_full.id}", BOOKING)
    client.submit(f"/events/{event_full.id}", {**BOOKING, "email": "kim@example.org", "name": "Kim Lee"})
    link = cancel_path(to(sent_emails(), "grace@example.org")[0])
    confirm = client.page(link)
    assert confirm.status == 200 and confirm.h1 == "Leave the waiting list"
    assert session.scalar(select(EventRegistration).where(EventRegistration.email == "grace@example.org")
                          ).cancelled_at is None
    done = client.submit(link)
    assert done.status == 200 and done.h1 == "You have left the waiting list"
    grace = session.scalar(select(EventRegistration).where(EventRegistration.email == "grace@example.org"))
    kim = session.scalar(select(EventRegistration).where(EventRegistration.email == "kim@example.org"))
    assert grace.cancelled_at is not None and kim.waiting_list is True
    (confirmation,) = to(sent_emails(), "grace@example.org")
    assert confirmation["Subject"] == f"Cancelled: your booking for {event_full.title}"
    for again in (client.page(link), client.submit(link, token_from="/forgot-password")):
        assert again.status == 404 and again.h1 == "Cancellation link not valid"
        assert "already been cancelled" in again.text()


def test_cancelling_a_place_gives_it_to_the_first_person_waiting(client, session, events_round, sent_emails):
    """The whole journey through the site: book, fill up, cancel, promotion e-mail with the online link."""
    event = make_event(session, round_=events_round, event_format=EventFormat.ONLINE, capacity=1)
    session.commit()
    client.submit(f"/events/{event.id}", BOOKING)
    client.submit(f"/events/{event.id}", {**BOOKING, "email": "kim@example.org", "name": "Kim Lee"})
    client.submit(f"/events/{event.id}", {**BOOKING, "email": "lou@example.org", "name": "Lou Park"})
    link = cancel_path(to(sent_emails(), "grace@example.org")[0])
    assert client.page(link).h1 == "Cancel your place"
    assert client.submit(link).h1 == "Your place has been cancelled"
    (promotion,) = to(sent_emails(), "kim@example.org")
    assert promotion["Subject"] == f"Your place at {event.title}"
    assert event.online_link in text_of(promotion)
    assert not to(sent_emails(), "lou@example.org")
    kim_link = cancel_path(promotion)
    assert client.page(kim_link).h1 == "Cancel your place"


def test_an_unknown_cancel_link_is_not_valid(client):
    """A 404 that says what to do."""
    page = client.page("/events/cancel/not-a-real-token")
    assert page.status == 404 and page.h1 == "Cancellation link not valid"


# Commissioners: setting up ------------------------------------------------------------------


def test_a_commissioner_sets_up_an_event_in_london_time(commissioner_client, session, events_round):
    """The event is saved unpublished, times converted from London time to UTC."""
    form = next_year_form(round_id=str(events_round.id),
                          date=["1", "7", str(utcnow().year + 1)], start_time="10am", end_time="12:30pm")
    response = commissioner_client.submit("/commissioning/events/new", form)
    assert response.status == 302
    event = session.scalar(select(Event))
    assert response.response.location == f"/commissioning/events/{event.id}"
    assert event.round_id == events_round.id and event.published_at is None
    assert event.starts_at == datetime(utcnow().year + 1, 7, 1, 9, 0, tzinfo=UTC)  # 10am British Summer Time
    assert event.ends_at == datetime(utcnow().year + 1, 7, 1, 11, 30, tzinfo=UTC)
    assert event.venue_address == "Hackney Community Centre\n1 Mare Street" and event.online_link is None
    assert "event.created" in session.scalars(select(AuditEvent.action)).all()
    page = commissioner_client.page(response.response.location)
    assert page.h1 == "Meet the funders" and "Not published" in page.text()
    assert commissioner_client.page(f"/events/{event.id}").status == 404


def test_the_new_event_form_explains_every_mistake(commissioner_client, session, events_round):
    """Empty answers each get their own message; nothing typed is lost."""
    page = commissioner_client.submit("/commissioning/events/new", {"title": "Meet the funders",
                                                                    "date": ["31", "2", "2031"]})
    assert page.status == 200 and page.title.startswith("Error: Set up an event")
    assert page.field_error("round_id") == "Select the round the event is about"
    assert page.field_error("description") == "Describe the event: what will happen and who it is for"
    assert page.field_error("event_format") == "Select whether the event is in person or online"
    assert page.field_error("date") == "The date of the event must be a real date"
    assert page.field_error("start_time") == "Enter the start time"
    assert page.field_error("capacity") == "Enter the number of places"
    assert page.value_of("title") == "Meet the funders"
    assert [i.get("value") for i in page.soup.select("input[name=date]")] == ["31", "2", "2031"]
    assert session.scalar(select(Event)) is None


def test_event_rules_are_checked_beside_the_right_field(commissioner_client, session, events_round):
    """Dates, times, places, the venue and the joining link."""
    url = "/commissioning/events/new"
    base = next_year_form(round_id=str(events_round.id))
    cases = [
        ({"date": ["", "7", "2031"]}, "date", "The date of the event must include a day"),
        ({"date": ["1", "", ""]}, "date", "The date of the event must include a month and year"),
        ({"date": ["1", "7", "31"]}, "date", "Year must include 4 numbers"),
        ({"date": ["1", "1", "2020"]}, "date", "The event must start in the future"),
        ({"start_time": "7"}, "start_time", "Say whether the start time is am or pm, like 7pm"),
        ({"end_time": "teatime"}, "end_time", "Enter the end time in the correct format, like 10am, 2:30pm or 14:30"),
        ({"end_time": "5pm"}, "end_time", "The end time must be after the start time"),
        ({"capacity": "forty"}, "capacity", "The number of places must be a whole number, like 40"),
        ({"capacity": "0"}, "capacity", "The number of places must be 1 or more"),
        ({"capacity": "4,0"}, "capacity", "Use commas only between groups of three digits, like 12,345"),
        ({"capacity": "99999999999999999999"}, "capacity", "The number of places must be 100,000 or fewer"),
        ({"venue_address": ""}, "venue_address", "Enter the venue's address"),
        ({"access_information": ""}, "access_information",
         "Enter access information, such as step-free access, toilets and the nearest station"),
        ({"event_format": "online"}, "online_link", "Enter the link people will use to join the event"),
        ({"event_format": "online", "online_link": "javascript:alert(1)"}, "online_link",
         "Enter the joining link in the correct format, starting with https://, like https://meet.example.org/abc-defg"),
    ]
    for change, field, message in cases:
        page = commissioner_client.submit(url, {**base, **change})
        assert page.status == 200, f"{change} was accepted"
        assert page.field_error(field) == message, f"{change}: {page.error_summary()}"
        assert message in page.error_summary()
        assert page.value_of("title") == "Meet the funders"
    assert session.scalar(select(Event)) is None


def test_an_online_event_keeps_its_link_and_no_venue(commissioner_client, session, events_round):
    """Switching to online drops the venue; the link is saved for confirmation e-mails."""
    form = next_year_form(round_id=str(events_round.id), event_format="online",
                          online_link="https://meet.example.org/abc")
    assert commissioner_client.submit("/commissioning/events/new", form).status == 302
    event = session.scalar(select(Event))
    assert event.event_format == EventFormat.ONLINE and event.venue_address is None
    assert event.online_link == "https://meet.example.org/abc"


def test_the_new_event_form_can_start_with_a_round_chosen(commissioner_client, events_round):
    """Round set-up pages can link to /commissioning/events/new?round=<id>."""
    page = commissioner_client.page(f"/commissioning/events/new?round={events_round.id}")
    assert page.soup.find("input", attrs={"name": "round_id", "value": str(events_round.id)}).has_attr("checked")


def test_editing_starts_from_the_saved_details(commissioner_client, event_in_person):
    """Times are shown back in London time, the way they are typed."""
    page = commissioner_client.page(f"/commissioning/events/{event_in_person.id}/edit")
    assert page.h1 == "Change the event"
    start = london(event_in_person.starts_at)
    assert [i.get("value") for i in page.soup.select("input[name=date]")] == [
        f"{start.day:02d}", f"{start.month:02d}", str(start.year)]
    assert page.value_of("title") == event_in_person.title
    assert page.value_of("capacity") == "30"
    assert page.soup.find("input", attrs={"name": "round_id"}) is None


def test_changing_the_time_of_a_published_event_tells_everyone_registered(commissioner_client, session,
                                                                          event_full, sent_emails):
    """People with a place and people waiting hear the new time; the audit shows the change."""
    make_registration(session, event=event_full, email="waiting@example.org", waiting_list=True)
    session.commit()
    form = next_year_form(title=event_full.title, capacity="2", start_time="7pm", end_time="9pm",
                          venue_address=event_full.venue_address, access_information="Lift to the first floor")
    response = commissioner_client.submit(f"/commissioning/events/{event_full.id}/edit", form)
    assert response.status == 302
    session.refresh(event_full)
    assert london(event_full.starts_at).hour == 19
    messages = sent_emails()
    assert {m["To"] for m in messages if m["Subject"] == f"Changed: {event_full.title}"} == {
        "first@example.org", "second@example.org", "waiting@example.org"}
    audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "event.updated"))
    assert "starts_at" in audit.after and "access_information" in audit.after


def test_places_cannot_drop_below_those_taken(commissioner_client, event_full):
    """The message is beside the number of places."""
    form = next_year_form(title=event_full.title, capacity="1")
    page = commissioner_client.submit(f"/commissioning/events/{event_full.id}/edit", form)
    assert page.field_error("capacity").startswith("2 people already have a place. Enter 2 or more")


def test_publishing_makes_the_event_public(commissioner_client, session, event_unpublished):
    """published_at is set and the public page appears."""
    url = f"/commissioning/events/{event_unpublished.id}"
    response = commissioner_client.submit(f"{url}/publish", token_from=url)
    assert response.status == 302 and response.response.location == url
    session.refresh(event_unpublished)
    assert event_unpublished.published_at is not None
    assert commissioner_client.page(f"/events/{event_unpublished.id}").status == 200
    assert "event.published" in session.scalars(select(AuditEvent.action)).all()


def test_events_of_a_draft_round_cannot_be_published(commissioner_client, session):
    """The page says why, and the button is not offered."""
    draft_round = make_round(session, slug="secret-round", title="Secret round", status=RoundStatus.DRAFT,
                             opens_in_days=30, closes_in_days=60)
    event = make_event(session, round_=draft_round, published=False)
    session.commit()
    url = f"/commissioning/events/{event.id}"
    page = commissioner_client.page(url)
    assert "The round Secret round is still a draft" in page.text()
    assert page.soup.find("button", string=re.compile("Publish event")) is None
    refused = commissioner_client.submit(f"{url}/publish", token_from="/commissioning/events")
    assert refused.status == 200 and refused.title.startswith("Error: ")
    assert "still a draft" in refused.error_summary()[0]
    session.refresh(event)
    assert event.published_at is None


# Commissioners: running an event ------------------------------------------------------------


def test_the_event_page_lists_places_and_the_waiting_list(commissioner_client, session, event_full):
    """Both tables, in order, with access needs."""
    make_registration(session, event=event_full, email="w1@example.org", name="Wait One", waiting_list=True,
                      minutes_ago=30, access_needs="Hearing loop")
    make_registration(session, event=event_full, email="w2@example.org", name="Wait Two", waiting_list=True,
                      minutes_ago=20)
    session.commit()
    page = commissioner_client.page(f"/commissioning/events/{event_full.id}")
    tables = page.soup.select("table")
    assert len(tables) == 2
    assert "People with a place (2)" in tables[0].caption.get_text()
    assert [row.select("td")[0].get_text(strip=True) for row in tables[0].select("tbody tr")] == [
        "First Person", "Second Person"]
    assert "Waiting list (2)" in tables[1].caption.get_text()
    assert [row.select("td")[1].get_text(strip=True) for row in tables[1].select("tbody tr")] == ["Wait One", "Wait Two"]
    assert "Hearing loop" in tables[1].get_text()
    assert "2 of 2 taken, 2 on the waiting list" in page.text()


def test_commissioners_see_the_joining_link(commissioner_client, event_online):
    """It is theirs to check; the page says who else sees it."""
    page = commissioner_client.page(f"/commissioning/events/{event_online.id}")
    assert event_online.online_link in page.text()
    assert commissioner_client.page("/commissioning/events").status == 200


def test_the_attendee_list_downloads_as_csv_safe_from_formulas(commissioner_client, session, event_full):
    """Name, email, organisation, access needs, registered at, waiting list; formulas defused."""
    make_registration(session, event=event_full, email="w@example.org", name="=HYPERLINK(\"http://x\")",
                      waiting_list=True, organisation_name="+44 Group", access_needs="@wheelchair -ramp")
    make_registration(session, event=event_full, email="gone@example.org", name="Gone", cancelled_at=utcnow())
    session.commit()
    response = commissioner_client.get(f"/commissioning/events/{event_full.id}/attendees.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Email", "Organisation", "Access needs", "Registered at", "Waiting list"]
    assert [row[0] for row in rows[1:]] == ["First Person", "Second Person", "'=HYPERLINK(\"http://x\")"]
    assert rows[3][2:4] == ["'+44 Group", "'@wheelchair -ramp"]
    assert [row[5] for row in rows[1:]] == ["No", "No", "Yes"]
    registered = london(session.scalar(select(EventRegistration.registered_at).where(
        EventRegistration.email == "first@example.org")))
    assert rows[1][4].startswith(f"{registered.day} {registered:%B %Y}, ")


def test_a_reminder_goes_to_everyone_with_a_place_and_a_second_needs_confirming(commissioner_client, session,
                                                                                 event_full, sent_emails):
    """Waiting people are not reminded; reminder_sent_at is recorded; sending again must be confirmed."""
    make_registration(session, event=event_full, email="waiting@example.org", waiting_list=True)
    session.commit()
    url = f"/commissioning/events/{event_full.id}/reminder"
    page = commissioner_client.page(url)
    assert page.h1 == "Send a reminder" and "We will email the 2 people with a place" in page.text()
    assert commissioner_client.submit(url).status == 302
    session.refresh(event_full)
    assert event_full.reminder_sent_at is not None
    reminders = [m for m in sent_emails() if m["Subject"] == f"Reminder: {event_full.title}"]
    assert {m["To"] for m in reminders} == {"first@example.org", "second@example.org"}
    assert "1 Mare Street" in text_of(reminders[0])

    again = commissioner_client.page(url)
    assert "A reminder was already sent on" in again.text()
    refused = commissioner_client.submit(url)
    assert refused.status == 200
    assert refused.field_error("send_again").startswith("A reminder was already sent on")
    assert not sent_emails()
    assert commissioner_client.submit(url, {"send_again": "y"}).status == 302
    assert len(sent_emails()) == 2


def test_a_reminder_with_nobody_booked_is_refused(commissioner_client, event_in_person):
    """The page says why instead of offering the button."""
    url = f"/commissioning/events/{event_in_person.id}/reminder"
    page = commissioner_client.page(url)
    assert "Nobody has a place yet" in page.text()
    assert page.soup.find("button", string=re.compile("Send reminder")) is None


def test_cancelling_an_event_emails_everyone_registered(commissioner_client, session, event_full, sent_emails):
    """Places and waiting list hear, with the organisers' message; the event leaves the public list."""
    make_registration(session, event=event_full, email="waiting@example.org", waiting_list=True)
    make_registration(session, event=event_full, email="gone@example.org", cancelled_at=utcnow())
    session.commit()
    url = f"/commissioning/events/{event_full.id}/cancel"
    page = commissioner_client.page(url)
    assert page.h1 == "Cancel the event" and "We will email the 3 people registered" in page.text()
    response = commissioner_client.submit(url, {"message": "The venue has flooded. A new date soon."})
    assert response.status == 302
    session.refresh(event_full)
    assert event_full.cancelled_at is not None
    messages = sent_emails()
    assert {m["To"] for m in messages} == {"first@example.org", "second@example.org", "waiting@example.org"}
    assert all("The venue has flooded" in text_of(m) for m in messages)
    assert event_full.title not in commissioner_client.page("/events").text()
    assert "event.cancelled" in session.scalars(select(AuditEvent.action)).all()
    again = commissioner_client.submit(url)
    assert again.error_summary() == ["This event has already been cancelled"]
    calendar = commissioner_client.get(f"/events/{event_full.id}/calendar.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in calendar


def test_a_cancelled_event_cannot_be_changed(commissioner_client, session, event_in_person):
    """The edit page says why instead of showing the form, and a posted form is refused."""
    event_in_person.cancelled_at = utcnow()
    session.commit()
    url = f"/commissioning/events/{event_in_person.id}/edit"
    page = commissioner_client.page(url)
    assert "This event has been cancelled, so it cannot be changed" in page.text()
    assert page.soup.find("input", attrs={"name": "title"}) is None
    refused = commissioner_client.submit(url, next_year_form(), token_from="/commissioning/events")
    assert refused.error_summary() == ["This event has been cancelled, so it cannot be changed"]
    session.refresh(event_in_person)
    assert event_in_person.title == "Safer online: meet the funders"


def test_other_people_cannot_manage_events(applicant_client, panellist_client, event_in_person):
    """Applicants and panellists get the 403 page; nothing in the matrix is left to chance."""
    for client in (applicant_client, panellist_client):
        for path in ("/commissioning/events", f"/commissioning/events/{event_in_person.id}",
                     f"/commissioning/events/{event_in_person.id}/attendees.csv"):
            assert client.page(path).status == 403
