"""Forms for the commissioners' list of applications (filters) and for eligibility screening."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import Form, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from portal.boroughs import BOROUGHS
from portal.commissioning.submission_services import (
    LISTED_STATUSES,
    REASON_MAX_CHARACTERS,
    SEARCH_MAX_CHARACTERS,
    SubmissionFilters,
    status_label,
)
from portal.forms import PortalForm, strip
from portal.models import ApplicationStatus, OrganisationType
from portal.models.enums import ORGANISATION_TYPE_LABELS


class SubmissionFilterForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF token, bookmarkable)."""

    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")] + [SelectChoice(s.value, status_label(s)) for s in LISTED_STATUSES],
        default="", invalid_choice_message="Choose a status from the list", widget=GovSelect(),
    )
    borough = SelectField(
        "Borough",
        choices=[SelectChoice("", "Any borough")] + [SelectChoice(code, name) for code, name in
                                                     sorted(BOROUGHS.items(), key=lambda item: item[1])],
        default="", invalid_choice_message="Choose a borough from the list", widget=GovSelect(),
    )
    organisation_type = SelectField(
        "Type of organisation",
        choices=[SelectChoice("", "Any type")] + [SelectChoice(t.value, text) for t, text in
                                                  ORGANISATION_TYPE_LABELS.items()],
        default="", invalid_choice_message="Choose a type of organisation from the list", widget=GovSelect(),
    )
    small_grant = SelectField(
        "Grant size",
        choices=[SelectChoice("", "Any size"), SelectChoice("yes", "Small grants only"),
                 SelectChoice("no", "Not small grants")],
        default="", invalid_choice_message="Choose a grant size from the list", widget=GovSelect(),
    )
    search = StringField(
        "Organisation name or reference",
        filters=[strip],
        validators=[Length(max=SEARCH_MAX_CHARACTERS,
                           message=f"Search for {SEARCH_MAX_CHARACTERS} characters or fewer")],
        widget=GovTextInput(),
    )

    def filters(self) -> SubmissionFilters:
        """The filters that passed validation; a field with a problem filters nothing."""
        def ok(field) -> str | None:
            return field.data if field.data and not field.errors else None

        small = ok(self.small_grant)
        return SubmissionFilters(
            status=ApplicationStatus(ok(self.status)) if ok(self.status) else None,
            borough=ok(self.borough),
            organisation_type=OrganisationType(ok(self.organisation_type)) if ok(self.organisation_type) else None,
            small_grant=None if small is None else small == "yes",
            search=ok(self.search),
        )


class IneligibleForm(PortalForm):
    """Mark an application as ineligible, with the reason the applicant will read."""

    reason = TextAreaField(
        "Why is this application not eligible?",
        filters=[strip],
        description=("The applicant will see this and we will email it to them. Write to them in plain English: "
                     "say which rule in the prospectus the application does not meet, and why."),
        validators=[DataRequired(message="Enter the reason the application is not eligible, written to the applicant"),
                    Length(max=REASON_MAX_CHARACTERS,
                           message=f"The reason must be {REASON_MAX_CHARACTERS:,} characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Mark as ineligible", widget=GovSubmitInput())


class UndoIneligibleForm(PortalForm):
    """Put an application marked ineligible back to be screened again."""

    reason = TextAreaField(
        "Why are you undoing this?",
        filters=[strip],
        description="This is kept in the audit trail. The applicant is emailed that their application is being considered again.",
        validators=[DataRequired(message="Enter why you are undoing the decision that it is not eligible"),
                    Length(max=REASON_MAX_CHARACTERS,
                           message=f"The reason must be {REASON_MAX_CHARACTERS:,} characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Undo ineligible", widget=GovSubmitInput())


class MarkEligibleForm(PortalForm):
    """Confirm that an application is eligible (a button only)."""

    submit = SubmitField("Mark as eligible", widget=GovSubmitInput())
