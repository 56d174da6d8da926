"""Forms for booking a place at an event and for commissioners setting events up."""

from __future__ import annotations

import re
from datetime import date, time

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from portal.formatting import money_message, whole_number
from portal.forms import PortalForm, email_field, strip
from portal.models import EventFormat

MONTHS = {
    name: number
    for number, names in enumerate([
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
        ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
        ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ], start=1)
    for name in names
}
# 10am, 2:30pm, 2.30 pm, 14:30, midday, noon, midnight.
CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?$")


def parse_clock(text: str) -> time | None:
    """A time of day as people write it, or None if it cannot be read unambiguously."""
    text = " ".join(text.lower().split())
    if text in ("midday", "noon", "12 noon", "12noon"):
        return time(12, 0)
    if text in ("midnight", "12 midnight"):
        return time(0, 0)
    match = CLOCK.match(text)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match["minute"] is None or hour > 23:
        return None  # "7" could be morning or evening; 24-hour times need their minutes, like 19:00
    return time(hour, minute)


def clock_text(moment: time) -> str:
    """A time of day as the portal writes it: 10am, 2:30pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d}{suffix}" if moment.minute else f"{hour}{suffix}"


class DayMonthYearField(Field):
    """A GOV.UK date input (day, month and year boxes) with the design system's error messages."""

    widget = GovDateInput()

    def __init__(self, label: str, *, what: str, **kwargs) -> None:
        super().__init__(label, **kwargs)
        self.what = what  # "the date of the event", used in messages

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the three boxes as typed (the widget shows them again) and read a date if there is one."""
        parts = [(v or "").strip() for v in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None

    def _value(self) -> str:
        """Unused by the date widget, which reads raw_data or data."""
        return ""

    def pre_validate(self, form) -> None:
        """Check each box, saying exactly what is missing or wrong."""
        if self.raw_data is None:
            return
        day, month, year = self.raw_data
        what = self.what[0].upper() + self.what[1:]
        missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
        if len(missing) == 3:
            raise StopValidation(f"Enter {self.what}")
        if missing:
            raise StopValidation(f"{what} must include a {' and '.join(missing)}")
        month_number = int(month) if month.isdigit() else MONTHS.get(month.lower())
        if not day.isdigit() or month_number is None or not year.isdigit():
            raise StopValidation(f"{what} must be a real date")
        if len(year) != 4:
            raise StopValidation("Year must include 4 numbers")
        try:
            self.data = date(int(year), month_number, int(day))
        except ValueError as error:
            raise StopValidation(f"{what} must be a real date") from error


class ClockField(StringField):
    """A time of day typed as text: 10am, 2:30pm or 14:30."""

    widget = GovTextInput()

    def __init__(self, label: str, *, what: str, **kwargs) -> None:
        super().__init__(label, filters=[strip], **kwargs)
        self.what = what  # "start time"
        self.clock: time | None = None

    def pre_validate(self, form) -> None:
        """Read the time, or say how to write it."""
        self.clock = None
        if not self.data:
            raise StopValidation(f"Enter the {self.what}")
        self.clock = parse_clock(self.data)
        if self.clock is None:
            if re.fullmatch(r"\d{1,2}", self.data.strip()):
                raise StopValidation(f"Say whether the {self.what} is am or pm, like {self.data.strip()}pm")
            raise StopValidation(f"Enter the {self.what} in the correct format, like 10am, 2:30pm or 14:30")


# More places than any venue or call holds: a bound, so a mistyped number gets a message, not an error page.
MAX_PLACES = 100_000


def _places_check(form, field) -> None:
    """A whole number of places, with commas (if any) between groups of three digits."""
    try:
        places = whole_number(field.data or "")
    except ValueError as error:
        raise ValidationError(money_message(error, "The number of places must be a whole number, like 40")) from None
    if places < 1:
        raise ValidationError("The number of places must be 1 or more")
    if places > MAX_PLACES:
        raise ValidationError(f"The number of places must be {MAX_PLACES:,} or fewer")


class EventForm(PortalForm):
    """A commissioner describes an event (the round is chosen only when it is created)."""

    round_id = RadioField(
        "Which round is the event about?",
        coerce=str,
        choices=[],
        validators=[InputRequired(message="Select the round the event is about")],
        invalid_choice_message="Select the round the event is about",
        widget=GovRadioInput(),
    )
    title = StringField(
        "Event title",
        filters=[strip],
        description="For example, Safer online: meet the funders",
        validators=[InputRequired(message="Enter the event's title"),
                    Length(max=200, message="The title must be 200 characters or fewer")],
        widget=GovTextInput(),
    )
    description = TextAreaField(
        "What will happen at the event?",
        filters=[strip],
        description="Who it is for, what you will cover and how people can take part",
        validators=[InputRequired(message="Describe the event: what will happen and who it is for"),
                    Length(max=5000, message="The description must be 5,000 characters or fewer")],
        widget=GovTextArea(),
    )
    event_format = RadioField(
        "How will people attend?",
        choices=[SelectChoice(EventFormat.IN_PERSON.value, "In person, at a venue"), SelectChoice(EventFormat.ONLINE.value, "Online")],
        validators=[InputRequired(message="Select whether the event is in person or online")],
        invalid_choice_message="Select whether the event is in person or online",
        widget=GovRadioInput(),
    )
    venue_address = TextAreaField(
        "Venue address",
        filters=[strip],
        validators=[Optional(), Length(max=1000, message="The venue address must be 1,000 characters or fewer")],
        widget=GovTextArea(),
    )
    access_information = TextAreaField(
        "Access information",
        filters=[strip],
        description="Step-free access, accessible toilets, hearing loops, quiet space, the nearest station and bus stops",
        validators=[Optional(), Length(max=2000, message="Access information must be 2,000 characters or fewer")],
        widget=GovTextArea(),
    )
    online_link = StringField(
        "Joining link",
        filters=[strip],
        description="Only people with a place ever see this link: it is in their confirmation email, never on a page",
        validators=[Optional(), Length(max=500, message="The joining link must be 500 characters or fewer")],
        widget=GovTextInput(),
    )
    date = DayMonthYearField("Date of the event", what="the date of the event",
                             description="For example, 25 11 2026")
    start_time = ClockField("Start time", what="start time", description="London time, for example 10am or 2:30pm")
    end_time = ClockField("End time", what="end time", description="For example, 12:30pm or 7pm")
    capacity = StringField(
        "Number of places",
        filters=[strip],
        description="When the places are taken, people can join a waiting list",
        validators=[InputRequired(message="Enter the number of places"), _places_check],
        widget=GovTextInput(),
    )
    submit = SubmitField("Save event", widget=GovSubmitInput())

    @property
    def places(self) -> int:
        """The number of places typed, once validated."""
        return whole_number(self.capacity.data)


class EditEventForm(EventForm):
    """The same questions, without choosing the round again."""

    round_id = None
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class RegisterForm(PortalForm):
    """Book a place at an event, no account needed."""

    name = StringField(
        "Full name",
        filters=[strip],
        validators=[InputRequired(message="Enter your full name"),
                    Length(max=200, message="Your name must be 200 characters or fewer")],
        widget=GovTextInput(),
    )
    email = email_field("Email address", description="We will send your booking details here")
    organisation_name = StringField(
        "Organisation or group (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=200, message="The organisation's name must be 200 characters or fewer")],
        widget=GovTextInput(),
    )
    access_needs = TextAreaField(
        "Access needs (optional)",
        filters=[strip],
        description="Anything that would help you take part, like step-free access, a British Sign Language "
                    "interpreter or live captions. Only the event's organisers see this.",
        validators=[Optional(), Length(max=2000, message="Access needs must be 2,000 characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Book a place", widget=GovSubmitInput())


class CancelBookingForm(PortalForm):
    """Confirm cancelling a booking (the button is the confirmation)."""

    submit = SubmitField("Cancel my booking", widget=GovSubmitInput())


class CancelEventForm(PortalForm):
    """A commissioner cancels an event, with an optional message for the people registered."""

    message = TextAreaField(
        "Message to the people registered (optional)",
        filters=[strip],
        description="For example, why it is cancelled and whether there will be another date",
        validators=[Optional(), Length(max=2000, message="The message must be 2,000 characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Cancel the event", widget=GovSubmitInput())


class ReminderForm(PortalForm):
    """Send a reminder; a second one needs the box ticked."""

    send_again = BooleanField("Yes, send another reminder", widget=GovCheckboxInput())
    submit = SubmitField("Send reminder", widget=GovSubmitInput())


class PublishForm(PortalForm):
    """Publish an event (the button is the form)."""

    submit = SubmitField("Publish event", widget=GovSubmitInput())
