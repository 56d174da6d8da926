"""The public eligibility checker's form."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from portal.accounts.forms import CheckboxesField
from portal.boroughs import borough_choices
from portal.formatting import money_message, parse_pounds
from portal.forms import PortalForm, income_band_field, organisation_type_field, strip


class EligibilityForm(PortalForm):
    """Four questions that tell a group whether it can apply."""

    organisation_type = organisation_type_field("What type of organisation are you?")
    income_band = income_band_field()
    boroughs = CheckboxesField(
        "Which London boroughs do you work in?",
        description="Select all that apply. Leave them all empty if you do not work in London.",
        choices=[SelectChoice(code, name) for code, name in borough_choices()],
    )
    amount = StringField(
        "How much money do you want to ask for?",
        description="In pounds, for example 8,000",
        filters=[strip],
        validators=[InputRequired(message="Enter how much money you want to ask for")],
        widget=GovTextInput(),
    )
    submit = SubmitField("Check if we can apply", widget=GovSubmitInput())

    def validate_amount(self, field: StringField) -> None:
        """Whole pounds or pounds and pence."""
        try:
            field.pence = parse_pounds(field.data or "")
        except ValueError as error:
            raise ValidationError(money_message(error, "Enter an amount in pounds, like 8,000")) from None
