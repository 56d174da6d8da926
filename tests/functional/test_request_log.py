"""The structured request log: one JSON line per request, useful to an operator and free of personal data."""

from __future__ import annotations

import json
import logging

import pytest

from portal import create_app
from portal.request_log import REQUEST_ID_HEADER


@pytest.fixture
def request_log(app, monkeypatch, caplog):
    """Turn the request log on, and return a function giving the entries logged so far."""
    monkeypatch.setitem(app.config, "REQUEST_LOG", True)
    caplog.set_level(logging.INFO, logger="portal.requests")

    def entries() -> list[dict]:
        """The JSON of every request line logged so far."""
        return [json.loads(record.getMessage()) for record in caplog.records if record.name == "portal.requests"]

    return entries


def test_each_request_is_one_json_line(client, request_log):
    """What was asked, how it went and how long it took; the request id matches the response header."""
    response = client.get("/decisions?outcome=award&page=2&outcome=decline")
    (entry,) = request_log()
    assert entry["method"] == "GET"
    assert entry["path"] == "/decisions"
    assert entry["route"] == "/decisions"
    assert entry["status"] == response.status_code == 200
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["request_id"] == response.headers[REQUEST_ID_HEADER]
    assert entry["remote_addr"] == "127.0.0.1"
    assert entry["user_id"] is None
    assert entry["time"].endswith("+00:00")


def test_query_values_are_left_out_only_their_keys_are_kept(client, request_log):
    """A search for a group's name, or an e-mail address in a link, never reaches the log."""
    client.get("/decisions?search=Hackney+Youth+Voices&email=grace@example.org")
    (entry,) = request_log()
    assert entry["query_keys"] == ["email", "search"]
    line = json.dumps(entry)
    assert "Hackney" not in line and "grace@example.org" not in line


def test_a_signed_in_person_is_logged_by_id_never_by_email(applicant_client, applicant, request_log):
    """The user's database id, so an operator can follow a problem without reading personal details."""
    applicant_client.get("/account")
    (entry,) = request_log()
    assert entry["user_id"] == applicant.id
    assert applicant.email not in json.dumps(entry) and applicant.name not in json.dumps(entry)


def test_tokens_in_links_are_not_logged(client, request_log):
    """A password reset or invitation link's token would let a log reader take over the account."""
    secret = "Zq3-secret-reset-token-value-1234567890"
    client.get(f"/reset-password/{secret}")
    client.get(f"/invitations/{secret}")
    entries = request_log()
    assert [entry["path"] for entry in entries] == ["/reset-password/<token>", "/invitations/<token>"]
    assert all(secret not in json.dumps(entry) for entry in entries)


def test_a_request_id_from_the_proxy_is_kept_and_sent_back(client, request_log):
    """The proxy's id ties its log line to ours; the person seeing an error page can quote it."""
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"})
    assert response.headers[REQUEST_ID_HEADER] == "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
    assert request_log()[0]["request_id"] == "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"


@pytest.mark.parametrize("offered", ['x"},{"status":200', "<script>alert(1)</script>", "a" * 500, "short"])
def test_a_strange_request_id_is_replaced(client, request_log, offered):
    """A made-up id cannot forge log lines or flood them: a fresh one is used instead."""
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: offered})
    made_up = response.headers[REQUEST_ID_HEADER]
    assert made_up != offered and len(made_up) == 32
    assert request_log()[0]["request_id"] == made_up


def test_failed_requests_are_logged_with_their_status(client, request_log):
    """A 404 and a refused form are logged like any other request."""
    client.get("/no-such-page")
    client.post("/sign-in", data={"email": "someone@example.org", "password": "wrong"})  # no CSRF token: 400
    assert [entry["status"] for entry in request_log()] == [404, 400]
    assert "someone@example.org" not in json.dumps(request_log())


def test_every_response_has_a_request_id_even_with_the_log_off(app, client, caplog):
    """The log is off outside production unless asked for; the id is still sent back."""
    assert app.config["REQUEST_LOG"] is False
    caplog.set_level(logging.INFO, logger="portal.requests")
    response = client.get("/healthz")
    assert len(response.headers[REQUEST_ID_HEADER]) == 32
    assert not [record for record in caplog.records if record.name == "portal.requests"]


@pytest.mark.own_database
def test_the_clients_address_comes_from_the_proxy_when_one_is_configured(tmp_path, caplog):
    """Behind PORTAL_PROXY_COUNT=1 the log shows the visitor's address, not the proxy's."""
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path), "PROXY_COUNT": 1, "REQUEST_LOG": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite3'}"})
    caplog.set_level(logging.INFO, logger="portal.requests")
    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    (record,) = [record for record in caplog.records if record.name == "portal.requests"]
    assert json.loads(record.getMessage())["remote_addr"] == "203.0.113.9"


@pytest.mark.own_database
def test_a_crash_is_logged_as_an_error(tmp_path, caplog):
    """A 500 is logged at ERROR level, so alerts can watch for it."""
    from portal.access import PUBLIC, access

    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path), "REQUEST_LOG": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'crash.sqlite3'}"})

    @app.route("/crash")
    @access(PUBLIC)
    def crash():
        """A view with a bug."""
        raise RuntimeError("boom")

    caplog.set_level(logging.INFO, logger="portal.requests")
    response = app.test_client().get("/crash")
    assert response.status_code == 500
    (record,) = [record for record in caplog.records if record.name == "portal.requests"]
    assert record.levelno == logging.ERROR
    assert json.loads(record.getMessage())["status"] == 500
