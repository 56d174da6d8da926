"""Forms for deciding an application, correcting a published entry, and the round's action buttons."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from portal.commissioning.decision_services import (
    DECLINE_CATEGORIES,
    EXCEPTION_MAX_CHARACTERS,
    OUTCOME_WORDS,
    CorrectionInput,
    DecisionInput,
    check_correction,
    check_decision,
)
from portal.domain import DomainError
from portal.forms import PortalForm, strip
from portal.identifying import Identifying
from portal.models import DecisionLogEntry, Outcome


def _reason_category_field() -> RadioField:
    """The main reason for declining, from the fixed list."""
    return RadioField(
        "Main reason for declining",
        description="Only for a decline. It is published with the feedback.",
        choices=[SelectChoice(c, c) for c in DECLINE_CATEGORIES],
        validate_choice=False,  # the service's rules give the message
        widget=GovRadioInput(),
    )


def _amount_field() -> StringField:
    """The amount awarded, typed in pounds."""
    return StringField("Amount awarded", description="Only for an award. In pounds, like 8,000 or 7,500.50.",
                       filters=[strip], widget=GovTextInput())


def _reason_field() -> TextAreaField:
    """The reason for the decision, or the feedback for a declined group."""
    return TextAreaField("Reason or feedback",
                         description="For an award, published in the decision log. For a decline or reserve, the "
                                     "group's feedback: it is sent to the group and not published.",
                         filters=[strip], widget=GovTextArea())


def _public_note_field() -> TextAreaField:
    """Optional text for the public about a declined or reserve decision."""
    return TextAreaField(
        "Public note (optional)",
        description="Only if the public should read more than the main reason, the amount asked for and the "
                    "score. Do not name or describe the group, its people, address or project. Another "
                    "commissioner must approve it before it can be published.",
        filters=[strip], widget=GovCharacterCount())


# Each outcome's own fields, shown under its radio (GOV.UK's conditional reveal; all shown without JavaScript,
# each group under its outcome). Only the chosen outcome's fields are read: the rest are ignored.
OUTCOME_FIELDS = {
    Outcome.AWARD.value: ("amount", "award_reason"),
    Outcome.DECLINE.value: ("reason_category", "feedback", "decline_public_note"),
    Outcome.RESERVE.value: ("reserve_reason", "reserve_public_note"),
}
# The field that holds the reason (the service calls it "reason") for each outcome.
REASON_FIELDS = {Outcome.AWARD.value: "award_reason", Outcome.DECLINE.value: "feedback",
                 Outcome.RESERVE.value: "reserve_reason"}
# The field that holds the optional public text (the service's "public_note") for a decline or reserve.
PUBLIC_NOTE_FIELDS = {Outcome.DECLINE.value: "decline_public_note", Outcome.RESERVE.value: "reserve_public_note"}


class DecisionForm(PortalForm):
    """An application's decision: the outcome and that outcome's own fields, with the version it started from."""

    outcome = RadioField("What is your decision?", validate_choice=False, widget=GovRadioInput())
    amount = StringField("Amount awarded", description="In pounds, like 8,000 or 7,500.50. No more than was asked for.",
                         filters=[strip], widget=GovTextInput())
    award_reason = TextAreaField("Why are you making this award?", description="Published in the decision log.",
                                 filters=[strip], widget=GovTextArea())
    reason_category = RadioField(
        "Main reason for declining", description="Published with the feedback.",
        choices=[SelectChoice(c, c) for c in DECLINE_CATEGORIES],
        validate_choice=False,  # the service's rules give the message
        widget=GovRadioInput(),
    )
    feedback = TextAreaField("Feedback for the group",
                             description="Sent to the group in their letter. Not published: the decision log shows "
                                         "the main reason, the amount asked for and the score.",
                             filters=[strip], widget=GovTextArea())
    decline_public_note = _public_note_field()
    reserve_reason = TextAreaField("Why is it on the reserve list?",
                                   description="Sent to the group in their letter. Not published.",
                                   filters=[strip], widget=GovTextArea())
    reserve_public_note = _public_note_field()
    version = HiddenField()
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    asked_pence: int = 0
    allowed: list[Outcome] = list(Outcome)
    identifying: Identifying | None = None

    def setup(self, *, asked_pence: int, allowed: list[Outcome], identifying: Identifying | None = None
              ) -> DecisionForm:
        """Set the amount asked for, the outcomes that may be chosen and what would name the group."""
        self.asked_pence = asked_pence
        self.allowed = allowed
        self.identifying = identifying
        self.outcome.choices = [SelectChoice(o.value, OUTCOME_WORDS[o]) for o in allowed]
        return self

    def started_from(self) -> int | None:
        """The decision's version when the form was opened (None for a new decision, -1 if tampered with)."""
        if not self.version.data:
            return None
        try:
            return int(self.version.data)
        except ValueError:
            return -1

    def entry(self) -> DecisionInput:
        """What was typed for the chosen outcome, for the service; other outcomes' fields are ignored."""
        outcome = self.outcome.data
        mine = OUTCOME_FIELDS.get(outcome or "", ())
        reason = REASON_FIELDS.get(outcome or "")
        note = PUBLIC_NOTE_FIELDS.get(outcome or "")
        return DecisionInput(outcome=outcome, amount=self.amount.data if "amount" in mine else None,
                             reason_category=self.reason_category.data if "reason_category" in mine else None,
                             reason=self[reason].data if reason else None, version=self.started_from(),
                             public_note=self[note].data if note else None)

    def field_for(self, name: str | None) -> str | None:
        """The form's field for a field the service names: its "reason" is the chosen outcome's reason field."""
        if name == "reason":
            return REASON_FIELDS.get(self.outcome.data or "", "award_reason")
        if name == "public_note":
            return PUBLIC_NOTE_FIELDS.get(self.outcome.data or "", "decline_public_note")
        return name

    def add_domain_error(self, error: DomainError, default_field: str | None = None) -> None:
        """Show a service's refusal beside the field it concerns, in the chosen outcome's group."""
        field = self[self.field_for(error.field) or default_field or "outcome"]
        field.errors = [*field.errors, error.message]

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then the decision rules, showing every problem beside its field."""
        valid = super().validate(extra_validators)
        _, problems = check_decision(self.entry(), asked_pence=self.asked_pence, allowed=self.allowed,
                                     identifying=self.identifying)
        for name, message in problems.items():
            field = self[self.field_for(name)]
            field.errors = [*field.errors, message]
        return valid and not problems


class CorrectionForm(PortalForm):
    """A correction to a published entry: amount, reason category and reason, and why it is corrected."""

    amount = _amount_field()
    reason_category = _reason_category_field()
    reason = _reason_field()
    correction_reason = TextAreaField(
        "Reason for the correction",
        description="Published with the corrected entry, so people can see what changed and why.",
        filters=[strip], widget=GovTextArea())
    submit = SubmitField("Publish the correction", widget=GovSubmitInput())

    entry: DecisionLogEntry | None = None

    def typed(self) -> CorrectionInput:
        """What was typed, for the service."""
        return CorrectionInput(amount=self.amount.data, reason_category=self.reason_category.data,
                               reason=self.reason.data, correction_reason=self.correction_reason.data)

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then the correction rules, showing every problem beside its field."""
        valid = super().validate(extra_validators)
        if self.entry is None:
            return valid
        _, _, problems = check_correction(self.entry, self.typed())
        for name, message in problems.items():
            self[name].errors = [*self[name].errors, message]
        return valid and not problems


class ActionForm(PortalForm):
    """A button that posts an action (accept the recommendation, mark decided, publish): CSRF only."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class ExceptionForm(PortalForm):
    """Why an application may be decided without its full set of sent scores."""

    reason = TextAreaField(
        "Why can it be decided without all its scores?",
        description="For example, a panellist left the panel before scoring it. Only commissioners see this; "
                    "the round's public results say only how many applications were decided this way.",
        filters=[strip],
        validators=[DataRequired(message="Enter why this application can be decided without all its scores"),
                    Length(max=EXCEPTION_MAX_CHARACTERS,
                           message=f"The reason must be {EXCEPTION_MAX_CHARACTERS} characters or fewer")],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Save the reason", widget=GovSubmitInput())


class PublicNoteApprovalForm(PortalForm):
    """A second commissioner's approval of public text, with the decision's version they read."""

    version = HiddenField()
    submit = SubmitField("Approve this text for publication", widget=GovSubmitInput())

    def started_from(self) -> int | None:
        """The decision's version when the page was opened (None if missing or tampered with)."""
        try:
            return int(self.version.data or "")
        except ValueError:
            return None
