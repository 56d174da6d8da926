"""The maths behind a round's published results: percentages, boroughs, the promised date and page numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.transparency.services import (
    PageNumber,
    deadline,
    fit_page,
    format_percentage,
    parse_page,
    percentage,
    split_boroughs,
    tally_boroughs,
)

HACKNEY, LAMBETH, SOUTHWARK = "E09000012", "E09000022", "E09000028"


def test_percentages():
    assert percentage(3, 6) == 50 and percentage(1, 3) == pytest.approx(33.333, abs=0.001)
    assert percentage(0, 5) == 0
    assert percentage(2, 0) is None, "no eligible applications: no success rate, not a division by zero"


@pytest.mark.parametrize(("value", "words"), [(50.0, "50%"), (100 / 3, "33.3%"), (37.5, "37.5%"), (0.04, "0%"),
                                              (99.96, "100%"), (None, "not applicable")])
def test_percentages_read_naturally(value, words):
    assert format_percentage(value) == words


def test_an_award_in_two_boroughs_counts_in_each():
    tallies = tally_boroughs([(f",{HACKNEY},", 750_000), (f",{LAMBETH},{SOUTHWARK},", 2_000_000),
                              (f",{HACKNEY},{LAMBETH},", 1_000_000)])
    assert [(t.name, t.awards, t.awarded_pence) for t in tallies] == [
        ("Hackney", 2, 1_750_000), ("Lambeth", 2, 3_000_000), ("Southwark", 1, 2_000_000)]


def test_a_borough_listed_twice_counts_once_and_groups_without_a_borough_count_nowhere():
    tallies = tally_boroughs([(f",{HACKNEY},{HACKNEY},", 100), (",", 500)])
    assert [(t.code, t.awards, t.awarded_pence) for t in tallies] == [(HACKNEY, 1, 100)]
    assert split_boroughs(",") == [] and split_boroughs(f",{HACKNEY},{LAMBETH},") == [HACKNEY, LAMBETH]


def london(day: int, hour: int) -> datetime:
    """A UTC moment in November 2026 (London is on GMT then)."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(("promised", "published", "met", "wording"), [
    (london(25, 17), london(25, 23), True,
     "Published on 25 November 2026, on time: the prospectus promised decisions by 25 November 2026."),
    (london(25, 17), london(20, 9), True,
     "Published on 20 November 2026, on time: the prospectus promised decisions by 25 November 2026."),
    (london(25, 17), london(26, 0), False,
     "Published on 26 November 2026, 1 day after the promised date of 25 November 2026."),
    (london(25, 17), london(29, 12), False,
     "Published on 29 November 2026, 4 days after the promised date of 25 November 2026."),
    (None, london(29, 12), None, "The prospectus did not promise a date for decisions."),
])
def test_the_promised_date(promised, published, met, wording):
    result = deadline(promised=promised, published=published)
    assert result.met is met and result.wording == wording


def test_the_promised_date_is_compared_in_london():
    summer = deadline(promised=datetime(2026, 7, 1, 16, tzinfo=UTC), published=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    assert summer.met is False and "2 July 2026, 1 day after" in summer.wording


@pytest.mark.parametrize(("value", "page", "problem"), [
    (None, 1, False), ("", 1, False), ("3", 3, False), (" 2 ", 2, False),
    ("0", 1, True), ("-1", 1, True), ("1.5", 1, True), ("two", 1, True), ("²", 1, True),
])
def test_page_numbers(value, page, problem):
    parsed = parse_page(value)
    assert parsed.number == page and bool(parsed.problem) is problem


def test_a_page_past_the_end_shows_the_last_page():
    assert fit_page(PageNumber(5), total=41) == (PageNumber(3, "There are 3 pages of entries: showing page 3"), 3)
    assert fit_page(PageNumber(2), total=0) == (PageNumber(1, "There is 1 page of entries: showing page 1"), 1)
    assert fit_page(PageNumber(3), total=60) == (PageNumber(3), 3)
