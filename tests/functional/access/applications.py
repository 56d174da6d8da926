"""The applicant's journey: only members of the applying organisation (other groups get 403)."""

from tests.functional.access import APPLICANT, OTHER_APPLICANT

MEMBERS = frozenset({APPLICANT})

EXPECTED = {
    # Any community group may start its own application to an open round.
    "applications.start_application": frozenset({APPLICANT, OTHER_APPLICANT}),
    "applications.application": MEMBERS,
    "applications.organisation_section": MEMBERS,
    "applications.project_section": MEMBERS,
    "applications.budget_section": MEMBERS,
    "applications.partners_section": MEMBERS,
    "applications.declarations_section": MEMBERS,
    "applications.check_answers": MEMBERS,
    "applications.sent": MEMBERS,
    "applications.withdraw": MEMBERS,
}

METHODS = {
    "applications.start_application": ("GET", "POST"),
    "applications.organisation_section": ("GET", "POST"),
    "applications.project_section": ("GET", "POST"),
    "applications.budget_section": ("GET", "POST"),
    "applications.partners_section": ("GET", "POST"),
    "applications.declarations_section": ("GET", "POST"),
    "applications.check_answers": ("GET", "POST"),
    "applications.withdraw": ("GET", "POST"),
}

URL_VALUES = {"application_id": ("draft_application", "id")}
