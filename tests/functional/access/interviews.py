"""Interviews: commissioners manage the bank, questions, shortlist and slots; panellists score their interviews."""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY, PANELLIST

COMMISSIONER_ENDPOINTS = ("question_bank", "add_bank_question", "retire_bank_question", "round_interviews",
                          "add_round_question", "remove_round_question", "shortlist", "schedule")
EXPECTED = {f"interviews.{name}": COMMISSIONERS_ONLY for name in COMMISSIONER_ENDPOINTS}
EXPECTED.update({
    "interviews.my_interviews": frozenset({PANELLIST}),
    "interviews.score_interview": frozenset({PANELLIST}),
})

METHODS = {
    "interviews.add_bank_question": ("GET", "POST"),
    "interviews.retire_bank_question": ("POST",),
    "interviews.add_round_question": ("POST",),
    "interviews.remove_round_question": ("POST",),
    "interviews.shortlist": ("GET", "POST"),
    "interviews.schedule": ("GET", "POST"),
    "interviews.score_interview": ("GET", "POST"),
}

# round_id is the open round (tests/functional/access/submissions.py): the question is chosen for it.
# The application to shortlist is under assessment; the panellist's interview is shortlisted with a slot.
URL_VALUES = {
    "interview_question_id": ("interview_matrix_question", "id"),
    "shortlist_application_id": ("panel_application", "id"),
    "interview_assignment_id": ("interview_assignment", "id"),
}
