"""A structured request log: one JSON line per request on the ``portal.requests`` logger.

Each line says what was asked and how it went, without personal data: the method, the path (with secret
tokens in it replaced, and of the query string only its keys), the route, the status, how long it took, the
signed-in user's id (never an e-mail address), the client's address (the proxy's view of it when
PORTAL_PROXY_COUNT is set) and a request id. The request id comes from the proxy's ``X-Request-Id`` when it
sends a sensible one, is made up otherwise, and is always sent back in the ``X-Request-Id`` response header,
so a person reporting a problem and the operator reading the log can name the same request.

On by default in production (``PORTAL_REQUEST_LOG=0`` turns it off); ``PORTAL_REQUEST_LOG=1`` turns it on
elsewhere. Outside tests the lines go to standard error on their own, without the usual log prefix, so a log
shipper can parse each one as JSON; gunicorn's access log is off (gunicorn.conf.py) because this replaces it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from sqlalchemy import inspect

logger = logging.getLogger("portal.requests")

REQUEST_ID_HEADER = "X-Request-Id"
_SENSIBLE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_STARTED = "_portal_request_started"
_ID = "request_id"
_LOGGED = "_portal_request_logged"


def init_app(app: Flask) -> None:
    """Give every request an id, and log each one when REQUEST_LOG is on."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_log_unfinished)
    if app.config.get("REQUEST_LOG") and not app.testing and not logger.handlers:
        # One JSON object per line on standard error; tests read the records through the root logger instead.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def request_id() -> str | None:
    """The current request's id (as logged and sent back in X-Request-Id)."""
    return g.get(_ID)


def _start() -> None:
    """Note when the request started and which id it goes by."""
    setattr(g, _STARTED, time.perf_counter())
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    setattr(g, _ID, offered if _SENSIBLE_ID.fullmatch(offered) else uuid.uuid4().hex)


def _finish(response: Response) -> Response:
    """Send the request id back, and log the request."""
    if g.get(_ID) is None:  # a request stopped before our before_request ran (another one returned early)
        _start()
    response.headers.setdefault(REQUEST_ID_HEADER, g.get(_ID))
    if current_app.config.get("REQUEST_LOG"):
        _write(response.status_code, size=response.content_length)
    setattr(g, _LOGGED, True)
    return response


def _log_unfinished(error: BaseException | None) -> None:
    """A request that failed before a response was made is logged as a 500."""
    if error is not None and not g.get(_LOGGED) and current_app.config.get("REQUEST_LOG"):
        _write(500, size=None)


def _write(status: int, *, size: int | None) -> None:
    """Write one request's line."""
    started = g.get(_STARTED)
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": g.get(_ID),
        "method": request.method,
        "path": safe_path(),
        "query_keys": sorted(set(request.args.keys())),
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "bytes": size,
        "user_id": _user_id(),
        "remote_addr": request.remote_addr,
    }
    level = logging.ERROR if status >= 500 else logging.INFO
    logger.log(level, json.dumps(entry, separators=(",", ":")))


def safe_path() -> str:
    """The request's path, with any secret in it (a reset or invitation token) replaced by its name."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name.lower() and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path


def _user_id() -> int | None:
    """The signed-in user's id, if this request loaded one; never loads a user just to log it."""
    user = g.get("_login_user")  # where Flask-Login keeps the user it loaded for this request
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    state = inspect(user, raiseerr=False)
    if state is not None and state.identity:
        return state.identity[0]  # read without a query, even after the commit expired the object
    return getattr(user, "id", None)
