"""Outcome letters: commissioners prepare and issue them; the organisation's members and commissioners read them.

``letter_application_id`` is the published award to the applicant's organisation; ``letter_id`` is its issued
letter. ``round_id`` is the open round: the round's letters page explains that letters come after decisions.
Panellists and other organisations are refused by the service (403), which the matrix checks too.
"""

from __future__ import annotations

from tests.functional.access import APPLICANT, COMMISSIONER, COMMISSIONERS_ONLY

MEMBERS_AND_COMMISSIONERS = frozenset({APPLICANT, COMMISSIONER})

EXPECTED = {
    "letters.letter": COMMISSIONERS_ONLY,
    "letters.preview_html": COMMISSIONERS_ONLY,
    "letters.preview_pdf": COMMISSIONERS_ONLY,
    "letters.edit_feedback": COMMISSIONERS_ONLY,
    "letters.issue": COMMISSIONERS_ONLY,
    "letters.round_letters": COMMISSIONERS_ONLY,
    "letters.application_letters": MEMBERS_AND_COMMISSIONERS,
    "letters.download": MEMBERS_AND_COMMISSIONERS,
}

METHODS = {
    "letters.edit_feedback": ("GET", "POST"),
    "letters.issue": ("POST",),
}

URL_VALUES = {
    "letter_application_id": ("letter_application", "id"),
    "letter_id": ("letter_issued", "id"),
}
