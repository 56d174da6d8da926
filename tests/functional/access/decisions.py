"""Recording and publishing decisions: commissioners only.

Round-level pages take ``round_id`` (the open round in the matrix): they explain when decisions are made, and
their actions are refused with a message. ``decision_application_id`` is the panel's application in
assessment; ``log_entry_id`` is a published award in a round whose decisions are published.
"""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY

EXPECTED = {
    "decisions.round_decisions": COMMISSIONERS_ONLY,
    "decisions.accept_recommendation": COMMISSIONERS_ONLY,
    "decisions.decide": COMMISSIONERS_ONLY,
    "decisions.record_exception": COMMISSIONERS_ONLY,
    "decisions.mark_decided": COMMISSIONERS_ONLY,
    "decisions.publish": COMMISSIONERS_ONLY,
    "decisions.publish_one": COMMISSIONERS_ONLY,
    "decisions.correct": COMMISSIONERS_ONLY,
    "decisions.public_note": COMMISSIONERS_ONLY,
}

METHODS = {
    "decisions.accept_recommendation": ("POST",),
    "decisions.decide": ("GET", "POST"),
    "decisions.record_exception": ("GET", "POST"),
    "decisions.mark_decided": ("POST",),
    "decisions.publish": ("GET", "POST"),
    "decisions.publish_one": ("POST",),
    "decisions.correct": ("GET", "POST"),
    "decisions.public_note": ("GET", "POST"),
}

URL_VALUES = {
    "decision_application_id": ("panel_application", "id"),
    "log_entry_id": ("decision_log_entry", "id"),
}
