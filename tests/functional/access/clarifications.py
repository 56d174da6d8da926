"""Clarification questions: anyone asks; only commissioners see askers, answer and merge."""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY, EVERYONE

EXPECTED = {
    "clarifications.ask_question": EVERYONE,
    "clarifications.question_sent": EVERYONE,
    "clarifications.round_questions": COMMISSIONERS_ONLY,
    "clarifications.answer_question": COMMISSIONERS_ONLY,
    "clarifications.merge_question": COMMISSIONERS_ONLY,
}

METHODS = {
    "clarifications.ask_question": ("GET", "POST"),
    "clarifications.answer_question": ("GET", "POST"),
    "clarifications.merge_question": ("GET", "POST"),
}

# The open round takes questions; the question belongs to it (another round's question is a 404).
URL_VALUES = {
    "slug": ("open_round", "slug"),
    "round_id": ("open_round", "id"),
    "question_id": ("clarification_question", "id"),
}
