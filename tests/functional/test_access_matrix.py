"""Who may use each endpoint, checked by requesting every one as every kind of person.

EXPECTED is the access matrix. Adding a route means adding a line here: the coverage test
below fails until you do, and then every actor is tried against the new route.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.functional.access import (
    ACTORS,
    ANONYMOUS,
    APPLICANT,
    COMMISSIONER,
    EVERYONE,
    OTHER_APPLICANT,
    PANELLIST,
    SIGNED_IN,
    domain_tables,
)

# endpoint -> the actors who may use it.
EXPECTED: dict[str, frozenset[str]] = {
    "prospectus.home": EVERYONE,
    # Signed-in people are redirected from sign-up and sign-in to their home: allowed.
    "accounts.sign_up": EVERYONE,
    "accounts.sign_in": EVERYONE,
    # Signing out when not signed in is harmless: it just goes to the home page.
    "accounts.sign_out": EVERYONE,
    "accounts.forgot_password": EVERYONE,
    "accounts.reset_password": EVERYONE,
    "accounts.accept_invitation": EVERYONE,
    # Panellists and commissioners are redirected from /account to their own home: allowed.
    "accounts.dashboard": SIGNED_IN,
    # Members see their organisation; commissioners see every organisation.
    "accounts.organisation": frozenset({APPLICANT, COMMISSIONER}),
    # Only members may invite colleagues, not even commissioners.
    "accounts.invite_colleague": frozenset({APPLICANT}),
    "commissioning.home": frozenset({COMMISSIONER}),
    "commissioning.people": frozenset({COMMISSIONER}),
    "commissioning.invite_person": frozenset({COMMISSIONER}),
    "health.healthz": EVERYONE,
    "site.accessibility": EVERYONE,
    "site.privacy": EVERYONE,
}

# The methods each endpoint answers (besides HEAD and OPTIONS); any endpoint not listed is GET only.
METHODS: dict[str, tuple[str, ...]] = {
    "accounts.sign_up": ("GET", "POST"),
    "accounts.sign_in": ("GET", "POST"),
    "accounts.sign_out": ("POST",),
    "accounts.forgot_password": ("GET", "POST"),
    "accounts.reset_password": ("GET", "POST"),
    "accounts.accept_invitation": ("GET", "POST"),
    "accounts.invite_colleague": ("GET", "POST"),
    "commissioning.invite_person": ("GET", "POST"),
}

# Links carrying an unknown token answer 404 "... link not valid" to everyone. These routes are
# public, so for them a 404 counts as allowed-but-not-found: the person reached the view, which
# found no such token. A 404 anywhere else fails the test.
TOKEN_ENDPOINTS = {"accounts.reset_password", "accounts.accept_invitation"}

# URL arguments and how to get a value for each: (fixture name, attribute) or a constant.
URL_VALUES: dict[str, tuple[str, str] | str] = {
    "organisation_id": ("organisation", "id"),
    "token": "x",
}

# Fixtures an endpoint needs besides its URL values (e.g. published data for a file that is 404 without it).
DATA: dict[str, tuple[str, ...]] = {}

# Each domain may keep its own part of the matrix in tests/functional/access/<domain>.py.
for _table in domain_tables():
    DATA.update(getattr(_table, "DATA", {}))
    EXPECTED.update(_table.EXPECTED)
    METHODS.update(getattr(_table, "METHODS", {}))
    TOKEN_ENDPOINTS |= set(getattr(_table, "TOKEN_ENDPOINTS", set()))
    URL_VALUES.update(getattr(_table, "URL_VALUES", {}))

CLIENT_FIXTURE = {
    ANONYMOUS: "client",
    APPLICANT: "applicant_client",
    OTHER_APPLICANT: "other_applicant_client",
    PANELLIST: "panellist_client",
    COMMISSIONER: "commissioner_client",
}

# A page every actor can load that carries a CSRF token ("/" has one only when signed in).
TOKEN_PAGE = "/forgot-password"
FORBIDDEN_H1 = "You cannot see this page"


def methods_for(endpoint: str) -> tuple[str, ...]:
    """The methods the matrix expects this endpoint to answer."""
    return METHODS.get(endpoint, ("GET",))


CASES = [
    pytest.param(endpoint, actor, method, id=f"{endpoint}-{actor}-{method}")
    for endpoint in EXPECTED
    for method in methods_for(endpoint)
    for actor in ACTORS
]


def url_for_endpoint(request, app, endpoint: str) -> str:
    """The endpoint's URL, with arguments from URL_VALUES (fixtures, or constants like an unknown token)."""
    (rule,) = app.url_map.iter_rules(endpoint)
    unknown = set(rule.arguments) - set(URL_VALUES)
    assert not unknown, (
        f"{rule.rule} takes {sorted(unknown)}: add a value for it to URL_VALUES in "
        "tests/functional/test_access_matrix.py or in the domain's tests/functional/access/<domain>.py"
    )
    values = {}
    for argument in rule.arguments:
        source = URL_VALUES[argument]
        if isinstance(source, tuple):
            fixture, attribute = source
            values[argument] = getattr(request.getfixturevalue(fixture), attribute)
        else:
            values[argument] = source
    return app.url_map.bind("localhost").build(endpoint, values)


def test_matrix_covers_every_endpoint(app):
    """EXPECTED and METHODS name exactly the endpoints and methods in url_map (static aside)."""
    routed = {rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(set(routed) - set(EXPECTED))
    assert not missing, (
        f"New endpoints {missing} are not in the access matrix. Add each to EXPECTED in "
        "tests/functional/test_access_matrix.py with the actors who may use it (and to METHODS if "
        "it takes a POST), so every kind of person is tried against it"
    )
    stale = sorted(set(EXPECTED) - set(routed))
    assert not stale, f"EXPECTED names endpoints that no longer exist: {stale}. Remove them"
    unknown_actors = {e: sorted(a - EVERYONE) for e, a in EXPECTED.items() if a - EVERYONE}
    assert not unknown_actors, f"EXPECTED names unknown actors {unknown_actors}; use the names in ACTORS"
    wrong_methods = {
        endpoint: sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"})
        for endpoint, rule in routed.items()
        if rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"} != set(methods_for(endpoint))
    }
    assert not wrong_methods, (
        f"These endpoints answer other methods than METHODS says: {wrong_methods}. Update METHODS "
        "in tests/functional/test_access_matrix.py so each method is tried as every actor"
    )


@pytest.mark.parametrize(("endpoint", "actor", "method"), CASES)
def test_access(request, app, organisation, endpoint, actor, method):
    """Each actor is let in, or sent to sign in, or refused with the 403 page, as EXPECTED says."""
    for fixture in DATA.get(endpoint, ()):
        request.getfixturevalue(fixture)
    client = request.getfixturevalue(CLIENT_FIXTURE[actor])
    url = url_for_endpoint(request, app, endpoint)
    if method == "POST":
        # An empty form with a valid CSRF token: allowed forms re-show themselves with errors.
        page = client.submit(url, {}, token_from=TOKEN_PAGE)
    else:
        page = client.page(url)
    status = page.status
    location = page.response.headers.get("Location", "")
    h1 = page.h1 if page.soup.h1 else None
    seen = f"{method} {url} as {actor} gave {status} (h1 {h1!r}, Location {location!r})"

    _assert_private_caching(app, endpoint, actor, page, seen)
    if actor in EXPECTED[endpoint]:
        assert status not in (401, 403), (
            f"{seen}, but EXPECTED allows {actor}. Fix the @access rule on the view or the check in "
            "its service, or change EXPECTED if the rule really changed"
        )
        if status in (301, 302, 303, 307, 308):
            # Allowed, and sent on somewhere other than sign-in (e.g. to their own home).
            assert urlsplit(location).path != "/sign-in", (
                f"{seen}: EXPECTED allows {actor} but they were sent to sign in. Loosen the @access rule "
                "on the view, or change EXPECTED if the rule really changed"
            )
        elif endpoint in TOKEN_ENDPOINTS:
            assert status == 404 and h1 and h1.endswith("link not valid"), (
                f"{seen}: an unknown token should reach the view and get its 404 'link not valid' page"
            )
        else:
            assert status == 200, f"{seen}: EXPECTED allows {actor}, so the page should load"
    elif actor == ANONYMOUS:
        assert status == 302 and urlsplit(location).path == "/sign-in", (
            f"{seen}: people who are not signed in must be sent to /sign-in. Check the @access rule"
        )
        assert parse_qs(urlsplit(location).query).get("next") == [url], (
            f"{seen}: the sign-in link must carry next={url} so they come back here after signing in"
        )
    else:
        assert status == 403 and h1 == FORBIDDEN_H1, (
            f"{seen}, but EXPECTED refuses {actor}: it must get 403 and the {FORBIDDEN_H1!r} page. "
            "Tighten the @access rule on the view, or make its service raise PermissionDenied for "
            "this person (or change EXPECTED if the rule really changed)"
        )


def _assert_private_caching(app, endpoint: str, actor: str, page, seen: str) -> None:
    """No cache may keep a page that needs signing in, or any page a signed-in person sees (issue 21)."""
    from portal.access import rule_for

    rule = rule_for(app.view_functions[endpoint])
    shown_to_them = actor != ANONYMOUS and page.status == 200 and page.response.mimetype == "text/html"
    if rule.signed_in or shown_to_them:
        assert page.response.headers.get("Cache-Control") == "private, no-store", (
            f"{seen} with Cache-Control {page.response.headers.get('Cache-Control')!r}: it must be "
            "'private, no-store' so no browser or proxy keeps a copy (portal/security.py)"
        )


# A commissioner without a second factor -------------------------------------------------------------
# Staff see personal data and approve payments, so every page a commissioner may use (the signed-in ones)
# sends a commissioner with no authenticator app to set one up first (portal.access.second_factor_detour);
# only the set-up pages themselves (@access(..., before_second_factor=True)) open.

SET_UP = "/account/authenticator-app"


def _staff_endpoints(app) -> list[str]:
    """Endpoints whose rule admits a signed-in commissioner by role (record checks come later)."""
    from portal.access import rule_for
    from portal.models import Role

    found = []
    for endpoint, view in app.view_functions.items():
        rule = rule_for(view)
        if rule is None or not rule.signed_in or (rule.roles and Role.COMMISSIONER not in rule.roles):
            continue
        if not getattr(view, "before_second_factor", False):
            found.append(endpoint)
    return sorted(found)


@pytest.fixture
def commissioner_without_second_factor_client(app, session):
    """Signed in with a password only, as a commissioner who has not set up an authenticator app."""
    from portal.models import Role
    from tests.conftest import PortalClient, make_user

    user = make_user(session, email="kofi@example.org", role=Role.COMMISSIONER, name="Kofi Mensah",
                     second_factor=False)
    app.test_client_class = PortalClient
    client = app.test_client()
    client.sign_in(user.email)
    return client


def test_staff_pages_are_found(app):
    """The endpoints tried below include the commissioners' pages (a broken rule lookup would skip them all)."""
    staff = set(_staff_endpoints(app))
    assert {"commissioning.home", "commissioning.people", "accounts.organisation"} <= staff
    assert {"second_factor.set_up", "second_factor.overview", "accounts.sign_in"}.isdisjoint(staff)


@pytest.mark.parametrize(("endpoint", "method"), [
    pytest.param(endpoint, method, id=f"{endpoint}-{method}")
    for endpoint in EXPECTED for method in methods_for(endpoint)
])
def test_a_commissioner_without_a_second_factor_reaches_no_staff_page(request, app, organisation, endpoint, method):
    """Every page a commissioner may use sends one without an authenticator app to set one up first."""
    if endpoint not in _staff_endpoints(app):
        pytest.skip("a public page, or one a commissioner may use before setting up a second factor")
    for fixture in DATA.get(endpoint, ()):
        request.getfixturevalue(fixture)
    client = request.getfixturevalue("commissioner_without_second_factor_client")
    url = url_for_endpoint(request, app, endpoint)
    if method == "POST":
        page = client.submit(url, {}, token_from=TOKEN_PAGE)
    else:
        page = client.page(url)
    location = page.response.headers.get("Location", "")
    assert page.status == 302 and urlsplit(location).path == SET_UP, (
        f"{method} {url} as a commissioner without a second factor gave {page.status} (Location {location!r}): "
        f"it must redirect to {SET_UP}. Declare the view with @access(rule) (never before_second_factor=True "
        "unless it is part of setting one up), so portal.access.second_factor_detour sends staff to set one up"
    )
