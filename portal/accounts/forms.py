"""Forms for signing up, signing in, invitations and password resets."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from portal.boroughs import borough_choices
from portal.forms import (
    PortalForm,
    email_field,
    income_band_field,
    organisation_type_field,
    strip,
)
from portal.models import AgeBand, Role

UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)


def _name_field(label: str, message: str) -> StringField:
    """A required person's or organisation's name."""
    return StringField(
        label,
        filters=[strip],
        validators=[InputRequired(message=message), Length(max=200, message=f"{label} must be 200 characters or fewer")],
        widget=GovTextInput(),
    )


class CheckboxesField(SelectMultipleField):
    """Multiple choice rendered as GOV.UK checkboxes."""

    widget = GovCheckboxesInput()


class SignUpForm(PortalForm):
    """A community group registers with its first member."""

    name = _name_field("Your full name", "Enter your full name")
    email = email_field()
    password = PasswordField(
        "Create a password",
        description="At least 12 characters. Three random words together are easy to remember and hard to guess.",
        validators=[InputRequired(message="Create a password")],
        widget=GovPasswordInput(),
    )
    organisation_name = _name_field("Name of your organisation or group", "Enter the name of your organisation or group")
    organisation_type = organisation_type_field()
    charity_number = StringField(
        "Charity number (if registered)",
        filters=[strip],
        description="Registered charities and CIOs only",
        validators=[Optional(), Regexp(r"^\d{6,8}(-\d{1,2})?$", message="Enter a charity number in the correct format, like 1123456")],
        widget=GovTextInput(),
    )
    company_number = StringField(
        "Company number (if registered)",
        filters=[strip],
        description="Companies and community interest companies only",
        validators=[Optional(), Regexp(r"^(?i:[A-Z0-9]{8})$", message="Enter a company number in the correct format: 8 characters, like 01234567 or SC123456")],
        widget=GovTextInput(),
    )
    income_band = income_band_field()
    boroughs = CheckboxesField(
        "Which London boroughs do you work in?",
        description="Select all that apply",
        choices=[SelectChoice(code, name) for code, name in borough_choices()],
        validators=[InputRequired(message="Select at least one London borough you work in")],
    )
    address_line_1 = _name_field("Address line 1", "Enter the first line of your address")
    address_line_2 = StringField("Address line 2 (optional)", filters=[strip], validators=[Optional(), Length(max=200)], widget=GovTextInput())
    town = StringField("Town or city", filters=[strip], default="London", validators=[InputRequired(message="Enter the town or city"), Length(max=100)], widget=GovTextInput())
    postcode = StringField(
        "Postcode",
        filters=[strip],
        validators=[InputRequired(message="Enter your postcode"),
                    Regexp(UK_POSTCODE, message="Enter a real postcode, like E8 1DY")],
        widget=GovTextInput(),
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(PortalForm):
    """Sign in with e-mail and password."""

    email = email_field()
    password = PasswordField("Password", validators=[InputRequired(message="Enter your password")], widget=GovPasswordInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgotPasswordForm(PortalForm):
    """Ask for a password reset link."""

    email = email_field()
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResendConfirmationForm(PortalForm):
    """Ask for a new link to confirm the e-mail address."""

    submit = SubmitField("Send a new link", widget=GovSubmitInput())


class NewPasswordForm(PortalForm):
    """Choose a new password from a reset link."""

    password = PasswordField(
        "New password",
        description="At least 12 characters. Three random words together are easy to remember and hard to guess.",
        validators=[InputRequired(message="Enter a new password")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Save new password", widget=GovSubmitInput())


class AcceptInvitationForm(PortalForm):
    """Accept an invitation: confirm your name and choose a password."""

    name = _name_field("Your full name", "Enter your full name")
    password = PasswordField(
        "Create a password",
        description="At least 12 characters. If you already have an account, enter its password.",
        validators=[InputRequired(message="Enter a password")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Accept invitation", widget=GovSubmitInput())


class InviteColleagueForm(PortalForm):
    """Invite somebody to act for the same organisation."""

    name = _name_field("Their full name", "Enter your colleague's full name")
    email = email_field("Their email address")
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class InviteStaffForm(PortalForm):
    """A commissioner invites a panellist or commissioner."""

    role = RadioField(
        "What will they do?",
        choices=[
            SelectChoice(Role.PANELLIST.value, "Youth panellist: scores and interviews applicants"),
            SelectChoice(Role.COMMISSIONER.value, "Commissioner: sets up rounds, runs the panel and publishes decisions"),
        ],
        validators=[InputRequired(message="Select whether you are inviting a panellist or a commissioner")],
        widget=GovRadioInput(),
    )
    name = _name_field("Their full name", "Enter their full name")
    email = email_field("Their email address")
    age_band = RadioField(
        "How old is the panellist? (panellists only)",
        description="Panellists under 18 cannot see any application until a guardian's consent is recorded.",
        choices=[SelectChoice(b.value, b.label) for b in AgeBand],
        validators=[Optional()],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

