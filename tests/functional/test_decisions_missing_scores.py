"""Deciding applications whose panel scores are not all in: the recommendation leaves them, marking the round
decided lists them, and a reason recorded for each lets the round through and is counted on the public results."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Decision, DecisionException, Outcome, RoundStatus
from tests.fixtures.decisions import DecisionRound
from tests.fixtures.moderation import send_scores
from tests.fixtures.panel_round import make_panellist
from tests.functional.test_decisions import (
    decide,
    decide_url,
    decision_of,
    decisions_url,
    fewer_scores_url,
    record_reason,
)

LEFT = "Priya Shah left the panel in January before scoring it."


@pytest.fixture
def partly_scored(session, decision_round) -> DecisionRound:
    """The decision round with three panellists per application: ``top`` has all 3 sets of scores sent,
    ``middle`` 2 of 3, ``bottom`` 1 of 3 and ``waiting`` none."""
    decision_round.round.panellists_per_application = 3
    for number, (application, need, change, extra) in enumerate(
            ((decision_round.top, 5, 5, 2), (decision_round.middle, 4, 4, 1)), start=1):
        for more in range(extra):
            scorer = make_panellist(session, email=f"more-scorer{number}-{more}@example.org",
                                    name=f"More Scorer {number}{more}")
            send_scores(session, application=application, panellist=scorer,
                        scores={"Need": need, "What will change": change})
    session.flush()
    return decision_round


def row_text(page, application) -> str:
    """The text of an application's row on the decisions page."""
    return page.soup.select_one(f"tr[data-reference='{application.reference}']").get_text(" ", strip=True)


def test_accepting_the_recommendation_leaves_provisional_applications_undecided(session, commissioner_client,
                                                                                partly_scored):
    url = decisions_url(partly_scored.round)
    page = commissioner_client.page(url)
    assert "Provisional 2 of 3 panellists" in row_text(page, partly_scored.middle)
    assert "Provisional 1 of 3 panellists" in row_text(page, partly_scored.bottom)
    assert "Provisional" not in row_text(page, partly_scored.top)
    assert "0 of 3 panellists" in row_text(page, partly_scored.waiting)
    decide_page = commissioner_client.page(decide_url(partly_scored.middle))
    assert "Provisional 2 of 3 panellists" in decide_page.soup.select_one("#panel-score").get_text(" ", strip=True)

    page = commissioner_client.submit(f"{url}/accept-recommendation", token_from=url, follow=True)
    assert decision_of(session, partly_scored.top).outcome == Outcome.AWARD
    for application in (partly_scored.middle, partly_scored.bottom, partly_scored.waiting):
        assert decision_of(session, application) is None, f"{application.reference} was decided with scores missing"
    references = ", ".join(a.reference for a in (partly_scored.middle, partly_scored.bottom, partly_scored.waiting))
    assert ("1 to award and 0 to decline. 3 applications are still waiting for scores, so not decided: "
            f"{references}") in page.text()
    assert "Not decided" in row_text(page, partly_scored.middle)


def test_marking_decided_is_refused_listing_the_missing_scores(session, commissioner_client, partly_scored):
    for application in (partly_scored.top, partly_scored.middle):
        decide(commissioner_client, application, outcome="award", amount="4,000", reason="A strong plan.")
    for application in (partly_scored.bottom, partly_scored.waiting):
        decide(commissioner_client, application, outcome="reserve", reason="Funded if money is left.")
    url = decisions_url(partly_scored.round)
    page = commissioner_client.submit(f"{url}/complete", token_from=url)
    assert page.status == 200 and page.title.startswith("Error: ")
    wait = "Wait for the scores, or record why it can be decided without them"
    assert page.error_summary() == [
        f"{partly_scored.middle.reference} (Southwark Boxing Club): 2 of 3 panellists have sent their scores. {wait}",
        f"{partly_scored.bottom.reference} (Lewisham Girls Club): 1 of 3 panellists has sent their scores. {wait}",
        f"{partly_scored.waiting.reference} (Croydon Young Carers): 0 of 3 panellists have sent their scores. {wait}",
    ]
    # Each problem links to its application's row, where the way to record a reason is.
    summary_links = [a["href"] for a in page.soup.select(".govuk-error-summary__list a")]
    missing = (partly_scored.middle, partly_scored.bottom, partly_scored.waiting)
    assert summary_links == [f"#{a.reference}" for a in missing]
    assert all(page.soup.find("tr", id=a.reference) for a in missing)
    assert partly_scored.round.status == RoundStatus.ASSESSMENT
    links = [a["href"] for a in page.soup.select("a.portal-fewer-scores")]
    assert links == [fewer_scores_url(a) for a in (partly_scored.middle, partly_scored.bottom, partly_scored.waiting)]


def test_a_reason_is_required_and_kept_short(session, commissioner_client, partly_scored):
    page = commissioner_client.page(fewer_scores_url(partly_scored.middle))
    assert page.h1 == f"Decide {partly_scored.middle.reference} with fewer scores"
    assert page.soup.select_one("#scores-sent").get_text(strip=True) == "2 of 3 panellists"
    page = record_reason(commissioner_client, partly_scored.middle, reason="   ")
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error("reason") == "Enter why this application can be decided without all its scores"
    too_long = "x" * 501
    page = record_reason(commissioner_client, partly_scored.middle, reason=too_long)
    assert page.field_error("reason") == "The reason must be 500 characters or fewer"
    assert page.value_of("reason") == too_long
    assert session.scalar(select(DecisionException)) is None


def test_no_reason_is_asked_for_an_application_with_all_its_scores(session, commissioner_client, partly_scored):
    page = commissioner_client.page(fewer_scores_url(partly_scored.top))
    assert page.status == 200
    assert "has sent their scores, so no reason is needed" in page.soup.select_one("#not-needed").get_text()
    assert not page.soup.select("textarea[name='reason']")
    page = record_reason(commissioner_client, partly_scored.top)
    assert page.title.startswith("Error: ") and session.scalar(select(DecisionException)) is None


def test_a_reason_for_each_lets_the_round_be_decided_and_the_results_count_them(session, commissioner_client,
                                                                             client, partly_scored):
    url = decisions_url(partly_scored.round)
    commissioner_client.submit(f"{url}/accept-recommendation", token_from=url)
    decide(commissioner_client, partly_scored.middle, outcome="award", amount="6,000", reason="Strong plan.")
    for application in (partly_scored.bottom, partly_scored.waiting):
        decide(commissioner_client, application, outcome="decline", reason_category="Other",
               reason="The panel could not see what would change.")
    page = record_reason(commissioner_client, partly_scored.middle, reason=LEFT)
    assert page.status == 302
    record_reason(commissioner_client, partly_scored.bottom, reason=LEFT)
    # One still missing: the refusal names only that one.
    page = commissioner_client.submit(f"{url}/complete", token_from=url)
    assert [p.split(":")[0] for p in page.error_summary()] == [
        f"{partly_scored.waiting.reference} (Croydon Young Carers)"]

    record_reason(commissioner_client, partly_scored.waiting, reason="Nobody on the panel could score it in time.")
    recorded = session.scalar(select(DecisionException).where(
        DecisionException.application_id == partly_scored.middle.id))
    assert (recorded.reason, recorded.scores_sent, recorded.panel_size) == (LEFT, 2, 3)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "decision_exception.recorded")) is not None
    page = commissioner_client.page(url)
    assert "3 applications have a reason recorded" in page.soup.select_one("#fewer-scores").get_text()

    page = commissioner_client.submit(f"{url}/complete", token_from=url, follow=True)
    assert "is marked as decided" in page.text()
    assert partly_scored.round.status == RoundStatus.DECIDED
    commissioner_client.submit(f"{url}/publish", token_from=f"{url}/publish")
    assert partly_scored.round.status == RoundStatus.DECISIONS_PUBLISHED

    results = client.page(f"/decisions/rounds/{partly_scored.round.slug}")
    assert results.status == 200
    assert results.soup.select_one("#fewer-scores").get_text(" ", strip=True).startswith(
        "3 applications were decided with fewer scores than planned")
    assert "Priya" not in results.text() and "left the panel in January" not in results.text()
    assert "Nobody on the panel" not in results.text()


def test_a_reason_changed_is_kept_once_and_audited(session, commissioner_client, partly_scored):
    record_reason(commissioner_client, partly_scored.middle, reason="First reason.")
    page = commissioner_client.page(fewer_scores_url(partly_scored.middle))
    assert page.value_of("reason") == "First reason."
    record_reason(commissioner_client, partly_scored.middle, reason=LEFT)
    assert [e.reason for e in session.scalars(select(DecisionException))] == [LEFT]
    changed = session.scalar(select(AuditEvent).where(AuditEvent.action == "decision_exception.changed"))
    assert changed.before["reason"] == "First reason." and changed.after["reason"] == LEFT


def test_a_reason_no_longer_needed_is_removed_when_the_round_is_decided(session, commissioner_client,
                                                                        partly_scored):
    for application in (partly_scored.middle, partly_scored.bottom, partly_scored.waiting):
        record_reason(commissioner_client, application, reason=LEFT)
    # The third panellist on the middle application sends their scores after all.
    late = make_panellist(session, email="late-scorer@example.org", name="Late Scorer")
    send_scores(session, application=partly_scored.middle, panellist=late, scores={"Need": 4, "What will change": 4})
    url = decisions_url(partly_scored.round)
    commissioner_client.submit(f"{url}/accept-recommendation", token_from=url)
    assert decision_of(session, partly_scored.middle) is not None
    for application in (partly_scored.bottom, partly_scored.waiting):
        decide(commissioner_client, application, outcome="reserve", reason="Funded if money is left.")
    page = commissioner_client.submit(f"{url}/complete", token_from=url)
    assert page.status == 302
    remaining = {e.application_id for e in session.scalars(select(DecisionException))}
    assert remaining == {partly_scored.bottom.id, partly_scored.waiting.id}
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "decision_exception.removed")) is not None


# The decision form: each outcome's own fields --------------------------------------------------------------


def test_each_field_sits_in_its_outcomes_conditional_block(commissioner_client, decision_round):
    page = commissioner_client.page(decide_url(decision_round.middle))
    for outcome, fields in (("award", ["amount", "award_reason"]),
                            ("decline", ["reason_category", "feedback", "decline_public_note"]),
                            ("reserve", ["reserve_reason", "reserve_public_note"])):
        radio = page.soup.find("input", attrs={"name": "outcome", "value": outcome})
        block = page.soup.find(id=radio["data-aria-controls"])
        assert block is not None and "govuk-radios__conditional" in block["class"]
        names = {tag["name"] for tag in block.select("input, textarea") if tag.get("name")}
        assert names == set(fields), f"{outcome}'s block holds {names}"
    # Nothing of any outcome sits outside the blocks.
    loose = [tag["name"] for tag in page.soup.select("form input, form textarea")
             if tag.get("name") not in ("outcome", "csrf_token", "kept_fields", "version")
             and not tag.find_parent(class_="govuk-radios__conditional")]
    assert loose == []


def test_a_decline_ignores_an_amount_typed_for_an_award(session, commissioner_client, decision_round):
    page = decide(commissioner_client, decision_round.bottom, outcome="decline", amount="4,000",
                  award_reason="Typed before changing my mind", reason_category="Budget not realistic",
                  feedback="The costs for the hall look too low.")
    assert page.status == 302
    decision: Decision = decision_of(session, decision_round.bottom)
    assert decision.outcome == Outcome.DECLINE and decision.amount_awarded_pence is None
    assert decision.reason == "The costs for the hall look too low."


def test_an_award_ignores_a_stray_reason_category_and_is_checked_in_its_own_fields(session, commissioner_client,
                                                                                   decision_round):
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="", award_reason="",
                  reason_category="Other", feedback="Leftover feedback")
    assert page.field_error("amount") == "Enter the amount awarded"
    assert page.field_error("award_reason") == "Enter why you are making this award"
    assert page.field_error("feedback") is None and page.field_error("reason_category") is None
    assert page.value_of("feedback") == "Leftover feedback"
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="5,000", award_reason="Great",
                  reason_category="Other")
    decision = decision_of(session, decision_round.top)
    assert decision.reason_category is None and decision.reason == "Great"
