"""Configuration classes read from the environment.

SQLite under ``instance/`` is the embedded default; ``PORTAL_DATABASE_URL`` selects another
database (PostgreSQL in production).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    """Read a yes/no setting from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def engine_options(url: str) -> dict:
    """SQLAlchemy engine settings: a connection pool sized from the environment for PostgreSQL.

    Each app server process keeps up to PORTAL_DB_POOL_SIZE + PORTAL_DB_MAX_OVERFLOW connections, so
    gunicorn workers x that must stay under PostgreSQL's max_connections (see docs/deployment.md).
    SQLite keeps SQLAlchemy's own pool.
    """
    options: dict = {"pool_pre_ping": True}  # a connection the server closed is replaced, not an error page
    if url.startswith("postgresql"):
        options.update(
            pool_size=int(os.environ.get("PORTAL_DB_POOL_SIZE", "5")),
            max_overflow=int(os.environ.get("PORTAL_DB_MAX_OVERFLOW", "5")),
            pool_timeout=int(os.environ.get("PORTAL_DB_POOL_TIMEOUT", "10")),
            # Reconnect before a firewall or PgBouncer silently drops an idle connection.
            pool_recycle=int(os.environ.get("PORTAL_DB_POOL_RECYCLE", "1800")),
        )
    return options


class Config:
    """Settings shared by every environment."""

    PORTAL_NAME = os.environ.get("PORTAL_NAME", "Safer Futures Grants")
    FUNDER_NAME = os.environ.get("PORTAL_FUNDER_NAME", "City Violence Reduction Partnership")
    SUPPORT_EMAIL = os.environ.get("PORTAL_SUPPORT_EMAIL", "grants@example.org")
    SECRET_KEY = os.environ.get("PORTAL_SECRET_KEY", "development-only-secret-key-change-me")
    # Encrypts authenticator app secrets (accounts/second_factor.py); SECRET_KEY when unset. Changing it
    # makes stored secrets unreadable: staff then sign in with a recovery code and set up their app again.
    SECOND_FACTOR_KEY = os.environ.get("PORTAL_SECOND_FACTOR_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "PORTAL_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = engine_options(SQLALCHEMY_DATABASE_URI)

    # Sessions: cookies the browser's scripts cannot read, not sent on cross-site posts.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("PORTAL_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("PORTAL_SESSION_HOURS", "8")))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # E-mail: "file" writes .eml files under instance/outbox/, "smtp" sends them.
    MAIL_BACKEND = os.environ.get("PORTAL_MAIL_BACKEND", "file")
    MAIL_FROM = os.environ.get("PORTAL_MAIL_FROM", "Safer Futures Grants <no-reply@example.org>")
    SMTP_HOST = os.environ.get("PORTAL_SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("PORTAL_SMTP_PORT", "25"))
    SMTP_USERNAME = os.environ.get("PORTAL_SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("PORTAL_SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("PORTAL_SMTP_STARTTLS", False)
    OUTBOX_DIR = os.environ.get("PORTAL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    # Absolute links in e-mails need to know where the portal lives.
    PUBLIC_URL = os.environ.get("PORTAL_PUBLIC_URL", "http://127.0.0.1:5000")

    # The funder as open data names it (360Giving): its name, its org-id (see org-id.guide) and the
    # prefix registered with 360Giving for grant identifiers ("360G-...").
    FUNDER_NAME = os.environ.get("PORTAL_FUNDER_NAME", "Safer Futures Violence Reduction Unit")
    FUNDER_ORG_ID = os.environ.get("PORTAL_FUNDER_ORG_ID", "GB-LAE-SAFERFUTURES")
    GRANT_ID_PREFIX = os.environ.get("PORTAL_GRANT_ID_PREFIX", "360G-saferfutures")

    # Supporting documents live outside the web root; back this folder up with the database.
    UPLOAD_DIR = os.environ.get("PORTAL_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    UPLOAD_MAX_BYTES = int(os.environ.get("PORTAL_UPLOAD_MAX_MB", "10")) * 1024 * 1024
    # Requests much larger than an allowed upload are refused before they are read (413 page).
    MAX_CONTENT_LENGTH = UPLOAD_MAX_BYTES + 2 * 1024 * 1024

    PASSWORD_RESET_HOURS = 1
    INVITATION_DAYS = 14
    # A sign-up's link to confirm the e-mail address (needed before the group can send an application).
    EMAIL_CONFIRMATION_DAYS = 7
    # Number of reverse proxies in front of the app (for the client's address in sign-in throttling).
    PROXY_COUNT = int(os.environ.get("PORTAL_PROXY_COUNT", "0"))
    INSTANCE_DIR = str(INSTANCE_DIR)

    # Production readiness (docs/deployment.md; portal/security.py and portal/request_log.py).
    # Strict-Transport-Security goes on HTTPS responses (seen through the proxy when PROXY_COUNT is set).
    HSTS_SECONDS = int(os.environ.get("PORTAL_HSTS_SECONDS", "31536000"))
    HSTS_ALWAYS = False
    # One JSON line per request on the "portal.requests" logger (on by default in production).
    REQUEST_LOG = _bool("PORTAL_REQUEST_LOG", False)

    # The job queue (Huey) that issues letters in bulk and sends reminders, outside web requests:
    # "sqlite:///path" (the embedded default, one machine), "redis://host:6379/0" (several machines),
    # "memory://" (tests: each task runs at once, in the caller's process). See portal/jobs.py.
    PORTAL_QUEUE_URL = os.environ.get("PORTAL_QUEUE_URL", f"sqlite:///{Path(INSTANCE_DIR) / 'queue.sqlite3'}")
    # A bulk letter batch with letters left and no progress for this long has stalled (its worker died, its
    # tasks were lost): the job queue restarts it by itself, checking every minute (portal/letters/bulk.py).
    PORTAL_LETTER_BATCH_STALL_SECONDS = int(os.environ.get("PORTAL_LETTER_BATCH_STALL_SECONDS", "60"))

    # The Ed25519 private key that signs the decision log's checkpoints (portal/transparency/checkpoints.py):
    # a PEM "PRIVATE KEY" block, or the base64 of its 32-byte seed. Production refuses to start without one;
    # elsewhere, when unset, a key is made on first use and kept in instance/decision-log-signing-key.pem.
    PORTAL_LOG_SIGNING_KEY = os.environ.get("PORTAL_LOG_SIGNING_KEY")


class DevelopmentConfig(Config):
    """Local development: the demo on SQLite, e-mails written to files."""

    DEBUG = False


class TestConfig(Config):
    """The test suite: its own database, no real e-mail."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "PORTAL_TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'test.sqlite3'}"
    )
    MAIL_BACKEND = "memory"
    PORTAL_QUEUE_URL = "memory://"  # tasks run immediately, inside the test's transaction
    ARGON2_FAST = True  # cheaper hashing keeps the suite quick; production uses the defaults
    # A fixed key for tests only (never use it anywhere else): its public key is
    # HZoO+ZlD2cRMPvZpSuEpCeFZpGiLakG424oajJkCHE4=
    PORTAL_LOG_SIGNING_KEY = "kycYnTeC8LDTcOyW0VQfVjzzkg1+FC+sQGh+Ms/hRG8="


class ProductionConfig(Config):
    """Production: PostgreSQL, SMTP, secure cookies and a real secret."""

    SESSION_COOKIE_SECURE = _bool("PORTAL_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    MAIL_BACKEND = os.environ.get("PORTAL_MAIL_BACKEND", "smtp")
    # The proxy terminates TLS: say "HTTPS only" on every response, unless cookies are not secure either.
    HSTS_ALWAYS = SESSION_COOKIE_SECURE
    REQUEST_LOG = _bool("PORTAL_REQUEST_LOG", True)
    # Checkpoints signed with a key made on the server itself would change whenever instance/ is lost.
    REQUIRE_LOG_SIGNING_KEY = True


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """Pick the configuration class named by ``PORTAL_ENV`` (development by default)."""
    name = name or os.environ.get("PORTAL_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"PORTAL_ENV is {name!r}; use one of: {', '.join(sorted(CONFIGS))}"
        ) from None
