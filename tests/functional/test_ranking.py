"""The ranked list: the panel's recommendation to commissioners, with the funding line where the budget runs out."""

from __future__ import annotations

import pytest

from portal.models import ApplicationStatus, IncomeBand, ModeratedScore, PanelAssignment
from tests.conftest import make_organisation
from tests.fixtures.moderation import send_interview_scores, send_scores
from tests.fixtures.panel_round import assign, make_eligible_application, make_panellist


@pytest.fixture
def scorer(session):
    """The panellist who sent every score in these tests."""
    return make_panellist(session, email="scorer@example.org", name="Sky Scorer")


def _application(session, round_, applicant, *, number, name, band, pounds):
    """An eligible application from a new organisation with this income band, asking for this many pounds."""
    organisation = make_organisation(session, name=name, members=[])
    organisation.income_band = band
    session.flush()
    return make_eligible_application(session, round_=round_, organisation=organisation, by=applicant, number=number,
                                     amount_pence=pounds * 100)


def _scored(session, round_, applicant, scorer, *, number, name, band, pounds, need, change):
    """An application one panellist has sent scores for."""
    application = _application(session, round_, applicant, number=number, name=name, band=band, pounds=pounds)
    send_scores(session, application=application, panellist=scorer, scores={"Need": need, "What will change": change})
    return application


@pytest.fixture
def field(session, assessment_round, applicant, scorer):
    """Four scored applications to the £100,000 round and one still waiting for scores."""
    small, large = IncomeBand.FROM_10K_TO_50K, IncomeBand.FROM_250K_TO_1M
    return {
        "top": _scored(session, assessment_round, applicant, scorer, number=1, name="Peckham Girls Football",
                       band=small, pounds=40_000, need=5, change=5),  # 100
        "second": _scored(session, assessment_round, applicant, scorer, number=2, name="Big City Charity",
                          band=large, pounds=35_000, need=4, change=4),  # 80
        "third": _scored(session, assessment_round, applicant, scorer, number=3, name="Lewisham Mentors",
                         band=IncomeBand.FROM_50K_TO_100K, pounds=30_000, need=3, change=3),  # 60
        "fourth": _scored(session, assessment_round, applicant, scorer, number=4, name="National Youth Trust",
                          band=IncomeBand.OVER_1M, pounds=20_000, need=3, change=3),  # 60, tied with third
        "waiting": _application(session, assessment_round, applicant, number=5, name="Late Starters",
                                band=small, pounds=10_000),
    }


def _ranking(client, round_):
    page = client.page(f"/commissioning/rounds/{round_.id}/ranking")
    assert page.status == 200
    return page


def _order(page) -> list[str]:
    return [row["data-reference"] for row in page.soup.select("#ranking tr.portal-ranked-row")]


def _rows(page) -> dict[str, str]:
    rows = page.soup.select("#ranking tr.portal-ranked-row")
    return {row["data-reference"]: row.get_text(" ", strip=True) for row in rows}


def _references_above_line(page) -> list[str]:
    above = []
    for row in page.soup.select("#ranking tbody tr"):
        if "portal-funding-line" in row.get("class", []):
            return above
        above.append(row["data-reference"])
    return above


def test_ranking_orders_by_score_and_draws_the_funding_line_where_the_budget_runs_out(
        commissioner_client, assessment_round, field):
    page = _ranking(commissioner_client, assessment_round)

    refs = {key: application.reference for key, application in field.items()}
    # The third and fourth tie on 60; ties are listed by reference.
    assert _order(page) == [refs["top"], refs["second"], refs["third"], refs["fourth"]]
    # £40,000 + £35,000 fit the £100,000 budget; adding £30,000 would not.
    assert _references_above_line(page) == [refs["top"], refs["second"]]
    line = page.soup.select_one("#funding-line").get_text(" ", strip=True)
    assert line.startswith("Funding line: the budget of £100,000 runs out here")
    assert page.soup.select_one("#recommended-total").get_text(" ", strip=True).startswith("£75,000")
    assert page.soup.select_one("#remaining").get_text(strip=True) == "£25,000"
    # £40,000 of the £75,000 above the line goes to a small organisation.
    assert page.soup.select_one("#small-share").get_text(" ", strip=True).startswith("53.3%")
    rows = _rows(page)
    assert "Peckham Girls Football" in rows[refs["top"]] and "Yes" in rows[refs["top"]]
    assert "100.0" in rows[refs["top"]] and "Not interviewed" in rows[refs["top"]]
    assert "Tied" in rows[refs["third"]] and "Tied" in rows[refs["fourth"]] and "Tied" not in rows[refs["top"]]
    assert not page.soup.select(".portal-tie-warning")
    assert "Written score: 70%, interview score: 30%" in page.text()


def test_applications_without_sent_scores_are_listed_separately_not_ranked(
        commissioner_client, session, assessment_round, field):
    drafting = make_panellist(session, email="slow@example.org", name="Slow Scorer")
    send_scores(session, application=field["waiting"], panellist=drafting, scores={"Need": 5}, sent=False)

    page = _ranking(commissioner_client, assessment_round)

    assert field["waiting"].reference not in _order(page)
    waiting = page.soup.select_one("#waiting").get_text(" ", strip=True)
    assert field["waiting"].reference in waiting and "Late Starters" in waiting and "0 of 3" in waiting


def _moderate(session, application, *, need, change):
    """Record moderated scores for both criteria of an application."""
    need_criterion, change_criterion = application.round.criteria
    for criterion, value in ((need_criterion, need), (change_criterion, change)):
        session.add(ModeratedScore(application_id=application.id, criterion_id=criterion.id, value=value,
                                   reason="Agreed by the panel", moderated_by_id=application.created_by_id))
    session.flush()


def test_moderated_scores_replace_the_means_in_the_ranking(commissioner_client, session, assessment_round, field):
    _moderate(session, field["third"], need=5, change=3)  # 60 + 24 = 84, above the second's 80

    page = _ranking(commissioner_client, assessment_round)

    assert _order(page) == [field[k].reference for k in ("top", "third", "second", "fourth")]
    assert "84.0" in _rows(page)[field["third"].reference]


def test_a_tie_across_the_funding_line_is_flagged(commissioner_client, session, assessment_round, field):
    _moderate(session, field["third"], need=4, change=4)  # 80, tied with the second; only one more fits

    page = _ranking(commissioner_client, assessment_round)

    warning = page.soup.select_one(".portal-tie-warning")
    assert warning is not None and "fall on both sides of the funding line" in warning.get_text(" ")
    assert _references_above_line(page) == [field["top"].reference, field["second"].reference]
    rows = _rows(page)
    assert "Tied" in rows[field["second"].reference] and "Tied" in rows[field["third"].reference]


def test_interview_scores_change_the_combined_score_and_the_order(commissioner_client, session, assessment_round,
                                                                  field, scorer):
    send_interview_scores(session, application=field["second"], panellist=scorer, values=[2, 2])  # 40
    send_interview_scores(session, application=field["third"], panellist=scorer, values=[5, 5])  # 100

    page = _ranking(commissioner_client, assessment_round)

    # second: 80 × 0.7 + 40 × 0.3 = 68; third: 60 × 0.7 + 100 × 0.3 = 72; top keeps 100 (not interviewed).
    assert _order(page)[:3] == [field["top"].reference, field["third"].reference, field["second"].reference]
    rows = _rows(page)
    assert "40.0" in rows[field["second"].reference] and "68.0" in rows[field["second"].reference]
    assert "72.0" in rows[field["third"].reference]
    assert "Not interviewed" in rows[field["top"].reference]


def test_unsent_interview_scores_do_not_count(commissioner_client, session, assessment_round, field, scorer):
    send_interview_scores(session, application=field["second"], panellist=scorer, values=[1, 1])
    session.query(PanelAssignment).filter_by(application_id=field["second"].id).update(
        {"interview_scores_submitted_at": None})
    session.flush()

    rows = _rows(_ranking(commissioner_client, assessment_round))

    assert "Not interviewed" in rows[field["second"].reference] and "80.0" in rows[field["second"].reference]


def test_ranking_explains_itself_before_assessment(commissioner_client, open_round):
    page = _ranking(commissioner_client, open_round)

    assert "Assessment has not started" in page.text()
    assert not page.soup.select("#ranking")


def test_ranking_csv_lists_the_ranked_applications_safely(commissioner_client, session, assessment_round, field):
    field["second"].submitted_snapshot = {**field["second"].submitted_snapshot,
                                          "organisation": {**field["second"].submitted_snapshot["organisation"],
                                                           "name": "=HYPERLINK(\"http://x\")"}}
    session.flush()

    response = commissioner_client.get(f"/commissioning/rounds/{assessment_round.id}/ranking.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Rank,Reference,Organisation")
    assert lines[1].startswith(f"1,{field['top'].reference},Peckham Girls Football,Yes,40000,100.0,,100.0,No,Yes")
    assert "'=HYPERLINK" in lines[2]


def test_panellists_and_applicants_cannot_see_the_ranking(panellist_client, applicant_client, assessment_round):
    for client in (panellist_client, applicant_client):
        assert client.page(f"/commissioning/rounds/{assessment_round.id}/ranking").status == 403


# Review of issue 5: partly scored applications are provisional ----------------------------------------


def test_partly_scored_applications_are_marked_provisional(commissioner_client, session, assessment_round, field):
    """Rows whose panel has not all sent scores (written or interview) say so, and the page counts them."""
    assessment_round.panellists_per_application = 1  # one scorer each: complete unless someone else joins
    late = make_panellist(session, email="late@example.org", name="Late Panellist")
    assign(session, application=field["top"], panellist=late, declared=True)  # has not sent
    field["third"].status = ApplicationStatus.SHORTLISTED  # interviewed, but no interview scores sent yet
    session.flush()

    page = _ranking(commissioner_client, assessment_round)

    rows = _rows(page)
    assert "1 of 2 panellists" in rows[field["top"].reference] and "Provisional" in rows[field["top"].reference]
    assert "Interview scores not all sent" in rows[field["third"].reference]
    assert "Provisional" in rows[field["third"].reference]
    for key in ("second", "fourth"):
        assert "Provisional" not in rows[field[key].reference] and "panellists" not in rows[field[key].reference]
    assert "2 of the 4 ranked applications are provisional" in page.soup.select_one("#provisional").get_text(
        " ", strip=True)


def test_a_fully_scored_ranking_has_no_provisional_rows(commissioner_client, session, assessment_round, field):
    assessment_round.panellists_per_application = 1
    session.flush()
    page = _ranking(commissioner_client, assessment_round)
    assert "Provisional" not in " ".join(_rows(page).values())
    assert page.soup.select_one("#provisional") is None


def test_weights_that_do_not_add_up_say_so_instead_of_failing(commissioner_client, session, assessment_round, field):
    assessment_round.criteria[0].weight = 70
    session.flush()
    page = _ranking(commissioner_client, assessment_round)
    assert "The total cannot be worked out because the criteria weights do not add up to 100" in page.text()
    assert _order(page) == []
