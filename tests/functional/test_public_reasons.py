"""Issue 15, reproduction 1: nothing identifying a declined or reserve group can reach the public log.

The public record of a decline or reserve is built from structured fields; the only free text the public sees
is an optional public note, checked by portal/identifying.py and approved by a second commissioner.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.commissioning import decision_services
from portal.domain import StateTransitionError
from portal.models import AuditEvent, Decision, DecisionLogEntry, OrganisationType, Role
from tests.conftest import _signed_in, make_user

NAMING = "Do not name the group: declined and reserve decisions are published without it. Remove "
NOTE = "The panel would like to see this kind of work again in a future round."


def decide_url(application) -> str:
    """An application's decision page."""
    return f"/commissioning/applications/{application.id}/decision"


def note_url(application) -> str:
    """The page where a second commissioner approves an application's public note."""
    return f"/commissioning/applications/{application.id}/decision/public-note"


def make_tottenham(application) -> None:
    """Make the application's group the demo's Tottenham Mothers' Network, as it is now and as it was sent."""
    organisation = application.organisation
    organisation.name = "Tottenham Mothers' Network"
    organisation.organisation_type = OrganisationType.CHARITY
    organisation.charity_number = "1187654"
    organisation.address_line_1, organisation.postcode = "12 High Road", "N17 9LN"
    organisation.boroughs = ["E09000014"]
    snapshot = dict(application.submitted_snapshot or {})
    snapshot["organisation"] = {**snapshot.get("organisation", {}), "name": "Tottenham Mothers' Network",
                                "type": OrganisationType.CHARITY.label, "charity_number": "1187654",
                                "boroughs": ["Haringey"], "address": ["12 High Road", "London", "N17 9LN"]}
    application.submitted_snapshot = snapshot


@pytest.fixture
def tottenham_round(session, decision_round):
    """The decision round with its lowest-scored group (declined by the panel's line) made Tottenham's."""
    make_tottenham(decision_round.bottom)
    session.flush()
    return decision_round


@pytest.fixture
def second_commissioner(session):
    """Another commissioner, to approve public text the first one wrote."""
    return make_user(session, email="bola@example.org", role=Role.COMMISSIONER, name="Bola Adeyemi")


@pytest.fixture
def second_commissioner_client(app, second_commissioner):
    """Signed in as the second commissioner."""
    return _signed_in(app, second_commissioner)


DISGUISES = [
    ("Tottenham Mothers’ Network did not cost the sessions.", "the group's name, or any part of it"),
    ("Tottenham Mothers Network did not cost the sessions.", "the group's name, or any part of it"),
    ("Tottenham-Mothers-Network did not cost the sessions.", "the group's name, or any part of it"),
    ("Tottenham Mothers\u200b Network did not cost the sessions.", "the group's name, or any part of it"),
    ("Totten\u200bham Mothers Network did not cost the sessions.", "the group's name, or any part of it"),
    ("TottenhamMothersNetwork did not cost the sessions.", "the group's name, or any part of it"),
    ("The Tottenham mothers did not cost the sessions.", "the group's name, or any part of it"),
    ("Charity 1187-654 has no safeguarding policy.", "the group's charity or company number"),
    ("The hall at N17-9LN is too small.", "the group's postcode"),
]


@pytest.mark.parametrize(("note", "remove"), DISGUISES)
def test_reproduction_1_each_disguise_in_a_public_note_is_refused(session, commissioner_client, tottenham_round,
                                                                    note, remove):
    page = commissioner_client.submit(decide_url(tottenham_round.bottom), {
        "outcome": "decline", "reason_category": "Budget not realistic", "feedback": "Say how the money is spent.",
        "decline_public_note": note})
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error("decline_public_note") == NAMING + remove
    assert NAMING + remove in page.error_summary()
    assert page.value_of("feedback") == "Say how the money is spent."  # nothing typed is lost
    assert session.scalar(select(Decision).where(Decision.application_id == tottenham_round.bottom.id)) is None


@pytest.mark.parametrize("note", ["The budget did not show how the money would be spent",
                                  "A registered charity in Haringey: mothers in the area were not asked."])
def test_an_ordinary_public_note_is_saved_waiting_for_approval(session, commissioner_client, tottenham_round, note):
    page = commissioner_client.submit(decide_url(tottenham_round.bottom), {
        "outcome": "decline", "reason_category": "Budget not realistic", "feedback": "Say how the money is spent.",
        "decline_public_note": note})
    assert page.status == 302, page.error_summary()
    decision = session.scalar(select(Decision).where(Decision.application_id == tottenham_round.bottom.id))
    assert decision.public_note == note and decision.public_note_awaiting_approval


def _publish(session, decision_round, by, *, feedback: str) -> list[DecisionLogEntry]:
    """Accept the recommendation, give the declined group this feedback, reserve the unscored one, publish."""
    decision_services.accept_recommendation(session, round_=decision_round.round, by=by)
    decline = session.scalar(select(Decision).where(Decision.application_id == decision_round.bottom.id))
    decision_services.record_decision(session, application=decision_round.bottom, by=by,
                                      entry=decision_services.DecisionInput(
                                          outcome="decline", reason_category="Budget not realistic",
                                          reason=feedback, version=decline.version))
    decision_services.record_decision(
        session, application=decision_round.waiting, by=by,
        entry=decision_services.DecisionInput(outcome="reserve", reason="Croydon Young Carers is next in line."))
    decision_services.record_exception(session, application=decision_round.waiting, by=by,
                                       reason="Its panellist left the panel before scoring it.")
    decision_services.mark_decided(session, round_=decision_round.round, by=by)
    return decision_services.publish_decisions(session, round_=decision_round.round, by=by)


def test_reproduction_1_no_typed_feedback_reaches_the_public_log_or_its_files(session, client, commissioner,
                                                                              tottenham_round):
    feedback = ("Tottenham Mothers’ Network (charity 1187-654, N17-9LN): your budget did not show how the "
                "money would be spent.")
    entries = _publish(session, tottenham_round, commissioner, feedback=feedback)
    session.commit()
    declined = next(e for e in entries if e.application_id == tottenham_round.bottom.id)
    assert declined.reason == "" and declined.reason_category == "Budget not realistic"
    assert declined.organisation_description == "A registered charity in Haringey"
    assert declined.amount_requested_pence == 400_000 and declined.panel_score is not None
    reserved = next(e for e in entries if e.application_id == tottenham_round.waiting.id)
    assert reserved.reason == ""  # "Croydon Young Carers is next in line." stays with the group
    for url in ("/decisions", f"/decisions/entries/{declined.position}", f"/decisions/entries/{reserved.position}",
                "/decisions.csv", "/decisions.json", "/decisions.atom"):
        body = client.get(url).get_data(as_text=True)
        for detail in ("Tottenham", "Mothers", "1187", "N17", "Croydon Young Carers", "how the money"):
            assert detail not in body, f"{detail!r} reached {url}"


def test_a_public_note_needs_a_second_commissioners_approval_before_publishing(
        session, commissioner, commissioner_client, second_commissioner, second_commissioner_client,
        tottenham_round, client):
    decision_services.accept_recommendation(session, round_=tottenham_round.round, by=commissioner)
    decline = session.scalar(select(Decision).where(Decision.application_id == tottenham_round.bottom.id))
    decision_services.record_decision(session, application=tottenham_round.bottom, by=commissioner,
                                      entry=decision_services.DecisionInput(
                                          outcome="decline", reason_category="Scored below the funding line",
                                          reason="Sorry.", public_note=NOTE, version=decline.version))
    decision_services.record_decision(
        session, application=tottenham_round.waiting, by=commissioner,
        entry=decision_services.DecisionInput(outcome="reserve", reason="Next in line."))
    decision_services.record_exception(session, application=tottenham_round.waiting, by=commissioner,
                                       reason="Its panellist left the panel before scoring it.")
    decision_services.mark_decided(session, round_=tottenham_round.round, by=commissioner)
    session.commit()
    reference = tottenham_round.bottom.reference
    round_url = f"/commissioning/rounds/{tottenham_round.round.id}/decisions"

    # Publishing is refused, saying which note waits.
    page = commissioner_client.submit(f"{round_url}/publish", token_from=round_url)
    assert page.title.startswith("Error: ")
    assert page.error_summary() == [f"The public note for {reference} is waiting for approval. A commissioner other "
                                    "than the one who wrote it must approve it, or remove it"]
    assert session.scalar(select(DecisionLogEntry)) is None

    # The writer cannot approve their own text.
    page = commissioner_client.page(note_url(tottenham_round.bottom))
    assert page.soup.select_one("#cannot-approve").get_text(strip=True) == (
        "You wrote this public note, so a different commissioner must approve it.")
    version = str(decline.version)
    page = commissioner_client.submit(note_url(tottenham_round.bottom), {"version": version})
    assert page.title.startswith("Error: ") and page.error_summary() == [
        "You wrote this public note, so a different commissioner must approve it."]
    with pytest.raises(StateTransitionError, match="different commissioner"):
        decision_services.approve_public_note(session, application=tottenham_round.bottom, by=commissioner,
                                              version=int(version))

    # The second commissioner sees it highlighted as public text, and approves it.
    page = second_commissioner_client.page(note_url(tottenham_round.bottom))
    inset = page.soup.select_one("#public-text")
    assert "govuk-inset-text" in inset["class"]
    assert inset.h2.get_text(strip=True) == "This text will be published" and NOTE in inset.get_text()
    assert page.value_of("version") == version
    page = second_commissioner_client.submit(note_url(tottenham_round.bottom), {"version": version})
    assert page.status == 302, page.error_summary()
    decision = session.get(Decision, decline.id)
    assert decision.public_note_approved_by_id == second_commissioner.id and not decision.public_note_awaiting_approval
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "decision.public_note_approved"))
    assert event.actor_id == second_commissioner.id and event.after["application"] == reference

    preview = commissioner_client.page(f"{round_url}/publish")
    assert NOTE in preview.text() and "Public note" in preview.text()
    page = commissioner_client.submit(f"{round_url}/publish", token_from=round_url)
    assert page.status == 302, page.error_summary()
    entry = session.scalar(select(DecisionLogEntry).where(DecisionLogEntry.application_id == decision.application_id))
    assert entry.reason == NOTE
    assert NOTE in client.page(f"/decisions/entries/{entry.position}").text()


def test_changing_the_text_clears_the_approval_and_a_stale_approval_is_refused(
        session, commissioner, second_commissioner, tottenham_round):
    application = tottenham_round.bottom
    decision = decision_services.record_decision(
        session, application=application, by=commissioner,
        entry=decision_services.DecisionInput(outcome="decline", reason_category="Other", reason="Sorry.",
                                              public_note=NOTE))
    opened = decision.version
    decision_services.approve_public_note(session, application=application, by=second_commissioner, version=opened)
    assert decision.public_note_approved_at is not None
    # Saving the decision again with the same text keeps the approval; new text clears it.
    decision_services.record_decision(
        session, application=application, by=commissioner,
        entry=decision_services.DecisionInput(outcome="decline", reason_category="Budget not realistic",
                                              reason="Sorry.", public_note=NOTE, version=decision.version))
    assert decision.public_note_approved_at is not None
    decision_services.record_decision(
        session, application=application, by=second_commissioner,
        entry=decision_services.DecisionInput(outcome="decline", reason_category="Budget not realistic",
                                              reason="Sorry.", public_note=NOTE + " Please apply again.",
                                              version=decision.version))
    assert decision.public_note_awaiting_approval and decision.public_note_by_id == second_commissioner.id
    # Now the first commissioner may approve (the second wrote it), but not from a page opened before the change.
    with pytest.raises(StateTransitionError, match="Read the public note again"):
        decision_services.approve_public_note(session, application=application, by=commissioner, version=opened)
    decision_services.approve_public_note(session, application=application, by=commissioner,
                                          version=decision.version)
    assert decision.public_note_approved_by_id == commissioner.id


def test_invisible_characters_are_dropped_from_what_is_typed_but_joiners_stay(session, commissioner_client,
                                                                               tottenham_round):
    page = commissioner_client.submit(decide_url(tottenham_round.bottom), {
        "outcome": "decline", "reason_category": "Other",
        "feedback": "\u200b Plan\u202e was\u2066 thin\u2069\ufeff; \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u200b",
        "decline_public_note": "A\u2060 registered\u200e charity\u061c in Haringey"})
    assert page.status == 302, page.error_summary()
    decision = session.scalar(select(Decision).where(Decision.application_id == tottenham_round.bottom.id))
    assert decision.reason == "Plan was thin; \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian keeps its ZWNJ
    assert decision.public_note == "A registered charity in Haringey"
