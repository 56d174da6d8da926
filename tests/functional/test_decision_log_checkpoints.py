"""Issue 15: the log can only grow and anyone can prove it; derived tables are checked too.

Reproductions 2 and 3 of the issue are here: deleting the newest entry (and its current-entry row) straight
from the database, and pointing ``decision_log_current`` back at a superseded entry. Both were reported as an
intact log before signed checkpoints and the current-entry check.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, select, update

from portal.models import CurrentDecisionEntry, DecisionLogCheckpoint, DecisionLogEntry
from portal.transparency import checkpoints, log, merkle

TEST_PUBLIC_KEY = "HZoO+ZlD2cRMPvZpSuEpCeFZpGiLakG424oajJkCHE4="  # TestConfig's key


def entry_hashes(session) -> list[str]:
    """Every entry's hash in position order."""
    return list(session.scalars(select(DecisionLogEntry.entry_hash).order_by(DecisionLogEntry.position)))


def fetch_checkpoint(client) -> dict:
    """GET /decisions/checkpoint as JSON."""
    response = client.get("/decisions/checkpoint")
    assert response.status_code == 200, response.data
    return json.loads(response.data)


def verify_cli(app, *args: str):
    """flask verify-decisions with these arguments."""
    return app.test_cli_runner().invoke(args=["verify-decisions", *args])


def test_each_publication_signs_a_checkpoint_anyone_can_check(client, session, log_round, log_correction):
    sizes = list(session.scalars(select(DecisionLogCheckpoint.tree_size).order_by(DecisionLogCheckpoint.tree_size)))
    assert sizes == [6, 7], "one checkpoint after the round's publication, one after the correction"
    document = fetch_checkpoint(client)
    assert document["tree_size"] == 7
    assert document["root_hash"] == merkle.root([bytes.fromhex(h) for h in entry_hashes(session)]).hex()
    assert document["public_key"] == TEST_PUBLIC_KEY
    message = (f"safer-futures-decision-log\n7\n{document['root_hash']}\n{document['signed_at']}\n").encode()
    assert document["signed_message"] == message.decode()
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"]))
    public_key.verify(base64.b64decode(document["signature"]), message)  # raises if the signature is wrong
    assert document["signed_at"] == log_correction.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    page = client.page("/decisions/verify")
    assert page.soup.select_one("#public-key").get_text() == TEST_PUBLIC_KEY
    assert page.soup.select_one("#checkpoint-root").get_text() == document["root_hash"]


def test_no_checkpoint_before_anything_is_published(client):
    response = client.get("/decisions/checkpoint")
    assert response.status_code == 404
    assert json.loads(response.data)["tree_size"] == 0


def test_reproduction_2_deleting_the_newest_entry_is_detected(app, client, session, log_round):
    """Issue 15, reproduction 2: delete the newest entry and its current row straight from the database."""
    assert verify_cli(app).exit_code == 0
    newest = log_round.entries["haringey"]
    assert newest.position == 6
    session.execute(delete(CurrentDecisionEntry).where(CurrentDecisionEntry.entry_id == newest.id))
    session.execute(delete(DecisionLogEntry).where(DecisionLogEntry.id == newest.id))
    session.expire_all()
    result = verify_cli(app)
    assert result.exit_code == 1, result.output
    assert "covers 6 entries, but the log now has 5: entries have been removed." in result.output
    page = client.page("/decisions/verify")
    result_text = " ".join(page.soup.select_one("#chain-result").get_text(" ").split())
    assert "The decision log has been changed" in result_text
    assert "entries have been removed" in result_text
    assert "The decision log is intact." not in page.text()


def test_reproduction_3_a_current_row_pointed_at_a_superseded_entry(app, client, session, log_round,
                                                                     log_correction):
    """Issue 15, reproduction 3: point decision_log_current back at the entry a correction replaced."""
    original = log_round.entries["hackney"]
    session.execute(update(CurrentDecisionEntry).where(CurrentDecisionEntry.application_id == original.application_id)
                    .values(entry_id=original.id))
    session.expire_all()
    result = verify_cli(app)
    assert result.exit_code == 1, result.output
    assert ("The current-entry table shows entry 1 for YLF-2026-0601, but its latest entry in the log is entry 7."
            in result.output)
    page = client.page("/decisions/verify")
    assert "its latest entry in the log is entry 7" in page.soup.select_one("#log-problems").get_text()
    # The public never sees the superseded amount (£7,500), only the correction's £7,000.
    listing = client.page("/decisions?search=hackney+youth")
    (card,) = listing.soup.select("#decision-entries > li")
    assert card["id"] == f"entry-{log_correction.position}" and "£7,500" not in card.get_text()
    full = client.page("/decisions")
    assert full.soup.select_one(f"#entry-{original.position}") is None
    records = json.loads(client.get("/decisions.json").data)["decisions"]
    (hackney,) = [record for record in records if record["reference"] == "YLF-2026-0601"]
    assert hackney["amount_awarded_pence"] == 700_000 and hackney["position"] == log_correction.position
    rows = list(csv.DictReader(io.StringIO(client.get("/decisions.csv").data.decode("utf-8-sig"))))
    (row,) = [row for row in rows if row["Reference"] == "YLF-2026-0601"]
    assert row["Amount awarded (pounds)"] == "7000.00" and row["Entry"] == str(log_correction.position)


def test_a_checkpoint_kept_from_before_proves_the_log_only_grew(app, client, session, log_round, tmp_path):
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(fetch_checkpoint(client)))  # 6 entries
    decision = log_round.decisions["hackney"]
    decision.amount_awarded_pence = 700_000
    log.append(session, [decision], now=log_round.round_.decisions_published_at + timedelta(days=1),
               correction=log.Correction(entry=log_round.entries["hackney"], reason="Typing error"))
    result = verify_cli(app, "--checkpoint", str(kept))
    assert result.exit_code == 0, result.output
    assert "is consistent with the log now: its 6 entries are still the first 6 of 7, unchanged." in result.output
    page = client.page("/decisions/verify", query_string={"checkpoint": kept.read_text()})
    assert "The log has only grown since your checkpoint." in page.soup.select_one("#earlier-result").get_text()


def test_a_kept_checkpoint_catches_a_removal_the_database_hides(app, client, session, log_round, log_correction,
                                                              tmp_path):
    """Whoever removes the newest entry, its current row and its checkpoint: a kept checkpoint still finds it."""
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(fetch_checkpoint(client)))  # 7 entries
    original = log_round.entries["hackney"]
    session.execute(update(CurrentDecisionEntry).where(CurrentDecisionEntry.application_id == original.application_id)
                    .values(entry_id=original.id))
    session.execute(delete(DecisionLogEntry).where(DecisionLogEntry.id == log_correction.id))
    session.execute(delete(DecisionLogCheckpoint).where(DecisionLogCheckpoint.tree_size == 7))
    session.expire_all()
    assert verify_cli(app).exit_code == 0, "inside the database everything now agrees"
    result = verify_cli(app, "--checkpoint", str(kept))
    assert result.exit_code == 1
    assert "covers 7 entries, but the log now has only 6: entries have been removed since." in result.output
    page = client.page("/decisions/verify", query_string={"checkpoint": kept.read_text()})
    assert "entries have been removed since" in page.soup.select_one("#log-problems").get_text()


def test_a_kept_checkpoint_catches_a_rewritten_and_resigned_history(app, session, log_round, client, tmp_path):
    """Rewrite an entry, recompute every hash and re-sign every checkpoint: the kept one is not consistent."""
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(fetch_checkpoint(client)))
    last = log_round.entries["haringey"]
    last.reason = "Rewritten quietly"
    last.content_hash = log.content_hash(last)
    last.entry_hash = log.chain_hash(last.previous_hash, last.content_hash)
    session.execute(delete(DecisionLogCheckpoint))
    session.flush()
    checkpoints.record_checkpoint(session, now=log_round.round_.decisions_published_at)
    assert verify_cli(app).exit_code == 0, "inside the database everything now agrees"
    result = verify_cli(app, "--checkpoint", str(kept))
    assert result.exit_code == 1
    assert "is not consistent with the log now" in result.output


def test_a_changed_or_foreign_checkpoint_is_refused(app, client, log_round, tmp_path):
    document = fetch_checkpoint(client)
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps({**document, "tree_size": 5}))
    result = verify_cli(app, "--checkpoint", str(changed))
    assert result.exit_code == 1 and "signature does not match its contents" in result.output
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({**document, "public_key": base64.b64encode(bytes(32)).decode()}))
    result = verify_cli(app, "--checkpoint", str(foreign))
    assert result.exit_code == 1 and "different key" in result.output
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    assert verify_cli(app, "--checkpoint", str(garbage)).exit_code == 1


def test_the_page_says_what_is_wrong_with_a_pasted_checkpoint(client, log_round):
    page = client.page("/decisions/verify", query_string={"checkpoint": "{\"tree_size\": 3}"})
    assert page.title.startswith("Error: Check the decision log")
    assert "The checkpoint has no root_hash, signed_at, signature" in page.soup.select_one("#checkpoint-error").get_text()
    assert page.soup.select_one("#checkpoint").get_text() == "{\"tree_size\": 3}"


def test_an_entry_offers_a_proof_that_it_is_in_the_signed_tree(client, session, log_round, log_correction):
    page = client.page("/decisions/entries/3")
    link = page.soup.select_one("a[href='/decisions/entries/3/proof.json']")
    assert link is not None, "the entry page links to its inclusion proof"
    proof = json.loads(client.get("/decisions/entries/3/proof.json").data)
    assert proof["leaf_index"] == 2 and proof["tree_size"] == 7
    assert proof["checkpoint"]["root_hash"] == proof["root_hash"] == fetch_checkpoint(client)["root_hash"]
    assert merkle.verify_inclusion(index=2, size=7, leaf=bytes.fromhex(proof["entry_hash"]),
                                   proof=[bytes.fromhex(step) for step in proof["audit_path"]],
                                   root_hash=bytes.fromhex(proof["root_hash"]))
    assert client.get("/decisions/entries/99/proof.json").status_code == 404


def test_the_atom_feed_and_the_json_carry_the_latest_checkpoint(client, session, log_round):
    document = fetch_checkpoint(client)
    feed = client.get("/decisions.atom").data.decode()
    assert document["root_hash"] in feed and document["signature"] in feed
    data = json.loads(client.get("/decisions.json").data)
    assert data["log"]["entry_hashes"] == entry_hashes(session)
    assert data["log"]["checkpoint"] == document
