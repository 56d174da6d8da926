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
from portal.identifying import Kind
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
        "address": ["Unit 4, Canal Yard", "London", "SE1 7AB"]}, "declaration": {"name": "Grace Okafor"}}
    member = SimpleNamespace(user=SimpleNamespace(name="Dele Adebayo"))
    return SimpleNamespace(organisation=SimpleNamespace(**organisation, memberships=[member]),
                           submitted_snapshot=snapshot, project_title="Boxing after school",
                           created_by=member.user, declared_by_name="Grace Okafor")


IDENTIFYING = identifying_terms(_application())


def _entry(**fields):
    """A published entry's public fields."""
    values = dict(outcome=Outcome.AWARD, amount_requested_pence=ASKED, amount_awarded_pence=ASKED,
                  reason_category=None, reason="Strong plan", application=_application())
    values.update(fields)
    # A decline's or reserve's feedback is the decision's, not published: the entry shows no free text.
    values["decision"] = SimpleNamespace(reason=values["reason"])
    if values["outcome"] != Outcome.AWARD:
        values["reason"] = ""
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


def test_what_names_a_group_is_its_names_numbers_project_people_and_address_but_not_its_town():
    identifying = identifying_terms(_application())
    for text, kind in [("Southwark Boxing Club", Kind.NAME), ("SE1 Boxing", Kind.NAME), ("1099999", Kind.NUMBER),
                       ("07654321", Kind.NUMBER), ("Boxing after school", Kind.PROJECT),
                       ("Unit 4, Canal Yard", Kind.ADDRESS), ("SE1 7AB", Kind.POSTCODE),
                       ("Dele Adebayo", Kind.PERSON), ("Grace Okafor", Kind.PERSON)]:
        assert identifying.kinds(f"About {text}.") == [kind], text
    assert identifying.kinds("Groups in London and Southwark were funded.") == []


def test_the_town_sent_is_not_a_name_even_after_the_group_moves():
    moved = identifying_terms(_application(town="Croydon"))
    assert moved.kinds("Groups in London and Croydon") == [] and moved.kinds("At SE1 7AB") == [Kind.POSTCODE]


NAMED = "Do not name the group: declined and reserve decisions are published without it. Remove "


@pytest.mark.parametrize(("note", "named"), [
    ("Sorry southwark boxing club, the plan was weak.", "the group's name, or any part of it"),  # as sent
    ("SE1 Boxing did not show the need.", "the group's name, or any part of it"),  # the name it has now
    ("Charity 1 099 999 had no safeguarding policy.", "the group's charity or company number"),
    ("Company 07654321 is dormant.", "the group's charity or company number"),
    ("The Boxing After School plan was unclear.", "the project's title"),
    ("The hall at unit 4,  canal yard is too small.", "the group's address"),
    ("A venue near se17ab is better.", "the group's postcode"),
    ("Dele Adebayo did not come to the interview.", "the names of people in the group"),
])
def test_a_decline_or_reserve_public_note_that_names_the_group_is_refused(note, named):
    for outcome, category in (("decline", "Other"), ("reserve", None)):
        clean, problems = check_decision(DecisionInput(outcome=outcome, reason_category=category, reason="Feedback",
                                                       public_note=note),
                                         asked_pence=ASKED, identifying=IDENTIFYING)
        assert clean is None
        assert problems == {"public_note": NAMED + named}


def test_the_feedback_goes_to_the_group_only_so_it_may_name_them():
    clean, problems = check_decision(DecisionInput(outcome="decline", reason_category="Other",
                                                   reason="Southwark Boxing Club, say more about the need."),
                                     asked_pence=ASKED, identifying=IDENTIFYING)
    assert problems == {} and clean.public_note == ""


def test_every_kind_that_names_the_group_is_listed_in_the_order_typed():
    _, problems = check_decision(DecisionInput(outcome="reserve", reason="x", public_note="SE1 7AB: Southwark Boxing Club"),
                                 asked_pence=ASKED, identifying=IDENTIFYING)
    assert problems["public_note"].endswith("Remove the group's postcode and the group's name, or any part of it")


def test_a_public_note_is_kept_only_for_a_decline_or_reserve_and_has_a_limit():
    clean, _ = check_decision(DecisionInput(outcome="award", amount="8,000", reason="Good", public_note="Hello"),
                              asked_pence=ASKED)
    assert clean.public_note == ""
    _, problems = check_decision(DecisionInput(outcome="reserve", reason="x", public_note="x" * 1003),
                                 asked_pence=ASKED)
    assert problems["public_note"].endswith("Remove 3 characters")


def test_words_that_only_contain_a_name_or_the_town_are_not_refused():
    for note in ("Boxing clubs in Southwark were funded before.", "London has other boxing groups.",
                 "Reference 10999990 is not a charity number.", "A community interest company in Southwark"):
        clean, problems = check_decision(DecisionInput(outcome="decline", reason_category="Other", reason="x",
                                                       public_note=note),
                                         asked_pence=ASKED, identifying=IDENTIFYING)
        assert problems == {} and clean.public_note == note


def test_an_award_is_published_with_the_name_so_its_reason_may_use_it():
    clean, problems = check_decision(DecisionInput(outcome="award", amount="8,000",
                                                   reason="Southwark Boxing Club reaches girls."),
                                     asked_pence=ASKED, identifying=IDENTIFYING)
    assert problems == {} and clean.outcome == Outcome.AWARD


def test_a_correction_of_a_declined_entry_cannot_name_the_group_in_its_published_reason():
    entry = _entry(outcome=Outcome.DECLINE, amount_awarded_pence=None, reason_category="Other", reason="Hmm")
    _, _, problems = check_correction(entry, CorrectionInput(
        reason_category="Other", reason="Southwark Boxing Club's costs were unclear.",  # feedback: not published
        correction_reason="We sent SE1-Boxing the wrong feedback."))
    assert problems == {"correction_reason": NAMED + "the group's name, or any part of it"}
    # An award's correction may name the group: the award is published with its name.
    _, _, problems = check_correction(_entry(), CorrectionInput(amount="7,000", reason="Strong plan",
                                                                correction_reason="SE1 Boxing asked for less"))
    assert problems == {}
