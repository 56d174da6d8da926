"""Lawful redaction: one commissioner asks, a different one approves; the public sees the notice, never the value,
and the chain still verifies."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.models import AuditEvent, DecisionLogEntry, DecisionLogRedaction, OutboxMessage
from portal.transparency import log

NAME = "Hackney Youth Voices"
ERASURE = "Erasure under data protection law"


def ask(client, entry, **fields):
    """Ask for a redaction through the form."""
    data = {"field": "organisation_name", "reason_category": ERASURE, "reason": "At the group's request.", **fields}
    return client.submit(f"/commissioning/decision-log/entries/{entry.id}/redact", data)


def public_text(client, entry) -> dict[str, str]:
    """What the public sees of the entry on its page, in the log and in every file."""
    record = next(r for r in json.loads(client.get("/decisions.json").get_data(as_text=True))["decisions"]
                  if r["reference"] == entry.reference)
    return {
        "entry page": client.page(f"/decisions/entries/{entry.position}").text(),
        "log": client.page("/decisions").soup.select_one(f"#entry-{entry.position}").get_text(" ", strip=True),
        "csv": next(line for line in client.get("/decisions.csv").get_data(as_text=True).splitlines()
                    if entry.reference in line),
        "json": json.dumps(record, ensure_ascii=False),
        "atom": client.get("/decisions.atom").get_data(as_text=True),
        "360giving": client.get("/open-data/360giving.json").get_data(as_text=True),
    }


def test_a_redaction_asked_for_and_approved_by_another_commissioner_replaces_the_value_everywhere(
        app, client, session, commissioner_client, second_commissioner_client, decision_log_entry):
    entry = decision_log_entry
    before = public_text(client, entry)  # also fills the caches kept between requests
    assert all(NAME in text for text in before.values()), {k: NAME in v for k, v in before.items()}

    asked = ask(commissioner_client, entry)
    assert asked.status == 302
    request = session.scalar(select(DecisionLogRedaction))
    assert request.field == "organisation_name" and request.approved_at is None
    session.expire_all()
    assert session.get(DecisionLogEntry, entry.id).organisation_name == NAME, "nothing changes until approved"
    assert NAME in client.page(f"/decisions/entries/{entry.position}").text()
    (mail,) = session.scalars(select(OutboxMessage).where(OutboxMessage.subject.like("A redaction%")))
    assert mail.to_address == "second.commissioner@example.org", "the other commissioners are asked to approve"
    assert f"/commissioning/decision-log/redactions/{request.id}/approve" in mail.body and NAME not in mail.body

    page = second_commissioner_client.page(f"/commissioning/decision-log/redactions/{request.id}/approve")
    assert page.h1 == f"Approve the redaction of entry {entry.position}" and NAME in page.text()
    approved = second_commissioner_client.submit(f"/commissioning/decision-log/redactions/{request.id}/approve")
    assert approved.status == 302

    session.expire_all()
    stored = session.get(DecisionLogEntry, entry.id)
    assert stored.organisation_name == log.REDACTED and "organisation_name" not in stored.field_salts
    after = public_text(client, entry)
    for where, text in after.items():
        assert NAME not in text, f"the name is still on the {where}"
    for where in ("entry page", "log", "csv", "json", "360giving"):
        assert "Redacted on " in after[where] and f"{ERASURE}. At the group's request." in after[where], where
    record = json.loads(after["json"])
    assert record["redactions"][0]["field"] == "organisation_name"
    assert "organisation_name" not in record["field_openings"]

    verify = client.page("/decisions/verify")
    assert "The decision log is intact." in verify.text()
    result = app.test_cli_runner().invoke(args=["verify-decisions"])
    assert result.exit_code == 0, result.output

    actions = {event.action: event for event in session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("decision_log.redaction_%")))}
    assert set(actions) == {"decision_log.redaction_requested", "decision_log.redaction_approved"}
    assert actions["decision_log.redaction_approved"].after["field"] == "organisation_name"
    assert all(NAME not in json.dumps(event.after) for event in actions.values()), "the trail never copies it"


def test_the_commissioner_who_asked_cannot_approve(session, commissioner_client, decision_log_entry):
    ask(commissioner_client, decision_log_entry)
    request = session.scalar(select(DecisionLogRedaction))
    page = commissioner_client.submit(f"/commissioning/decision-log/redactions/{request.id}/approve")
    assert page.status == 200 and page.title.startswith("Error: ")
    assert "a different commissioner must approve it" in page.text()
    session.expire_all()
    assert session.get(DecisionLogRedaction, request.id).approved_at is None
    assert session.get(DecisionLogEntry, decision_log_entry.id).organisation_name == NAME


def test_a_public_reason_that_identifies_anyone_is_refused_and_kept(session, commissioner_client,
                                                                    decision_log_entry):
    page = ask(commissioner_client, decision_log_entry, reason="Hackney-Youth Voices asked us")
    assert page.status == 200 and page.title.startswith("Error: ")
    assert "must not identify anyone" in page.field_error("reason")
    assert page.value_of("reason") == "Hackney-Youth Voices asked us"
    assert session.scalar(select(DecisionLogRedaction)) is None


def test_a_field_and_a_reason_category_must_be_chosen(commissioner_client, decision_log_entry):
    page = ask(commissioner_client, decision_log_entry, field="amount_awarded_pence", reason_category="")
    assert page.status == 200
    assert "Select a field" in page.field_error("field")
    assert "Select why" in page.field_error("reason_category")


def test_panellists_and_applicants_cannot_ask_or_approve(panellist_client, applicant_client, redaction_request):
    for client in (panellist_client, applicant_client):
        assert client.page(f"/commissioning/decision-log/redactions/{redaction_request.id}/approve").status == 403
        assert client.page(f"/commissioning/decision-log/entries/{redaction_request.entry_id}/redact").status == 403


def test_commissioners_reach_redaction_from_the_published_entry(client, commissioner_client, decision_log_entry):
    url = f"/decisions/entries/{decision_log_entry.position}"
    link = commissioner_client.page(url).soup.select_one("#redact-link a")
    assert link["href"] == f"/commissioning/decision-log/entries/{decision_log_entry.id}/redact"
    assert client.page(url).soup.select_one("#redact-link") is None, "the public never sees the link"
    page = commissioner_client.page(link["href"])
    assert page.h1 == f"Redact a field of entry {decision_log_entry.position}"
    assert NAME in page.soup.select_one("#field-organisation-name").get_text()


def test_a_correction_of_a_redacted_reason_starts_empty_not_with_the_marker(
        session, commissioner_client, second_commissioner_client, decision_log_entry):
    ask(commissioner_client, decision_log_entry, field="reason", reason="Published by mistake.")
    request = session.scalar(select(DecisionLogRedaction))
    second_commissioner_client.submit(f"/commissioning/decision-log/redactions/{request.id}/approve")
    page = commissioner_client.page(f"/commissioning/log-entries/{decision_log_entry.id}/correct")
    assert page.soup.select_one("textarea[name=reason]").get_text() == ""


def test_the_other_entries_of_the_application_are_linked_for_redaction(session, commissioner_client,
                                                                      decision_log_entry):
    from portal.commissioning import decision_services

    correction = decision_services.correct_entry(
        session, entry=decision_log_entry, by=decision_log_entry.decision.decided_by,
        typed=decision_services.CorrectionInput(amount="4,000", reason="A smaller budget.",
                                                correction_reason="Typing error"))
    page = commissioner_client.page(f"/commissioning/decision-log/entries/{decision_log_entry.id}/redact")
    links = [a["href"] for a in page.soup.select("#other-entries a")]
    assert links == [f"/commissioning/decision-log/entries/{correction.id}/redact"]


def test_a_correction_after_a_redaction_publishes_the_groups_details_redacted_too(
        app, client, session, commissioner, commissioner_client, second_commissioner_client, decision_log_entry):
    """The group's name was erased from its entry; correcting the award must not publish the name again."""
    from portal.commissioning import decision_services

    ask(commissioner_client, decision_log_entry)
    request = session.scalar(select(DecisionLogRedaction))
    assert second_commissioner_client.submit(
        f"/commissioning/decision-log/redactions/{request.id}/approve").status == 302
    correction = decision_services.correct_entry(
        session, entry=decision_log_entry, by=commissioner,
        typed=decision_services.CorrectionInput(amount="4,000", reason="A smaller budget.",
                                                correction_reason="Typing error"))
    assert correction.organisation_name == log.REDACTED
    assert correction.project_title != log.REDACTED, "only what was redacted is carried"
    assert correction.reason == "A smaller budget.", "new text is not carried: the matcher checks it"
    after = public_text(client, correction)
    for where, text in after.items():
        assert NAME not in text, f"the name is back on the {where}"
    assert f"{ERASURE}. At the group's request." in after["entry page"]
    assert "The decision log is intact." in client.page("/decisions/verify").text()
    assert app.test_cli_runner().invoke(args=["verify-decisions"]).exit_code == 0
