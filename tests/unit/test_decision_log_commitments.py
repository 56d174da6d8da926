"""Each entry's hash commits to salted hashes of its fields, so a field can be redacted and the chain still verify."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.models import Decision, DecisionLogEntry, Outcome, Role, utcnow
from portal.transparency import log, redaction
from tests.fixtures.panel_round import make_eligible_application


@pytest.fixture
def entries(session, assessment_round, organisation, applicant, other_organisation, other_applicant, commissioner):
    """An award to Hackney Youth Voices, then a decline, published in the log."""
    award_app = make_eligible_application(session, round_=assessment_round, organisation=organisation, by=applicant,
                                          number=71, amount_pence=800_000)
    decline_app = make_eligible_application(session, round_=assessment_round, organisation=other_organisation,
                                            by=other_applicant, number=72, amount_pence=600_000)
    decided_at = utcnow() - timedelta(days=1)
    award = Decision(application=award_app, outcome=Outcome.AWARD, amount_awarded_pence=750_000,
                     reason="A strong plan from Hackney Youth Voices.", panel_score=78.25, decided_by=commissioner,
                     decided_by_role=Role.COMMISSIONER, decided_at=decided_at)
    decline = Decision(application=decline_app, outcome=Outcome.DECLINE, reason_category="Outcomes not clear enough",
                       reason="The panel could not see what would change.", panel_score=52.0,
                       decided_by=commissioner, decided_by_role=Role.COMMISSIONER, decided_at=decided_at)
    session.add_all([award, decline])
    session.flush()
    return log.append(session, [award, decline])


def test_a_commitment_is_the_sha256_of_the_salt_bytes_then_the_value_as_canonical_json():
    salt = "00112233445566778899aabbccddeeff"
    expected = hashlib.sha256(bytes.fromhex(salt) + json.dumps("Café", ensure_ascii=False).encode("utf-8"))
    assert log.field_commitment(salt, "Café") == expected.hexdigest()
    assert log.field_commitment(salt, {"b": 1, "a": None}) == hashlib.sha256(
        bytes.fromhex(salt) + b'{"a":null,"b":1}').hexdigest()


def test_each_field_has_its_own_random_salt_and_the_content_hash_covers_the_commitments(entries):
    award, decline = entries
    assert set(award.field_salts) == set(log.entry_content(award))
    assert all(len(salt) == 32 for salt in award.field_salts.values())
    assert award.field_salts["reason"] != decline.field_salts["reason"]
    commitments = log.commitments(award)
    assert commitments["amount_awarded_pence"] == log.field_commitment(award.field_salts["amount_awarded_pence"],
                                                                       750_000)
    assert award.content_hash == hashlib.sha256(log.canonical_json(commitments)).hexdigest()
    assert award.entry_hash == log.chain_hash(log.GENESIS_HASH, award.content_hash)


def test_changing_a_value_without_redacting_it_breaks_verification(session, entries):
    session.execute(update(DecisionLogEntry).where(DecisionLogEntry.position == 1)
                    .values(organisation_name="Someone else"))
    session.expire_all()
    report = log.verify_chain(session)
    assert report.broken_at == 1 and "changed since it was published" in report.problem


def test_a_wrong_salt_breaks_verification(session, entries):
    award, _ = entries
    award.field_salts = {**award.field_salts, "reason": "ff" * 16}
    session.flush()
    assert log.verify_chain(session).broken_at == 1


def test_a_missing_salt_breaks_verification(session, entries):
    _, decline = entries
    decline.field_salts = {field: salt for field, salt in decline.field_salts.items() if field != "reason"}
    session.flush()
    assert log.verify_chain(session).broken_at == 2


def test_redacting_a_field_keeps_the_chain_verifying(session, entries):
    award, decline = entries
    hashes = (award.content_hash, award.entry_hash, decline.entry_hash)
    redaction.apply(award, field="organisation_name", reason_category="Erasure under data protection law",
                    reason="At the group's request.", at=utcnow())
    redaction.apply(award, field="reason", reason_category="Identifying details published by mistake",
                    reason="", at=utcnow())
    session.flush()
    session.expire_all()
    assert award.organisation_name == log.REDACTED and award.reason == log.REDACTED
    assert "organisation_name" not in award.field_salts, "a redacted field's salt is dropped"
    assert (award.content_hash, award.entry_hash, decline.entry_hash) == hashes
    assert log.verify_chain(session).intact
    assert redaction.notice(award, "organisation_name").endswith(
        ": Erasure under data protection law. At the group's request.")
    assert redaction.shown(award, "reason").startswith("Redacted on ")
    assert redaction.shown(award, "project_title") == award.project_title


def test_a_redacted_field_that_holds_text_again_breaks_verification(session, entries):
    award, _ = entries
    redaction.apply(award, field="project_title", reason_category="Erasure under data protection law",
                    reason="", at=utcnow())
    session.flush()
    award.project_title = "Put back quietly"
    session.flush()
    assert log.verify_chain(session).broken_at == 1


def test_a_redaction_with_a_wrong_commitment_breaks_verification(session, entries):
    award, _ = entries
    redaction.apply(award, field="charity_number", reason_category="Erasure under data protection law",
                    reason="", at=utcnow())
    award.redactions = {"charity_number": {**award.redactions["charity_number"], "commitment": "0" * 64}}
    session.flush()
    assert log.verify_chain(session).broken_at == 1


def test_only_free_text_and_identifying_fields_can_be_redacted(entries):
    award, _ = entries
    with pytest.raises(ValueError):
        redaction.apply(award, field="amount_awarded_pence", reason_category="x", reason="", at=utcnow())
