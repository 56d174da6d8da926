"""The README's demo command serves where it says, and the demo's e-mails link to that address.

`PORT=5101 scripts/demo` used to print port 5000 and write e-mails linking to port 5000 (the public URL
was never told about the port). This runs the real script on a free port with its own database, outbox
and queue, as a newcomer would, and reads what it prints and the e-mails it writes.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PORTAL_TEST_DATABASE_URL")),
    reason="the demo script serves the SQLite demo; it is run once, in the SQLite pass of the suite",
)


def _free_port() -> int:
    """A port nothing on this machine is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(predicate, *, what: str, process: subprocess.Popen, tries: int = 600):
    """Poll predicate every tenth of a second until it returns something true; fail if the script dies."""
    for _ in range(tries):
        found = predicate()
        if found:
            return found
        if process.poll() is not None:
            pytest.fail(f"scripts/demo stopped (exit {process.returncode}) before {what}")
        time.sleep(0.1)
    pytest.fail(f"scripts/demo did not get as far as {what} in {tries // 10} seconds")


def _body(path: Path) -> str:
    """The decoded text of an .eml file's parts (they may be quoted-printable or base64)."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_maintype() == "text")


def test_demo_on_another_port_prints_it_and_links_to_it(tmp_path):
    """PORT=N scripts/demo says it is at port N, answers there, and its e-mails link to port N."""
    port = _free_port()
    outbox, output = tmp_path / "outbox", tmp_path / "demo.out"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PORTAL_", "FLASK_"))}
    env.update(PORT=str(port), PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
               PORTAL_OUTBOX_DIR=str(outbox), PORTAL_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
               PORTAL_QUEUE_LOG=str(tmp_path / "queue.log"), PORTAL_UPLOAD_DIR=str(tmp_path / "uploads"))
    with output.open("w") as out:
        process = subprocess.Popen([str(ROOT / "scripts" / "demo")], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        printed = _wait_for(lambda: "The portal is at" in output.read_text() and output.read_text(),
                            what="saying where the portal is", process=process)
        assert f"The portal is at http://127.0.0.1:{port} " in printed, printed[-2000:]
        assert "127.0.0.1:5000" not in printed, "the demo still names port 5000 while serving elsewhere"
        assert "commissioner@example.org" in printed, "the demo sign-ins are printed"

        def home_page():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False
        _wait_for(home_page, what="answering on its port", process=process)

        emails = _wait_for(lambda: sorted(outbox.glob("*.eml")), what="writing the demo's e-mails",
                           process=process)
        text = "\n".join(_body(path) for path in emails)
        assert f"http://127.0.0.1:{port}/" in text, "the demo's e-mails link to the port it serves on"
        assert "127.0.0.1:5000" not in text, "no demo e-mail links to port 5000"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
