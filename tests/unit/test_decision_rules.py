"""The decision rules on their own: what a commissioner may record, correct, and when a round is ready."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.commissioning.decision_services import (
    DECLINE_CATEGORIES,
    CorrectionInput,
    DecisionInput,
    DecisionRow,
    RoundDecisions,
    check_correction,
    check_decision,
    identifying_terms,
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


def _application(**organisation_fields):
    """Southwark Boxing Club's application as sent (a charity then) and the club as it is now (renamed)."""
    organisation = dict(name="SE1 Boxing", charity_number=None, company_number="07654321",
                        address_line_1="Unit 4, Canal Yard", address_line_2=None, town="London", postcode="SE1 7AB")
    organisation.update(organisation_fields)
    snapshot = {"project_title": "Boxing after school", "organisation": {
        "name": "Southwark Boxing Club", "charity_number": "1099999", "company_number": None,
        "address": ["Unit 4, Canal Yard", "London", "SE1 7AB"]}}
    return SimpleNamespace(organisation=SimpleNamespace(**organisation), submitted_snapshot=snapshot,
                           project_title="Boxing after school")


IDENTIFYING = identifying_terms(_application())


def _entry(**fields):
    """A published entry's public fields."""
    values = dict(outcome=Outcome.AWARD, amount_requested_pence=ASKED, amount_awarded_pence=ASKED,
                  reason_category=None, reason="Strong plan", application=_application())
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


def _overview(*, decided: list[bool], awarded_pence: int, budget_pence: int = 1_000_000,
              sent: list[int] | None = None, excused: list[bool] | None = None) -> RoundDecisions:
    """A round's decisions with these rows decided or not, and scores sent by so many of 3 panellists (all 3
    unless said), with or without a reason recorded for deciding with fewer."""
    sent = sent or [3] * len(decided)
    excused = excused or [False] * len(decided)
    rows = [DecisionRow(decision=object() if d else None, application=SimpleNamespace(reference=f"R-{n}"),
                        organisation=f"Group {n}", ranked=None, latest_entry=None, sent=s, panel_size=3,
                        exception=object() if e else None)
            for n, (d, s, e) in enumerate(zip(decided, sent, excused, strict=True), start=1)]
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


def test_readiness_lists_applications_missing_scores_unless_a_reason_is_recorded():
    problems = readiness_problems(_overview(decided=[True, True, True], awarded_pence=0, sent=[3, 2, 1],
                                            excused=[False, False, True]))
    assert problems == ["R-2 (Group 2): 2 of 3 panellists have sent their scores. Wait for the scores, or record why "
                        "it can be decided without them"]


# Declined and reserve groups are never named -------------------------------------------------------


def test_what_names_a_group_is_its_names_numbers_project_and_address_but_not_its_town():
    assert IDENTIFYING == ["Southwark Boxing Club", "SE1 Boxing", "1099999", "07654321", "Boxing after school",
                           "Unit 4, Canal Yard", "SE1 7AB"]


def test_the_town_sent_is_not_a_name_even_after_the_group_moves():
    moved = identifying_terms(_application(town="Croydon"))
    assert "London" not in moved and "Croydon" not in moved and "SE1 7AB" in moved


@pytest.mark.parametrize(("reason", "named"), [
    ("Sorry southwark boxing club, the plan was weak.", "southwark boxing club"),  # as sent, any case
    ("SE1 Boxing did not show the need.", "SE1 Boxing"),  # the name it has now
    ("Charity 1 099 999 had no safeguarding policy.", "1 099 999"),  # the number, however it is spaced
    ("Company 07654321 is dormant.", "07654321"),
    ("The Boxing After School plan was unclear.", "Boxing After School"),  # the project title
    ("The hall at unit 4,  canal yard is too small.", "unit 4,  canal yard"),
    ("A venue near se17ab is better.", "se17ab"),  # the postcode without its space
])
def test_a_decline_or_reserve_reason_that_names_the_group_is_refused(reason, named):
    for outcome, category in (("decline", "Other"), ("reserve", None)):
        clean, problems = check_decision(DecisionInput(outcome=outcome, reason_category=category, reason=reason),
                                         asked_pence=ASKED, identifying=IDENTIFYING)
        assert clean is None
        assert problems == {"reason": "Do not name the group: declined and reserve decisions are published "
                                      f'without it. Remove "{named}"'}


def test_every_part_that_names_the_group_is_listed_in_the_order_typed():
    _, problems = check_decision(DecisionInput(outcome="reserve", reason="SE1 7AB: Southwark Boxing Club"),
                                 asked_pence=ASKED, identifying=IDENTIFYING)
    assert problems["reason"].endswith('Remove "SE1 7AB" and "Southwark Boxing Club"')


def test_words_that_only_contain_a_name_or_the_town_are_not_refused():
    for reason in ("Boxing clubs in Southwark were funded before.", "London has other boxing groups.",
                   "Reference 10999990 is not a charity number."):
        clean, problems = check_decision(DecisionInput(outcome="decline", reason_category="Other", reason=reason),
                                         asked_pence=ASKED, identifying=IDENTIFYING)
        assert problems == {} and clean.reason == reason


def test_an_award_is_published_with_the_name_so_its_reason_may_use_it():
    clean, problems = check_decision(DecisionInput(outcome="award", amount="8,000",
                                                   reason="Southwark Boxing Club reaches girls."),
                                     asked_pence=ASKED, identifying=IDENTIFYING)
    assert problems == {} and clean.outcome == Outcome.AWARD


def test_a_correction_of_a_declined_entry_cannot_name_the_group_in_either_reason():
    entry = _entry(outcome=Outcome.DECLINE, amount_awarded_pence=None, reason_category="Other", reason="Hmm")
    _, _, problems = check_correction(entry, CorrectionInput(
        reason_category="Other", reason="Southwark Boxing Club's costs were unclear.",
        correction_reason="We sent SE1 Boxing the wrong feedback."))
    assert problems == {
        "reason": 'Do not name the group: declined and reserve decisions are published without it. '
                  'Remove "Southwark Boxing Club"',
        "correction_reason": 'Do not name the group: declined and reserve decisions are published without it. '
                             'Remove "SE1 Boxing"',
    }
    # An award's correction may name the group: the award is published with its name.
    _, _, problems = check_correction(_entry(), CorrectionInput(amount="7,000", reason="Strong plan",
                                                                correction_reason="SE1 Boxing asked for less"))
    assert problems == {}
