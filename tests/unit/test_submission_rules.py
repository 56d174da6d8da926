"""Rules behind screening and the commissioners' exports: transitions, reasons, CSV cells, London days."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from portal.application_lifecycle import transition_application
from portal.commissioning.submission_services import (
    SubmissionFilters,
    clean_reason,
    london_days,
    pounds,
    safe_cell,
)
from portal.domain import StateTransitionError, ValidationError
from portal.models import ApplicationStatus, OrganisationType

S = ApplicationStatus
# The screening moves, plus the one way into "submitted" from outside screening: sending a draft.
ALLOWED = {(S.SUBMITTED, S.INELIGIBLE), (S.SUBMITTED, S.UNDER_ASSESSMENT), (S.INELIGIBLE, S.SUBMITTED),
           (S.DRAFT, S.SUBMITTED)}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", [S.INELIGIBLE, S.UNDER_ASSESSMENT, S.SUBMITTED])
def test_screening_allows_only_its_three_moves(current, target):
    """submitted -> ineligible | under assessment; ineligible -> submitted (undo); draft -> submitted; nothing else."""
    application = SimpleNamespace(status=current)
    if (current, target) in ALLOWED:
        transition_application(application, to=target)
        assert application.status == target
    else:
        with pytest.raises(StateTransitionError) as refused:
            transition_application(application, to=target)
        assert application.status == current
        assert refused.value.message.endswith(("forward", "screening", "ineligible"))


def test_a_draft_cannot_be_screened_and_says_why():
    """The message names the status in words."""
    with pytest.raises(StateTransitionError, match="This application is draft, so it cannot be screened now"):
        transition_application(SimpleNamespace(status=S.DRAFT), to=S.INELIGIBLE)


def test_a_reason_is_trimmed_required_and_limited():
    """Spaces go; blank and over-long reasons are refused beside the reason field."""
    assert clean_reason("  Outside London \n", missing="Enter it") == "Outside London"
    with pytest.raises(ValidationError) as blank:
        clean_reason(" \n ", missing="Enter it")
    assert blank.value.message == "Enter it" and blank.value.field == "reason"
    with pytest.raises(ValidationError, match="Remove 5 characters"):
        clean_reason("x" * 2005, missing="Enter it")


@pytest.mark.parametrize(("value", "expected"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("Hackney", "Hackney"), ("", ""), (None, ""), ("a=b", "a=b"),
])
def test_csv_cells_never_start_a_formula(value, expected):
    """OWASP CSV injection: a quote in front makes the cell text."""
    assert safe_cell(value) == expected


@pytest.mark.parametrize(("pence", "expected"), [(500_000, "5000"), (800_050, "8000.50"), (5, "0.05"), (None, "")])
def test_amounts_are_plain_pounds_for_spreadsheets(pence, expected):
    """No £ sign and no commas, so a spreadsheet can add them up."""
    assert pounds(pence) == expected


def test_utc_hours_become_london_days():
    """In British Summer Time 11pm UTC is midnight in London; in winter it is the same day."""
    days = london_days([("2025-06-01 22", 2), ("2025-06-01 23", 3), ("2025-12-01 23", 1), (None, 9)])
    assert days == {date(2025, 6, 1): 2, date(2025, 6, 2): 3, date(2025, 12, 1): 1}


def test_filters_become_query_arguments():
    """Only the filters in use, as the list's and the CSV's links carry them."""
    filters = SubmissionFilters(status=S.INELIGIBLE, organisation_type=OrganisationType.CIC, small_grant=False,
                                search="boxing")
    assert filters.query_args() == {"status": "ineligible", "organisation_type": "cic", "small_grant": "no",
                                    "search": "boxing"}
    assert SubmissionFilters().query_args() == {}
