"""Scoring maths: weighted scores, means, moderation flags, interview weights and the ranked list with its funding line."""

import math

import pytest

from portal.panel.scoring import (
    Candidate,
    combined_score,
    interview_score,
    mean_scores,
    moderation_flags,
    rank,
    weighted_score,
)

WEIGHTS = {1: 40, 2: 30, 3: 20, 4: 10}


def candidate(application_id, score, amount_pounds, *, small=False, reference=None):
    """A candidate with a readable reference and an amount in pounds."""
    return Candidate(application_id=application_id, reference=reference or f"YLF-2026-{application_id:04d}",
                     score=score, amount_pence=amount_pounds * 100, small_organisation=small)


def ids(candidates):
    """Application ids in order."""
    return [c.application_id for c in candidates]


# Weighted scores


def test_all_fives_is_100_and_all_ones_is_20():
    """The scale runs from 20 (every criterion 1) to 100 (every criterion 5)."""
    assert weighted_score(dict.fromkeys(WEIGHTS, 5), WEIGHTS) == 100.0, "Every 5 must give 100: sum(weight * 5 / 5)"
    assert weighted_score(dict.fromkeys(WEIGHTS, 1), WEIGHTS) == 20.0, "Every 1 must give 20: sum(weight * 1 / 5)"


def test_weighted_score_is_the_sum_of_weight_times_score_over_five():
    """40×4/5 + 30×3/5 + 20×5/5 + 10×2/5 = 32 + 18 + 20 + 4 = 74."""
    assert weighted_score({1: 4, 2: 3, 3: 5, 4: 2}, WEIGHTS) == 74.0, "Use sum(weight * score / 5)"


def test_weighted_score_rounds_half_up_to_one_decimal():
    """Fractional (mean) scores are rounded half up, not to the nearest even digit."""
    assert weighted_score(dict.fromkeys(WEIGHTS, 3.3333333), WEIGHTS) == 66.7, "66.666… rounds to 66.7"
    # 1×3.25/5 + 99×3/5 = 0.65 + 59.4 = 60.05, which half-up rounding makes 60.1.
    assert weighted_score({1: 3.25, 2: 3}, {1: 1, 2: 99}) == 60.1, (
        "Round with Decimal and ROUND_HALF_UP: float round() gives 60.0 here"
    )


def test_a_missing_criterion_is_refused():
    """Every criterion in the round must be scored."""
    with pytest.raises(ValueError, match="criteria 3 and 4 have no score"):
        weighted_score({1: 3, 2: 3}, WEIGHTS)


def test_a_criterion_from_another_round_is_refused():
    """A score for a criterion the round does not have is a mistake."""
    with pytest.raises(ValueError, match="Criteria 9 are not criteria of this round"):
        weighted_score({1: 3, 2: 3, 3: 3, 4: 3, 9: 3}, WEIGHTS)


@pytest.mark.parametrize("bad", [0, 6, 0.99, 5.01, -1, math.nan, True, "3", None])
def test_scores_outside_one_to_five_are_refused(bad):
    """Only numbers from 1 to 5 are scores."""
    with pytest.raises(ValueError, match="must be from 1 to 5"):
        weighted_score({1: bad, 2: 3, 3: 3, 4: 3}, WEIGHTS)


@pytest.mark.parametrize("weights, message", [
    ({1: 50, 2: 40}, "add up to 100, not 90"),
    ({1: 60, 2: 50}, "add up to 100, not 110"),
    ({1: 110, 2: -10}, "weight of 0 or more"),
    ({1: 50.0, 2: 50}, "whole-number weight"),
    ({}, "no criteria"),
])
def test_weights_must_be_whole_and_add_up_to_100(weights, message):
    """A round's weights are whole percentages summing to 100."""
    with pytest.raises(ValueError, match=message):
        weighted_score(dict.fromkeys(weights, 3), weights)


# Means and moderation


def test_mean_per_criterion_across_panellists():
    """Each criterion's mean is over the panellists who scored it, unrounded."""
    means = mean_scores([{1: 3, 2: 4}, {1: 4, 2: 4}, {1: 4, 2: 5}])
    assert means[1] == pytest.approx(11 / 3), "Mean of 3, 4 and 4 is 3.67 (not rounded: templates format it)"
    assert means[2] == pytest.approx(13 / 3), "Mean of 4, 4 and 5"
    assert list(means) == [1, 2], "Means come back in criterion id order"


def test_means_of_nobody_are_empty():
    """No panellists, no means."""
    assert mean_scores([]) == {}, "An application nobody has scored has no means"


def test_means_refuse_out_of_range_scores():
    """A 7 is not a score, in moderation as anywhere."""
    with pytest.raises(ValueError, match="criterion 2 must be from 1 to 5"):
        mean_scores([{1: 3, 2: 7}])


def test_a_difference_of_two_is_flagged_and_one_is_not():
    """Criterion 1 has 2 and 4 (flagged); criterion 2 has 3 and 4 (not); criterion 3 has 1 and 5 (flagged)."""
    flags = moderation_flags([{1: 2, 2: 3, 3: 1}, {1: 3, 2: 4, 3: 3}, {1: 4, 2: 3, 3: 5}])
    assert flags == {1, 3}, "Flag a criterion when any two panellists differ by 2 or more, and not by 1"


def test_agreeing_panel_has_no_flags():
    """A single panellist, or a panel that agrees, needs no moderation."""
    assert moderation_flags([{1: 5, 2: 1}]) == set(), "One panellist cannot disagree with themself"
    assert moderation_flags([{1: 4, 2: 2}, {1: 5, 2: 2}]) == set(), "A difference of 1 is not flagged"
    assert moderation_flags([]) == set(), "No scores, no flags"


# Interviews and combining


def test_interview_answers_become_a_score_out_of_100():
    """Mean answer × 20: answers 4, 5, 3 and 4 give 80."""
    assert interview_score([4, 5, 3, 4]) == 80.0, "Scale the mean 1–5 answer to 100 by multiplying by 20"
    assert interview_score([5, 4, 4]) == 86.7, "86.666… rounds to 86.7"


def test_interview_answers_are_checked():
    """No answers, or an answer outside 1 to 5, is refused."""
    with pytest.raises(ValueError, match="at least one scored answer"):
        interview_score([])
    with pytest.raises(ValueError, match="Answer 2 must be scored from 1 to 5"):
        interview_score([3, 0])


def test_written_and_interview_scores_combine_by_the_rounds_weights():
    """60% written, 40% interview: 70 and 90 give 78."""
    assert combined_score(70.0, 90.0, written_weight=60, interview_weight=40) == 78.0, (
        "Combine as (written × written_weight + interview × interview_weight) / 100"
    )
    assert combined_score(66.7, 80.0, written_weight=50, interview_weight=50) == 73.4, "73.35 rounds half up to 73.4"
    assert combined_score(70.0, 90.0, written_weight=100, interview_weight=0) == 70.0, "Interview weight 0 ignores it"


def test_without_an_interview_the_written_score_stands():
    """An application not interviewed keeps its written score whatever the weights."""
    assert combined_score(74.0, None, written_weight=60, interview_weight=40) == 74.0, (
        "When interview is None, return the written score rather than weighting it down"
    )


@pytest.mark.parametrize("written_weight, interview_weight, message", [
    (60, 30, "add up to 100, not 90"),
    (70, 40, "add up to 100, not 110"),
    (110, -10, "interview weight must be a whole number"),
    (50.5, 49.5, "written weight must be a whole number"),
])
def test_combining_weights_are_checked(written_weight, interview_weight, message):
    """Written and interview weights are whole percentages summing to 100."""
    with pytest.raises(ValueError, match=message):
        combined_score(70.0, 80.0, written_weight=written_weight, interview_weight=interview_weight)


def test_combining_refuses_scores_outside_0_to_100():
    """A written or interview score must already be out of 100."""
    with pytest.raises(ValueError, match="written must be from 0 to 100"):
        combined_score(101.0, 50.0, written_weight=50, interview_weight=50)
    with pytest.raises(ValueError, match="interview must be from 0 to 100"):
        combined_score(50.0, 4.0 * -1, written_weight=50, interview_weight=50)


# Ranking and the funding line


def test_highest_score_comes_first():
    """Candidates are ordered by score, best first."""
    ranking = rank([candidate(1, 61.0, 5_000), candidate(2, 88.5, 5_000), candidate(3, 74.0, 5_000)],
                   budget_pence=100_000_00)
    assert ids(ranking.ordered) == [2, 3, 1], "Sort by score, highest first"
    assert ranking.ties == [], "No two scores are equal, so there are no ties"


def test_equal_scores_are_ordered_by_reference_and_flagged():
    """Ties keep a stable order (by reference) but are reported so commissioners can see them."""
    ranking = rank([
        candidate(1, 70.0, 1_000, reference="YLF-2026-0009"),
        candidate(2, 80.0, 1_000, reference="YLF-2026-0005"),
        candidate(3, 70.0, 1_000, reference="YLF-2026-0001"),
        candidate(4, 70.0, 1_000, reference="YLF-2026-0004"),
        candidate(5, 80.0, 1_000, reference="YLF-2026-0002"),
        candidate(6, 60.0, 1_000, reference="YLF-2026-0003"),
    ], budget_pence=1_000_000_00)
    assert ids(ranking.ordered) == [5, 2, 3, 4, 1, 6], "Within equal scores, order by reference for a stable list"
    assert ranking.ties == [[5, 2], [3, 4, 1]], "Report each group of equal scores, best group first, in rank order"
    assert ranking.is_tied(4) and not ranking.is_tied(6), "is_tied must say whether an application shares its score"


def test_ranking_ignores_input_order():
    """The same candidates in any order give the same ranking."""
    candidates = [candidate(i, score, 2_000) for i, score in enumerate([70.0, 70.0, 55.5, 90.0, 70.0], start=1)]
    first = rank(candidates, budget_pence=6_000_00)
    assert rank(candidates[::-1], budget_pence=6_000_00) == first, "Break every tie by reference then id"


def test_a_budget_that_fits_exactly_funds_the_last_one():
    """£10,000 + £15,000 + £5,000 = £30,000 exactly: all three are above the line."""
    ranking = rank([candidate(1, 90.0, 10_000), candidate(2, 80.0, 15_000), candidate(3, 70.0, 5_000),
                    candidate(4, 60.0, 1_000)], budget_pence=30_000_00)
    assert ids(ranking.above_line) == [1, 2, 3], "A candidate that fits the budget exactly is above the line"
    assert ids(ranking.below_line) == [4], "Once the budget is spent, the rest are below the line"
    assert ranking.funding_line == 3, "funding_line counts the candidates above the line"
    assert ranking.funded_total_pence == 30_000_00 and ranking.remaining_pence == 0, "The whole budget is used"


def test_one_penny_over_puts_the_candidate_below_the_line():
    """With £29,999.99 the third candidate no longer fits."""
    ranking = rank([candidate(1, 90.0, 10_000), candidate(2, 80.0, 15_000), candidate(3, 70.0, 5_000)],
                   budget_pence=30_000_00 - 1)
    assert ids(ranking.above_line) == [1, 2], "A candidate whose amount takes the total over budget is below the line"
    assert ranking.funded_total_pence == 25_000_00, "Only those above the line count towards the total"
    assert ranking.remaining_pence == 4_999_99, "What is left is the budget minus the funded total"


def test_everyone_after_the_first_that_does_not_fit_is_below_the_line():
    """A cheaper candidate lower down is not slipped in: the line follows rank order."""
    ranking = rank([candidate(1, 90.0, 20_000), candidate(2, 80.0, 15_000), candidate(3, 70.0, 2_000)],
                   budget_pence=25_000_00)
    assert ids(ranking.above_line) == [1], "Stop at the first candidate that does not fit"
    assert ids(ranking.below_line) == [2, 3], (
        "Candidate 3 would fit the £5,000 left but is below the line: skipping is commissioners' decision"
    )


def test_a_tie_across_the_funding_line_is_flagged():
    """Equal scores split by the line are shown so commissioners decide between them."""
    ranking = rank([candidate(1, 80.0, 10_000), candidate(2, 70.0, 10_000), candidate(3, 70.0, 10_000)],
                   budget_pence=20_000_00)
    assert ids(ranking.above_line) == [1, 2], "Two fit the budget"
    assert ranking.tie_at_funding_line, "Candidates 2 and 3 are tied on both sides of the line: flag it"
    clear = rank([candidate(1, 80.0, 10_000), candidate(2, 70.0, 10_000), candidate(3, 70.0, 10_000)],
                 budget_pence=30_000_00)
    assert not clear.tie_at_funding_line, "A tie wholly above the line needs no decision"


def test_nothing_funded_when_the_budget_is_too_small():
    """If the top candidate does not fit, nobody is above the line and the share is 0."""
    ranking = rank([candidate(1, 90.0, 10_000, small=True)], budget_pence=5_000_00)
    assert ranking.above_line == [] and ranking.funded_total_pence == 0, "Nothing fits, so nothing is funded"
    assert ranking.small_organisation_share == 0.0, "With nothing funded the share must be 0, not a division by zero"


def test_no_candidates_at_all():
    """An empty round ranks to an empty list."""
    ranking = rank([], budget_pence=10_000_00)
    assert ranking.ordered == [] and ranking.ties == [] and ranking.funding_line == 0, "Empty in, empty out"
    assert ranking.small_organisation_share == 0.0, "No money funded means a share of 0"


def test_small_organisation_share_is_of_the_money_above_the_line():
    """£10,000 of £40,000 funded goes to small groups; the small group below the line does not count."""
    ranking = rank([
        candidate(1, 90.0, 30_000),
        candidate(2, 80.0, 10_000, small=True),
        candidate(3, 70.0, 20_000, small=True),
    ], budget_pence=45_000_00)
    assert ids(ranking.above_line) == [1, 2], "Only the first two fit"
    assert ranking.small_organisation_share == pytest.approx(0.25), (
        "Share = small organisations' funded pence / all funded pence, counting only those above the line"
    )


def test_all_small_organisations_is_a_share_of_one():
    """When every funded group is small, the share is 1."""
    ranking = rank([candidate(1, 90.0, 3_000, small=True), candidate(2, 80.0, 2_000, small=True)],
                   budget_pence=5_000_00)
    assert ranking.small_organisation_share == 1.0, "All funded money goes to small organisations"


def test_ranking_inputs_are_checked():
    """Negative budgets, duplicate applications, empty requests and impossible scores are refused."""
    with pytest.raises(ValueError, match="budget cannot be negative"):
        rank([], budget_pence=-1)
    with pytest.raises(ValueError, match="Application 1 is in the list twice"):
        rank([candidate(1, 50.0, 1_000), candidate(1, 60.0, 1_000)], budget_pence=0)
    with pytest.raises(ValueError, match="must ask for more than £0"):
        rank([candidate(1, 50.0, 0)], budget_pence=0)
    with pytest.raises(ValueError, match="score must be from 0 to 100"):
        rank([candidate(1, 101.0, 1_000)], budget_pence=0)
