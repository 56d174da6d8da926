"""Redacting a field of a published decision log entry: commissioners only (one asks, another approves)."""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY

EXPECTED = {
    "redactions.request_redaction": COMMISSIONERS_ONLY,
    "redactions.pending": COMMISSIONERS_ONLY,
    "redactions.approve": COMMISSIONERS_ONLY,
}

METHODS = {
    "redactions.request_redaction": ("GET", "POST"),
    "redactions.approve": ("GET", "POST"),
}

URL_VALUES = {
    "redaction_id": ("redaction_request", "id"),
}
