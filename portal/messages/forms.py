"""Forms for writing a message about an application and sharing one with the panel."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, ValidationError

from portal.forms import PortalForm
from portal.messages.services import clean_text, length_problem


def _within_limit(_form, field) -> None:
    """Say how many characters to remove when a message is too long."""
    problem = length_problem(clean_text(field.data))
    if problem:
        raise ValidationError(problem)


class MessageForm(PortalForm):
    """A plain-text message to the other side (the group, or the funder)."""

    body = TextAreaField(
        "Your message",
        description="Write in plain text. Do not include anyone's bank details or passwords.",
        validators=[DataRequired(message="Enter your message"), _within_limit],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Send message", widget=GovSubmitInput())


class ShareForm(PortalForm):
    """A commissioner shares one message with the youth panel, or stops sharing it."""

    share = HiddenField(validators=[AnyOf(["yes", "no"], message="Choose whether to share the message")])
