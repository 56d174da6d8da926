"""Money as people type it (issue 21): separators only between groups of three digits, and an upper bound."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.formatting import MAX_PENCE, MoneyProblem, money, parse_pounds, whole_number

COMMAS = "Use commas only between groups of three digits, like 12,345"


@pytest.mark.parametrize(("typed", "pence"), [
    ("8000", 800_000), ("£8,000", 800_000), ("8,000.50", 800_050), ("£ 12,345", 1_234_500), ("1,234,567.5", 123_456_750),
    ("8 000", 800_000), ("999", 99_900), ("0.99", 99), ("£100,000,000", MAX_PENCE),
])
def test_amounts_written_as_people_write_them_are_read(typed, pence):
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize("typed", ["1,2,3,4,5", "12,00,0", "1,0000", ",123", "123,", "12,34", "1 2 3", "1,000 000"])
def test_separators_that_do_not_group_thousands_are_refused_with_a_specific_message(typed):
    with pytest.raises(MoneyProblem) as refused:
        parse_pounds(typed)
    assert refused.value.message == COMMAS


@pytest.mark.parametrize("typed", ["", "£", "-5", "eight", "8.123", "8.5.0", "£8k"])
def test_what_is_not_money_is_refused_without_a_specific_message(typed):
    with pytest.raises(MoneyProblem) as refused:
        parse_pounds(typed)
    assert refused.value.message is None


@pytest.mark.parametrize("typed", ["100,000,000.01", "99999999999999999999", "£1,000,000,000"])
def test_amounts_over_the_limit_are_refused_saying_the_limit(typed):
    with pytest.raises(MoneyProblem) as refused:
        parse_pounds(typed)
    assert refused.value.message == "Enter an amount of £100,000,000 or less"


@given(st.integers(min_value=0, max_value=MAX_PENCE))
def test_every_amount_shown_reads_back_as_itself(pence):
    assert parse_pounds(money(pence)) == pence
    assert parse_pounds(f"{pence // 100}.{pence % 100:02d}") == pence


@given(st.integers(min_value=1_000, max_value=10**12), st.data())
def test_a_comma_moved_out_of_its_place_is_refused(number, data):
    grouped = f"{number:,}"
    digits = grouped.replace(",", "")
    place = data.draw(st.integers(min_value=1, max_value=len(digits) - 1))
    moved = digits[:place] + "," + digits[place:]
    if moved == grouped:
        assert whole_number(moved) == number  # the one place a single comma is a thousands separator
        return
    with pytest.raises(MoneyProblem) as refused:
        whole_number(moved)
    assert refused.value.message == COMMAS
