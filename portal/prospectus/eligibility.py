"""The eligibility checker's rules: which of a round's rules, if any, stop a group applying."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.formatting import money
from portal.models import IncomeBand, OrganisationType, Round
from portal.models.enums import ORGANISATION_TYPE_LABELS

# Where the checker's answers wait (in the visitor's session) to pre-fill the sign-up form.
SESSION_KEY = "eligibility_answers"


@dataclass(frozen=True)
class EligibilityAnswers:
    """What a group told the checker about itself."""

    organisation_type: OrganisationType
    income_band: IncomeBand
    boroughs: list[str] = field(default_factory=list)
    amount_pence: int = 0


@dataclass(frozen=True)
class Problem:
    """A rule that stops the group applying, and what they could do instead."""

    rule: str
    what_to_do: str


def _type_labels(types: list[str]) -> str:
    """'a, b or c' in plain words."""
    labels = [ORGANISATION_TYPE_LABELS[OrganisationType(t)].lower() for t in types]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def income_allowed(round_: Round, band: IncomeBand) -> bool:
    """Whether every income in the band is under the round's maximum."""
    if round_.max_income_pounds is None:
        return True
    limit = band.upper_limit_pounds
    return limit is not None and limit <= round_.max_income_pounds


def check_eligibility(round_: Round, answers: EligibilityAnswers) -> list[Problem]:
    """Every rule of the round that these answers break (an empty list means they can apply)."""
    problems: list[Problem] = []
    if round_.eligible_organisation_types and answers.organisation_type.value not in round_.eligible_organisation_types:
        problems.append(Problem(
            rule=f"This round is only for {_type_labels(round_.eligible_organisation_types)}.",
            what_to_do="You could join a partnership bid led by an organisation that can apply, "
                       "or look at our other funding rounds.",
        ))
    if not income_allowed(round_, answers.income_band):
        problems.append(Problem(
            rule=f"This round is for organisations with an annual income under {money(round_.max_income_pounds * 100)}.",
            what_to_do="This money is kept for smaller groups. Larger organisations can support a "
                       "small group's bid as a partner.",
        ))
    if round_.must_serve_london and not answers.boroughs:
        problems.append(Problem(
            rule="You must work with young people in at least one London borough.",
            what_to_do="If you do work in London, go back and choose the boroughs you work in.",
        ))
    if answers.amount_pence < round_.min_grant_pence or answers.amount_pence > round_.max_grant_pence:
        problems.append(Problem(
            rule=f"Grants in this round are from {money(round_.min_grant_pence)} to {money(round_.max_grant_pence)}.",
            what_to_do="Change the amount you ask for so it fits this range. It can be a smaller part "
                       "of a bigger project.",
        ))
    return problems


def is_small_grant(round_: Round, amount_pence: int) -> bool:
    """Requests below the round's threshold answer fewer questions."""
    return round_.small_grant_threshold_pence is not None and amount_pence < round_.small_grant_threshold_pence
