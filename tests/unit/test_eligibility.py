"""The eligibility checker names exactly the rules that stop a group, and what to do instead."""

import pytest

from portal.models import IncomeBand, OrganisationType
from portal.prospectus.eligibility import EligibilityAnswers, check_eligibility, income_allowed, is_small_grant
from tests.conftest import make_round

FINE = dict(organisation_type=OrganisationType.UNREGISTERED, income_band=IncomeBand.UNDER_10K,
            boroughs=["E09000012"], amount_pence=800_000)


def test_a_small_london_group_asking_inside_the_range_can_apply(session):
    """No problems means they can apply."""
    assert check_eligibility(make_round(session), EligibilityAnswers(**FINE)) == []


def test_an_organisation_type_the_round_is_not_for_is_named(session):
    """The rule lists the types that can apply and suggests a partnership."""
    round_ = make_round(session, eligible_organisation_types=["charity", "cio"])
    [problem] = check_eligibility(round_, EligibilityAnswers(**FINE))
    assert problem.rule == ("This round is only for registered charity or charitable incorporated "
                            "organisation (cio).")
    assert "partnership bid" in problem.what_to_do


@pytest.mark.parametrize("band, allowed", [
    (IncomeBand.UNDER_10K, True), (IncomeBand.FROM_100K_TO_250K, True),
    (IncomeBand.FROM_250K_TO_1M, False), (IncomeBand.OVER_1M, False),
])
def test_income_bands_are_allowed_only_when_wholly_under_the_limit(session, band, allowed):
    """With a £250,000 limit, the band up to £249,999 is in and the bands above are out."""
    assert income_allowed(make_round(session, max_income_pounds=250_000), band) is allowed


def test_too_much_income_says_the_limit(session):
    """The message gives the limit in pounds."""
    [problem] = check_eligibility(make_round(session), EligibilityAnswers(**{**FINE, "income_band": IncomeBand.OVER_1M}))
    assert problem.rule == "This round is for organisations with an annual income under £250,000."


def test_groups_outside_london_are_told_why(session):
    """A group that chose no borough is told it must work in London."""
    [problem] = check_eligibility(make_round(session), EligibilityAnswers(**{**FINE, "boroughs": []}))
    assert problem.rule == "You must work with young people in at least one London borough."


@pytest.mark.parametrize("amount", [100_000, 3_000_000])
def test_amounts_outside_the_range_give_the_range(session, amount):
    """Too little or too much: the message gives the range."""
    [problem] = check_eligibility(make_round(session), EligibilityAnswers(**{**FINE, "amount_pence": amount}))
    assert problem.rule == "Grants in this round are from £2,000 to £25,000."


def test_every_broken_rule_is_listed_at_once(session):
    """Nobody fixes one problem only to discover the next."""
    answers = EligibilityAnswers(organisation_type=OrganisationType.SCHOOL, income_band=IncomeBand.OVER_1M,
                                 boroughs=[], amount_pence=1)
    round_ = make_round(session, eligible_organisation_types=["unregistered"])
    assert len(check_eligibility(round_, answers)) == 4


def test_small_grants_are_those_under_the_threshold(session):
    """£9,999.99 is small; £10,000 is not."""
    round_ = make_round(session)
    assert is_small_grant(round_, 999_999) and not is_small_grant(round_, 1_000_000)
