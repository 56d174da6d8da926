"""Round set-up: every page and action is for commissioners only.

Item routes (criteria, application questions, FAQs) are not nested under the round, so their
values need no matching round_id. ``application_question_id`` is named apart from clarification
questions on purpose.
"""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY

ENDPOINTS = (
    "funds", "create_fund", "edit_fund",
    "create_round", "round_overview", "edit_round", "publish_round", "preview_round",
    "criteria", "add_criterion", "edit_criterion", "remove_criterion", "move_criterion",
    "questions", "add_question", "edit_question", "remove_question", "move_question",
    "faqs", "add_faq", "edit_faq", "remove_faq", "move_faq",
)
EXPECTED = {f"round_setup.{name}": COMMISSIONERS_ONLY for name in ENDPOINTS}

FORMS = ("create_fund", "edit_fund", "create_round", "edit_round", "add_criterion", "edit_criterion",
         "remove_criterion", "add_question", "edit_question", "remove_question", "add_faq", "edit_faq", "remove_faq")
ACTIONS = ("publish_round", "move_criterion", "move_question", "move_faq")
METHODS = {
    **{f"round_setup.{name}": ("GET", "POST") for name in FORMS},
    **{f"round_setup.{name}": ("POST",) for name in ACTIONS},
}

URL_VALUES = {
    "round_id": ("open_round", "id"),
    "fund_id": ("open_round", "fund_id"),
    "criterion_id": ("open_round_criterion", "id"),
    "application_question_id": ("open_round_question", "id"),
    "faq_id": ("open_round_faq", "id"),
}
