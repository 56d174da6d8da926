"""Market-warming events: set-up, publishing, places, waiting lists, reminders and cancellations.

Services flush and never commit: the request boundary commits, so each change, its audit event and
its e-mails are saved together or not at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal import audit
from portal.domain import (
    NotFound,
    PermissionDenied,
    StateTransitionError,
    ValidationError,
)
from portal.events.calendar import CalendarEvent, calendar_file
from portal.formatting import LONDON, date_time
from portal.models import (
    Event,
    EventFormat,
    EventRegistration,
    Role,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from portal.notifications.services import Attachment, queue_email

# Events belong to rounds people can still prepare for; none are added once a round has closed.
ROUNDS_TAKING_EVENTS = (RoundStatus.DRAFT, RoundStatus.PUBLISHED, RoundStatus.OPEN)
MAX_CAPACITY = 10_000
# The audit trail never copies the hash behind a cancellation link.
REGISTRATION_AUDIT_FIELDS = [
    "event_id", "name", "email", "organisation_name", "access_needs", "waiting_list", "registered_at",
    "promoted_at", "cancelled_at",
]
# Changes to these on a published event are e-mailed to everyone registered.
DETAILS_PEOPLE_RELY_ON = ("starts_at", "ends_at", "event_format", "venue_address", "online_link")
# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Settings:
    """What the event services need to know about the deployment."""

    public_url: str
    portal_name: str


@dataclass(frozen=True)
class EventDetails:
    """What a commissioner says about an event; times are London clock times on ``day``."""

    title: str
    description: str
    event_format: EventFormat
    day: date
    starts: time
    ends: time
    capacity: int
    venue_address: str | None = None
    access_information: str | None = None
    online_link: str | None = None


@dataclass(frozen=True)
class Places:
    """How full an event is."""

    capacity: int
    taken: int
    waiting: int

    @property
    def left(self) -> int:
        """Places nobody has yet."""
        return max(self.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        """Whether the next person goes on the waiting list."""
        return self.left == 0 or self.waiting > 0


@dataclass(frozen=True)
class Attendees:
    """An event's registrations as a commissioner sees them."""

    places: list[EventRegistration]
    waiting: list[EventRegistration]
    cancelled: int

    @property
    def counts(self) -> tuple[int, int]:
        """People with a place, people waiting."""
        return len(self.places), len(self.waiting)


@dataclass(frozen=True)
class EventOverview:
    """Everything on a commissioner's page about one event."""

    event: Event
    places: Places
    attendees: Attendees
    state: str
    problems_publishing: list[str] = field(default_factory=list)


# Helpers --------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case or surrounding spaces."""
    return email.strip().lower()


def _new_token() -> tuple[str, str]:
    """A random URL-safe token and the SHA-256 hash that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, _hash_token(token)


def _hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def london_moment(day: date, clock: time) -> datetime:
    """A London wall-clock time on a day, as an aware UTC datetime (British Summer Time included)."""
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def when(event: Event) -> str:
    """25 November 2026, 5pm to 7pm (London time); both dates if it runs past midnight."""
    start, end = date_time(event.starts_at), date_time(event.ends_at)
    start_day, _, _ = start.rpartition(", ")
    end_day, _, end_clock = end.rpartition(", ")
    return f"{start} to {end_clock}" if start_day == end_day else f"{start} to {end}"


def state(event: Event, now: datetime | None = None) -> str:
    """draft, published, cancelled, started or finished."""
    now = now or utcnow()
    if event.cancelled_at is not None:
        return "cancelled"
    if event.ends_at <= now:
        return "finished"
    if event.published_at is None:
        return "draft"
    if event.starts_at <= now:
        return "started"
    return "published"


def registration_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why nobody can register now, in words; None while registration is open."""
    match state(event, now):
        case "cancelled":
            return "This event has been cancelled, so you cannot register for it"
        case "finished":
            return "This event has finished, so you cannot register for it"
        case "started":
            return "This event has already started, so you cannot register for it"
        case "draft":
            return "This event is not open for registration yet"
    return None


def _require_commissioner(by: User, what: str) -> None:
    """Only commissioners manage events."""
    if not by.is_authenticated or not by.has_role(Role.COMMISSIONER):
        raise PermissionDenied(f"Only commissioners can {what}")


def places_for(session: Session, event: Event) -> Places:
    """Places taken and people waiting, counting only registrations not cancelled."""
    rows = session.execute(
        select(EventRegistration.waiting_list, func.count())
        .where(EventRegistration.event_id == event.id, EventRegistration.cancelled_at.is_(None))
        .group_by(EventRegistration.waiting_list)
    ).all()
    counts = {bool(waiting): number for waiting, number in rows}
    return Places(capacity=event.capacity, taken=counts.get(False, 0), waiting=counts.get(True, 0))


def _places_for_many(session: Session, events: list[Event]) -> dict[int, Places]:
    """Places for several events in one query."""
    ids = [e.id for e in events]
    counts: dict[tuple[int, bool], int] = {}
    if ids:
        rows = session.execute(
            select(EventRegistration.event_id, EventRegistration.waiting_list, func.count())
            .where(EventRegistration.event_id.in_(ids), EventRegistration.cancelled_at.is_(None))
            .group_by(EventRegistration.event_id, EventRegistration.waiting_list)
        ).all()
        counts = {(event_id, bool(waiting)): number for event_id, waiting, number in rows}
    return {
        e.id: Places(capacity=e.capacity, taken=counts.get((e.id, False), 0), waiting=counts.get((e.id, True), 0))
        for e in events
    }


def _locked_event(session: Session, event_id: int) -> Event | None:
    """The event, locked until the transaction ends so two people cannot take the last place."""
    return session.scalar(
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    )


def _active(session: Session, event: Event, *, waiting: bool) -> list[EventRegistration]:
    """Registrations not cancelled, with a place or waiting, first come first served."""
    return list(session.scalars(
        select(EventRegistration)
        .where(EventRegistration.event_id == event.id, EventRegistration.cancelled_at.is_(None),
               EventRegistration.waiting_list.is_(waiting))
        .order_by(EventRegistration.registered_at, EventRegistration.id)
    ))


def _links(event: Event, settings: Settings) -> tuple[str, str]:
    """The event's public page and its calendar file."""
    page = f"{settings.public_url}/events/{event.id}"
    return page, f"{page}/calendar.ics"


def _where_with_a_place(event: Event) -> str:
    """Where to go, for somebody with a place: the joining link online, the venue in person."""
    if event.event_format == EventFormat.ONLINE:
        return f"Online. Join with this link:\n{event.online_link}\n\nPlease do not share the link."
    text = f"In person, at:\n{event.venue_address}"
    if event.access_information:
        text += f"\n\nAccess information:\n{event.access_information}"
    return text


def _where_without_a_place(event: Event) -> str:
    """Where, for somebody waiting: never the joining link."""
    if event.event_format == EventFormat.ONLINE:
        return "Online. We will email you the joining link if you get a place."
    return f"In person, at:\n{event.venue_address}"


def _calendar(event: Event, settings: Settings, *, with_place: bool, now: datetime) -> str:
    """The event as a calendar file; the joining link of an online event only for people with a place."""
    page, _ = _links(event, settings)
    description = f"{event.description}\n\nAn event about the {event.round.title} funding round.\n{page}"
    url = page
    if event.event_format == EventFormat.ONLINE:
        location = "Online"
        if with_place:
            description += f"\n\nJoin with this link (please do not share it): {event.online_link}"
            url = event.online_link
        else:
            description += "\n\nThe joining link is in the email that confirmed your place."
    else:
        location = event.venue_address.replace("\r\n", "\n").replace("\n", ", ")
    host = urlsplit(settings.public_url).hostname or "portal"
    return calendar_file(
        CalendarEvent(uid=f"event-{event.id}@{host}", summary=event.title, description=description,
                      starts_at=event.starts_at, ends_at=event.ends_at, url=url, location=location,
                      cancelled=event.cancelled_at is not None),
        product=settings.portal_name, stamp=now,
    )


def _place_email(session: Session, registration: EventRegistration, token: str, settings: Settings, *,
                 promoted: bool) -> None:
    """Tell somebody they have a place: when, where (the link or the venue), calendar and cancel links."""
    event = registration.event
    page, calendar = _links(event, settings)
    opening = (
        f"Good news: a place has become free at {event.title}, and it is yours."
        if promoted else f"You have a place at {event.title}."
    )
    body = (
        f"Hello {registration.name},\n\n"
        f"{opening} It is an event about the {event.round.title} funding round.\n\n"
        f"When: {when(event)} (London time)\n\n"
        f"Where: {_where_with_a_place(event)}\n\n"
        "Add it to your calendar: open the attached file (event.ics).\n"
        f"Event details: {page}\n\n"
        "If you cannot come, please cancel so that somebody else can have your place:\n"
        f"{settings.public_url}/events/cancel/{token}\n"
    )
    if promoted:
        body += "This link replaces the one in our earlier email.\n"
    queue_email(session, to=registration.email, subject=f"Your place at {event.title}", body=body,
                attachments=[Attachment(filename="event.ics", content_type="text/calendar",
                                        content=_calendar(event, settings, with_place=True, now=utcnow()))])


def _waiting_email(session: Session, registration: EventRegistration, token: str, position: int,
                   settings: Settings) -> None:
    """Tell somebody the event is full and where they are on the waiting list."""
    event = registration.event
    page, _ = _links(event, settings)
    body = (
        f"Hello {registration.name},\n\n"
        f"{event.title} is fully booked, so you are on the waiting list. You are number {position}.\n\n"
        "You do not have a place yet. If somebody cancels, the next person on the list gets their "
        "place and we email them straight away with everything they need.\n\n"
        f"When: {when(event)} (London time)\n\n"
        f"Where: {_where_without_a_place(event)}\n\n"
        f"Event details: {page}\n\n"
        "If you no longer want a place, leave the waiting list here:\n"
        f"{settings.public_url}/events/cancel/{token}\n"
    )
    queue_email(session, to=registration.email, subject=f"You are on the waiting list for {event.title}",
                body=body)


def _promote(session: Session, event: Event, *, settings: Settings, now: datetime) -> list[EventRegistration]:
    """Give every free place to the people waiting longest, and e-mail each of them."""
    free = places_for(session, event).left
    if free == 0 or event.starts_at <= now or event.cancelled_at is not None:
        return []
    promoted = _active(session, event, waiting=True)[:free]
    for registration in promoted:
        before = audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS)
        # Only its hash is kept, so the old link cannot be re-sent: this e-mail carries a new one.
        token, registration.cancel_token_hash = _new_token()
        registration.waiting_list = False
        registration.promoted_at = now
        session.flush()
        audit.record(session, actor=None, action="event_registration.promoted", entity=registration,
                     before=before, after=audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS))
        _place_email(session, registration, token, settings, promoted=True)
    return promoted


# Commissioners: setting events up ---------------------------------------------------------


def rounds_for_events(session: Session, *, by: User) -> list[Round]:
    """Rounds that can have events added: not yet closed."""
    _require_commissioner(by, "set up events")
    return list(session.scalars(
        select(Round).where(Round.status.in_(ROUNDS_TAKING_EVENTS)).order_by(Round.opens_at, Round.title)
    ))


def all_events(session: Session, *, by: User) -> list[tuple[Event, Places, str]]:
    """Every event, soonest first, with how full it is and its state."""
    _require_commissioner(by, "see every event")
    events = list(session.scalars(
        select(Event).options(joinedload(Event.round)).order_by(Event.starts_at.desc(), Event.id)
    ))
    places = _places_for_many(session, events)
    now = utcnow()
    return [(e, places[e.id], state(e, now)) for e in events]


def event_for_commissioner(session: Session, *, event_id: int, by: User) -> Event:
    """Any event, for a commissioner to manage."""
    _require_commissioner(by, "manage events")
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("There is no event at this address")
    return event


def _checked_details(details: EventDetails, *, now: datetime) -> dict:
    """The event's columns from what the commissioner typed, or a ValidationError beside the field."""
    title = " ".join(details.title.split())  # one line: it becomes an e-mail subject
    if not title:
        raise ValidationError("Enter the event's title", field="title")
    description = details.description.strip()
    if not description:
        raise ValidationError("Describe the event: what will happen and who it is for", field="description")
    starts_at, ends_at = london_moment(details.day, details.starts), london_moment(details.day, details.ends)
    if starts_at <= now:
        raise ValidationError("The event must start in the future", field="date")
    if ends_at <= starts_at:
        raise ValidationError("The end time must be after the start time", field="end_time")
    if not 1 <= details.capacity <= MAX_CAPACITY:
        raise ValidationError(f"The number of places must be between 1 and {MAX_CAPACITY:,}", field="capacity")
    values = dict(title=title, description=description, event_format=details.event_format,
                  starts_at=starts_at, ends_at=ends_at, capacity=details.capacity,
                  venue_address=None, access_information=None, online_link=None)
    if details.event_format == EventFormat.IN_PERSON:
        venue = (details.venue_address or "").strip()
        access_information = (details.access_information or "").strip()
        if not venue:
            raise ValidationError("Enter the venue's address", field="venue_address")
        if not access_information:
            raise ValidationError(
                "Enter access information, such as step-free access, toilets and the nearest station",
                field="access_information",
            )
        values.update(venue_address=venue, access_information=access_information)
    else:
        link = (details.online_link or "").strip()
        if not link:
            raise ValidationError("Enter the link people will use to join the event", field="online_link")
        parts = urlsplit(link)
        if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in link):
            raise ValidationError(
                "Enter the joining link in the correct format, starting with https://, "
                "like https://meet.example.org/abc-defg",
                field="online_link",
            )
        if len(link) > 500:
            raise ValidationError("The joining link must be 500 characters or fewer", field="online_link")
        values.update(online_link=link)
    return values


def create_event(session: Session, *, round_id: int, details: EventDetails, by: User,
                 now: datetime | None = None) -> Event:
    """Add an unpublished event to a round that has not closed."""
    _require_commissioner(by, "set up events")
    round_ = session.get(Round, round_id)
    if round_ is None or round_.status not in ROUNDS_TAKING_EVENTS:
        raise ValidationError("Select the round the event is about", field="round_id")
    values = _checked_details(details, now=now or utcnow())
    event = Event(round=round_, **values)
    session.add(event)
    session.flush()
    audit.record(session, actor=by, action="event.created", entity=event, after=audit.snapshot(event))
    return event


def edit_problem(event: Event, *, now: datetime | None = None) -> str | None:
    """Why an event can no longer be changed, in words; None while it can."""
    match state(event, now):
        case "cancelled":
            return "This event has been cancelled, so it cannot be changed"
        case "finished":
            return "This event has finished, so it cannot be changed"
    return None


def update_event(session: Session, *, event: Event, details: EventDetails, by: User, settings: Settings,
                 now: datetime | None = None) -> Event:
    """Change an event's details; people registered hear about changes to when and where."""
    _require_commissioner(by, "change events")
    now = now or utcnow()
    event = _locked_event(session, event.id)
    problem = edit_problem(event, now=now)
    if problem:
        raise StateTransitionError(problem)
    values = _checked_details(details, now=now)
    taken = places_for(session, event).taken
    if values["capacity"] < taken:
        raise ValidationError(
            f"{taken} people already have a place. Enter {taken} or more, or ask people to cancel first",
            field="capacity",
        )
    before = audit.snapshot(event)
    for name, value in values.items():
        setattr(event, name, value)
    session.flush()
    old, new = audit.changed(before, audit.snapshot(event))
    if not new:
        return event
    audit.record(session, actor=by, action="event.updated", entity=event, before=old, after=new)
    if event.published_at is not None and any(name in new for name in DETAILS_PEOPLE_RELY_ON):
        _email_changed_details(session, event, settings=settings)
    _promote(session, event, settings=settings, now=now)
    return event


def _email_changed_details(session: Session, event: Event, *, settings: Settings) -> None:
    """Tell everyone registered the new time and place."""
    page, calendar = _links(event, settings)
    for registration in _active(session, event, waiting=False) + _active(session, event, waiting=True):
        where = _where_without_a_place(event) if registration.waiting_list else _where_with_a_place(event)
        status = "You are still on the waiting list." if registration.waiting_list else "Your place is kept."
        queue_email(
            session, to=registration.email, subject=f"Changed: {event.title}",
            body=(
                f"Hello {registration.name},\n\n"
                f"The details of {event.title} have changed. {status}\n\n"
                f"When: {when(event)} (London time)\n\n"
                f"Where: {where}\n\n"
                f"Update your calendar: {calendar}\n"
                f"Event details: {page}\n\n"
                "If you can no longer come, use the cancel link in the email that confirmed your booking.\n"
            ),
        )


def publishing_problems(event: Event, *, now: datetime | None = None) -> list[str]:
    """Why an event cannot be published yet, in words (empty when it can)."""
    now = now or utcnow()
    problems = []
    if event.cancelled_at is not None:
        problems.append("The event has been cancelled")
    elif event.starts_at <= now:
        problems.append("The event has already started. Change its date first")
    if event.round.status == RoundStatus.DRAFT:
        problems.append(f"The round {event.round.title} is still a draft. Publish the round first, "
                        "so people can read about it before they book")
    return problems


def publish_event(session: Session, *, event: Event, by: User, now: datetime | None = None) -> Event:
    """Make an event public, so anyone can book a place."""
    _require_commissioner(by, "publish events")
    now = now or utcnow()
    if event.published_at is not None:
        return event  # publishing twice changes nothing
    problems = publishing_problems(event, now=now)
    if problems:
        raise StateTransitionError(". ".join(problems))
    event.published_at = now
    audit.record(session, actor=by, action="event.published", entity=event,
                 before={"published_at": None}, after={"published_at": now.isoformat()})
    return event


def cancel_event(session: Session, *, event: Event, by: User, message: str | None, settings: Settings,
                 now: datetime | None = None) -> int:
    """Cancel an event and e-mail everyone registered (places and waiting list); returns how many."""
    _require_commissioner(by, "cancel events")
    now = now or utcnow()
    event = _locked_event(session, event.id)
    if event.cancelled_at is not None:
        raise StateTransitionError("This event has already been cancelled")
    if event.ends_at <= now:
        raise StateTransitionError("This event has finished, so it cannot be cancelled")
    registered = _active(session, event, waiting=False) + _active(session, event, waiting=True)
    event.cancelled_at = now
    audit.record(session, actor=by, action="event.cancelled", entity=event,
                 before={"cancelled_at": None}, after={"cancelled_at": now.isoformat(), "message": message or None,
                                                      "people_told": len(registered)})
    note = f"\n\nA message from the organisers:\n{message.strip()}" if message and message.strip() else ""
    for registration in registered:
        queue_email(
            session, to=registration.email, subject=f"Cancelled: {event.title}",
            body=(
                f"Hello {registration.name},\n\n"
                f"We are sorry: {event.title}, planned for {when(event)} (London time), has been cancelled."
                f"{note}\n\n"
                "You do not need to do anything. If you added it to your calendar, you can remove it.\n\n"
                f"Other events: {settings.public_url}/events\n"
            ),
        )
    return len(registered)


def event_overview(session: Session, *, event_id: int, by: User) -> EventOverview:
    """An event with its places, registrations and waiting list, for its commissioners' page."""
    event = event_for_commissioner(session, event_id=event_id, by=by)
    return EventOverview(
        event=event, places=places_for(session, event), attendees=attendees(session, event=event, by=by),
        state=state(event),
        problems_publishing=publishing_problems(event) if event.published_at is None else [],
    )


def attendees(session: Session, *, event: Event, by: User) -> Attendees:
    """People with a place and the waiting list in order, and how many cancelled."""
    _require_commissioner(by, "see who has registered")
    cancelled = session.scalar(
        select(func.count()).select_from(EventRegistration)
        .where(EventRegistration.event_id == event.id, EventRegistration.cancelled_at.is_not(None))
    )
    return Attendees(places=_active(session, event, waiting=False), waiting=_active(session, event, waiting=True),
                     cancelled=cancelled or 0)


def safe_cell(value: str | None) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def attendee_csv(session: Session, *, event: Event, by: User) -> str:
    """Everybody registered and not cancelled, places first, as CSV."""
    people = attendees(session, event=event, by=by)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Name", "Email", "Organisation", "Access needs", "Registered at", "Waiting list"])
    for registration in people.places + people.waiting:
        writer.writerow([safe_cell(cell) for cell in (
            registration.name, registration.email, registration.organisation_name, registration.access_needs,
            date_time(registration.registered_at), "Yes" if registration.waiting_list else "No",
        )])
    audit.record(session, actor=by, action="event.attendees_downloaded", entity=event,
                 after={"rows": len(people.places) + len(people.waiting)})
    return buffer.getvalue()


def reminder_problem(session: Session, event: Event, *, now: datetime | None = None) -> str | None:
    """Why a reminder cannot be sent now, in words; None when it can."""
    match state(event, now):
        case "cancelled":
            return "This event has been cancelled, so there is nobody to remind"
        case "finished" | "started":
            return "This event has already started, so it is too late to send a reminder"
        case "draft":
            return "This event is not published yet, so nobody has registered"
    if places_for(session, event).taken == 0:
        return "Nobody has a place yet, so there is nobody to remind"
    return None


def send_reminder(session: Session, *, event: Event, by: User, settings: Settings, again: bool = False,
                  now: datetime | None = None) -> int:
    """E-mail everyone with a place; a second reminder needs ``again``. Returns how many were sent."""
    _require_commissioner(by, "send reminders")
    now = now or utcnow()
    event = _locked_event(session, event.id)
    problem = reminder_problem(session, event, now=now)
    if problem:
        raise StateTransitionError(problem)
    if event.reminder_sent_at is not None and not again:
        raise ValidationError(
            f"A reminder was already sent on {date_time(event.reminder_sent_at)}. "
            "Confirm that you want to send another",
            field="send_again",
        )
    people = _active(session, event, waiting=False)
    page, calendar = _links(event, settings)
    for registration in people:
        queue_email(
            session, to=registration.email, subject=f"Reminder: {event.title}",
            body=(
                f"Hello {registration.name},\n\n"
                f"This is a reminder that you have a place at {event.title}.\n\n"
                f"When: {when(event)} (London time)\n\n"
                f"Where: {_where_with_a_place(event)}\n\n"
                f"Add it to your calendar: {calendar}\n"
                f"Event details: {page}\n\n"
                "If you can no longer come, please cancel with the link in the email that confirmed "
                "your place, so that somebody on the waiting list can have it.\n"
            ),
        )
    before = {"reminder_sent_at": event.reminder_sent_at.isoformat() if event.reminder_sent_at else None}
    event.reminder_sent_at = now
    audit.record(session, actor=by, action="event.reminder_sent", entity=event, before=before,
                 after={"reminder_sent_at": now.isoformat(), "people": len(people)})
    return len(people)


# The public: finding events, booking and cancelling -----------------------------------------


def _publicly_visible(event: Event | None) -> bool:
    """Published, and in a round the public can see."""
    return event is not None and event.published_at is not None and event.round.status != RoundStatus.DRAFT


def upcoming_events(session: Session, *, now: datetime | None = None) -> list[tuple[Event, Places]]:
    """Published events not cancelled and not over, in rounds that are not drafts, soonest first."""
    now = now or utcnow()
    events = list(session.scalars(
        select(Event).join(Event.round).options(joinedload(Event.round))
        .where(Event.published_at.is_not(None), Event.cancelled_at.is_(None), Event.ends_at > now,
               Round.status != RoundStatus.DRAFT)
        .order_by(Event.starts_at, Event.id)
    ))
    places = _places_for_many(session, events)
    return [(e, places[e.id]) for e in events]


def public_event(session: Session, *, event_id: int) -> tuple[Event, Places]:
    """A published event anyone may see (cancelled and past ones too, saying so), with its places."""
    event = session.get(Event, event_id)
    if not _publicly_visible(event):
        raise NotFound("There is no event at this address")
    return event, places_for(session, event)


def register(session: Session, *, event_id: int, name: str, email: str, organisation_name: str | None,
             access_needs: str | None, settings: Settings, now: datetime | None = None) -> EventRegistration:
    """Book a place, or a place on the waiting list when the event is full, and e-mail the details."""
    now = now or utcnow()
    event = _locked_event(session, event_id)
    if not _publicly_visible(event):
        raise NotFound("There is no event at this address")
    reason = registration_closed_reason(event, now)
    if reason:
        raise StateTransitionError(reason)
    name, email = name.strip(), normalise_email(email)
    if not name:
        raise ValidationError("Enter your full name", field="name")
    existing = session.scalar(
        select(EventRegistration).where(EventRegistration.event_id == event.id, EventRegistration.email == email)
    )
    if existing is not None and existing.cancelled_at is None:
        where = "the waiting list" if existing.waiting_list else "this event"
        raise ValidationError(
            f"This email address is already booked on {where}. Check your email for our confirmation, "
            "or use a different email address to book for somebody else",
            field="email",
        )
    waiting = places_for(session, event).full
    token, token_hash = _new_token()
    values = dict(
        name=name, organisation_name=(organisation_name or "").strip() or None,
        access_needs=(access_needs or "").strip() or None, waiting_list=waiting, registered_at=now,
        promoted_at=None, cancelled_at=None, cancel_token_hash=token_hash,
    )
    if existing is not None:
        # Somebody who cancelled books again: one row per address and event (a unique constraint).
        for key, value in values.items():
            setattr(existing, key, value)
        registration = existing
    else:
        registration = EventRegistration(event=event, email=email, **values)
        session.add(registration)
    session.flush()
    audit.record(session, actor=None, action="event_registration.registered", entity=registration,
                 after=audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS))
    if waiting:
        position = len(_active(session, event, waiting=True))
        _waiting_email(session, registration, token, position, settings)
    else:
        _place_email(session, registration, token, settings, promoted=False)
    return registration


def registration_for_token(session: Session, token: str, *, now: datetime | None = None) -> EventRegistration:
    """The booking a cancellation link points to, or a NotFound saying why the link no longer works."""
    now = now or utcnow()
    registration = session.scalar(
        select(EventRegistration).where(EventRegistration.cancel_token_hash == _hash_token(token))
    )
    if registration is None:
        raise NotFound(
            "This cancellation link is not valid. If you were given a place from the waiting list, use the "
            "link in the email that gave you your place"
        )
    if registration.cancelled_at is not None:
        raise NotFound("This booking has already been cancelled, so the link cannot be used again")
    event = registration.event
    if event.cancelled_at is not None:
        raise NotFound("This event has been cancelled by the organisers, so there is nothing to cancel")
    if event.starts_at <= now:
        raise NotFound("This event has already started, so the booking can no longer be cancelled")
    return registration


def cancel_registration(session: Session, *, token: str, settings: Settings,
                        now: datetime | None = None) -> tuple[EventRegistration, list[EventRegistration]]:
    """Cancel a booking from its e-mailed link; a freed place goes to the first person waiting."""
    now = now or utcnow()
    registration = registration_for_token(session, token, now=now)
    event = _locked_event(session, registration.event_id)
    session.refresh(registration)
    if registration.cancelled_at is not None:  # cancelled by a request that held the lock first
        raise NotFound("This booking has already been cancelled, so the link cannot be used again")
    before = audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS)
    registration.cancelled_at = now
    session.flush()
    audit.record(session, actor=None, action="event_registration.cancelled", entity=registration,
                 before=before, after=audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS))
    what = "left the waiting list for" if registration.waiting_list else "cancelled your place at"
    queue_email(
        session, to=registration.email, subject=f"Cancelled: your booking for {event.title}",
        body=(
            f"Hello {registration.name},\n\n"
            f"You have {what} {event.title} ({when(event)}, London time).\n\n"
            f"If you change your mind, you can book again while places are left: {settings.public_url}/events/"
            f"{event.id}\n"
        ),
    )
    promoted = _promote(session, event, settings=settings, now=now)
    return registration, promoted


def calendar_for(session: Session, *, event_id: int, settings: Settings, now: datetime | None = None) -> str:
    """The public .ics file for an event: the venue for in-person events, never an online joining link."""
    event, _ = public_event(session, event_id=event_id)
    return _calendar(event, settings, with_place=False, now=now or utcnow())


def waiting_position(session: Session, registration: EventRegistration) -> int | None:
    """Where somebody is on the waiting list (1 is next), or None if they have a place."""
    if not registration.waiting_list:
        return None
    ids = [r.id for r in _active(session, registration.event, waiting=True)]
    return ids.index(registration.id) + 1
