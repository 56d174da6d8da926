"""Forms for running the youth panel: settings, hand changes, buttons, and a guardian's consent."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from portal.commissioning.panel_admin_services import (
    GUARDIAN_CONTACT_MAX,
    GUARDIAN_NAME_MAX,
    MAX_PANEL_SIZE,
    MIN_PANEL_SIZE,
    PanelSettings,
)
from portal.commissioning.round_forms import (
    LondonDateTimeField,
    LondonDateTimeInput,
    WholeNumberField,
    YesNoField,
)
from portal.formatting import london
from portal.forms import PortalForm, strip
from portal.models import Round, User
from portal.panel import scores_due
from portal.panel.forms import chosen_id

NOBODY = ""


class DayInput(LondonDateTimeInput):
    """Day, month and year boxes in one fieldset (the GOV.UK date input)."""

    parts = LondonDateTimeInput.parts[:3]


class ScoresDueField(LondonDateTimeField):
    """A day typed as day, month and year; kept as the end of that day in London (scores_due.due_at)."""

    widget = DayInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("description", "For example, 24 1 2027. Scores are due by the end of that day")
        super().__init__(label, what="the date scores are due", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Check each box: a real date with a four-number year, or all three left empty for no date."""
        parts = ([v.strip() for v in valuelist] + [""] * 3)[:3]
        self.data = None
        if not any(parts):
            return
        missing = [name for name, value in zip(("day", "month", "year"), parts) if not value]
        if missing:
            raise ValueError(f"The date scores are due must include a {' and a '.join(missing)}")
        day, month, year = parts
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValueError("The date scores are due must be a real date")
        if len(year) != 4:
            raise ValueError("The year scores are due must include 4 numbers, like 2027")
        try:
            self.data = scores_due.due_at(date(int(year), int(month), int(day)))
        except ValueError:
            raise ValueError("The date scores are due must be a real date") from None

    def typed_parts(self) -> list[str]:
        """Day, month and year as typed, or from the stored moment in London time."""
        if self.raw_data:
            return (list(self.raw_data) + [""] * 3)[:3]
        if self.data is None:
            return [""] * 3
        local = london(self.data)
        return [str(local.day), str(local.month), str(local.year)]


class ActionForm(PortalForm):
    """A button that changes something (start assessment, assign, remind, take off): only the CSRF token."""


class PanelSettingsForm(PortalForm):
    """How many panellists read each application, anonymised scoring, score weights and the panel lead."""

    panellists_per_application = WholeNumberField(
        "How many panellists should assess each application?", what="the number of panellists per application",
        minimum=MIN_PANEL_SIZE, maximum=MAX_PANEL_SIZE, required=True,
        description=f"A whole number from {MIN_PANEL_SIZE} to {MAX_PANEL_SIZE}. Changing it does not take anyone "
                    "off an application: assignments already made stay, and the next automatic assignment "
                    "fills any gaps",
    )
    anonymised_scoring = YesNoField(
        "Hide who applied while panellists score?",
        description="Panellists always see the group's name and borough first, to declare any conflict of "
                    "interest. If you choose yes, the scoring page then hides the group's name and other details "
                    "that say who they are, so panellists judge only what is written",
        validators=[InputRequired(message="Select yes if panellists should score without seeing who applied")],
    )
    written_weight = WholeNumberField(
        "Written score", what="the written weight", minimum=0, maximum=100, unit="%", required=True,
        description="A whole percentage",
    )
    interview_weight = WholeNumberField(
        "Interview score", what="the interview weight", minimum=0, maximum=100, unit="%", required=True,
        description="A whole percentage. The two weights must add up to 100%",
    )
    panel_lead_id = SelectField(
        "Panel lead", description="The panel lead records the agreed (moderated) scores with a reason",
        choices=[], invalid_choice_message="Choose a panel lead from the list", widget=GovSelect(),
    )
    scores_due_at = ScoresDueField(
        "Scores due by", description="Optional. Panellists see this date beside the applications they have to "
                                     "score, and in reminders. For example, 24 1 2027")
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    @classmethod
    def for_round(cls, round_: Round, leads: list[User]) -> PanelSettingsForm:
        """The form, filled in with the round's settings on first view, offering these panel leads."""
        form = cls(data={
            "panellists_per_application": round_.panellists_per_application,
            "anonymised_scoring": round_.anonymised_scoring,
            "written_weight": round_.written_weight,
            "interview_weight": round_.interview_weight,
            "panel_lead_id": str(round_.panel_lead_id) if round_.panel_lead_id else NOBODY,
            "scores_due_at": round_.scores_due_at,
        })
        form.panel_lead_id.choices = [SelectChoice(NOBODY, "Nobody yet")] + [
            SelectChoice(str(user.id), user.name) for user in leads]
        return form

    def settings(self) -> PanelSettings:
        """What the service needs."""
        lead = self.panel_lead_id.data
        return PanelSettings(
            panellists_per_application=self.panellists_per_application.data,
            anonymised_scoring=bool(self.anonymised_scoring.data),
            written_weight=self.written_weight.data,
            interview_weight=self.interview_weight.data,
            panel_lead_id=chosen_id(lead),
            scores_due_at=self.scores_due_at.data,
        )


class AddPanellistForm(PortalForm):
    """Add one panellist to an application by hand."""

    panellist_id = SelectField(
        "Panellist", choices=[], validate_choice=False, widget=GovSelect(),
        description="Only panellists who can read applications, are not already on it and have not declared a "
                    "conflict of interest with it",
    )
    submit = SubmitField("Add panellist", widget=GovSubmitInput())

    @classmethod
    def offering(cls, panellists: list[User]) -> AddPanellistForm:
        """The form offering these panellists."""
        form = cls()
        form.panellist_id.choices = [SelectChoice("", "Choose a panellist")] + [
            SelectChoice(str(user.id), user.name) for user in panellists]
        return form

    def chosen(self) -> int | None:
        """The chosen panellist's id, or None; the service checks it is one of those offered."""
        return chosen_id(self.panellist_id.data)


class GuardianConsentForm(PortalForm):
    """A parent or guardian's consent for an under-18 panellist."""

    guardian_name = StringField(
        "Parent or guardian's full name", filters=[strip],
        validators=[DataRequired(message="Enter the parent or guardian's name"),
                    Length(max=GUARDIAN_NAME_MAX, message=f"The name must be {GUARDIAN_NAME_MAX} characters or fewer")],
        widget=GovTextInput(),
    )
    guardian_contact = TextAreaField(
        "How to contact them", filters=[strip],
        description="A phone number, email address or postal address we can use if we need to talk to them",
        validators=[DataRequired(message="Enter how to contact the parent or guardian"),
                    Length(max=GUARDIAN_CONTACT_MAX,
                           message=f"How to contact them must be {GUARDIAN_CONTACT_MAX:,} characters or fewer")],
        widget=GovTextArea(),
    )
    confirmed = BooleanField(
        "I confirm the parent or guardian has given their consent for this young person to read and score "
        "applications on the youth panel",
        validators=[DataRequired(message="Confirm that the parent or guardian has given their consent")],
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Record consent", widget=GovSubmitInput())
