"""Sessions: signing in starts a fresh one, signing out ends it, and a password reset ends the others.

The portal keeps its session in a signed cookie, so "ending" a session means a copy of the old cookie,
replayed by whoever kept it (a shared computer, a stolen backup), no longer signs anyone in.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.conftest import PortalClient

COOKIE = "session"


def session_cookie(client) -> str | None:
    """The value of the client's session cookie, if it has one."""
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def replayed(app, cookie_value: str) -> PortalClient:
    """A different browser presenting a copy of a session cookie."""
    app.test_client_class = PortalClient
    other = app.test_client()
    other.set_cookie(COOKIE, cookie_value)
    return other


def is_signed_in(client) -> bool:
    """Whether the client's session is signed in: /account loads instead of sending them to sign in."""
    response = client.get("/account")
    return response.status_code == 200 or (
        response.status_code == 302 and urlsplit(response.headers["Location"]).path != "/sign-in"
    )


def test_signing_in_replaces_a_session_planted_before(app, client, applicant, organisation):
    """Whatever an attacker put in the session before sign-in is gone, and their copy is not signed in."""
    client.get("/sign-in")
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "fixation"
    before = session_cookie(client)
    assert before, "Visiting the sign-in page should give a session cookie (it holds the CSRF token)"

    client.sign_in(applicant.email)

    after = session_cookie(client)
    assert after and after != before, "Signing in must issue a new session cookie"
    with client.session_transaction() as current:
        assert "planted_by_attacker" not in current, "Signing in must clear the session (session fixation)"
    assert is_signed_in(client)
    assert not is_signed_in(replayed(app, before)), "The cookie from before sign-in must not be signed in"


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(app, applicant_client):
    """After signing out, the cookie the browser had while signed in no longer signs anyone in."""
    signed_in_cookie = session_cookie(applicant_client)
    assert is_signed_in(replayed(app, signed_in_cookie)), "A copy of a live session cookie should work"

    applicant_client.sign_out()

    assert not is_signed_in(applicant_client)
    assert not is_signed_in(replayed(app, signed_in_cookie)), (
        "A copy of the session cookie kept from before sign-out still signs in: signing out must end the "
        "session on the server, not only in this browser"
    )


def test_resetting_the_password_signs_out_every_other_session(app, applicant, organisation, client, sent_emails):
    """The person signed in elsewhere (perhaps not them) is signed out when the password is reset."""
    from tests.functional.test_password_reset import reset_link

    elsewhere = replayed(app, "")
    elsewhere.sign_in(applicant.email)
    kept_copy = session_cookie(elsewhere)
    assert is_signed_in(elsewhere)

    client.submit("/forgot-password", {"email": applicant.email})
    client.submit(reset_link(sent_emails()), {"password": "harbour-tulip-engine"})

    assert is_signed_in(client), "The person who reset the password is signed in"
    assert not is_signed_in(elsewhere), "The other browser must be signed out by the reset"
    assert not is_signed_in(replayed(app, kept_copy))


def test_session_cookies_are_not_readable_by_scripts_or_sent_cross_site(applicant_client):
    """HttpOnly and SameSite=Lax on the session cookie; it expires (the session lasts hours, not for ever)."""
    response = applicant_client.get("/sign-in")
    applicant_client.sign_out()
    response = applicant_client.post("/sign-in", data={"csrf_token": applicant_client.csrf_token("/sign-in"),
                                                       "email": "grace@example.org",
                                                       "password": "lantern-pebble-orchard-7"})
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{COOKIE}="))
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "samesite", "expires"} <= attributes, header
    assert "SameSite=Lax" in header
