"""The moderation form: for each criterion of the round, an optional moderated score (1 to 5) and its reason."""

from __future__ import annotations

from collections.abc import Mapping

from flask import request
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal.commissioning.assessment_services import REASON_MAX_CHARACTERS, ModerationEntry
from portal.forms import PortalForm, strip
from portal.models import Criterion, ModeratedScore


class ModerationForm(PortalForm):
    """Moderated scores with reasons; the fields are added per criterion by ``moderation_form``."""

    criteria: list[Criterion] = []

    def validate(self, extra_validators=None) -> bool:
        """Check each field, then that every score given has a reason and every reason a score."""
        valid = super().validate(extra_validators)
        given = False
        for criterion in self.criteria:
            score, reason = self.score_field(criterion), self.reason_field(criterion)
            if score.errors or reason.errors:
                given = True
                continue
            if score.data is not None and not reason.data:
                reason.errors = [*reason.errors, f"Enter why you moderated the score for {criterion.name}"]
                valid = False
            elif reason.data and score.data is None:
                score.errors = [*score.errors, f"Choose a moderated score for {criterion.name}, or delete the reason"]
                valid = False
            given = given or score.data is not None or bool(reason.data)
        if not given and self.criteria:
            first = self.score_field(self.criteria[0])
            first.errors = [*first.errors, "Choose a moderated score for at least one criterion"]
            valid = False
        return valid

    def score_field(self, criterion: Criterion) -> RadioField:
        """The moderated score field for a criterion."""
        return self[f"score_{criterion.id}"]

    def reason_field(self, criterion: Criterion) -> TextAreaField:
        """The reason field for a criterion."""
        return self[f"reason_{criterion.id}"]

    def entries(self) -> list[ModerationEntry]:
        """What was typed, per criterion, for the service."""
        return [
            ModerationEntry(criterion_id=c.id, value=self.score_field(c).data, reason=self.reason_field(c).data)
            for c in self.criteria
        ]


# The radios' values: only these count ("٣", " 3" and "03" would pass int() but are not choices).
_SCORES = {str(n): n for n in range(1, 6)}


def _score(value: str | int | None) -> int | None:
    """A chosen score as a whole number; None when no score was chosen or it is not one of the choices."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value in _SCORES.values() else None  # the recorded score, shown again
    return _SCORES.get(value) if isinstance(value, str) else None  # None: the field says it is not a choice


def moderation_form(criteria: list[Criterion], *, current: Mapping[int, ModeratedScore]) -> ModerationForm:
    """A moderation form for these criteria, showing the moderated scores already recorded."""
    fields: dict[str, object] = {"criteria": list(criteria)}
    data: dict[str, object] = {}
    for criterion in criteria:
        fields[f"score_{criterion.id}"] = RadioField(
            f"Moderated score for {criterion.name}",
            choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
            coerce=_score,
            validators=[Optional()],
            invalid_choice_message=f"Choose a moderated score for {criterion.name} from 1 to 5",
            widget=GovRadioInput(),
        )
        fields[f"reason_{criterion.id}"] = TextAreaField(
            f"Why is this the agreed score for {criterion.name}?",
            filters=[strip],
            description="Say what the panel agreed and why. Panellists' own scores are kept as they are.",
            validators=[Length(max=REASON_MAX_CHARACTERS,
                               message=f"The reason for {criterion.name} must be {REASON_MAX_CHARACTERS:,} "
                                       "characters or fewer")],
            widget=GovTextArea(),
        )
        if criterion.id in current:
            data[f"score_{criterion.id}"] = current[criterion.id].value
            data[f"reason_{criterion.id}"] = current[criterion.id].reason
    fields["submit"] = SubmitField("Save moderated scores", widget=GovSubmitInput())
    form_class = type("RoundModerationForm", (ModerationForm,), fields)
    # A posted form shows what was typed, never the recorded scores in place of a cleared field.
    return form_class(data=data if request.method == "GET" else None)
