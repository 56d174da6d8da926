"""scripts/verify-decision-log, the standalone checker a journalist runs, against the demo's published JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from config import BASE_DIR
from portal.models import DecisionLogEntry
from portal.transparency import log

SCRIPT = BASE_DIR / "scripts" / "verify-decision-log"


def run(*args) -> subprocess.CompletedProcess:
    """The script, in a fresh interpreter, with no portal code on its path."""
    return subprocess.run([sys.executable, "-I", str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          cwd="/", timeout=120)


def save(client, url: str, path) -> dict:
    """GET a JSON file into path, as a journalist would download it."""
    response = client.get(url)
    assert response.status_code == 200, response.data
    path.write_bytes(response.data)
    return json.loads(response.data)


def test_the_standalone_script_checks_the_demo_log(app, client, session, tmp_path):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    decisions = save(client, "/decisions.json", tmp_path / "decisions.json")
    kept = save(client, "/decisions/checkpoint", tmp_path / "kept.json")
    assert decisions["log"]["checkpoint"] == kept
    result = run(tmp_path / "decisions.json", "--current", tmp_path / "kept.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The decision log checks out." in result.stdout
    assert "OK: the checkpoint's signature verifies." in result.stdout

    # A later publication (a correction): the kept checkpoint is proved a prefix of the new log.
    first = session.scalar(select(DecisionLogEntry).where(DecisionLogEntry.position == 1))
    decision = first.decision
    log.append(session, [decision], now=first.published_at + timedelta(days=2),
               correction=log.Correction(entry=first, reason="Typing error"))
    save(client, "/decisions.json", tmp_path / "decisions.json")
    result = run(tmp_path / "decisions.json", "--checkpoint", tmp_path / "kept.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"({kept['tree_size']} entries) is still the start of the log now" in result.stdout

    # Tampered copies all fail.
    document = json.loads((tmp_path / "decisions.json").read_text())
    hashes = document["log"]["entry_hashes"]
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps({**document, "log": {**document["log"], "entry_hashes": hashes[:-1]}}))
    result = run(tampered)
    assert result.returncode == 1 and "FAIL: the checkpoint covers" in result.stdout
    swapped = hashes[:]
    swapped[0], swapped[1] = swapped[1], swapped[0]
    tampered.write_text(json.dumps({**document, "log": {**document["log"], "entry_hashes": swapped}}))
    assert run(tampered).returncode == 1
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**kept, "root_hash": "0" * 64}))
    result = run(tmp_path / "decisions.json", "--checkpoint", forged)
    assert result.returncode == 1 and "your earlier checkpoint: its signature does not verify" in result.stdout


def test_the_standalone_script_checks_each_field_against_its_commitment(app, client, session, tmp_path):
    """A copy whose amount or name was changed after download is caught, though every hash is left as it was."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    document = save(client, "/decisions.json", tmp_path / "decisions.json")
    result = run(tmp_path / "decisions.json")
    assert result.returncode == 0 and "their fields give their hashes" in result.stdout, result.stdout
    record = next(r for r in document["decisions"] if "amount_awarded_pence" in r["field_openings"])
    opening = record["field_openings"]["amount_awarded_pence"]
    tampered = tmp_path / "tampered.json"
    for change in (
        lambda r: r["field_openings"]["amount_awarded_pence"].update(value=opening["value"] + 100_000),
        lambda r: r["hashed_content"].update(amount_awarded_pence="0" * 64),
    ):
        copy = json.loads(json.dumps(document))
        change(next(r for r in copy["decisions"] if r["position"] == record["position"]))
        tampered.write_text(json.dumps(copy))
        result = run(tampered)
        assert result.returncode == 1, result.stdout
        assert f"FAIL: decision {record['reference']} has" in result.stdout
