"""Security headers on every response, a Content Security Policy the pages satisfy, and cacheable static files.

The browser test tests/browser/test_content_security_policy.py is the real proof that pages keep to the
policy; these tests check the headers themselves and catch inline code in the HTML before a browser would.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from bs4 import BeautifulSoup
from flask import render_template_string

from config import BASE_DIR
from portal import create_app
from portal.access import PUBLIC, access
from portal.security import ONE_YEAR

EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def policy_of(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request.path} has no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def inline_code_problems(html: str, policy: dict[str, list[str]]) -> list[str]:
    """Inline scripts, styles and style attributes the policy would refuse, described for the developer."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for script in soup.find_all("script"):
        if script.get("src"):
            continue
        code = script.string or ""
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        nonce = script.get("nonce")
        if f"'sha256-{digest}'" not in policy["script-src"] and f"'nonce-{nonce}'" not in policy["script-src"]:
            problems.append(f"inline <script> without an allowed hash or nonce: {code.strip()[:60]!r}")
    for style in soup.find_all("style"):
        if f"'nonce-{style.get('nonce')}'" not in policy["style-src"]:
            problems.append("inline <style> without nonce=\"{{ csp_nonce() }}\"")
    for element in soup.find_all(style=True):
        problems.append(f"style attribute on <{element.name}>: move it into assets/portal.scss as a class")
    for element in soup.find_all(lambda tag: any(name.startswith("on") for name in tag.attrs)):
        problems.append(f"event handler attribute on <{element.name}>: use a script file")
    return problems


def test_a_page_carries_every_security_header(client):
    """The home page: the policy, no sniffing, a strict referrer, no camera or microphone, no framing."""
    response = client.get("/")
    assert response.status_code == 200
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, f"{name} should be {value!r} on every response"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'"], "Pages without a nonce allow no inline style at all"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("client_name, url, status", [
    ("client", "/", 200),
    ("client", "/rounds/staying-in-school", 200),
    ("client", "/rounds/staying-in-school/check-eligibility", 200),
    ("client", "/sign-in", 200),
    ("client", "/sign-up", 200),
    ("client", "/decisions", 200),
    ("client", "/no-such-page", 404),
    ("applicant_client", "/account", 200),
    ("commissioner_client", "/commissioning", 200),
    ("panellist_client", "/panel", 200),
])
def test_pages_have_no_inline_code_the_policy_would_refuse(request, open_round, client_name, url, status):
    """Every inline script is allowed by hash or nonce; no inline style, no style="" and no onclick=""."""
    client = request.getfixturevalue(client_name)
    response = client.get(url)
    assert response.status_code == status and response.mimetype == "text/html"
    problems = inline_code_problems(response.get_data(as_text=True), policy_of(response))
    assert not problems, f"{url} breaks the Content Security Policy: " + "; ".join(problems)


def test_govuk_frontends_inline_script_is_allowed_by_its_hash(client):
    """The template's one-line script that switches on GOV.UK Frontend's JavaScript styles runs."""
    response = client.get("/")
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    inline = [script for script in soup.find_all("script") if not script.get("src")]
    assert inline and "js-enabled" in inline[0].string
    assert not inline[0].get("nonce"), "It is allowed by its hash, so the page stays the same between requests"
    assert not inline_code_problems(str(soup), policy_of(response))


def test_files_keep_their_content_types_and_get_no_page_policy(client, open_round):
    """CSV and PDF downloads keep their types; nosniff is on them too, the page policy is not."""
    csv = client.get("/decisions.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    pdf = client.get(f"/rounds/{open_round.slug}/prospectus.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    for response in (csv, pdf):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response.headers, (
            "Chrome shows PDFs with a plugin that object-src 'none' would block"
        )


def test_no_hsts_over_plain_http(client):
    """A browser must not be told "HTTPS only" by a server it reached over HTTP (development)."""
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_over_https(client):
    """Over HTTPS, a year of HTTPS only, subdomains included."""
    response = client.get("/", base_url="https://portal.test")
    assert response.headers["Strict-Transport-Security"] == f"max-age={ONE_YEAR}; includeSubDomains"


def test_hsts_always_in_production_with_secure_cookies(app, client, monkeypatch):
    """In production the proxy terminates TLS: with secure cookies on, every response says HTTPS only."""
    monkeypatch.setitem(app.config, "HSTS_ALWAYS", True)
    assert client.get("/healthz").headers["Strict-Transport-Security"].startswith(f"max-age={ONE_YEAR}")


@pytest.mark.own_database
def test_hsts_behind_a_proxy_that_terminates_https(tmp_path):
    """With PORTAL_PROXY_COUNT=1 the proxy's X-Forwarded-Proto: https counts as HTTPS."""
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path), "PROXY_COUNT": 1,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite3'}"})
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    behind_proxy = client.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert behind_proxy.headers["Strict-Transport-Security"] == f"max-age={ONE_YEAR}; includeSubDomains"


@pytest.mark.own_database
def test_a_nonce_allows_one_requests_inline_script_and_only_when_asked_for(tmp_path):
    """csp_nonce() in a template puts a fresh nonce in that response's policy; other pages get none."""
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'nonce.sqlite3'}"})

    @app.route("/with-script")
    @access(PUBLIC)
    def with_script():
        """A page with an inline script and style, each given the request's nonce."""
        return render_template_string('<script nonce="{{ csp_nonce() }}">let x = 1;</script>'
                                      '<style nonce="{{ csp_nonce() }}">p {}</style>')

    @app.route("/own-policy")
    @access(PUBLIC)
    def own_policy():
        """A page that sets its own policy (as a framed preview would)."""
        return "<p>framed preview</p>", {"Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
                                         "X-Frame-Options": "SAMEORIGIN"}

    client = app.test_client()
    first, second = client.get("/with-script"), client.get("/with-script")
    nonces = []
    for response in (first, second):
        nonce = re.search(r'nonce="([^"]+)"', response.get_data(as_text=True)).group(1)
        assert f"'nonce-{nonce}'" in policy_of(response)["script-src"]
        assert f"'nonce-{nonce}'" in policy_of(response)["style-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "Each response needs its own nonce"
    assert "'nonce-" not in client.get("/healthz").headers.get("Content-Security-Policy", "")
    own = client.get("/own-policy")
    assert own.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert own.headers["X-Frame-Options"] == "SAMEORIGIN"


# Static files ---------------------------------------------------------------------------------------------


def test_static_urls_carry_the_files_content_hash(client):
    """The stylesheet's URL on every page names its content, so a new release is fetched at once."""
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    href = soup.select_one('link[rel="stylesheet"]')["href"]
    digest = hashlib.sha256((BASE_DIR / "portal" / "static" / "dist" / "portal.css").read_bytes()).hexdigest()
    assert href == f"/static/dist/portal.css?v={digest[:12]}"
    scripts = [script["src"] for script in soup.find_all("script", src=True)]
    assert scripts and all("?v=" in src for src in scripts), scripts


def test_a_versioned_static_file_is_cached_for_a_year(client):
    """The URL with the right version: public, a year, immutable; and no session cookie or Vary: Cookie."""
    href = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").select_one(
        'link[rel="stylesheet"]')["href"]
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "text/css"
    cache = response.cache_control
    assert cache.public and cache.max_age == ONE_YEAR and cache.immutable
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_a_signed_in_persons_static_files_carry_no_session_cookie(applicant_client):
    """A file cached publicly for a year must never carry somebody's refreshed session cookie."""
    href = BeautifulSoup(applicant_client.get("/account").get_data(as_text=True), "html.parser").select_one(
        'link[rel="stylesheet"]')["href"]
    response = applicant_client.get(href)
    assert response.cache_control.immutable
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_an_unversioned_or_stale_static_url_is_checked_each_time(client, query):
    """Without the current version (an old page, or a server still on the old release) it is revalidated."""
    response = client.get(f"/static/dist/portal.css{query}")
    assert response.status_code == 200
    assert response.cache_control.no_cache and not response.cache_control.immutable
    assert response.headers.get("ETag"), "Revalidation needs an ETag (or Last-Modified)"


def test_the_letter_batch_pages_progress_script_runs_with_its_nonce(commissioner_client, session, bulk_round,
                                                                   commissioner):
    """The unfinished batch page's inline script (it polls the progress) is allowed by this response's nonce."""
    from portal.letters import bulk

    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner)
    session.info.pop("portal_jobs_pending", None)  # the workers have not started yet
    session.commit()
    response = commissioner_client.get(f"/commissioning/letter-batches/{batch.id}")
    policy = policy_of(response)
    script = BeautifulSoup(response.get_data(as_text=True), "html.parser").find("script", type="module", src=None)
    assert script is not None and f"'nonce-{script['nonce']}'" in policy["script-src"]
    assert not inline_code_problems(response.get_data(as_text=True), policy)
