"""Messages about a sent application: the group's page, the commissioners' page, sharing with the panel."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import APPLICANTS, COMMISSIONERS, access
from portal.domain import DomainError
from portal.extensions import db
from portal.messages import services
from portal.messages.forms import MessageForm, ShareForm
from portal.models import Application, ApplicationMessage, PanelAssignment

bp = Blueprint("messages", __name__)


def message_settings() -> services.Settings:
    """What the notice e-mails need, from the app's configuration (links use the public address)."""
    config = current_app.config
    return services.Settings(public_url=config["PUBLIC_URL"].rstrip("/"), portal_name=config["PORTAL_NAME"])


def _send(application: Application, form: MessageForm) -> ApplicationMessage | None:
    """Send the posted message; on a refusal show it beside the text, which stays in the box."""
    if not form.validate_on_submit():
        return None
    try:
        return services.send_message(db.session, application=application, text=form.body.data, by=current_user,
                                     settings=message_settings())
    except DomainError as error:
        db.session.rollback()
        form.add_domain_error(error, default_field="body")
        return None


@bp.route("/applications/<int:submitted_application_id>/messages", methods=["GET", "POST"])
@access(APPLICANTS)
def application_messages(submitted_application_id: int):
    """The group's side: messages with the funder about their sent application, and a box to write one."""
    application = services.application_for_group(db.session, application_id=submitted_application_id,
                                                 by=current_user)
    form = MessageForm()
    message = _send(application, form)
    if message is not None:
        flash("Your message has been sent. We have emailed the grants team to say there is a new message")
        return redirect(url_for(".application_messages", submitted_application_id=application.id,
                                _anchor=f"message-{message.id}"))
    conversation = services.open_conversation(db.session, application=application, by=current_user)
    return render_template("messages/application_messages.html", application=application, form=form,
                           conversation=conversation, limit=services.CHARACTER_LIMIT,
                           not_sent_yet=services.NOT_SENT_YET)


@bp.route("/commissioning/applications/<int:submission_id>/messages", methods=["GET", "POST"])
@access(COMMISSIONERS)
def submission_messages(submission_id: int):
    """The funder's side: messages with the group about a sent application, each one shareable with the panel."""
    application = services.application_for_funder(db.session, application_id=submission_id, by=current_user)
    form = MessageForm()
    message = _send(application, form)
    if message is not None:
        flash(f"Your message has been sent. We have emailed {application.organisation.name} to say there is a "
              "new message")
        return redirect(url_for(".submission_messages", submission_id=application.id,
                                _anchor=f"message-{message.id}"))
    conversation = services.open_conversation(db.session, application=application, by=current_user)
    return render_template("messages/submission_messages.html", application=application, form=form,
                           conversation=conversation, limit=services.CHARACTER_LIMIT, share_form=ShareForm())


@bp.route("/commissioning/applications/<int:submission_id>/messages/<int:message_id>/share", methods=["POST"])
@access(COMMISSIONERS)
def share_message(submission_id: int, message_id: int):
    """Share one message with the youth panel assessing the application, or stop sharing it."""
    application = services.application_for_funder(db.session, application_id=submission_id, by=current_user)
    message = services.message_for_funder(db.session, application=application, message_id=message_id,
                                          by=current_user)
    form = ShareForm()
    if form.validate_on_submit():
        share = form.share.data == "yes"
        services.share_with_panel(db.session, message=message, share=share, by=current_user)
        flash("The message is shared with the panel. Panellists assessing this application can read it"
              if share else "The message is no longer shared with the panel")
    else:
        flash("The message was not changed. Try again from this page")
    return redirect(url_for(".submission_messages", submission_id=application.id, _anchor=f"message-{message.id}"))


@bp.route("/commissioning/rounds/<int:round_id>/messages")
@access(COMMISSIONERS)
def round_messages(round_id: int):
    """A round's conversations whose group wrote last and is waiting for a reply, each linked."""
    round_ = services.round_for_funder(db.session, round_id=round_id, by=current_user)
    waiting = services.waiting_for_reply(db.session, round_id=round_.id, by=current_user)
    return render_template("messages/round_messages.html", round=round_, waiting=waiting)


# For other domains' pages: links with counts, and the panel's shared messages -----------------------


@bp.app_template_global("message_counts_for")
def message_counts_for(application: Application) -> services.MessageCounts:
    """How many messages an application has and how many are new to the signed-in person's side."""
    return services.message_counts(db.session, application=application, by=current_user)


@bp.app_template_global("messages_shared_with_panel")
def messages_shared_with_panel(assignment: PanelAssignment) -> list[ApplicationMessage]:
    """The messages a commissioner shared with the panel, for the panellist's scoring page."""
    return services.shared_with_panel(db.session, assignment=assignment, by=current_user)
