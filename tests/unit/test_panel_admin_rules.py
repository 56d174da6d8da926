"""Rules behind running the youth panel: progress words, weights, panel size, who is reminded, messages."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from portal.commissioning.panel_admin_services import (
    Progress,
    allocation_message,
    check_panel_size,
    check_weights,
    outstanding_by_panellist,
    progress_of,
    shortfall_message,
)
from portal.domain import ValidationError
from portal.models import ApplicationStatus
from portal.panel.assigning import AllocationResult

WHEN = datetime(2026, 11, 25, 17, tzinfo=UTC)


@pytest.mark.parametrize(("state", "expected"), [
    ({}, Progress.NOT_OPENED),
    ({"declared_no_conflict": True}, Progress.SCORING),
    ({"declared_no_conflict": True, "sent": True}, Progress.SENT),
    ({"declared_conflict": True}, Progress.RECUSED),
    ({"recused": True}, Progress.RECUSED),
    # A conflict declared after sending (or a recusal) still means the panellist stepped back.
    ({"recused": True, "sent": True}, Progress.RECUSED),
])
def test_progress_of_an_assignment(state, expected):
    """A conflict beats everything, then sent scores, then an opened application; otherwise not opened."""
    values = {"recused": False, "declared_conflict": False, "declared_no_conflict": False, "sent": False} | state
    assert progress_of(**values) == expected


def test_progress_labels_are_the_progress_view_words():
    """The words commissioners read on the progress view."""
    assert [p.label for p in Progress] == ["Not opened yet", "Conflict declared — recused", "Scoring", "Scores sent"]


@pytest.mark.parametrize(("written", "interview"), [(70, 30), (100, 0), (0, 100), (50, 50)])
def test_weights_adding_up_to_100_are_accepted(written, interview):
    """Any split of 100 whole percentages is fine, including all on one side."""
    check_weights(written=written, interview=interview)


@pytest.mark.parametrize(("written", "interview", "field", "message"), [
    (60, 30, "written_weight", "The written and interview weights must add up to 100%. They add up to 90%"),
    (80, 30, "written_weight", "The written and interview weights must add up to 100%. They add up to 110%"),
    (-10, 110, "written_weight", "The written weight must be between 0% and 100%"),
    (0, 101, "interview_weight", "The interview weight must be between 0% and 100%"),
])
def test_weights_that_do_not_add_up_are_refused(written, interview, field, message):
    """The message gives the total, or names the weight out of range."""
    with pytest.raises(ValidationError) as refused:
        check_weights(written=written, interview=interview)
    assert (refused.value.field, refused.value.message) == (field, message)


@pytest.mark.parametrize("size", [0, 11, -1])
def test_panel_size_outside_1_to_10_is_refused(size):
    """Each application is read by 1 to 10 panellists."""
    with pytest.raises(ValidationError) as refused:
        check_panel_size(size)
    assert refused.value.field == "panellists_per_application"


@pytest.mark.parametrize("size", [1, 3, 10])
def test_panel_size_from_1_to_10_is_accepted(size):
    """The edges are allowed."""
    check_panel_size(size)


def test_only_unsent_unrecused_assignments_are_outstanding():
    """Sent, recused and withdrawn work is nobody's outstanding work; the rest is grouped by panellist."""
    def work(panellist_id, *, sent=False, recused=False, status=ApplicationStatus.UNDER_ASSESSMENT):
        return SimpleNamespace(panellist_id=panellist_id, scores_submitted_at=WHEN if sent else None,
                               recused_at=WHEN if recused else None, application=SimpleNamespace(status=status))

    waiting = [work(1), work(1), work(2, sent=True), work(3, recused=True), work(4), work(4, sent=True),
               work(5, status=ApplicationStatus.WITHDRAWN), work(6, status=ApplicationStatus.SHORTLISTED)]
    outstanding = outstanding_by_panellist(waiting)
    assert {p: len(items) for p, items in outstanding.items()} == {1: 2, 4: 1, 6: 1}
    assert outstanding_by_panellist([]) == {}


def test_shortfall_message_names_each_short_application_and_why():
    """References with how many more each needs, and the reason: too few panellists without a conflict."""
    assert shortfall_message({}) is None
    message = shortfall_message({"YLF-2026-0001": 1, "YLF-2026-0002": 2})
    assert message.startswith("YLF-2026-0001 needs 1 more; YLF-2026-0002 needs 2 more.")
    assert "too few panellists without a conflict of interest" in message


def test_allocation_message_counts_and_shortfalls():
    """The confirmation says how many were added, then any applications still short."""
    assert allocation_message(AllocationResult(added=1, shortfalls={})) == (
        "Added 1 assignment. We have emailed the panellists who have new work")
    assert allocation_message(AllocationResult(added=0, shortfalls={})) == (
        "Nothing to add: every application already has its panellists")
    assert allocation_message(AllocationResult(added=0, shortfalls={"YLF-2026-0003": 1})).startswith(
        "No assignments added. Still short of panellists: YLF-2026-0003 needs 1 more")
    message = allocation_message(AllocationResult(added=4, shortfalls={"YLF-2026-0003": 2}))
    assert message.startswith("Added 4 assignments.") and "Still short of panellists: YLF-2026-0003 needs 2 more" in message
