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
from wtforms.validators import InputRequired, Length, Optional, Regexp, StopValidation

from portal.boroughs import borough_choices
from portal.domain import DomainError, ValidationError
from portal.forms import (
    PortalForm,
    email_field,
    income_band_field,
    organisation_type_field,
    strip,
)
from portal.models import AgeBand, OrganisationType, Role
from portal.models.enums import SIGN_UP_TYPES

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


class OnlyForType:
    """Check a number box only when its organisation type is chosen; otherwise skip it (the service ignores it)."""

    def __init__(self, organisation_type: OrganisationType) -> None:
        self.organisation_type = organisation_type

    def __call__(self, form, field) -> None:
        """Stop this box's checks, silently, when another type is chosen."""
        if form.organisation_type.data != self.organisation_type.value:
            field.errors[:] = []
            raise StopValidation()


CHARITY_NUMBER_FORMAT = Regexp(r"^\d{6,8}(-\d{1,2})?$", message="Enter a charity number in the correct format, like 1123456")
COMPANY_NUMBER_FORMAT = Regexp(r"^(?i:[A-Z0-9]{8})$", message="Enter a company number in the correct format: 8 characters, like 01234567 or SC123456")


def _number_box(label: str, organisation_type: OrganisationType, check: Regexp, hint: str) -> StringField:
    """A charity or company number box, revealed under its own organisation type."""
    return StringField(label, filters=[strip], description=hint, widget=GovTextInput(),
                       validators=[OnlyForType(organisation_type), Optional(), check])


# Each type with a number has its own box under its radio (a conditional reveal sits under one radio), so
# a charity and a CIO each have a charity number box: the box for each number, by the type chosen.
NUMBER_BOXES = {
    ("charity_number", OrganisationType.CHARITY.value): "charity_number",
    ("charity_number", OrganisationType.CIO.value): "cio_charity_number",
    ("company_number", OrganisationType.COMPANY.value): "company_number",
    ("company_number", OrganisationType.CIC.value): "cic_company_number",
}


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
    organisation_type = organisation_type_field(
        types=SIGN_UP_TYPES, invalid_choice_message="Select the type of organisation. Schools and colleges cannot "
        "apply on their own: they can be a partner in a group's bid")
    charity_number = _number_box("Charity number", OrganisationType.CHARITY, CHARITY_NUMBER_FORMAT,
                                 "From the register of charities, like 1123456")
    cio_charity_number = _number_box("Charity number", OrganisationType.CIO, CHARITY_NUMBER_FORMAT,
                                     "From the register of charities, like 1123456")
    cic_company_number = _number_box("Company number", OrganisationType.CIC, COMPANY_NUMBER_FORMAT,
                                     "From Companies House: 8 characters, like 01234567")
    company_number = _number_box("Company number", OrganisationType.COMPANY, COMPANY_NUMBER_FORMAT,
                                 "From Companies House: 8 characters, like 01234567")
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

    def number(self, kind: str) -> str | None:
        """The charity or company number ("charity_number", "company_number") typed under the type chosen, if any."""
        box = NUMBER_BOXES.get((kind, self.organisation_type.data))
        return self[box].data if box else None

    def add_domain_error(self, error: DomainError, default_field: str | None = None) -> None:
        """Show a refused number beside the box the person typed it in."""
        box = NUMBER_BOXES.get((error.field or "", self.organisation_type.data))
        if box is not None:
            error = ValidationError(error.message, field=box)
        super().add_domain_error(error, default_field)


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

