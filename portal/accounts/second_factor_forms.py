"""Forms for a second factor: codes at sign-in, setting up an authenticator app, recovery codes."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm, strip


def _code_field(label: str, hint: str, message: str) -> StringField:
    """A short code box; the service says what is wrong with what was typed."""
    return StringField(label, description=hint, filters=[strip], widget=GovTextInput(),
                       validators=[InputRequired(message=message), Length(max=40, message="The code is too long")])


class AuthenticatorCodeForm(PortalForm):
    """The code from the authenticator app, after the password."""

    code = _code_field("Code", "The 6-digit code your authenticator app shows for this portal, like 123456",
                       "Enter the 6-digit code from your authenticator app")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RecoveryCodeForm(PortalForm):
    """One of the recovery codes saved when the authenticator app was set up."""

    code = _code_field("Recovery code", "One of the 10 codes you saved, like abcde-23456. Each code works once",
                       "Enter one of your recovery codes")
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpAuthenticatorForm(PortalForm):
    """Confirm the app works by typing its first code; the secret rides along, encrypted."""

    setup = HiddenField()
    code = _code_field("Code from your authenticator app", "The 6-digit code the app shows, like 123456",
                       "Enter the 6-digit code from your authenticator app")
    submit = SubmitField("Confirm and continue", widget=GovSubmitInput())


class NewRecoveryCodesForm(PortalForm):
    """Make new recovery codes (the old ones stop working)."""

    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())


class TurnOffForm(PortalForm):
    """Stop using an authenticator app (not for staff), proved by a current code."""

    code = _code_field("Code from your authenticator app", "The 6-digit code the app shows, like 123456",
                       "Enter the 6-digit code from your authenticator app")
    submit = SubmitField("Turn off", widget=GovSubmitInput(), render_kw=None)
