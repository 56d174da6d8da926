"""Each round's published results: counts, money, small organisations, awards by borough and the promised date."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from portal.formatting import date
from portal.models import DecisionLogEntry, Outcome, RoundStatus, utcnow
from portal.transparency import log
from tests.fixtures.decision_log import LOG_UNNAMED, log_decision
from tests.fixtures.panel_round import make_assessment_round

URL = "/decisions/rounds/safer-summers"


def number(page, element_id: str) -> str:
    """The text of one figure on the results page."""
    return " ".join(page.soup.select_one(f"#{element_id}").get_text(" ").split())


def test_the_rounds_numbers(client, log_round):
    page = client.page(URL)
    assert page.status == 200 and page.h1 == "Results: Safer summers"
    assert number(page, "received") == "8", "six eligible, one ineligible, one withdrawn; the draft is not counted"
    assert number(page, "eligible") == "6"
    assert number(page, "awarded") == "3" and number(page, "declined") == "2" and number(page, "reserve") == "1"
    assert number(page, "success-rate").startswith("50%")
    assert number(page, "money") == "£37,500 of a £100,000 budget (37.5%)"
    assert number(page, "small-share").startswith("£17,500 (46.7% of the money awarded), 2 awards")


def test_the_numbers_follow_corrections(client, log_round, log_correction):
    page = client.page(URL)
    assert number(page, "awarded") == "3"
    assert number(page, "money") == "£37,000 of a £100,000 budget (37%)"
    assert number(page, "small-share").startswith("£17,000 (45.9% of the money awarded)")


def test_unpublished_decisions_do_not_count(client, session, log_round, organisation, applicant, commissioner):
    log_decision(session, round_=log_round.round_, organisation=organisation, by=applicant, decided_by=commissioner,
                 number=660, outcome=Outcome.AWARD, awarded_pence=500_000)
    page = client.page(URL)
    assert number(page, "awarded") == "3" and number(page, "money").startswith("£37,500")
    assert number(page, "eligible") == "7", "the eligible count comes from the round's applications"


def test_awards_by_borough_as_a_chart_and_a_table_with_the_same_numbers(client, log_round):
    page = client.page(URL)
    svg = page.soup.select_one("figure svg")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert svg.select_one(f"#{title_id}").get_text() == "Awards by borough, Safer summers"
    assert svg.select_one(f"#{desc_id}").get_text() == "Hackney: 2, Camden: 1, Lambeth: 1, Southwark: 1"
    assert not svg.select("script") and "href" not in str(svg)
    labels = [text.get_text() for text in svg.select("text")]
    chart = dict(zip(labels[0::2], labels[1::2], strict=True))
    table = {row.select_one("th").get_text(strip=True): [cell.get_text(strip=True) for cell in row.select("td")]
             for row in page.soup.select("#borough-table tbody tr")}
    assert chart == {"Hackney": "2", "Camden": "1", "Lambeth": "1", "Southwark": "1"}
    assert {name: cells[0] for name, cells in table.items()} == chart
    assert table["Hackney"][1] == "£17,500" and table["Southwark"][1] == "£20,000"
    widths = [float(rect["width"]) for rect in svg.select("rect")]
    assert widths[0] == 2 * widths[1] and widths[1] == widths[2] == widths[3]
    assert "counts once in each of them" in page.text()
    wrapper = page.soup.select_one("#borough-table").find_parent("div")
    assert wrapper["role"] == "region" and wrapper["tabindex"] == "0"


def test_a_late_publication_says_how_late(client, log_round):
    page = client.page(URL)
    round_ = log_round.round_
    assert number(page, "deadline") == (f"Late Published on {date(round_.decisions_published_at)}, 3 days after "
                                        f"the promised date of {date(round_.decisions_by)}.")


def test_a_publication_on_time(client, session, log_round):
    round_ = log_round.round_
    round_.decisions_by = round_.decisions_published_at + timedelta(days=2)
    session.flush()
    page = client.page(URL)
    assert number(page, "deadline") == (f"On time Published on {date(round_.decisions_published_at)}, on time: the "
                                        f"prospectus promised decisions by {date(round_.decisions_by)}.")


def test_the_round_links_to_its_filtered_log(client, log_round):
    page = client.page(URL)
    link = page.soup.find("a", string="See every decision in this round")
    assert link["href"] == "/decisions?round=safer-summers"


def test_a_round_without_published_decisions_is_not_found(client, session, log_round, organisation, applicant,
                                                          commissioner):
    waiting = make_assessment_round(session, slug="still-deciding", title="Still deciding",
                                    status=RoundStatus.DECIDED)
    log_decision(session, round_=waiting, organisation=organisation, by=applicant, decided_by=commissioner,
                 number=661, outcome=Outcome.AWARD, awarded_pence=100_000)
    assert client.page("/decisions/rounds/still-deciding").status == 404
    assert client.page("/decisions/rounds/no-such-round").status == 404


def test_a_single_late_decision_without_a_round_publication_date(client, session, organisation, applicant,
                                                                 commissioner):
    round_ = make_assessment_round(session, slug="one-decision", title="One decision",
                                   decisions_by=utcnow() - timedelta(days=10))
    decision = log_decision(session, round_=round_, organisation=organisation, by=applicant, decided_by=commissioner,
                            number=662, outcome=Outcome.DECLINE, reason="Not this time.")
    log.append(session, [decision], now=utcnow() - timedelta(days=9))
    page = client.page("/decisions/rounds/one-decision")
    assert "1 day after the promised date" in number(page, "deadline")
    assert number(page, "success-rate").startswith("0%")
    assert "No awards have been published for this round" in page.text()
    assert page.soup.select_one("svg") is None


def test_no_group_that_was_not_awarded_is_named(client, log_round):
    body = client.get(URL).get_data(as_text=True)
    for name in LOG_UNNAMED:
        assert name not in body


def test_the_page_changes_when_the_log_does(client, session, log_round):
    first = client.get(URL)
    session.execute(update(DecisionLogEntry).where(DecisionLogEntry.reference == "YLF-2026-0602")
                    .values(amount_awarded_pence=2_100_000))
    again = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "£38,500" in again.get_data(as_text=True)
