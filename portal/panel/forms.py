"""Forms for panellists: the conflict of interest declaration, scoring each criterion, sending scores."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from portal.forms import PortalForm, strip
from portal.models import Criterion
from portal.panel.services import (
    COMMENT_MAX_CHARACTERS,
    REASON_MAX_CHARACTERS,
    SCORE_CHOICES,
    ScoreEntry,
    comment_field,
    score_field,
)

# An id picked from a list is a short run of ASCII digits: "²" and "٣" pass str.isdigit() but not this.
_ID = re.compile(r"[0-9]{1,9}")
# Stands in for anything sent that is not an id: no record has it, so services say "Choose ... from the list".
NOT_IN_THE_LIST = 0


def chosen_id(value: object) -> int | None:
    """The whole-number id picked from a select or radios; None when nothing was picked.

    A tampered form (a superscript digit, "1.0", a number too long to store) gets ``NOT_IN_THE_LIST``,
    so the service refuses it with a message beside the field instead of the page failing.
    """
    if value is None or value == "":
        return None
    text = str(value)
    return int(text) if _ID.fullmatch(text) else NOT_IN_THE_LIST


class DeclarationForm(PortalForm):
    """Does the panellist have a conflict of interest with the group that applied?"""

    has_conflict = RadioField(
        "Do you have a conflict of interest with this group?",
        choices=[SelectChoice("no", "No, I have no conflict of interest"),
                 SelectChoice("yes", "Yes, I have a conflict of interest")],
        validators=[InputRequired(message="Select yes if you have a conflict of interest")],
        widget=GovRadioInput(),
    )
    reason = TextAreaField(
        "If you have a conflict of interest, tell us why",
        filters=[strip],
        description="For example: “My cousin runs the group” or “I volunteered there last summer”.",
        validators=[Length(max=REASON_MAX_CHARACTERS,
                           message=f"Your reason must be {REASON_MAX_CHARACTERS:,} characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate_reason(self, field: TextAreaField) -> None:
        """A conflict needs a reason, so the grants team can record it."""
        if self.has_conflict.data == "yes" and not field.data:
            raise ValidationError("Tell us why you have a conflict of interest")

    def conflict(self) -> bool | None:
        """True for a conflict, False for none, None when nothing was chosen."""
        return {"yes": True, "no": False}.get(self.has_conflict.data or "")


class ScoringFormBase(PortalForm):
    """A score and a comment for each of a round's criteria (fields are added per round)."""

    fingerprint = HiddenField()
    criteria: list[Criterion] = []

    def entries(self) -> dict[int, ScoreEntry]:
        """What was typed, by criterion id."""
        return {
            c.id: ScoreEntry(value=self[score_field(c.id)].data or None, comment=self[comment_field(c.id)].data or "")
            for c in self.criteria
        }

    def score_params(self, criterion: Criterion) -> dict[str, Any]:
        """The radios' legend and each score's plain-English descriptor as its hint."""
        return {
            "fieldset": {"legend": {"text": f"Score for {criterion.name}", "classes": "govuk-fieldset__legend--s"}},
            "hint": None,
            "items": [{"hint": {"text": descriptor}} for descriptor in criterion.descriptors],
        }

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put the service's messages beside their fields."""
        for name, message in problems.items():
            self[name].errors = [*self[name].errors, message]


def scoring_form(criteria: list[Criterion], **kwargs: Any) -> ScoringFormBase:
    """A scoring form with a 1 to 5 radio group and a comment box for each criterion, in order."""
    fields: dict[str, Any] = {"criteria": list(criteria)}
    for criterion in criteria:
        # No choice check here: the service refuses a score that is not 1 to 5 with a message naming the criterion.
        fields[score_field(criterion.id)] = RadioField(
            f"Score for {criterion.name}", choices=[SelectChoice(v, v) for v in SCORE_CHOICES],
            validate_choice=False, widget=GovRadioInput(),
        )
        fields[comment_field(criterion.id)] = TextAreaField(
            f"Comment for {criterion.name}", filters=[strip],
            description="Say why you chose this score. The panel lead and the grants team will read it.",
            validators=[Length(max=COMMENT_MAX_CHARACTERS,
                               message=f"Your comment for {criterion.name} must be "
                                       f"{COMMENT_MAX_CHARACTERS:,} characters or fewer")],
            widget=GovTextArea(),
        )
    form_class = type("ScoringForm", (ScoringFormBase,), fields)
    return form_class(**kwargs)


class SendForm(PortalForm):
    """Send the scores to the panel (a button only)."""

    submit = SubmitField("Send your scores", widget=GovSubmitInput())
