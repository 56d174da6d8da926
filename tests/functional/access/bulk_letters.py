"""Issuing a round's letters in bulk and following the batch: commissioners only."""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY

EXPECTED = {f"bulk_letters.{name}": COMMISSIONERS_ONLY for name in ("start", "batch", "batch_status", "resume")}

METHODS = {
    "bulk_letters.start": ("POST",),
    "bulk_letters.resume": ("POST",),
}

# round_id is the open round: starting a batch there is refused on the page (decisions not published), a 200.
URL_VALUES = {
    "round_id": ("open_round", "id"),
    "batch_id": ("bulk_batch", "id"),
}
