"""Every money field has an upper bound, and every money column holds it on both databases (issue 21, issue 15).

A budget line of 99999999999999999999 used to give an error page (an integer overflow on SQLite), and a line of
£21,474,837 or more failed on PostgreSQL, where the columns were 32-bit integers."""

from __future__ import annotations

import pytest
from sqlalchemy import BigInteger, inspect, select, update

from portal.formatting import MAX_PENCE
from portal.models import Application, BudgetLine, Decision, DecisionLogEntry, Round
from portal.models.base import Base
from tests.functional.test_applications import project_data, url
from tests.functional.test_decisions import decide, decision_of
from tests.functional.test_round_setup import round_form

COLUMNS = [(Application, "amount_requested_pence"), (BudgetLine, "cost_pence"), (Round, "budget_pence"),
           (Round, "min_grant_pence"), (Round, "max_grant_pence"), (Round, "small_grant_threshold_pence"),
           (Decision, "amount_awarded_pence"), (DecisionLogEntry, "amount_requested_pence"),
           (DecisionLogEntry, "amount_awarded_pence")]
TOO_LARGE = "Enter an amount of £100,000,000 or less"


def test_every_money_column_is_listed_here():
    """A new *_pence column must be added to COLUMNS, so it is tested below."""
    found = {(table.name, column.name) for table in Base.metadata.sorted_tables for column in table.columns
             if column.name.endswith("_pence")}
    assert found == {(model.__tablename__, name) for model, name in COLUMNS}


@pytest.mark.parametrize(("model", "column"), COLUMNS, ids=[f"{m.__tablename__}.{c}" for m, c in COLUMNS])
def test_each_money_column_stores_the_largest_amount_allowed(session, decision_log_entry, draft_application,
                                                             model, column):
    """Written and read back exactly, in the database the suite runs on (SQLite or PostgreSQL)."""
    if model is BudgetLine:
        draft_application.budget_lines.append(BudgetLine(item="Hall hire", cost_pence=100, position=1))
        session.flush()
    assert isinstance(model.__table__.c[column].type, BigInteger)
    session.execute(update(model).values({column: MAX_PENCE}))
    session.expire_all()
    assert set(session.scalars(select(getattr(model, column)))) == {MAX_PENCE}
    columns = {c["name"]: c for c in inspect(session.get_bind()).get_columns(model.__tablename__)}
    assert "BIGINT" in str(columns[column]["type"]).upper(), "the migrations made it a 64-bit column too"


def test_a_budget_line_too_large_to_store_is_refused_beside_it_and_kept(applicant_client, draft_application,
                                                                       session):
    data = {"item_0": "Coach fees", "cost_0": "99999999999999999999", "version": "0", "completed": "no"}
    page = applicant_client.submit(url(draft_application, "budget"), data)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.error_summary() == [TOO_LARGE]
    assert page.value_of("cost_0") == "99999999999999999999"
    session.refresh(draft_application)
    assert draft_application.budget_lines == []


def test_commas_in_the_wrong_places_are_refused_not_read_as_another_amount(applicant_client, draft_application,
                                                                          session):
    data = {"item_0": "Coach fees", "cost_0": "1,2,3,4,5", "version": "0", "completed": "no"}
    page = applicant_client.submit(url(draft_application, "budget"), data)
    assert page.error_summary() == ["Use commas only between groups of three digits, like 12,345"]
    assert page.value_of("cost_0") == "1,2,3,4,5"
    page = applicant_client.submit(url(draft_application, "project"), project_data(draft_application, amount="12,00,0"))
    assert page.error_summary() == ["Use commas only between groups of three digits, like 12,345"]
    assert page.value_of("amount") == "12,00,0"
    session.refresh(draft_application)
    assert draft_application.amount_requested_pence == 800_000 and draft_application.budget_lines == []


def test_a_line_over_the_old_32_bit_limit_is_stored(applicant_client, draft_application, session):
    """£21,474,837 is more than PostgreSQL's INTEGER holds in pence; it is saved (as a draft line) on both."""
    data = {"item_0": "Community centre", "cost_0": "£21,474,837", "version": "0", "completed": "no"}
    assert applicant_client.submit(url(draft_application, "budget"), data).status == 302
    session.refresh(draft_application)
    assert [line.cost_pence for line in draft_application.budget_lines] == [2_147_483_700]


def test_round_amounts_have_an_upper_bound_and_grouped_commas(commissioner_client, draft_round, session):
    form = round_form(slug=draft_round.slug, budget_pence="£100,000,000.01", min_grant_pence="2,00,0")
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/details", form)
    assert page.status == 200
    assert page.field_error("budget_pence") == TOO_LARGE
    assert page.field_error("min_grant_pence") == "Use commas only between groups of three digits, like 12,345"
    assert page.value_of("budget_pence") == "£100,000,000.01"
    session.refresh(draft_round)
    assert draft_round.budget_pence != 10_000_000_001


def test_the_eligibility_checker_says_when_an_amount_is_too_large(client, open_round):
    url = f"/rounds/{open_round.slug}/check-eligibility"
    typed = {"organisation_type": "unregistered", "income_band": "under_10k", "boroughs": ["E09000012"]}
    page = client.submit(url, {**typed, "amount": "£999,999,999,999"}, token_from=url)
    assert page.error_summary() == [TOO_LARGE] and page.value_of("amount") == "£999,999,999,999"
    page = client.submit(url, {**typed, "amount": "8,0,0,0"}, token_from=url)
    assert page.error_summary() == ["Use commas only between groups of three digits, like 12,345"]


def test_an_amount_awarded_with_commas_out_of_place_is_refused(session, commissioner_client, decision_round):
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="4,0,0,0", reason="A strong plan.")
    assert page.status == 200 and page.field_error("amount") == (
        "Use commas only between groups of three digits, like 12,345")
    assert decision_of(session, decision_round.top) is None
