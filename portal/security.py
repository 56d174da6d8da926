"""Security headers on every response, and static files that browsers may cache for a year.

The Content Security Policy lets pages load scripts, styles, fonts and images from the portal only. Inline code
is refused, with two exceptions a page can rely on:

- GOV.UK Frontend's one-line ``<script>`` in its page template (it marks the body ``js-enabled``), allowed by
  its SHA-256 hash, read from the installed template so an upgrade keeps working;
- a ``<script>`` or ``<style>`` carrying ``nonce="{{ csp_nonce() }}"``. The nonce is made for the request only
  when a template asks for one, so pages without one stay identical between requests (ETags keep working).
  A page with a nonce must not be answered with 304 (``portal/transparency/caching.py``): the browser would
  reuse the old body, whose nonce no longer matches.

A view may set its own ``Content-Security-Policy`` (or any header below): it is kept as it is.

Private responses: every response of a page that needs signing in, and every page shown to a signed-in
person, is sent with ``Cache-Control: private, no-store`` (letters, the account page, applications), so no
browser or proxy keeps a copy. Public pages seen anonymously and public files keep their own caching.

Static files: ``url_for('static', filename=...)`` adds ``?v=`` and the first 12 hex digits of the file's
SHA-256, and a request whose ``v`` matches the file being served is answered with
``Cache-Control: public, max-age=31536000, immutable``. Any other static request is revalidated each time, so
a server still running the old release (during a rolling deploy) never lets a browser keep an old file under
a new version for a year.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from portal.access import rule_for

ONE_YEAR = 31_536_000
VERSION_LENGTH = 12  # hex digits of the file's SHA-256 in ?v=
NONCE_KEY = "_portal_csp_nonce"

# Each policy directive and its sources; script-src and style-src gain the request's nonce when one is used.
POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),  # GOV.UK Frontend's stylesheet draws some icons from data: URLs
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

# Headers for every response (HTML, PDF, CSV, JSON and static files alike); a value a view set is kept.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                           "microphone=(), payment=(), usb=()"),
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# The Content Security Policy governs documents: HTML pages and SVG opened on their own. PDFs are left alone,
# because Chrome shows a PDF through a plugin that "object-src 'none'" would block.
POLICY_TYPES = {"text/html", "image/svg+xml"}

GOVUK_TEMPLATE = Path("templates") / "template.html"
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(?P<code>[^<]+)</script>")


def init_app(app: Flask) -> None:
    """Add the security headers to every response, ``csp_nonce()`` to templates and versions to static URLs."""
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.url_defaults(_version_static_urls)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = StaticFreeSessionInterface()


# The Content Security Policy ---------------------------------------------------------------------------------


def csp_nonce() -> str:
    """This request's nonce for an inline ``<script>`` or ``<style>``: ``nonce="{{ csp_nonce() }}"``."""
    nonce = g.get(NONCE_KEY)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        setattr(g, NONCE_KEY, nonce)
    return nonce


@lru_cache(maxsize=1)
def trusted_script_hashes() -> tuple[str, ...]:
    """CSP sources for the inline scripts of GOV.UK Frontend's page template, by SHA-256 of their code."""
    import govuk_frontend_jinja

    template = Path(govuk_frontend_jinja.__file__).parent / GOVUK_TEMPLATE
    sources = []
    for match in _INLINE_SCRIPT.finditer(template.read_text(encoding="utf-8")):
        digest = hashlib.sha256(match.group("code").encode("utf-8")).digest()
        sources.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return tuple(sources)


def content_security_policy(*, nonce: str | None = None) -> str:
    """The policy as a header value, allowing this request's nonce when the page used one."""
    directives = {name: list(sources) for name, sources in POLICY.items()}
    directives["script-src"] += trusted_script_hashes()
    if nonce:
        directives["script-src"].append(f"'nonce-{nonce}'")
        directives["style-src"].append(f"'nonce-{nonce}'")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _sends_hsts(app: Flask) -> bool:
    """HSTS only over HTTPS (seen through the proxy when PORTAL_PROXY_COUNT is set), or always if configured."""
    return request.is_secure or bool(app.config.get("HSTS_ALWAYS"))


def add_security_headers(response: Response) -> Response:
    """Set the security headers (and a year's caching for versioned static files) on a response."""
    app = current_app
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype in POLICY_TYPES and "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = content_security_policy(nonce=g.get(NONCE_KEY))
    seconds = int(app.config.get("HSTS_SECONDS", ONE_YEAR) or 0)
    if seconds and _sends_hsts(app):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    if request.endpoint == "static":
        _cache_static_file(response)
    elif _private(response):
        response.headers["Cache-Control"] = PRIVATE
    return response


# Private responses ------------------------------------------------------------------------------------------

PRIVATE = "private, no-store"


def _private(response: Response) -> bool:
    """Whether no cache may keep this response: every response of a page that needs signing in (to anyone),
    and every page for a signed-in person (their name and form tokens are on it). Public files that are the
    same for everyone (CSV, JSON, feeds, the prospectus PDF) keep their own caching, signed in or not."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    rule = rule_for(view) if view is not None else None
    if rule is not None and rule.signed_in:
        return True
    if not current_user.is_authenticated:
        return False
    return rule is None or response.mimetype in POLICY_TYPES


# Static files ---------------------------------------------------------------------------------------------


def _version_static_urls(endpoint: str, values: dict) -> None:
    """Give ``url_for('static', filename=...)`` a ``v`` that changes whenever the file's content does."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    version = static_version(values["filename"])
    if version:
        values["v"] = version


def static_version(filename: str) -> str | None:
    """The first hex digits of a static file's SHA-256; None when there is no such file."""
    folder = current_app.static_folder
    if not folder:
        return None
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _file_version(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _file_version(path: str, _mtime_ns: int, _size: int) -> str:
    """Hash a file once per version of it (the modification time and size are part of the cache key)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()[:VERSION_LENGTH]


class StaticFreeSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, except that responses for static files never carry it.

    Flask-Login looks at the session after every request, which would add ``Vary: Cookie`` (so a browser
    fetches the stylesheet again whenever the session cookie changes) and, for a signed-in person, refresh
    the cookie with a ``Set-Cookie`` on a publicly cacheable file.
    """

    def save_session(self, app: Flask, session, response: Response) -> None:
        """Save the session, unless the response is a static file."""
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def _cache_static_file(response: Response) -> None:
    """A year, immutable, when the URL names this exact content; otherwise check back each time."""
    if response.status_code not in (200, 304):
        return
    asked = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    if asked and asked == static_version(filename):
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    else:
        response.cache_control.no_cache = True
        response.cache_control.max_age = None
        response.cache_control.immutable = False
