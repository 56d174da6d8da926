"""Forms for the applicant's journey: one per task-list section, each carrying the section's version."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from portal.accounts.forms import UK_POSTCODE, CheckboxesField
from portal.boroughs import borough_choices
from portal.forms import PortalForm, income_band_field, organisation_type_field, strip
from portal.models import Question


def _text(label: str, *, description: str | None = None, max_length: int = 200) -> StringField:
    """An optional one-line text field (sections may be saved half-done)."""
    return StringField(label, description=description, filters=[strip],
                       validators=[Optional(), Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")],
                       widget=GovTextInput())


def completed_field() -> RadioField:
    """GOV.UK's 'Have you completed this section?' question."""
    return RadioField(
        "Have you completed this section?",
        choices=[SelectChoice("yes", "Yes, I've completed this section"),
                 SelectChoice("no", "No, I'll come back to it later")],
        validators=[Optional()],
        widget=GovRadioInput(),
    )


class SectionForm(PortalForm):
    """What every section form carries: the version it started from and whether it is finished."""

    version = HiddenField()
    completed = completed_field()
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def started_from(self) -> int:
        """The section version the form was opened at (-1 if it was tampered with)."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1

    @property
    def is_completed(self) -> bool:
        """Whether the applicant says they have finished."""
        return self.completed.data == "yes"


class StartForm(PortalForm):
    """Start an application, choosing the organisation when the person belongs to several."""

    organisation_id = RadioField("Which organisation are you applying for?", coerce=int,
                                 validators=[Optional()], widget=GovRadioInput(), validate_choice=False)
    submit = SubmitField("Start an application", widget=GovSubmitInput())


class OrganisationSectionForm(SectionForm):
    """Confirm or correct the organisation's details."""

    organisation_name = StringField(
        "Name of your organisation or group", filters=[strip],
        validators=[InputRequired(message="Enter the name of your organisation or group"),
                    Length(max=200, message="The name must be 200 characters or fewer")],
        widget=GovTextInput())
    organisation_type = organisation_type_field()
    charity_number = StringField(
        "Charity number (if registered)", filters=[strip], description="Registered charities and CIOs only",
        validators=[Optional(), Regexp(r"^\d{6,8}(-\d{1,2})?$",
                                       message="Enter a charity number in the correct format, like 1123456")],
        widget=GovTextInput())
    company_number = StringField(
        "Company number (if registered)", filters=[strip], description="Companies and community interest companies only",
        validators=[Optional(), Regexp(r"^(?i:[A-Z0-9]{8})$",
                                       message="Enter a company number in the correct format: 8 characters, like 01234567")],
        widget=GovTextInput())
    income_band = income_band_field()
    boroughs = CheckboxesField(
        "Which London boroughs do you work in?", description="Select all that apply",
        choices=[SelectChoice(code, name) for code, name in borough_choices()],
        validators=[InputRequired(message="Select at least one London borough you work in")])
    address_line_1 = StringField(
        "Address line 1", filters=[strip],
        validators=[InputRequired(message="Enter the first line of your address"), Length(max=200)],
        widget=GovTextInput())
    address_line_2 = _text("Address line 2 (optional)")
    town = StringField("Town or city", filters=[strip],
                       validators=[InputRequired(message="Enter the town or city"), Length(max=100)],
                       widget=GovTextInput())
    postcode = StringField("Postcode", filters=[strip],
                           validators=[InputRequired(message="Enter your postcode"),
                                       Regexp(UK_POSTCODE, message="Enter a real postcode, like E8 1DY")],
                           widget=GovTextInput())


class ProjectFormBase(SectionForm):
    """The project's title and amount; the questions are added per application (see project_form)."""

    project_title = _text("Project title", description="A short name for what you will do")
    amount = StringField("How much are you asking for?", filters=[strip], validators=[Optional()],
                         widget=GovTextInput())


def project_form(questions: list[Question], **kwargs) -> ProjectFormBase:
    """The project form with a word-counted answer box for each question asked of this group."""

    class ProjectForm(ProjectFormBase):
        pass

    for question in questions:
        setattr(ProjectForm, f"answer_{question.id}", TextAreaField(
            question.text, description=question.guidance or None, widget=GovCharacterCount()))
    return ProjectForm(**kwargs)


def budget_form(rows: int, **kwargs) -> SectionForm:
    """The budget form with this many item and cost rows."""

    class BudgetForm(SectionForm):
        pass

    for index in range(rows):
        setattr(BudgetForm, f"item_{index}", StringField(f"Item {index + 1}", widget=GovTextInput()))
        setattr(BudgetForm, f"cost_{index}", StringField(f"Cost of item {index + 1}", widget=GovTextInput()))
    return BudgetForm(**kwargs)


def partners_form(rows: int, **kwargs) -> SectionForm:
    """The partners form with this many partner rows."""

    class PartnersForm(SectionForm):
        partnership = RadioField(
            "Is this a partnership bid?",
            description="A bid where other organisations share the work. Your organisation leads it.",
            choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
            validators=[Optional()], widget=GovRadioInput())

    for index in range(rows):
        setattr(PartnersForm, f"name_{index}", StringField(f"Partner {index + 1}: organisation name",
                                                           widget=GovTextInput()))
        setattr(PartnersForm, f"role_{index}", TextAreaField(f"Partner {index + 1}: what they will do",
                                                             widget=GovTextArea()))
    return PartnersForm(**kwargs)


class DeclarationsForm(SectionForm):
    """Who declares the application is true, and the declarations themselves."""

    name = _text("Your full name")
    role = _text("Your role in the organisation", description="For example, chair, treasurer or coordinator")
    confirmed = SelectMultipleField("Declarations", choices=[], validators=[Optional()],
                                    widget=GovCheckboxesInput(), validate_choice=False)


class SubmitForm(PortalForm):
    """Send the application."""

    submit = SubmitField("Send application", widget=GovSubmitInput())


class WithdrawForm(PortalForm):
    """Confirm a withdrawal."""

    submit = SubmitField("Withdraw application", widget=GovSubmitInput())
