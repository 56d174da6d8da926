"""Forms for asking for a redaction of a published log entry's field, and for approving one."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal.commissioning.redaction_services import FieldChoice, RedactionInput, check_request
from portal.forms import PortalForm, strip
from portal.transparency.redaction import REASON_CATEGORIES


class RedactionRequestForm(PortalForm):
    """Which field to redact, why (a category) and a short public reason."""

    field = RadioField("Which field must be redacted?", validate_choice=False, widget=GovRadioInput())
    reason_category = RadioField("Why must it be redacted?",
                                 choices=[SelectChoice(c, c) for c in REASON_CATEGORIES],
                                 validate_choice=False, widget=GovRadioInput())
    reason = TextAreaField("Public reason",
                           description=("Published in place of the field, after the date and the category above. "
                                        "Do not name or describe anyone, and do not repeat what is redacted."),
                           filters=[strip], widget=GovCharacterCount())
    submit = SubmitField("Ask for the redaction", widget=GovSubmitInput())

    def setup(self, *, session, entry, choices: list[FieldChoice]) -> RedactionRequestForm:
        """The fields that can be redacted now, and what the rules need to check the request."""
        self.field.choices = [SelectChoice(choice.field, choice.label) for choice in choices]
        self._session, self._entry = session, entry
        return self

    def typed(self) -> RedactionInput:
        """What was typed, for the service."""
        return RedactionInput(field=self.field.data, reason_category=self.reason_category.data,
                              reason=self.reason.data)

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then the redaction rules, showing every problem beside its field."""
        valid = super().validate(extra_validators)
        _, problems = check_request(self._session, self._entry, self.typed())
        for name, message in problems.items():
            self[name].errors = [*self[name].errors, message]
        return valid and not problems


class ApproveRedactionForm(PortalForm):
    """The second commissioner's approval."""

    submit = SubmitField("Approve and redact the field", widget=GovSubmitInput())

