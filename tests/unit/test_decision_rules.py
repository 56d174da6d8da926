"""The decision rules on their own: what a commissioner may record, correct, and when a round is ready."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.commissioning.decision_services import (
    DECLINE_CATEGORIES,
    CorrectionInput,
    DecisionInput,
    RoundDecisions,
    check_correction,
    check_decision,
    readiness_problems,
    score_words,
)
from portal.models import Outcome

ASKED = 800_000  # £8,000


def test_an_award_in_pounds_and_pence_is_stored_in_pence():
    clean, problems = check_decision(DecisionInput(outcome="award", amount="£7,500.50", reason=" Strong plan "),
                                     asked_pence=ASKED)
    assert problems == {}
    assert clean.outcome == Outcome.AWARD and clean.amount_awarded_pence == 750_050
    assert clean.reason == "Strong plan" and clean.reason_category is None


@pytest.mark.parametrize(("amount", "message"), [
    ("", "Enter the amount awarded"),
    ("0", "The amount awarded must be more than £0"),
    ("0.00", "The amount awarded must be more than £0"),
    ("-5", "Enter the amount awarded in pounds, like 8,000 or 7,500.50"),
    ("8,000.001", "Enter the amount awarded in pounds, like 8,000 or 7,500.50"),
    ("8,000.01", "The amount awarded must be no more than the £8,000 asked for"),
])
def test_an_award_amount_must_be_more_than_nothing_and_no_more_than_asked(amount, message):
    _, problems = check_decision(DecisionInput(outcome="award", amount=amount, reason="Good"), asked_pence=ASKED)
    assert problems == {"amount": message}


def test_the_full_amount_asked_may_be_awarded():
    clean, problems = check_decision(DecisionInput(outcome="award", amount="8000", reason="Good"), asked_pence=ASKED)
    assert problems == {} and clean.amount_awarded_pence == ASKED


def test_a_decline_keeps_no_amount_and_needs_a_listed_category_and_feedback():
    _, problems = check_decision(DecisionInput(outcome="decline", amount="100", reason_category="Rude"),
                                 asked_pence=ASKED)
    assert set(problems) == {"reason_category", "reason"}
    clean, problems = check_decision(DecisionInput(outcome="decline", amount="100", reason_category=DECLINE_CATEGORIES[1],
                                                   reason="Say more about the need."), asked_pence=ASKED)
    assert problems == {} and clean.amount_awarded_pence is None and clean.reason_category == DECLINE_CATEGORIES[1]


def test_a_reserve_needs_a_reason_and_keeps_no_category():
    _, problems = check_decision(DecisionInput(outcome="reserve"), asked_pence=ASKED)
    assert problems == {"reason": "Enter why this application is on the reserve list"}
    clean, _ = check_decision(DecisionInput(outcome="reserve", reason_category="Other", reason="Close call"),
                              asked_pence=ASKED)
    assert clean.reason_category is None


def test_only_allowed_outcomes_may_be_chosen():
    _, problems = check_decision(DecisionInput(outcome="reserve", reason="x"), asked_pence=ASKED,
                                 allowed=[Outcome.AWARD, Outcome.DECLINE])
    assert problems == {"outcome": "Choose award or decline"}
    _, problems = check_decision(DecisionInput(outcome="maybe"), asked_pence=ASKED)
    assert problems == {"outcome": "Choose award, decline or reserve"}


def test_a_long_reason_is_refused_with_how_much_to_remove():
    _, problems = check_decision(DecisionInput(outcome="reserve", reason="x" * 2005), asked_pence=ASKED)
    assert problems["reason"].endswith("Remove 5 characters")


def _entry(**fields):
    """A published entry's public fields."""
    values = dict(outcome=Outcome.AWARD, amount_requested_pence=ASKED, amount_awarded_pence=ASKED,
                  reason_category=None, reason="Strong plan")
    values.update(fields)
    return SimpleNamespace(**values)


def test_a_correction_keeps_the_outcome_and_needs_a_reason_and_a_change():
    entry = _entry()
    _, why, problems = check_correction(entry, CorrectionInput(amount="8,000", reason="Strong plan"))
    assert problems == {"correction_reason": "Enter the reason for the correction: it is published with the entry"}
    _, _, problems = check_correction(entry, CorrectionInput(amount="8,000", reason="Strong plan",
                                                             correction_reason="Check"))
    assert list(problems) == ["reason"] and problems["reason"].startswith("Nothing has changed")
    clean, why, problems = check_correction(entry, CorrectionInput(amount="7,000", reason="Strong plan",
                                                                   correction_reason=" Counted twice "))
    assert problems == {} and clean.amount_awarded_pence == 700_000 and why == "Counted twice"


def test_a_declined_entry_is_corrected_as_a_decline():
    entry = _entry(outcome=Outcome.DECLINE, amount_awarded_pence=None, reason_category="Other", reason="Hmm")
    clean, _, problems = check_correction(entry, CorrectionInput(reason_category="Budget not realistic", reason="Hmm",
                                                                 correction_reason="Wrong category"))
    assert problems == {} and clean.outcome == Outcome.DECLINE and clean.amount_awarded_pence is None


@pytest.mark.parametrize(("score", "words"), [(100.0, "100"), (72.5, "72.5"), (68.04, "68"), (51.96, "52")])
def test_scores_read_as_people_say_them(score, words):
    assert score_words(score) == words


def _overview(*, decided: list[bool], awarded_pence: int, budget_pence: int = 1_000_000) -> RoundDecisions:
    """A round's decisions with these rows decided or not."""
    rows = [SimpleNamespace(decision=object() if d else None, application=SimpleNamespace(reference=f"R-{n}"),
                            organisation=f"Group {n}") for n, d in enumerate(decided, start=1)]
    round_ = SimpleNamespace(budget_pence=budget_pence)
    return RoundDecisions(round=round_, ranking=None, rows=rows, awarded_pence=awarded_pence)


def test_a_round_is_ready_when_everything_is_decided_within_budget():
    assert readiness_problems(_overview(decided=[True, True], awarded_pence=1_000_000)) == []


def test_readiness_lists_every_undecided_application_and_the_overspend():
    problems = readiness_problems(_overview(decided=[True, False, False], awarded_pence=1_250_000))
    assert problems == [
        "Record a decision for R-2 (Group 2)",
        "Record a decision for R-3 (Group 3)",
        "The awards add up to £12,500, which is £2,500 more than the budget of £10,000. Reduce or remove awards first",
    ]
