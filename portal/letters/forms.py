"""Forms for outcome letters: the feedback per criterion, and the issue button."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length

from portal.forms import PortalForm, strip
from portal.letters.services import FEEDBACK_MAX_CHARACTERS, CriterionDraft

_TOO_LONG = f"Feedback must be {FEEDBACK_MAX_CHARACTERS:,} characters or fewer"


class IssueForm(PortalForm):
    """The "Issue this letter" button (a form for its CSRF token)."""

    submit = SubmitField("Issue this letter", widget=GovSubmitInput())


class FeedbackForm(PortalForm):
    """General feedback and one text per criterion; the criterion fields are added by ``feedback_form``."""

    general_feedback = TextAreaField(
        "General feedback (optional)",
        description="A paragraph shown before the feedback on each criterion. Do not name panellists.",
        filters=[strip], validators=[Length(max=FEEDBACK_MAX_CHARACTERS, message=_TOO_LONG)], widget=GovTextArea())
    version = HiddenField()
    submit = SubmitField("Save feedback", widget=GovSubmitInput())

    criteria: list[CriterionDraft] = []

    def criterion_field(self, criterion: CriterionDraft) -> TextAreaField:
        """The feedback field for a criterion."""
        return self[f"feedback_{criterion.criterion_id}"]

    def feedback(self) -> dict[int, str]:
        """What was typed, by criterion id."""
        return {c.criterion_id: self.criterion_field(c).data or "" for c in self.criteria}

    def started_from(self) -> int | None:
        """The draft version the page was opened at (None when there was no draft)."""
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() else None


def feedback_form(criteria: list[CriterionDraft], *, version: int | None, general_feedback: str,
                  fill: bool) -> FeedbackForm:
    """The feedback form for these criteria; ``fill`` puts in the draft (or the panel's comments) when first opened."""
    fields: dict[str, object] = {"criteria": list(criteria)}
    for criterion in criteria:
        fields[f"feedback_{criterion.criterion_id}"] = TextAreaField(
            f"Feedback on {criterion.name}",
            description="Edited from the panel's comments. Panellists are never named in the letter.",
            filters=[strip], validators=[Length(max=FEEDBACK_MAX_CHARACTERS, message=_TOO_LONG)],
            widget=GovTextArea())
    form_class = type("CriteriaFeedbackForm", (FeedbackForm,), fields)
    data = None
    if fill:
        data = {f"feedback_{c.criterion_id}": c.text for c in criteria}
        data.update(general_feedback=general_feedback, version="" if version is None else str(version))
    return form_class(data=data)
