"""Every state-changing route refuses a form without its CSRF token, and changes nothing.

The routes come from url_map: a new route that takes a POST (or PUT, PATCH, DELETE) is tried here as
soon as it is in the access matrix (which fails until it is), so a route that forgot CSRF fails.
"""

from __future__ import annotations

import pytest

from tests.fixtures.security import (
    STATE_CHANGING,
    actor_for,
    form_fields,
    load_endpoint_data,
    sec_url,
    snapshot,
    state_changing_rules,
)
from tests.functional.test_access_matrix import CLIENT_FIXTURE, EXPECTED, METHODS, TOKEN_ENDPOINTS, TOKEN_PAGE

EXPIRED_FORM_H1 = "Your form was not sent because the page had expired"

CASES = [
    pytest.param(endpoint, method, id=f"{endpoint}-{method}")
    for endpoint, methods in sorted(METHODS.items())
    for method in methods
    if method in STATE_CHANGING
]


def test_every_state_changing_route_is_checked(app):
    """The cases below are exactly url_map's state-changing routes (the access matrix lists their methods)."""
    routed = {(rule.endpoint, method) for rule in state_changing_rules(app) for method in rule.methods & STATE_CHANGING}
    checked = {tuple(case.values) for case in CASES}
    assert routed == checked, (
        f"Routes not checked for CSRF: {sorted(routed - checked)}; stale cases: {sorted(checked - routed)}. "
        "Add the route's methods to METHODS in its tests/functional/access/<domain>.py table"
    )


def filled_form(client, url: str) -> dict[str, str]:
    """The form at ``url`` as its page fills it in (first choice picked), so a post would otherwise succeed."""
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return {}
    data = {}
    for field in form_fields(response.get_data(as_text=True), url.split("?")[0]):
        data[field["name"]] = field["value"] or (field["choices"][0] if field["choices"] else "A value")
    return data


@pytest.mark.parametrize(("endpoint", "method"), CASES)
def test_a_form_without_its_token_is_refused_and_changes_nothing(request, app, session, organisation, endpoint,
                                                                 method):
    """An allowed, signed-in person posting without a CSRF token gets the expired-form page (400); no row changes."""
    load_endpoint_data(request, endpoint)
    tokens = request.getfixturevalue("sec_tokens") if endpoint in TOKEN_ENDPOINTS else None
    actor = actor_for(EXPECTED[endpoint], signed_in=True)
    client = request.getfixturevalue(CLIENT_FIXTURE[actor])
    url = sec_url(request, app, endpoint, tokens)
    data = filled_form(client, url) if "GET" in METHODS[endpoint] else {}
    before = snapshot(session)

    response = client.open(url, method=method, data=data)

    body = response.get_data(as_text=True)
    seen = f"{method} {url} as {actor} without a CSRF token gave {response.status_code}"
    assert response.status_code == 400 and EXPIRED_FORM_H1 in body, (
        f"{seen}: it must be refused with the expired-form page. Make sure the view is not exempt from "
        "CSRFProtect (portal/extensions.py csrf) and that its form is a PortalForm"
    )
    assert snapshot(session) == before, f"{seen}, and yet the database changed: the refusal must roll back"


def test_a_token_from_someone_elses_session_is_refused(session, applicant_client, other_applicant_client,
                                                     draft_application):
    """A token lifted from another person's page does not work in this session."""
    stolen = other_applicant_client.csrf_token(TOKEN_PAGE)
    before = snapshot(session)
    response = applicant_client.post(f"/applications/{draft_application.id}/withdraw",
                                     data={"csrf_token": stolen})
    assert response.status_code == 400 and EXPIRED_FORM_H1 in response.get_data(as_text=True)
    assert snapshot(session) == before


def test_a_token_from_before_sign_out_stops_working(session, applicant_client, draft_application):
    """Signing out ends the session its tokens belonged to."""
    token = applicant_client.csrf_token(TOKEN_PAGE)
    applicant_client.sign_out()
    response = applicant_client.post("/forgot-password", data={"csrf_token": token, "email": "grace@example.org"})
    assert response.status_code == 400 and EXPIRED_FORM_H1 in response.get_data(as_text=True)
