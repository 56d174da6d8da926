"""Scoring maths for the youth panel: weighted scores, moderation flags, interviews and the ranked list.

Pure functions with no database, so the panel and commissioning services share one set of rules.
Panellists score each criterion from 1 to 5; a round's criteria carry whole-number weights that add up
to 100 (see ``Criterion.weight``), so a weighted score is out of 100: every 5 gives 100, every 1 gives 20.
Scores shown to people are rounded half up to one decimal place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean

MIN_SCORE = 1
MAX_SCORE = 5
# Scores for one criterion this far apart or more are flagged for the panel lead to moderate (issue 5).
MODERATION_GAP = 2

CriterionId = int


def weighted_score(scores: Mapping[CriterionId, float], weights: Mapping[CriterionId, int]) -> float:
    """Turn 1–5 scores into a score out of 100: the sum of weight × score ÷ 5, to one decimal place.

    Every criterion in ``weights`` must be scored, nothing else may be, and the weights must add up to 100.
    Scores may be fractions (a mean, or a moderated score) but must be from 1 to 5.
    """
    _check_weights(weights)
    missing = sorted(set(weights) - set(scores))
    if missing:
        raise ValueError(f"Score every criterion: criteria {_ids(missing)} have no score.")
    unknown = sorted(set(scores) - set(weights))
    if unknown:
        raise ValueError(f"Criteria {_ids(unknown)} are not criteria of this round.")
    for criterion_id, score in scores.items():
        _check_score(criterion_id, score)
    total = sum((weights[c] * Decimal(str(scores[c])) for c in weights), Decimal(0)) / MAX_SCORE
    return _one_decimal(total)


def weights_add_up(weights: Mapping[CriterionId, int]) -> bool:
    """Whether these criteria weights can make a score out of 100: whole, 0 or more, and adding up to 100."""
    try:
        _check_weights(weights)
    except ValueError:
        return False
    return True


def mean_scores(per_panellist: list[Mapping[CriterionId, int]]) -> dict[CriterionId, float]:
    """The mean score for each criterion across panellists, not rounded, by criterion id.

    A criterion's mean is taken over the panellists who scored it; with no panellists the result is empty.
    """
    by_criterion = _by_criterion(per_panellist)
    return {criterion_id: fmean(scores) for criterion_id, scores in by_criterion.items()}


def moderation_flags(per_panellist: list[Mapping[CriterionId, int]]) -> set[CriterionId]:
    """The criteria where any two panellists' scores differ by 2 or more, for the panel lead to moderate."""
    return {
        criterion_id
        for criterion_id, scores in _by_criterion(per_panellist).items()
        if max(scores) - min(scores) >= MODERATION_GAP
    }


def interview_score(answer_scores: Iterable[float]) -> float:
    """Turn interview answers scored 1–5 (every panellist, every question) into a score out of 100.

    Each answer counts the same, so the score is the mean answer × 20, to one decimal place.
    """
    answers = list(answer_scores)
    if not answers:
        raise ValueError("An interview score needs at least one scored answer.")
    for position, score in enumerate(answers, start=1):
        if not _is_number(score) or not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError(f"Answer {position} must be scored from 1 to 5, not {score!r}.")
    total = sum((Decimal(str(score)) for score in answers), Decimal(0)) * 100 / (MAX_SCORE * len(answers))
    return _one_decimal(total)


def combined_score(written: float, interview: float | None, *, written_weight: int, interview_weight: int) -> float:
    """Combine written and interview scores (both out of 100) with the round's weights, to one decimal place.

    The weights are whole percentages adding up to 100. An application that was not interviewed
    (``interview`` is None) keeps its written score: it is not marked down for an interview it was never offered.
    """
    for name, weight in (("written", written_weight), ("interview", interview_weight)):
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise ValueError(f"The {name} weight must be a whole number from 0 to 100, not {weight!r}.")
    if written_weight + interview_weight != 100:
        raise ValueError(
            f"The written and interview weights must add up to 100, not {written_weight + interview_weight}."
        )
    _check_out_of_100("written", written)
    if interview is None:
        return _one_decimal(Decimal(str(written)))
    _check_out_of_100("interview", interview)
    total = (Decimal(str(written)) * written_weight + Decimal(str(interview)) * interview_weight) / 100
    return _one_decimal(total)


@dataclass(frozen=True)
class Candidate:
    """An application in the running: its score out of 100 and what it asks for."""

    application_id: int
    reference: str
    score: float
    amount_pence: int
    small_organisation: bool


@dataclass(frozen=True)
class Ranking:
    """The panel's recommendation: candidates best first, with the funding line drawn where the budget runs out.

    ``funding_line`` is how many candidates, from the top, are above the line (funded within the budget).
    """

    ordered: list[Candidate]
    funding_line: int
    # Groups of application ids with exactly equal scores, best group first, each in ranked order.
    ties: list[list[int]]
    budget_pence: int
    funded_total_pence: int
    # Fraction (0 to 1) of the money above the line that goes to small organisations; 0 when nothing is funded.
    small_organisation_share: float

    @property
    def above_line(self) -> list[Candidate]:
        """The candidates the budget pays for, in rank order."""
        return self.ordered[: self.funding_line]

    @property
    def below_line(self) -> list[Candidate]:
        """The candidates the budget does not reach, in rank order."""
        return self.ordered[self.funding_line :]

    @property
    def remaining_pence(self) -> int:
        """Budget left over once everyone above the line is paid."""
        return self.budget_pence - self.funded_total_pence

    @property
    def tie_at_funding_line(self) -> bool:
        """True when tied candidates fall on both sides of the line, so commissioners must choose."""
        above = {c.application_id for c in self.above_line}
        return any(0 < len(above.intersection(group)) < len(group) for group in self.ties)

    def is_tied(self, application_id: int) -> bool:
        """Whether this application shares its score with another."""
        return any(application_id in group for group in self.ties)


def rank(candidates: list[Candidate], *, budget_pence: int) -> Ranking:
    """Rank candidates by score, flag ties, and draw the funding line where the budget runs out.

    Highest score first; equal scores are ordered by reference (then id) only so the list is stable, and
    are reported in ``ties``. Going down the list, each candidate is funded while the running total still
    fits the budget. The first candidate that does not fit is below the line, and so is everyone after
    them, even a cheaper one that would fit: the line follows the panel's order, and any choice to skip
    down the list is a decision for commissioners to make and record, not something the ranking does
    quietly.
    """
    if budget_pence < 0:
        raise ValueError(f"The budget cannot be negative: {budget_pence} pence.")
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.application_id in seen:
            raise ValueError(f"Application {candidate.application_id} is in the list twice.")
        seen.add(candidate.application_id)
        if candidate.amount_pence <= 0:
            raise ValueError(f"Application {candidate.reference} must ask for more than £0.")
        _check_out_of_100(f"{candidate.reference} score", candidate.score)

    ordered = sorted(candidates, key=lambda c: (-c.score, c.reference, c.application_id))

    funding_line = 0
    funded_total = 0
    for candidate in ordered:
        if funded_total + candidate.amount_pence > budget_pence:
            break
        funded_total += candidate.amount_pence
        funding_line += 1

    ties: list[list[int]] = []
    for candidate, previous in zip(ordered[1:], ordered):
        if candidate.score != previous.score:
            continue
        if ties and ties[-1][-1] == previous.application_id:
            ties[-1].append(candidate.application_id)
        else:
            ties.append([previous.application_id, candidate.application_id])

    small_total = sum(c.amount_pence for c in ordered[:funding_line] if c.small_organisation)
    return Ranking(
        ordered=ordered,
        funding_line=funding_line,
        ties=ties,
        budget_pence=budget_pence,
        funded_total_pence=funded_total,
        small_organisation_share=small_total / funded_total if funded_total else 0.0,
    )


def _check_weights(weights: Mapping[CriterionId, int]) -> None:
    """Refuse weights that are not whole, non-negative and adding up to 100."""
    if not weights:
        raise ValueError("The round has no criteria to score against.")
    for criterion_id, weight in weights.items():
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise ValueError(f"Criterion {criterion_id} must have a whole-number weight of 0 or more, not {weight!r}.")
    total = sum(weights.values())
    if total != 100:
        raise ValueError(f"The criteria weights must add up to 100, not {total}.")


def _check_score(criterion_id: CriterionId, score: float) -> None:
    """Refuse a score that is not a number from 1 to 5."""
    if not _is_number(score) or not MIN_SCORE <= score <= MAX_SCORE:
        raise ValueError(f"The score for criterion {criterion_id} must be from 1 to 5, not {score!r}.")


def _check_out_of_100(name: str, value: float) -> None:
    """Refuse a score that is not a number from 0 to 100."""
    if not _is_number(value) or not 0 <= value <= 100:
        raise ValueError(f"The {name} must be from 0 to 100, not {value!r}.")


def _is_number(value: object) -> bool:
    """True for ints and floats, but not for True and False."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _by_criterion(per_panellist: list[Mapping[CriterionId, int]]) -> dict[CriterionId, list[int]]:
    """Every panellist's score for each criterion, by criterion id, after checking each is from 1 to 5."""
    by_criterion: dict[CriterionId, list[int]] = {}
    for scores in per_panellist:
        for criterion_id, score in scores.items():
            _check_score(criterion_id, score)
            by_criterion.setdefault(criterion_id, []).append(score)
    return dict(sorted(by_criterion.items()))


def _ids(ids: list[int]) -> str:
    """Ids as a person reads a list of them: 1, 2 and 3."""
    words = [str(i) for i in ids]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _one_decimal(value: Decimal) -> float:
    """Round half up to one decimal place, as people expect, rather than to the nearest even digit."""
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
