"""Production settings: the PostgreSQL connection pool, HSTS, the request log, and gunicorn's configuration."""

from __future__ import annotations

import json
import multiprocessing
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from config import BASE_DIR, engine_options

GUNICORN_CONF = BASE_DIR / "gunicorn.conf.py"
TEST_SIGNING_KEY = "kycYnTeC8LDTcOyW0VQfVjzzkg1+FC+sQGh+Ms/hRG8="  # TestConfig's, never used elsewhere
POOL_VARIABLES = ("PORTAL_DB_POOL_SIZE", "PORTAL_DB_MAX_OVERFLOW", "PORTAL_DB_POOL_TIMEOUT", "PORTAL_DB_POOL_RECYCLE")


def production_settings(**environment: str) -> dict:
    """ProductionConfig's settings as a fresh interpreter reads them from this environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env.update(environment)
    code = ("import json, config; c = config.ProductionConfig; print(json.dumps({k: getattr(c, k) for k in "
            "('SQLALCHEMY_ENGINE_OPTIONS', 'HSTS_ALWAYS', 'HSTS_SECONDS', 'REQUEST_LOG', 'SESSION_COOKIE_SECURE')}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def test_postgresql_gets_a_pool_sized_from_the_environment(monkeypatch):
    """Pool size, overflow, wait and recycle come from PORTAL_DB_*; dead connections are replaced."""
    monkeypatch.setenv("PORTAL_DB_POOL_SIZE", "8")
    monkeypatch.setenv("PORTAL_DB_MAX_OVERFLOW", "2")
    monkeypatch.setenv("PORTAL_DB_POOL_TIMEOUT", "15")
    monkeypatch.setenv("PORTAL_DB_POOL_RECYCLE", "600")
    assert engine_options("postgresql+psycopg://portal@db.internal/portal") == {
        "pool_pre_ping": True, "pool_size": 8, "max_overflow": 2, "pool_timeout": 15, "pool_recycle": 600,
    }


def test_postgresql_pool_defaults(monkeypatch):
    """Without settings: five connections and five more at busy moments, recycled every half hour."""
    for name in POOL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    options = engine_options("postgresql://portal@db.internal/portal")
    assert options == {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5, "pool_timeout": 10,
                       "pool_recycle": 1800}


def test_sqlite_keeps_sqlalchemys_own_pool(monkeypatch):
    """The pool settings are for PostgreSQL only; SQLite's file database keeps the defaults."""
    monkeypatch.setenv("PORTAL_DB_POOL_SIZE", "8")
    assert engine_options("sqlite:////srv/portal/instance/portal.sqlite3") == {"pool_pre_ping": True}


def test_production_on_postgresql_builds_the_pool_logs_requests_and_sends_hsts():
    """PORTAL_ENV=production with a PostgreSQL URL: pool, request log and HSTS all on by default."""
    settings = production_settings(PORTAL_DATABASE_URL="postgresql+psycopg://portal@db.internal/portal",
                                   PORTAL_DB_POOL_SIZE="12")
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 12
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert settings["REQUEST_LOG"] is True
    assert settings["HSTS_ALWAYS"] is True and settings["HSTS_SECONDS"] == 31_536_000


def test_production_settings_can_be_turned_off():
    """Without secure cookies (no HTTPS yet) there is no HSTS; PORTAL_REQUEST_LOG=0 stops the log."""
    settings = production_settings(PORTAL_SECURE_COOKIES="0", PORTAL_REQUEST_LOG="0")
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["HSTS_ALWAYS"] is False
    assert settings["REQUEST_LOG"] is False


def _create_production_app(tmp_path, **environment: str) -> subprocess.CompletedProcess:
    """create_app() under PORTAL_ENV=production in a fresh interpreter, with this environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env.update(PORTAL_ENV="production", PORTAL_SECRET_KEY="a-long-random-secret-for-this-test-only",
               PORTAL_INSTANCE_PATH=str(tmp_path), PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
               PORTAL_QUEUE_URL="memory://", **environment)
    code = "from portal import create_app; app = create_app(); print(app.extensions['portal_log_signer'].public_key)"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)


def test_production_needs_a_signing_key_for_the_decision_log(tmp_path):
    """Without PORTAL_LOG_SIGNING_KEY production refuses to start (and never makes a key of its own)."""
    result = _create_production_app(tmp_path)
    assert result.returncode != 0
    assert "Set PORTAL_LOG_SIGNING_KEY" in result.stderr
    assert not (tmp_path / "decision-log-signing-key.pem").exists()
    result = _create_production_app(tmp_path, PORTAL_LOG_SIGNING_KEY="not a key")
    assert result.returncode != 0 and "PORTAL_LOG_SIGNING_KEY" in result.stderr
    result = _create_production_app(tmp_path, PORTAL_LOG_SIGNING_KEY=TEST_SIGNING_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "HZoO+ZlD2cRMPvZpSuEpCeFZpGiLakG424oajJkCHE4="


# gunicorn --------------------------------------------------------------------------------------------------


def gunicorn_settings(monkeypatch, **environment: str) -> dict:
    """gunicorn.conf.py's settings as gunicorn reads them, with this environment."""
    for name in ("PORTAL_BIND", "PORTAL_WEB_WORKERS", "PORTAL_WEB_THREADS", "PORTAL_WEB_TIMEOUT",
                 "PORTAL_FORWARDED_ALLOW_IPS", "PORTAL_CONTROL_SOCKET", "PORTAL_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch):
    """Local only, 2 x cores + 1 workers with threads, the app preloaded, our request log instead of theirs."""
    settings = gunicorn_settings(monkeypatch, PORTAL_DATABASE_URL="postgresql+psycopg://portal@db/portal")
    assert settings["wsgi_app"] == "wsgi:app"
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert settings["threads"] == 4 and settings["worker_class"] == "gthread"
    assert settings["preload_app"] is True
    assert settings["accesslog"] is None
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert settings["timeout"] == 60
    assert settings["control_socket_disable"] is True
    assert callable(settings["post_fork"])


def test_on_sqlite_each_gunicorn_process_has_one_thread(monkeypatch):
    """Nothing waits on a database server, so more threads would only queue for the interpreter."""
    assert gunicorn_settings(monkeypatch)["threads"] == 1, "SQLite is the default database"
    assert gunicorn_settings(monkeypatch, PORTAL_DATABASE_URL="sqlite:////srv/portal.sqlite3")["threads"] == 1
    assert gunicorn_settings(monkeypatch, PORTAL_DATABASE_URL="sqlite:////srv/portal.sqlite3",
                             PORTAL_WEB_THREADS="3")["threads"] == 3, "unless a machine says otherwise"


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    """Each machine sets its own address, workers, threads, timeout and trusted proxies."""
    settings = gunicorn_settings(monkeypatch, PORTAL_BIND="0.0.0.0:8000", PORTAL_WEB_WORKERS="3",
                                 PORTAL_WEB_THREADS="8", PORTAL_WEB_TIMEOUT="120",
                                 PORTAL_FORWARDED_ALLOW_IPS="10.0.0.5", PORTAL_CONTROL_SOCKET="/run/portal.ctl")
    assert settings["bind"] == ["0.0.0.0:8000"]
    assert (settings["workers"], settings["threads"], settings["timeout"]) == (3, 8, 120)
    assert settings["forwarded_allow_ips"] == "10.0.0.5"
    assert settings["control_socket_disable"] is False and settings["control_socket"] == "/run/portal.ctl"


def _free_port() -> int:
    """A TCP port nothing is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.own_database
def test_gunicorn_serves_the_portal_with_this_configuration(tmp_path):
    """Started the way production starts it: /healthz answers with HSTS, and the request log is JSON."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env.update(PORTAL_ENV="production", PORTAL_SECRET_KEY="a-long-random-secret-for-this-test-only",
               PORTAL_LOG_SIGNING_KEY=TEST_SIGNING_KEY,
               PORTAL_INSTANCE_PATH=str(tmp_path), PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
               PORTAL_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}", PORTAL_MAIL_BACKEND="file",
               PORTAL_BIND=f"127.0.0.1:{port}", PORTAL_WEB_WORKERS="2", PORTAL_WEB_THREADS="2",
               PORTAL_WEB_GRACEFUL_TIMEOUT="5")  # a worker still starting when it is stopped is not waited for long
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn"], cwd=BASE_DIR, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
        try:
            response = None
            for _attempt in range(100):  # wait for it to start (not a speed test: only until it answers)
                try:
                    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz",
                                                     headers={"X-Request-Id": "gunicorn-smoke-test"})
                    response = urllib.request.urlopen(request, timeout=5)
                    break
                except OSError:
                    if server.poll() is not None:
                        pytest.fail(f"gunicorn exited: {log.read_text()}")
                    time.sleep(0.2)
            assert response is not None, f"gunicorn never answered: {log.read_text()}"
            assert json.loads(response.read()) == {"status": "ok", "database": "ok"}
            assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert response.headers["X-Request-Id"] == "gunicorn-smoke-test"
        finally:
            server.terminate()
            server.wait(timeout=60)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert [entry["request_id"] for entry in entries] == ["gunicorn-smoke-test"], log.read_text()
    assert entries[0]["path"] == "/healthz" and entries[0]["status"] == 200
    assert "GET /healthz" not in log.read_text(), "gunicorn's own access log should be off"
