"""Applications as commissioners see them (lists, CSV, screening, counts over time): commissioners only."""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY

ENDPOINTS = ("round_applications", "applications_csv", "applications_over_time", "submission",
             "mark_eligible", "mark_ineligible", "undo_ineligible")
EXPECTED = {f"submissions.{name}": COMMISSIONERS_ONLY for name in ENDPOINTS}

METHODS = {
    "submissions.mark_eligible": ("POST",),
    "submissions.mark_ineligible": ("GET", "POST"),
    "submissions.undo_ineligible": ("GET", "POST"),
}

# round_id is the open round, as for round set-up; the application was sent to it (tests/fixtures/submissions.py).
URL_VALUES = {
    "round_id": ("open_round", "id"),
    "submission_id": ("screening_application", "id"),
}
