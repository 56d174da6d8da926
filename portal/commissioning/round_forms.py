"""Forms for setting up funds and rounds: money in pounds, dates with times in London, whole numbers.

Fields here turn what people type into the values services take (pence, aware datetimes, ints),
and keep exactly what was typed for showing again when anything is wrong.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, StopValidation

from portal.accounts.forms import CheckboxesField
from portal.commissioning.round_services import (
    THEMES,
    CriterionDetails,
    FaqDetails,
    FundDetails,
    QuestionDetails,
    RoundDetails,
)
from portal.domain import ValidationError
from portal.formatting import LONDON, date_time, money, money_message, parse_pounds, whole_number
from portal.forms import PortalForm, strip
from portal.models import Criterion, Fund, Round
from portal.models.enums import ORGANISATION_TYPE_LABELS

_CLOCK = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?P<half>am|pm)?$")


def parse_time(text: str) -> time:
    """A time of day from '5pm', '5:30pm', '17:00', '17.30', 'midday' or 'midnight'; ValueError if not."""
    cleaned = text.strip().lower().replace(" ", "").replace("a.m.", "am").replace("p.m.", "pm")
    named = {"midday": time(12), "noon": time(12), "12noon": time(12), "midnight": time(0)}
    if cleaned in named:
        return named[cleaned]
    match = _CLOCK.match(cleaned)
    if match is None or (match["minute"] is None and match["half"] is None):
        raise ValueError(text)  # a bare "5" could be morning or evening
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if match["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return time(hour, minute)


def _sentence(text: str) -> str:
    """Capitalise the first letter only."""
    return text[:1].upper() + text[1:]


def _textarea(label: str, *, description: str | None = None, required: str | None = None,
              max_length: int = 20_000) -> TextAreaField:
    """A multi-line answer; ``required`` is the message when it is left empty."""
    validators: list[Any] = [InputRequired(message=required)] if required else []
    validators.append(Length(max=max_length, message=f"{label} must be {max_length:,} characters or fewer"))
    return TextAreaField(label, description=description, filters=[strip], validators=validators,
                         widget=GovTextArea())


def _text(label: str, *, description: str | None = None, required: str | None = None,
          max_length: int = 200) -> StringField:
    """A one-line answer; ``required`` is the message when it is left empty."""
    validators: list[Any] = [InputRequired(message=required)] if required else []
    validators.append(Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"))
    return StringField(label, description=description, filters=[strip], validators=validators,
                       widget=GovTextInput())


class YesNoField(RadioField):
    """Yes or no as GOV.UK radios, with True or False as its data."""

    widget = GovRadioInput()

    def __init__(self, label: str, *, yes: str = "Yes", no: str = "No", **kwargs: Any) -> None:
        super().__init__(label, choices=[SelectChoice(True, yes), SelectChoice(False, no)],
                         coerce=lambda value: value in (True, "True"),
                         invalid_choice_message="Select yes or no", **kwargs)


class _TypedField(Field):
    """A field whose data is parsed from one typed value, which is shown again unchanged."""

    widget = GovTextInput()

    def __init__(self, label: str, *, what: str, required: bool = False, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.what = what  # "the minimum grant": used in messages
        self.required = required

    def parse(self, text: str) -> Any:
        """The value for this text; raise ValueError with the message if it is wrong."""
        raise NotImplementedError

    def show(self, value: Any) -> str:
        """How a stored value reads in the box."""
        return str(value)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse what was typed; empty means no value."""
        text = valuelist[0].strip() if valuelist else ""
        self.data = self.parse(text) if text else None

    def pre_validate(self, form: Any) -> None:
        """Say what is missing, once, if a required value was left out."""
        if self.process_errors:
            raise StopValidation()
        if self.data is None and self.required:
            raise StopValidation(f"Enter {self.what}")

    def _value(self) -> str:
        """What the box shows: exactly what was typed, or the stored value."""
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)


class PenceField(_TypedField):
    """Money typed in pounds ("£8,000", "8000" or "8000.50"), stored as pence."""

    def parse(self, text: str) -> int:
        """Pence, more than nothing."""
        try:
            pence = parse_pounds(text)
        except ValueError as error:
            raise ValueError(money_message(error, f"Enter {self.what} in pounds, like 8,000 or 8000.50")) from None
        if pence <= 0:
            raise ValueError(f"{_sentence(self.what)} must be more than £0")
        return pence

    def show(self, value: int) -> str:
        """8,000 or 8,000.50 (the box has a £ before it)."""
        return money(value).removeprefix("£")


class WholeNumberField(_TypedField):
    """A whole number between a minimum and a maximum ("£" and "," are ignored for amounts)."""

    def __init__(self, label: str, *, minimum: int, maximum: int, unit: str = "", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.minimum, self.maximum, self.unit = minimum, maximum, unit

    def parse(self, text: str) -> int:
        """An int within the range."""
        cleaned = text.strip().removeprefix("£").removesuffix(self.unit.strip()).strip()
        try:
            number = whole_number(cleaned)
        except ValueError as error:
            raise ValueError(money_message(error, f"{_sentence(self.what)} must be a whole number")) from None
        if not self.minimum <= number <= self.maximum:
            raise ValueError(f"{_sentence(self.what)} must be between {self.minimum:,} and {self.maximum:,}"
                             f"{self.unit}")
        return number

    def show(self, value: int) -> str:
        """The number with thousands separated."""
        return f"{value:,}"


class LondonDateTimeInput(GovFormBase):
    """Day, month, year and time boxes in one fieldset (GOV.UK date input with a time box)."""

    template = "govuk_frontend_wtf/date.html"
    parts = (("day", "Day", "govuk-input--width-2", "numeric"),
             ("month", "Month", "govuk-input--width-2", "numeric"),
             ("year", "Year", "govuk-input--width-4", "numeric"),
             ("time", "Time", "govuk-input--width-5", "text"))

    def __call__(self, field: LondonDateTimeField, **kwargs: Any) -> Any:
        kwargs.setdefault("id", field.id)
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field: LondonDateTimeField, **kwargs: Any) -> dict:
        params = super().map_gov_params(field, **kwargs)
        error = " govuk-input--error" if field.errors else ""
        params.setdefault("fieldset", {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}})
        params["items"] = [
            {"label": label, "id": f"{field.id}-{part}", "name": field.name, "classes": width + error,
             "inputmode": mode, "value": value}
            for (part, label, width, mode), value in zip(self.parts, field.typed_parts())
        ]
        return params


class LondonDateTimeField(Field):
    """A moment typed as day, month, year and time in London, kept as an aware UTC datetime."""

    widget = LondonDateTimeInput()

    def __init__(self, label: str, *, what: str, required: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("description", "For example, 27 3 2027 and 5pm")
        super().__init__(label, **kwargs)
        self.what = what  # "the closing date"
        self.required = required

    def process_formdata(self, valuelist: list[str]) -> None:
        """Check each box and combine them in London time (so British Summer Time is right)."""
        parts = [v.strip() for v in valuelist] + [""] * (4 - len(valuelist))
        day, month, year, clock = parts[:4]
        self.data = None
        if not any(parts):
            return
        missing = [name for name, value in zip(("day", "month", "year", "time"), parts) if not value]
        if missing:
            raise ValueError(f"{_sentence(self.what)} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValueError(f"{_sentence(self.what)} must be a real date")
        if len(year) != 4:
            raise ValueError(f"The year of {self.what} must include 4 numbers, like 2027")
        try:
            on = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{_sentence(self.what)} must be a real date") from None
        try:
            at = parse_time(clock)
        except ValueError:
            raise ValueError(f"Enter the time for {self.what} like 5pm, 9:30am or 17:30") from None
        self.data = datetime.combine(on, at, tzinfo=LONDON)

    def pre_validate(self, form: Any) -> None:
        """Say what is missing, once, if a required moment was left out."""
        if self.process_errors:
            raise StopValidation()
        if self.data is None and self.required:
            raise StopValidation(f"Enter {self.what}")

    def typed_parts(self) -> list[str]:
        """Day, month, year and time as typed, or from the stored moment in London time."""
        if self.raw_data:
            return (list(self.raw_data) + [""] * 4)[:4]
        if self.data is None:
            return [""] * 4
        local = self.data.astimezone(LONDON)
        return [str(local.day), str(local.month), str(local.year), date_time(local).rpartition(", ")[2]]


def _submit(label: str) -> SubmitField:
    """The form's button."""
    return SubmitField(label, widget=GovSubmitInput())


# Funds ------------------------------------------------------------------------------------------


class FundForm(PortalForm):
    """A fund's name, web address, description and reference prefix."""

    name = _text("Name of the fund", required="Enter the name of the fund")
    slug = _text("Web address", description="Lower-case words joined by hyphens, like youth-leadership-fund",
                 required="Enter the web address of the fund", max_length=100)
    reference_prefix = StringField(
        "Reference prefix",
        description="2 to 6 capital letters that start every application reference, like YLF in YLF-2026-0042",
        filters=[strip, lambda value: value.upper() if isinstance(value, str) else value],
        validators=[InputRequired(message="Enter the reference prefix, like YLF")],
        widget=GovTextInput(),
    )
    description = _textarea("Description (optional)", description="What the fund is for, in a sentence or two")
    submit = _submit("Save fund")

    def details(self) -> FundDetails:
        """What the service needs."""
        return FundDetails(name=self.name.data, slug=self.slug.data, reference_prefix=self.reference_prefix.data,
                           description=self.description.data or "")

    @classmethod
    def for_fund(cls, fund: Fund) -> FundForm:
        """Filled in with a fund's details."""
        return cls(data={n: getattr(fund, n) for n in ("name", "slug", "reference_prefix", "description")})


# Rounds -----------------------------------------------------------------------------------------


class RoundForm(PortalForm):
    """Everything about a round except its criteria, questions and FAQs."""

    fund_id = SelectField("Fund", coerce=lambda v: int(v) if str(v).isdigit() else None,
                          validators=[InputRequired(message="Choose the fund this round belongs to")],
                          invalid_choice_message="Choose the fund this round belongs to", widget=GovSelect())
    title = _text("Title", required="Enter the title of the round")
    slug = _text("Web address", description="Lower-case words joined by hyphens, like staying-in-school. It "
                 "cannot change once the round is published", required="Enter the web address of the round",
                 max_length=100)
    summary = _textarea("Summary", description="A few sentences: what the money is for and who it will help")
    aims = _textarea("Aims and priorities")
    themes = CheckboxesField("Themes", description="Select all that apply",
                             choices=[SelectChoice(t, _sentence(t)) for t in THEMES])
    eligible_organisation_types = CheckboxesField(
        "Types of organisation that can apply",
        description="Leave them all unticked if any type of organisation can apply",
        choices=[SelectChoice(t.value, label) for t, label in ORGANISATION_TYPE_LABELS.items()])
    max_income_pounds = WholeNumberField("Maximum annual income (optional)", what="the maximum annual income",
                                         minimum=1, maximum=1_000_000_000,
                                         description="In whole pounds. Leave empty for no limit")
    must_serve_london = YesNoField("Must groups work with young people in at least one London borough?",
                                   default=True)
    who_cannot_apply = _textarea("Who cannot apply (optional)")
    min_grant_pence = PenceField("Minimum grant", what="the minimum grant", required=True)
    max_grant_pence = PenceField("Maximum grant", what="the maximum grant", required=True)
    small_grant_threshold_pence = PenceField(
        "Small-grant threshold (optional)", what="the small-grant threshold",
        description="Requests below this amount are small grants, and answer fewer questions")
    budget_pence = PenceField("Total budget", what="the total budget", required=True)
    grant_months = WholeNumberField("How long grants last, in months (optional)", what="the length of grants",
                                    minimum=1, maximum=60, unit=" months",
                                    description="From the date of the award. For example, 12")
    panellists_per_application = WholeNumberField("Panellists who score each application",
                                                  what="the number of panellists", minimum=1, maximum=12, default=3)
    opens_at = LondonDateTimeField("Applications open", what="the opening date", required=True)
    question_deadline = LondonDateTimeField("Deadline for questions", what="the deadline for questions")
    closes_at = LondonDateTimeField("Applications close", what="the closing date", required=True)
    scoring_starts_at = LondonDateTimeField("Panel scoring starts", what="the panel scoring start date")
    interviews_at = LondonDateTimeField("Interviews (optional)", what="the interview date")
    decisions_by = LondonDateTimeField("Decisions by", what="the decision date")
    what_you_need = _textarea("What applicants will need",
                              description="Documents and information to have ready, like a bank statement")
    asks_for_documents = YesNoField("Do applicants for larger grants upload supporting documents?",
                                    default=False,
                                    description="Small grants never ask for documents")
    document_guidance = _textarea("Which documents, and why (optional)",
                                  description="For example: your latest accounts and your safeguarding policy")
    support_contact = _textarea("How to get help", description="An email address or phone number, and when "
                                "someone will answer")
    submit = _submit("Save round details")

    def details(self) -> RoundDetails:
        """What the service needs (blank optional text becomes an empty string)."""
        values = {name: self[name].data for name in RoundDetails.__dataclass_fields__}
        for name in ("summary", "aims", "who_cannot_apply", "what_you_need", "document_guidance", "support_contact"):
            values[name] = values[name] or ""
        return RoundDetails(**values)

    @classmethod
    def for_round(cls, round_: Round) -> RoundForm:
        """Filled in with a round's details (the fund cannot change)."""
        form = cls(data=vars(RoundDetails.of(round_)))
        del form.fund_id
        return form

    @classmethod
    def for_new_round(cls, funds: list[Fund], fund_id: int | None) -> RoundForm:
        """Empty, with the funds to choose from."""
        form = cls(data={"fund_id": fund_id})
        form.fund_id.choices = [SelectChoice("", "Choose a fund")] + [SelectChoice(str(f.id), f.name) for f in funds]
        return form


# Criteria, questions and FAQs -------------------------------------------------------------------

SCORE_HINTS = {1: "The lowest score", 3: "The middle score", 5: "The highest score"}


def _descriptor(score: int) -> TextAreaField:
    """What a score means for this criterion."""
    return _textarea(f"What a score of {score} means", description=SCORE_HINTS.get(score))


class CriterionForm(PortalForm):
    """An assessment criterion: name, weight, what good looks like and five descriptors."""

    name = _text("Name", required="Enter the name of the criterion")
    what_good_looks_like = _textarea("What good looks like")
    weight = WholeNumberField("Weight", what="the weight", minimum=1, maximum=100, unit="%", required=True,
                              description="A whole percentage. The weights of all the criteria must add up to 100")
    descriptor_1 = _descriptor(1)
    descriptor_2 = _descriptor(2)
    descriptor_3 = _descriptor(3)
    descriptor_4 = _descriptor(4)
    descriptor_5 = _descriptor(5)
    submit = _submit("Save criterion")

    def details(self) -> CriterionDetails:
        """What the service needs."""
        return CriterionDetails(**{name: self[name].data or "" for name in CriterionDetails.__dataclass_fields__
                                   if name != "weight"}, weight=self.weight.data)

    @classmethod
    def for_criterion(cls, criterion: Criterion) -> CriterionForm:
        """Filled in with a criterion's details."""
        return cls(data=vars(CriterionDetails.of(criterion)))


class QuestionForm(PortalForm):
    """An application question."""

    text = _textarea("Question", required="Enter the question", max_length=1000)
    guidance = _textarea("Guidance (optional)", description="What a good answer covers, in plain words")
    word_limit = WholeNumberField("Word limit", what="the word limit", minimum=1, maximum=2000, unit=" words",
                                  required=True)
    required = YesNoField("Must applicants answer it?", yes="Yes, it is required", no="No, it is optional",
                          default=True)
    criterion_id = SelectField("Which criterion does it inform?",
                               coerce=lambda v: int(v) if str(v).isdigit() else None,
                               invalid_choice_message="Choose one of this round's criteria, or none", widget=GovSelect())
    asked_of_small_grants = YesNoField("Are applicants for small grants asked it?", default=True)
    submit = _submit("Save question")

    def details(self) -> QuestionDetails:
        """What the service needs."""
        return QuestionDetails(text=self.text.data, guidance=self.guidance.data or "", word_limit=self.word_limit.data,
                               required=self.required.data, criterion_id=self.criterion_id.data,
                               asked_of_small_grants=self.asked_of_small_grants.data)

    @classmethod
    def for_round(cls, round_: Round, data: dict | None = None) -> QuestionForm:
        """A form whose criterion choices are the round's, and whose hint names the threshold."""
        form = cls(data=data or {})
        form.criterion_id.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(c.id), c.name) for c in round_.criteria]
        threshold = round_.small_grant_threshold_pence
        form.asked_of_small_grants.description = (
            f"Small grants are requests below {money(threshold)}. Choose no to keep their form shorter"
            if threshold else "This round has no small-grant threshold yet, so everyone is asked every question")
        return form


class FaqForm(PortalForm):
    """A frequently asked question and its answer."""

    question = _textarea("Question", required="Enter the question", max_length=1000)
    answer = _textarea("Answer", required="Enter the answer")
    submit = _submit("Save question and answer")

    def details(self) -> FaqDetails:
        """What the service needs."""
        return FaqDetails(question=self.question.data, answer=self.answer.data)


def show_problems(form: PortalForm, error: ValidationError) -> None:
    """Put a service's refusal (or each of several) beside the field it concerns."""
    for problem in getattr(error, "problems", None) or [error]:
        name = problem.field if problem.field in form else None
        form.add_domain_error(ValidationError(problem.message, field=name))
