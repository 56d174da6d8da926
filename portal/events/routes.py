"""Public event pages and commissioners' event management."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.access import COMMISSIONERS, PUBLIC, access
from portal.domain import NotFound, StateTransitionError, ValidationError
from portal.events import services
from portal.events.forms import (
    CancelBookingForm,
    CancelEventForm,
    EditEventForm,
    EventForm,
    PublishForm,
    RegisterForm,
    ReminderForm,
    clock_text,
)
from portal.extensions import db
from portal.formatting import london
from portal.models import EventFormat

bp = Blueprint("events", __name__)


@bp.app_template_filter("event_when")
def event_when(event) -> str:
    """25 November 2026, 5pm to 7pm."""
    return services.when(event)


def event_settings() -> services.Settings:
    """The event services' settings, from the app's configuration."""
    return services.Settings(public_url=current_app.config["PUBLIC_URL"].rstrip("/"),
                             portal_name=current_app.config["PORTAL_NAME"])


def _details(form: EventForm) -> services.EventDetails:
    """What the commissioner typed, as the services take it."""
    return services.EventDetails(
        title=form.title.data, description=form.description.data,
        event_format=EventFormat(form.event_format.data), day=form.date.data,
        starts=form.start_time.clock, ends=form.end_time.clock, capacity=form.places,
        venue_address=form.venue_address.data, access_information=form.access_information.data,
        online_link=form.online_link.data,
    )


# The public -----------------------------------------------------------------------------------


@bp.route("/events")
@access(PUBLIC)
def upcoming_events():
    """Events coming up in every round the public can see."""
    return render_template("events/upcoming.html", events=services.upcoming_events(db.session))


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@access(PUBLIC)
def event_page(event_id: int):
    """One event, and booking a place (or a place on the waiting list) without an account."""
    event, places = services.public_event(db.session, event_id=event_id)
    form = RegisterForm()
    closed = services.registration_closed_reason(event)
    # A page opened before the event started or was cancelled may still post: say why it failed.
    refusal = closed if closed and request.method == "POST" else None
    if not closed and form.validate_on_submit():
        try:
            registration = services.register(
                db.session, event_id=event.id, name=form.name.data, email=form.email.data,
                organisation_name=form.organisation_name.data, access_needs=form.access_needs.data,
                settings=event_settings(),
            )
        except ValidationError as error:
            form.add_domain_error(error, default_field="email")
        except StateTransitionError as error:
            refusal = error.message
        else:
            return render_template(
                "events/booked.html", event=event, registration=registration,
                position=services.waiting_position(db.session, registration),
            )
    return render_template(
        "events/event.html", event=event, places=places, form=None if closed else form, refusal=refusal,
        closed=closed,
    )


@bp.route("/events/<int:event_id>/calendar.ics")
@access(PUBLIC)
def calendar(event_id: int):
    """The event as a calendar file (without any online joining link)."""
    body = services.calendar_for(db.session, event_id=event_id, settings=event_settings())
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="event-{event_id}.ics"'})


@bp.route("/events/cancel/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def cancel_booking(token: str):
    """Cancel a place, or leave the waiting list, from the link in the confirmation e-mail."""
    try:
        registration = services.registration_for_token(db.session, token)
    except NotFound as error:
        return render_template("events/link_not_valid.html", message=error.message,
                               title="Cancellation link not valid"), 404
    form = CancelBookingForm()
    if form.validate_on_submit():
        try:
            registration, _ = services.cancel_registration(db.session, token=token, settings=event_settings())
        except NotFound as error:
            return render_template("events/link_not_valid.html", message=error.message,
                                   title="Cancellation link not valid"), 404
        return render_template("events/booking_cancelled.html", registration=registration,
                               event=registration.event)
    return render_template("events/cancel_booking.html", form=form, registration=registration,
                           event=registration.event)


# Commissioners -------------------------------------------------------------------------------


@bp.route("/commissioning/events")
@access(COMMISSIONERS)
def manage_events():
    """Every event, with how full it is."""
    return render_template("events/manage_events.html", events=services.all_events(db.session, by=current_user))


@bp.route("/commissioning/events/new", methods=["GET", "POST"])
@access(COMMISSIONERS)
def new_event():
    """Set up an event for a round; it stays private until published."""
    rounds = services.rounds_for_events(db.session, by=current_user)
    form = EventForm()
    form.round_id.choices = [SelectChoice(str(r.id), r.title) for r in rounds]
    if request.method == "GET" and not form.restored:
        form.round_id.data = request.args.get("round")
        form.event_format.data = EventFormat.IN_PERSON.value
    if form.validate_on_submit():
        try:
            event = services.create_event(db.session, round_id=int(form.round_id.data), details=_details(form),
                                          by=current_user)
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            flash("Event saved. Check it, then publish it so people can book")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, rounds=rounds, event=None,
                           title="Set up an event")


@bp.route("/commissioning/events/<int:event_id>")
@access(COMMISSIONERS)
def manage_event(event_id: int):
    """An event's details, state, registrations and waiting list, and what can be done next."""
    overview = services.event_overview(db.session, event_id=event_id, by=current_user)
    return render_template("events/manage_event.html", overview=overview, event=overview.event,
                           publish_form=PublishForm())


@bp.route("/commissioning/events/<int:event_id>/edit", methods=["GET", "POST"])
@access(COMMISSIONERS)
def edit_event(event_id: int):
    """Change an event's details; people registered are told about a new time or place."""
    event = services.event_for_commissioner(db.session, event_id=event_id, by=current_user)
    form = EditEventForm(obj=event if request.method == "GET" else None)
    if request.method == "GET" and not form.restored:
        form.event_format.data = event.event_format.value
        form.date.data = london(event.starts_at).date()
        form.start_time.data = clock_text(london(event.starts_at).time())
        form.end_time.data = clock_text(london(event.ends_at).time())
        form.capacity.data = str(event.capacity)
    problem = services.edit_problem(event)
    if not problem and form.validate_on_submit():
        try:
            services.update_event(db.session, event=event, details=_details(form), by=current_user,
                                  settings=event_settings())
        except ValidationError as error:
            form.add_domain_error(error)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash("Event updated")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event, problem=problem,
                           title="Change the event")


@bp.route("/commissioning/events/<int:event_id>/publish", methods=["POST"])
@access(COMMISSIONERS)
def publish_event(event_id: int):
    """Make the event public so anyone can book."""
    event = services.event_for_commissioner(db.session, event_id=event_id, by=current_user)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            services.publish_event(db.session, event=event, by=current_user)
        except StateTransitionError as error:
            overview = services.event_overview(db.session, event_id=event_id, by=current_user)
            return render_template("events/manage_event.html", overview=overview, event=event,
                                   publish_form=form, problem=error.message)
        flash("Event published. Anyone can now book a place")
    return redirect(url_for("events.manage_event", event_id=event.id))


@bp.route("/commissioning/events/<int:event_id>/cancel", methods=["GET", "POST"])
@access(COMMISSIONERS)
def cancel_event(event_id: int):
    """Confirm, then cancel the event and e-mail everyone registered."""
    event = services.event_for_commissioner(db.session, event_id=event_id, by=current_user)
    form = CancelEventForm()
    problem = None
    if form.validate_on_submit():
        try:
            told = services.cancel_event(db.session, event=event, by=current_user, message=form.message.data,
                                         settings=event_settings())
        except StateTransitionError as error:
            problem = error.message
        else:
            if told:
                flash(f"Event cancelled. We have emailed the {told} {'person' if told == 1 else 'people'} registered")
            else:
                flash("Event cancelled. Nobody had registered")
            return redirect(url_for("events.manage_event", event_id=event.id))
    overview = services.event_overview(db.session, event_id=event_id, by=current_user)
    return render_template("events/cancel_event.html", form=form, event=event, overview=overview,
                           problem=problem)


@bp.route("/commissioning/events/<int:event_id>/reminder", methods=["GET", "POST"])
@access(COMMISSIONERS)
def send_reminder(event_id: int):
    """Send a reminder to everyone with a place; a second one must be confirmed."""
    event = services.event_for_commissioner(db.session, event_id=event_id, by=current_user)
    form = ReminderForm()
    problem = None
    if form.validate_on_submit():
        try:
            sent = services.send_reminder(db.session, event=event, by=current_user, settings=event_settings(),
                                          again=form.send_again.data)
        except ValidationError as error:
            form.add_domain_error(error)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"Reminder sent to {sent} {'person' if sent == 1 else 'people'}")
            return redirect(url_for("events.manage_event", event_id=event.id))
    overview = services.event_overview(db.session, event_id=event_id, by=current_user)
    return render_template("events/reminder.html", form=form, event=event, overview=overview,
                           problem=problem or services.reminder_problem(db.session, event))


@bp.route("/commissioning/events/<int:event_id>/attendees.csv")
@access(COMMISSIONERS)
def attendees_csv(event_id: int):
    """Everybody registered, as a spreadsheet."""
    event = services.event_for_commissioner(db.session, event_id=event_id, by=current_user)
    body = services.attendee_csv(db.session, event=event, by=current_user)
    # A byte-order mark lets Excel read names with accents correctly.
    return Response("\ufeff" + body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="event-{event.id}-attendees.csv"'})
