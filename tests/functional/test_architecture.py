"""Rules about how the portal is built: every endpoint declares who may use it, every form
is protected against cross-site posts, and views leave the database to the services."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from portal.access import AccessRule, rule_for

CSRF_H1 = "Your form was not sent because the page had expired"

# A value to put in each kind of URL argument. The CSRF check runs before the view, so these
# never need to name a real record.
DUMMY_BY_CONVERTER = {"default": "x", "string": "x", "path": "x", "int": 1}
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")

# Query and transaction machinery that belongs in services (which flush) and in the request
# boundary in portal/__init__.py (which commits), never in a view.
FORBIDDEN_IN_ROUTES = (
    "select(",
    ".query(",
    "db.session.add",
    "db.session.delete",
    "db.session.flush",
    "db.session.commit",
)


def dummy_url(app, rule) -> str:
    """The rule's URL with a placeholder value for each argument."""
    values = {}
    for match in ARGUMENT.finditer(rule.rule):
        converter = match["converter"] or "default"
        assert converter in DUMMY_BY_CONVERTER, (
            f"{rule.rule} uses the <{converter}:...> converter: add a dummy value for it to "
            "DUMMY_BY_CONVERTER in tests/functional/test_architecture.py"
        )
        values[match["name"]] = DUMMY_BY_CONVERTER[converter]
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="POST")


def test_every_endpoint_declares_an_access_rule(app):
    """Each endpoint's view is wrapped in @access(...), static files included."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert "static" in endpoints, "The static endpoint has gone from url_map: check create_app"
    missing = sorted(
        endpoint for endpoint in endpoints
        if not isinstance(rule_for(app.view_functions[endpoint]), AccessRule)
    )
    assert not missing, (
        f"These endpoints have no access rule: {missing}. Put @access(PUBLIC | SIGNED_IN | "
        "APPLICANTS | PANELLISTS | COMMISSIONERS) from portal/access.py under each @bp.route, "
        "and add the endpoint to EXPECTED in tests/functional/test_access_matrix.py"
    )


def test_every_post_without_a_csrf_token_is_refused(app, client):
    """A POST to any endpoint without the form's CSRF token gets the 'page had expired' page."""
    # Give the session a CSRF token first, so the refusal is for the missing form field and not
    # merely for a session that never had a token.
    client.csrf_token("/forgot-password")
    post_rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert post_rules, "No endpoint accepts POST, so this test checks nothing: has url_map changed?"
    failures = []
    for rule in post_rules:
        url = dummy_url(app, rule)
        page = client._parse(client.post(url, data={"name": "Typed before the session ran out"}))
        h1 = page.h1 if page.soup.h1 else None
        if page.status != 400 or h1 != CSRF_H1:
            failures.append(f"{rule.endpoint} (POST {url}): status {page.status}, h1 {h1!r}")
    assert not failures, (
        "These POSTs were not refused for a missing CSRF token: "
        f"{failures}. Do not exempt views from CSRFProtect, and keep the CSRFError handler in "
        "portal/errors.py rendering errors/csrf.html with status 400"
    )


def test_routes_modules_leave_queries_and_commits_to_services(app):
    """No module that defines a blueprint builds queries or commits: views call one service."""
    modules = {sys.modules[bp.import_name] for bp in app.blueprints.values()}
    names = sorted(module.__name__ for module in modules)
    assert len(modules) >= 6, f"Expected the portal's six blueprint modules, found {names}"
    offences = []
    for module in sorted(modules, key=lambda m: m.__name__):
        source = Path(module.__file__).read_text(encoding="utf-8")
        for number, line in enumerate(source.splitlines(), start=1):
            offences += [f"{module.__file__}:{number}: {word}"
                         for word in FORBIDDEN_IN_ROUTES if word in line]
    assert not offences, (
        f"Views must not query the database or manage transactions: {offences}. Move the query into "
        "a function in that package's services.py (which may flush but not commit) and call it "
        "from the view; the request boundary in portal/__init__.py commits once per request"
    )
