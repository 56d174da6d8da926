"""Commissioners record decisions from the panel's ranking, accept the recommendation, mark decided and publish."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.commissioning import decision_services
from portal.domain import StateTransitionError, ValidationError
from portal.models import (
    ApplicationStatus,
    AuditEvent,
    Decision,
    DecisionLogEntry,
    IncomeBand,
    OrganisationType,
    Outcome,
    Round,
    RoundStatus,
)
from portal.transparency import log

NAMING = "Do not name the group: declined and reserve decisions are published without it. Remove "


def decisions_url(round_) -> str:
    """The round's decisions page."""
    return f"/commissioning/rounds/{round_.id}/decisions"


def decide_url(application) -> str:
    """An application's decision page."""
    return f"/commissioning/applications/{application.id}/decision"


def decision_of(session, application) -> Decision | None:
    """The application's decision as stored."""
    return session.scalar(select(Decision).where(Decision.application_id == application.id))


def entries(session) -> list[DecisionLogEntry]:
    """Every entry in the public log, in order."""
    return list(session.scalars(select(DecisionLogEntry).order_by(DecisionLogEntry.position)))


REASON_FIELD = {"award": "award_reason", "decline": "feedback", "reserve": "reserve_reason"}


def decide(client, application, **fields):
    """Post the decision form for an application; ``reason`` goes in the chosen outcome's own reason field."""
    if "reason" in fields:
        fields[REASON_FIELD[fields.get("outcome", "award")]] = fields.pop("reason")
    return client.submit(decide_url(application), fields)


def fewer_scores_url(application) -> str:
    """The page for recording why an application can be decided without its full set of scores."""
    return f"/commissioning/applications/{application.id}/decision/fewer-scores"


def record_reason(client, application, reason: str = "Its panellist left the panel before scoring it."):
    """Record why an application can be decided without its full set of scores."""
    return client.submit(fewer_scores_url(application), {"reason": reason})


# The round's decisions page ----------------------------------------------------------------------


def test_before_assessment_the_page_explains_when_decisions_are_made(commissioner_client, open_round):
    page = commissioner_client.page(decisions_url(open_round))
    assert page.status == 200 and page.h1 == "Decisions for Staying in school"
    assert "Decisions are made once the round is in assessment" in page.text()
    assert not page.soup.select("form[action$='accept-recommendation']")


def test_ranked_list_shows_scores_funding_line_and_no_decisions_yet(commissioner_client, decision_round):
    page = commissioner_client.page(decisions_url(decision_round.round))
    rows = page.soup.select("tr.portal-decision-row")
    assert [r["data-reference"] for r in rows] == [a.reference for a in decision_round.applications]
    first = rows[0].get_text(" ", strip=True)
    assert "Hackney Youth Voices" in first and "100.0" in first and "£5,000" in first and "Not decided" in first
    assert "Not scored" in rows[3].get_text(" ", strip=True)
    # The funding line sits after the second application: the £12,000 budget runs out at the third.
    line = page.soup.select_one("#funding-line")
    assert line.find_previous("tr", class_="portal-decision-row")["data-reference"] == decision_round.middle.reference
    assert page.soup.select_one("#awarded-total").get_text(strip=True) == "£0"
    assert page.soup.select_one("#undecided").get_text(strip=True) == "4 of 4"


def test_panellists_and_applicants_cannot_decide(panellist_client, applicant_client, decision_round):
    for client in (panellist_client, applicant_client):
        assert client.page(decisions_url(decision_round.round)).status == 403
        assert client.page(decide_url(decision_round.top)).status == 403


# Recording one decision --------------------------------------------------------------------------


def test_an_award_is_recorded_with_who_when_and_the_panel_score(session, commissioner_client, commissioner,
                                                                  decision_round):
    page = decide(commissioner_client, decision_round.middle, outcome="award", amount="£5,500.50",
                  reason="Strong links with local schools.")
    assert page.status == 302
    decision = decision_of(session, decision_round.middle)
    assert decision.outcome == Outcome.AWARD and decision.amount_awarded_pence == 550_050
    assert decision.reason == "Strong links with local schools." and decision.reason_category is None
    assert decision.decided_by_id == commissioner.id and decision.decided_by_role == "commissioner"
    assert decision.panel_score == 80.0 and not decision.from_recommendation and decision.published_at is None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "decision.recorded"))
    assert event.entity_id == decision.id and event.after["amount_awarded_pence"] == 550_050
    # The application is not moved on, so the applicant sees nothing before publication.
    assert decision_round.middle.status == ApplicationStatus.UNDER_ASSESSMENT
    row = commissioner_client.page(decisions_url(decision_round.round)).soup.select_one(
        f"tr[data-reference='{decision_round.middle.reference}']").get_text(" ", strip=True)
    assert "Award" in row and "£5,500.50" in row and "Not published" in row


def test_a_decision_needs_an_outcome(commissioner_client, decision_round):
    page = decide(commissioner_client, decision_round.top)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error("outcome") == "Choose award, decline or reserve"


def test_an_award_needs_an_amount_and_a_reason(commissioner_client, decision_round):
    page = decide(commissioner_client, decision_round.top, outcome="award")
    assert page.field_error("amount") == "Enter the amount awarded"
    assert page.field_error("award_reason") == "Enter why you are making this award"
    assert len(page.error_summary()) == 2


def test_an_award_cannot_be_more_than_was_asked_for_or_nothing(commissioner_client, decision_round):
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="5,000.01", reason="Good")
    assert page.field_error("amount") == "The amount awarded must be no more than the £5,000 asked for"
    assert page.value_of("amount") == "5,000.01" and page.value_of("award_reason") == "Good"
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="0", reason="Good")
    assert page.field_error("amount") == "The amount awarded must be more than £0"
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="five thousand", reason="Good")
    assert page.field_error("amount") == "Enter the amount awarded in pounds, like 8,000 or 7,500.50"


def test_a_decline_needs_a_category_from_the_list_and_feedback(session, commissioner_client, decision_round):
    page = decide(commissioner_client, decision_round.bottom, outcome="decline", reason_category="Too noisy")
    assert page.field_error("reason_category") == "Choose the main reason for declining"
    assert page.field_error("feedback") == "Enter feedback for the group on why their application was declined"
    page = decide(commissioner_client, decision_round.bottom, outcome="decline",
                  reason_category="Budget not realistic", reason="The costs for the hall look too low.")
    assert page.status == 302
    decision = decision_of(session, decision_round.bottom)
    assert decision.reason_category == "Budget not realistic" and decision.amount_awarded_pence is None


def test_a_reserve_needs_a_reason(commissioner_client, decision_round):
    page = decide(commissioner_client, decision_round.bottom, outcome="reserve")
    assert page.field_error("reserve_reason") == "Enter why this application is on the reserve list"


def test_changing_a_decision_is_audited_with_before_and_after(session, commissioner_client, decision_round):
    decide(commissioner_client, decision_round.top, outcome="reserve", reason="Wait and see")
    version = decision_of(session, decision_round.top).version
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="4,000", reason="Agreed",
                  version=str(version))
    assert page.status == 302
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "decision.changed"))
    assert event.before["outcome"] == "reserve" and event.after["outcome"] == "award"
    assert event.after["amount_awarded_pence"] == 400_000


def test_a_save_from_an_older_version_shows_both_and_keeps_what_was_typed(session, commissioner_client,
                                                                          decision_round):
    decide(commissioner_client, decision_round.top, outcome="award", amount="5,000", reason="First view")
    opened = decision_of(session, decision_round.top).version
    # A colleague changes it after this commissioner opened the form.
    decide(commissioner_client, decision_round.top, outcome="reserve", reason="Colleague's view",
           version=str(opened))
    page = decide(commissioner_client, decision_round.top, outcome="award", amount="4,500", reason="My view",
                  version=str(opened))
    assert page.status == 200 and page.title.startswith("Error: ")
    assert "We have not saved yours" in page.error_summary()[0]
    current = page.soup.select_one("#current-decision").get_text(" ", strip=True)
    assert "Reserve" in current and "Colleague's view" in current
    assert page.value_of("amount") == "4,500" and page.value_of("award_reason") == "My view"
    assert decision_of(session, decision_round.top).reason == "Colleague's view"
    # Saving again from the version now shown replaces it.
    version = page.soup.find("input", attrs={"name": "version"})["value"]
    assert decide(commissioner_client, decision_round.top, outcome="award", amount="4,500", reason="My view",
                  version=version).status == 302
    assert decision_of(session, decision_round.top).amount_awarded_pence == 450_000


def test_a_colleagues_save_caught_only_by_the_database_is_refused_too(session, commissioner, decision_round):
    decision_services.record_decision(session, application=decision_round.top, by=commissioner,
                                      entry=decision_services.DecisionInput(outcome="reserve", reason="First"))
    decision = decision_of(session, decision_round.top)
    version = decision.version
    # Another transaction bumps the version behind the ORM's back: only the UPDATE ... WHERE version notices.
    session.execute(update(Decision).where(Decision.id == decision.id).values(version=version + 1, reason="Theirs"))
    try:
        decision_services.record_decision(session, application=decision_round.top, by=commissioner,
                                          entry=decision_services.DecisionInput(outcome="reserve", reason="Mine",
                                                                                version=version))
    except decision_services.DecisionConflict as error:
        assert error.decision.reason == "Theirs" and error.decision.version == version + 1
    else:
        raise AssertionError("A save over a colleague's newer version must be refused")


# Accepting the panel's recommendation ------------------------------------------------------------


def test_accepting_the_recommendation_follows_the_funding_line(session, commissioner_client, decision_round):
    url = decisions_url(decision_round.round)
    page = commissioner_client.submit(f"{url}/accept-recommendation", token_from=url, follow=True)
    assert "2 to award and 1 to decline" in page.text()
    assert f"1 application is still waiting for scores, so not decided: {decision_round.waiting.reference}" in page.text()
    top, middle, bottom = (decision_of(session, a) for a in
                           (decision_round.top, decision_round.middle, decision_round.bottom))
    assert top.outcome == Outcome.AWARD and top.amount_awarded_pence == 500_000
    assert top.reason == "Recommended by the youth panel (scored 100 out of 100)." and top.from_recommendation
    assert middle.outcome == Outcome.AWARD and middle.amount_awarded_pence == 600_000
    assert bottom.outcome == Outcome.DECLINE and bottom.reason_category == "Scored below the funding line"
    assert bottom.reason == decision_services.BELOW_LINE_FEEDBACK
    assert decision_of(session, decision_round.waiting) is None
    assert page.soup.select_one("#awarded-total").get_text(strip=True) == "£11,000"
    assert "From the panel's recommendation" in page.soup.select_one(
        f"tr[data-reference='{decision_round.top.reference}']").get_text(" ", strip=True)


def test_accepting_leaves_decisions_already_made_and_adjusting_clears_the_flag(session, commissioner_client,
                                                                               decision_round):
    decide(commissioner_client, decision_round.bottom, outcome="reserve", reason="Close to the line")
    url = decisions_url(decision_round.round)
    commissioner_client.submit(f"{url}/accept-recommendation", token_from=url)
    assert decision_of(session, decision_round.bottom).outcome == Outcome.RESERVE
    top = decision_of(session, decision_round.top)
    decide(commissioner_client, decision_round.top, outcome="award", amount="4,000", reason="Trimmed the budget",
           version=str(top.version))
    assert not decision_of(session, decision_round.top).from_recommendation


def test_awards_over_budget_are_warned_about(commissioner_client, decision_round):
    for application, amount in ((decision_round.top, "5,000"), (decision_round.middle, "6,000"),
                                (decision_round.bottom, "4,000")):
        decide(commissioner_client, application, outcome="award", amount=amount, reason="Fund all")
    page = commissioner_client.page(decisions_url(decision_round.round))
    warning = page.soup.select_one(".portal-over-budget").get_text(" ", strip=True)
    assert "The awards add up to £15,000, which is £3,000 more than the budget" in warning
    assert page.soup.select_one("#awarded-total").get_text(strip=True) == "£15,000"


# Marking the round as decided --------------------------------------------------------------------


def test_marking_decided_is_refused_while_applications_are_undecided(session, commissioner_client, decision_round):
    url = decisions_url(decision_round.round)
    commissioner_client.submit(f"{url}/accept-recommendation", token_from=url)
    page = commissioner_client.submit(f"{url}/complete", token_from=url)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.error_summary() == [
        f"Record a decision for {decision_round.waiting.reference} (Croydon Young Carers)",
        f"{decision_round.waiting.reference} (Croydon Young Carers): 0 of 1 panellists have sent their scores. "
        "Wait for the scores, or record why it can be decided without them"]
    assert decision_round.round.status == RoundStatus.ASSESSMENT


def test_marking_decided_is_refused_when_awards_exceed_the_budget(session, commissioner_client, decision_round):
    url = decisions_url(decision_round.round)
    commissioner_client.submit(f"{url}/accept-recommendation", token_from=url)
    decide(commissioner_client, decision_round.waiting, outcome="award", amount="3,000", reason="Late but good")
    record_reason(commissioner_client, decision_round.waiting)
    page = commissioner_client.submit(f"{url}/complete", token_from=url)
    assert page.error_summary() == [
        "The awards add up to £14,000, which is £2,000 more than the budget of £12,000. Reduce or remove awards first"]
    assert decision_round.round.status == RoundStatus.ASSESSMENT


def test_marking_decided_moves_the_round_on(session, commissioner_client, decision_round):
    url = decisions_url(decision_round.round)
    commissioner_client.submit(f"{url}/accept-recommendation", token_from=url)
    decide(commissioner_client, decision_round.waiting, outcome="reserve", reason="Funded if money is left")
    record_reason(commissioner_client, decision_round.waiting)
    page = commissioner_client.submit(f"{url}/complete", token_from=url, follow=True)
    assert "is marked as decided" in page.text()
    assert decision_round.round.status == RoundStatus.DECIDED
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "round.decided")) is not None
    # Nothing is public yet, and applicants' statuses have not moved.
    assert entries(session) == []
    assert all(a.status == ApplicationStatus.UNDER_ASSESSMENT for a in decision_round.applications)


# Publishing --------------------------------------------------------------------------------------


def _decided(commissioner_client, decision_round) -> str:
    """Accept the recommendation, reserve the unscored one, mark decided; the decisions page URL."""
    url = decisions_url(decision_round.round)
    commissioner_client.submit(f"{url}/accept-recommendation", token_from=url)
    decide(commissioner_client, decision_round.waiting, outcome="reserve", reason="Funded if money is left")
    record_reason(commissioner_client, decision_round.waiting)
    commissioner_client.submit(f"{url}/complete", token_from=url)
    return url


def test_publishing_is_refused_before_the_round_is_decided(commissioner_client, decision_round):
    url = decisions_url(decision_round.round)
    page = commissioner_client.page(f"{url}/publish")
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.error_summary() == ["Mark the round as decided before you publish its decisions"]


def test_the_confirmation_page_shows_what_the_public_will_see(session, commissioner_client, decision_round):
    url = _decided(commissioner_client, decision_round)
    page = commissioner_client.page(f"{url}/publish")
    assert page.h1 == "Publish decisions for Youth voices"
    cards = {c["data-reference"]: c.get_text(" ", strip=True) for c in page.soup.select(".portal-public-preview")}
    assert list(cards) == [a.reference for a in decision_round.applications]
    assert "Hackney Youth Voices" in cards[decision_round.top.reference]
    assert "Youth voices radio" in cards[decision_round.top.reference]
    assert "Lewisham Girls Club" not in cards[decision_round.bottom.reference]
    assert "A community group in Lewisham" in cards[decision_round.bottom.reference]
    assert "Girls' football" not in cards[decision_round.bottom.reference]
    assert "A community group in Croydon" in cards[decision_round.waiting.reference]
    assert entries(session) == []  # looking is not publishing


def test_publishing_appends_chained_entries_moves_statuses_and_publishes_the_round(session, commissioner_client,
                                                                                  decision_round):
    url = _decided(commissioner_client, decision_round)
    page = commissioner_client.submit(f"{url}/publish", token_from=f"{url}/publish", follow=True)
    assert "4 decisions are published" in page.text()
    published = entries(session)
    assert [e.reference for e in published] == [a.reference for a in decision_round.applications]
    assert log.verify_chain(session).intact
    assert [a.status for a in decision_round.applications] == [
        ApplicationStatus.AWARDED, ApplicationStatus.AWARDED, ApplicationStatus.DECLINED, ApplicationStatus.RESERVE]
    assert decision_round.round.status == RoundStatus.DECISIONS_PUBLISHED
    assert decision_round.round.decisions_published_at is not None
    top, _, bottom, waiting = published
    assert top.organisation_name == "Hackney Youth Voices" and top.amount_awarded_pence == 500_000
    assert bottom.organisation_name is None and bottom.organisation_description == "A community group in Lewisham"
    assert waiting.organisation_name is None and waiting.panel_score is None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "decisions.published")) is not None
    # The page now links to the entries, offers corrections and no longer offers to decide.
    row = page.soup.select_one(f"tr[data-reference='{decision_round.top.reference}']")
    assert [a.get_text(" ", strip=True) for a in row.select("a")] == [
        "Entry 1 in the public decision log", f"Correct entry 1 for {decision_round.top.reference}"]
    assert "Entry 1" in row.get_text(" ", strip=True)


def test_publishing_twice_is_refused(session, commissioner_client, decision_round):
    url = _decided(commissioner_client, decision_round)
    commissioner_client.submit(f"{url}/publish", token_from=f"{url}/publish")
    page = commissioner_client.submit(f"{url}/publish", token_from=url)
    assert page.error_summary() == ["This round's decisions have already been published"]
    assert len(entries(session)) == 4


def test_decisions_cannot_be_changed_after_publication_except_reserves(commissioner_client, decision_published):
    page = decide(commissioner_client, decision_published.top, outcome="award", amount="1", reason="Changed",
                  version="99")
    assert page.status == 200 and "This round's decisions have been published" in page.error_summary()[0]
    assert decision_published.top.status == ApplicationStatus.AWARDED


# Late decisions ----------------------------------------------------------------------------------


def test_a_reserve_is_decided_late_and_published_on_its_own(session, commissioner_client, decision_published):
    waiting = decision_published.waiting
    form = commissioner_client.page(decide_url(waiting))
    assert form.h1 == f"Decide {waiting.reference}"
    assert {i["value"] for i in form.soup.select("input[name=outcome]")} == {"award", "decline"}
    version = form.soup.find("input", attrs={"name": "version"})["value"]
    page = decide(commissioner_client, waiting, outcome="award", amount="1,000", reason="Money came back.",
                  version=version)
    assert page.status == 302
    decision = decision_of(session, waiting)
    assert decision.outcome == Outcome.AWARD and decision.published_at is None
    assert waiting.status == ApplicationStatus.RESERVE  # not public until published
    assert len(entries(session)) == 4
    url = decisions_url(decision_published.round)
    row = commissioner_client.page(url).soup.select_one(f"tr[data-reference='{waiting.reference}']")
    assert "Not published" in row.get_text(" ", strip=True)
    assert row.select_one(f"form[action='/commissioning/applications/{waiting.id}/decision/publish'] button")
    page = commissioner_client.submit(f"/commissioning/applications/{waiting.id}/decision/publish", token_from=url,
                                      follow=True)
    assert "is published as entry 5" in page.text()
    latest = entries(session)[-1]
    assert latest.reference == waiting.reference and latest.outcome == Outcome.AWARD
    assert latest.organisation_name == "Croydon Young Carers" and latest.corrects_id is None
    assert waiting.status == ApplicationStatus.AWARDED
    assert log.verify_chain(session).intact


def test_a_reserve_can_be_declined_late_without_being_named(session, commissioner_client, decision_published):
    waiting = decision_published.waiting
    version = str(decision_of(session, waiting).version)
    decide(commissioner_client, waiting, outcome="decline", reason_category="Other",
           reason="The money went to groups nearer the top.", version=version)
    url = decisions_url(decision_published.round)
    commissioner_client.submit(f"/commissioning/applications/{waiting.id}/decision/publish", token_from=url)
    latest = entries(session)[-1]
    assert latest.outcome == Outcome.DECLINE and latest.organisation_name is None
    assert waiting.status == ApplicationStatus.DECLINED


def test_a_late_decision_cannot_reserve_again(commissioner_client, decision_published):
    page = decide(commissioner_client, decision_published.waiting, outcome="reserve", reason="Still waiting")
    assert page.field_error("outcome") == "Choose award or decline"


def test_publishing_one_without_a_change_is_refused(session, commissioner_client, decision_published):
    url = decisions_url(decision_published.round)
    page = commissioner_client.submit(f"/commissioning/applications/{decision_published.top.id}/decision/publish",
                                      token_from=url)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.error_summary() == [f"The decision for {decision_published.top.reference} is already published"]
    assert len(entries(session)) == 4


# Corrections -------------------------------------------------------------------------------------


def correct_url(entry) -> str:
    """A published entry's correction page."""
    return f"/commissioning/log-entries/{entry.id}/correct"


def test_a_correction_appends_an_entry_naming_the_one_it_corrects(session, commissioner_client, decision_log_entry):
    page = commissioner_client.page(correct_url(decision_log_entry))
    assert page.h1 == f"Correct entry {decision_log_entry.position}"
    assert page.value_of("amount") == "5,000"
    page = commissioner_client.submit(correct_url(decision_log_entry), {
        "amount": "4,800", "reason": decision_log_entry.reason,
        "correction_reason": "The group's venue costs were counted twice."})
    assert page.status == 302
    correction = entries(session)[-1]
    assert correction.corrects_id == decision_log_entry.id
    assert correction.correction_reason == "The group's venue costs were counted twice."
    assert correction.amount_awarded_pence == 480_000 and correction.outcome == Outcome.AWARD
    assert decision_log_entry.amount_awarded_pence == 500_000  # the original is never changed
    assert decision_log_entry.decision.amount_awarded_pence == 480_000
    assert log.verify_chain(session).intact
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "decision.corrected")) is not None


def test_a_correction_needs_a_public_reason_and_a_change(commissioner_client, decision_log_entry):
    page = commissioner_client.submit(correct_url(decision_log_entry), {"amount": "5,000",
                                                                        "reason": decision_log_entry.reason})
    assert page.field_error("correction_reason") == (
        "Enter the reason for the correction: it is published with the entry")
    page = commissioner_client.submit(correct_url(decision_log_entry), {
        "amount": "5,000", "reason": decision_log_entry.reason, "correction_reason": "No change really"})
    assert page.field_error("reason").startswith("Nothing has changed")
    page = commissioner_client.submit(correct_url(decision_log_entry), {
        "amount": "6,000", "reason": "x", "correction_reason": "Typo"})
    assert page.field_error("amount") == "The amount awarded must be no more than the £5,000 asked for"
    assert page.value_of("correction_reason") == "Typo"


def test_a_declined_entry_is_corrected_without_naming_the_group(session, commissioner_client, decision_published):
    entry = session.scalar(select(DecisionLogEntry).where(
        DecisionLogEntry.application_id == decision_published.bottom.id))
    page = commissioner_client.submit(correct_url(entry), {
        "reason_category": "Budget not realistic", "reason": "The costs did not add up.",
        "correction_reason": "The wrong reason was published."})
    assert page.status == 302
    correction = entries(session)[-1]
    assert correction.corrects_id == entry.id and correction.reason_category == "Budget not realistic"
    assert correction.organisation_name is None


def test_a_superseded_entry_cannot_be_corrected_again(session, commissioner_client, decision_log_entry):
    commissioner_client.submit(correct_url(decision_log_entry), {
        "amount": "4,800", "reason": decision_log_entry.reason, "correction_reason": "Counted twice."})
    latest = entries(session)[-1]
    page = commissioner_client.page(correct_url(decision_log_entry))
    assert page.title.startswith("Error: ")
    assert f"Entry {latest.position} has replaced this entry" in page.error_summary()[0]
    assert page.soup.select_one("#latest-entry a")["href"] == correct_url(latest)
    page = commissioner_client.submit(correct_url(decision_log_entry), {
        "amount": "4,000", "reason": "Again", "correction_reason": "Another go"})
    assert page.status == 200 and page.value_of("correction_reason") == "Another go"
    assert len(entries(session)) == 5


def test_panellists_cannot_correct(panellist_client, decision_log_entry):
    assert panellist_client.page(correct_url(decision_log_entry)).status == 403


def test_two_commissioners_accepting_at_once_keep_the_first_decision(session, commissioner, decision_round,
                                                                      monkeypatch):
    """If another commissioner decided an application a moment before, accepting skips it instead of failing."""
    first = decision_services.accept_recommendation(session, round_=decision_round.round, by=commissioner)
    session.flush()
    before = decision_of(session, decision_round.top)
    # The second request read "no decisions yet" before the first one committed.
    monkeypatch.setattr(decision_services, "_decisions", lambda session, ids: {})
    second = decision_services.accept_recommendation(session, round_=decision_round.round, by=commissioner)
    assert first.awarded and not second.awarded and not second.declined
    assert decision_of(session, decision_round.top) is before


# Declined and reserve groups are never named, even in the reasons --------------------------------


def test_a_public_note_naming_a_declined_group_is_refused_beside_the_field(session, commissioner_client,
                                                                            decision_round):
    page = decide(commissioner_client, decision_round.middle, outcome="decline", reason_category="Other",
                  reason="Sorry Southwark Boxing Club, the plan was weak.",  # feedback: to the group only
                  decline_public_note="Sorry Southwark-Boxing-Club, the plan was weak.")
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error("decline_public_note") == NAMING + "the group's name, or any part of it"
    assert page.value_of("decline_public_note") == "Sorry Southwark-Boxing-Club, the plan was weak."
    assert page.value_of("feedback") == "Sorry Southwark Boxing Club, the plan was weak."
    page = decide(commissioner_client, decision_round.middle, outcome="reserve", reason="Next in line.",
                  reserve_public_note="Boxing after school is next in line.")
    assert page.field_error("reserve_public_note") == NAMING + "the project's title"
    assert decision_of(session, decision_round.middle) is None


def test_the_service_refuses_a_public_note_naming_the_group_too(session, commissioner, decision_round):
    with pytest.raises(ValidationError, match="Remove the group's name, or any part of it$"):
        decision_services.record_decision(
            session, application=decision_round.middle, by=commissioner,
            entry=decision_services.DecisionInput(outcome="reserve", reason="Next",
                                                  public_note="Next: southwark\u200bboxing club"))
    assert decision_of(session, decision_round.middle) is None


def test_publishing_refuses_and_lists_public_notes_that_name_a_group(session, commissioner_client, decision_round):
    url = _decided(commissioner_client, decision_round)
    # A note that names the group got in some other way (before this rule, or straight into the database).
    session.execute(update(Decision).where(Decision.application_id == decision_round.bottom.id)
                    .values(public_note="Lewisham Girls’ Club’s budget did not add up.",
                            public_note_approved_at=decision_round.round.opens_at))
    page = commissioner_client.page(f"{url}/publish")
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [f"Change the public note for {decision_round.bottom.reference}. " + NAMING
                                    + "the group's name, or any part of it"]
    page = commissioner_client.submit(f"{url}/publish", token_from=url)
    assert "Change the public note" in page.error_summary()[0]
    assert entries(session) == [] and decision_round.round.status == RoundStatus.DECIDED


def test_a_declined_entry_cannot_be_corrected_to_name_the_group(session, commissioner_client, decision_published):
    entry = session.scalar(select(DecisionLogEntry).where(
        DecisionLogEntry.application_id == decision_published.bottom.id))
    page = commissioner_client.submit(correct_url(entry), {
        "reason_category": "Budget not realistic", "reason": "The costs did not add up.",
        "correction_reason": "We sent lewisham girls club the wrong reason."})
    assert page.status == 200
    assert page.field_error("correction_reason") == NAMING + "the group's name, or any part of it"
    assert len(entries(session)) == 4


# The budget still holds after publication --------------------------------------------------------


def test_a_late_award_over_the_budget_is_refused_saying_by_how_much(session, commissioner_client,
                                                                     decision_published):
    # £5,000 and £6,000 are awarded of the £12,000 budget: £1,000 is left.
    waiting = decision_published.waiting
    version = str(decision_of(session, waiting).version)
    page = decide(commissioner_client, waiting, outcome="award", amount="3,000", reason="Money came back.",
                  version=version)
    assert page.status == 200
    assert page.field_error("amount") == (
        "Awarding £3,000 would bring the round's published awards to £14,000, which is £2,000 more than the "
        "budget of £12,000. Award less, or reduce another award first")
    assert decision_of(session, waiting).outcome == Outcome.RESERVE


def test_publishing_a_late_award_over_the_budget_is_refused(session, commissioner_client, decision_published):
    waiting = decision_published.waiting
    # An award recorded before money was given elsewhere (here: straight into the database).
    session.execute(update(Decision).where(Decision.application_id == waiting.id).values(
        outcome=Outcome.AWARD, amount_awarded_pence=250_000, reason="Money came back.", published_at=None))
    url = decisions_url(decision_published.round)
    page = commissioner_client.submit(f"/commissioning/applications/{waiting.id}/decision/publish", token_from=url)
    assert page.error_summary() == [
        "Awarding £2,500 would bring the round's published awards to £13,500, which is £1,500 more than the "
        "budget of £12,000. Award less, or reduce another award first"]
    assert len(entries(session)) == 4 and waiting.status == ApplicationStatus.RESERVE


def test_a_correction_raising_an_award_over_the_budget_is_refused(session, commissioner_client,
                                                                   decision_published):
    top = session.scalar(select(DecisionLogEntry).where(DecisionLogEntry.application_id == decision_published.top.id))
    page = commissioner_client.submit(correct_url(top), {"amount": "4,000", "reason": top.reason,
                                                         "correction_reason": "Trimmed"})
    assert page.status == 302  # £4,000 + £6,000 of £12,000
    waiting = decision_published.waiting
    decide(commissioner_client, waiting, outcome="award", amount="2,000", reason="The money trimmed.",
           version=str(decision_of(session, waiting).version))
    url = decisions_url(decision_published.round)
    commissioner_client.submit(f"/commissioning/applications/{waiting.id}/decision/publish", token_from=url)
    assert len(entries(session)) == 6  # £4,000 + £6,000 + £2,000: the whole budget
    latest = entries(session)[4]
    assert latest.application_id == decision_published.top.id
    page = commissioner_client.submit(correct_url(latest), {"amount": "5,000", "reason": top.reason,
                                                            "correction_reason": "Trimmed by mistake"})
    assert page.status == 200
    assert page.field_error("amount") == (
        "Awarding £5,000 would bring the round's published awards to £13,000, which is £1,000 more than the "
        "budget of £12,000. Award less, or reduce another award first")
    assert len(entries(session)) == 6
    # Lowering an award is always allowed.
    page = commissioner_client.submit(correct_url(latest), {"amount": "3,500", "reason": top.reason,
                                                            "correction_reason": "Trimmed again"})
    assert page.status == 302 and len(entries(session)) == 7


# The organisation as it was sent -----------------------------------------------------------------


def test_the_log_and_its_preview_describe_the_organisation_as_sent(session, commissioner_client, decision_round):
    top, bottom = decision_round.top, decision_round.bottom
    # After sending, Hackney Youth Voices renames itself, grows, registers as a charity and moves borough.
    top.organisation.name = "Renamed After Sending Ltd"
    top.organisation.income_band = IncomeBand.OVER_1M
    top.organisation.organisation_type = OrganisationType.CHARITY
    top.organisation.charity_number = "1999999"
    top.organisation.boroughs = ["E09000033"]
    bottom.organisation.organisation_type = OrganisationType.SCHOOL
    bottom.organisation.boroughs = ["E09000001"]
    session.flush()
    url = _decided(commissioner_client, decision_round)
    cards = {c["data-reference"]: c.get_text(" ", strip=True)
             for c in commissioner_client.page(f"{url}/publish").soup.select(".portal-public-preview")}
    assert "Hackney Youth Voices" in cards[top.reference] and "Renamed" not in cards[top.reference]
    assert "A community group in Lewisham" in cards[bottom.reference]
    commissioner_client.submit(f"{url}/publish", token_from=f"{url}/publish")
    published = {entry.application_id: entry for entry in entries(session)}
    sent = published[top.id]
    assert (sent.organisation_name, sent.organisation_type, sent.small_organisation, sent.boroughs,
            sent.charity_number) == ("Hackney Youth Voices", "unregistered", True, ",E09000012,", None)
    assert published[bottom.id].organisation_description == "A community group in Lewisham"
    assert published[bottom.id].boroughs == ",E09000023,"


# Two commissioners publishing at once ------------------------------------------------------------


def test_publishing_a_round_someone_else_has_just_published_says_so(session, commissioner, decision_round):
    decision_services.accept_recommendation(session, round_=decision_round.round, by=commissioner)
    decision_services.record_decision(session, application=decision_round.waiting, by=commissioner,
                                      entry=decision_services.DecisionInput(outcome="reserve", reason="Maybe"))
    decision_services.record_exception(session, application=decision_round.waiting, by=commissioner,
                                       reason="Its panellist left.")
    decision_services.mark_decided(session, round_=decision_round.round, by=commissioner)
    session.flush()
    # Another commissioner's publication commits while this request still holds the round as "decided".
    session.execute(Round.__table__.update().where(Round.__table__.c.id == decision_round.round.id)
                    .values(status=RoundStatus.DECISIONS_PUBLISHED.value))
    assert decision_round.round.status == RoundStatus.DECIDED
    with pytest.raises(StateTransitionError, match="^These decisions were published a moment ago by someone else$"):
        decision_services.publish_decisions(session, round_=decision_round.round, by=commissioner)
    assert entries(session) == []


def test_a_decision_changed_while_publishing_is_undone_and_explained(session, commissioner, decision_round):
    decision_services.accept_recommendation(session, round_=decision_round.round, by=commissioner)
    decision_services.record_decision(session, application=decision_round.waiting, by=commissioner,
                                      entry=decision_services.DecisionInput(outcome="reserve", reason="Maybe"))
    decision_services.record_exception(session, application=decision_round.waiting, by=commissioner,
                                       reason="Its panellist left.")
    decision_services.mark_decided(session, round_=decision_round.round, by=commissioner)
    session.flush()
    decision = decision_of(session, decision_round.top)
    # The other publisher's change to a decision is seen only by the UPDATE ... WHERE version = ...
    session.execute(Decision.__table__.update().where(Decision.__table__.c.id == decision.id)
                    .values(version=decision.version + 1))
    with pytest.raises(StateTransitionError, match="^These decisions were published a moment ago by someone else$"):
        decision_services.publish_decisions(session, round_=decision_round.round, by=commissioner)
    assert entries(session) == []
    session.refresh(decision_round.round)
    assert decision_round.round.status == RoundStatus.DECIDED
