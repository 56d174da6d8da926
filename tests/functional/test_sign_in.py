"""Signing in and out, safe redirects, session cookies and throttling."""

import pytest

from tests.conftest import PASSWORD, authenticator_code


def test_an_applicant_signs_in_and_out(client, applicant, organisation):
    """Signing in leads to the dashboard; signing out ends the session."""
    response = client.submit("/sign-in", {"email": "  GRACE@example.org", "password": PASSWORD})
    assert response.response.location == "/account"
    assert client.page("/account").status == 200
    page = client.submit("/sign-out", token_from="/account", follow=True)
    assert "You have signed out" in page.text()
    assert client.get("/account").location.startswith("/sign-in")


def test_each_role_lands_on_its_own_home(client, session, panellist, commissioner):
    """Panellists go to their panel work, commissioners to their rounds."""
    assert client.submit("/sign-in", {"email": panellist.email, "password": PASSWORD}).response.location == "/panel"
    client.sign_out()
    # Commissioners enter the code from their authenticator app first (tests/functional/test_second_factor.py).
    assert client.submit("/sign-in", {"email": commissioner.email, "password": PASSWORD}).response.location == (
        "/sign-in/authenticator-code")
    code = authenticator_code(session, commissioner.email)
    assert client.submit("/sign-in/authenticator-code", {"code": code}).response.location == "/commissioning"


def test_a_wrong_password_gives_one_message_that_does_not_say_which_part_was_wrong(client, applicant):
    """The message never reveals whether the e-mail has an account, and keeps the e-mail typed."""
    wrong_password = client.submit("/sign-in", {"email": applicant.email, "password": "not-the-password"})
    no_account = client.submit("/sign-in", {"email": "nobody@example.org", "password": "not-the-password"})
    assert wrong_password.field_error("email") == no_account.field_error("email") == "Enter a correct email address and password"
    assert wrong_password.value_of("email") == applicant.email
    assert wrong_password.title.startswith("Error: Sign in")


def test_empty_fields_get_their_own_messages(client):
    """Each empty field says what to enter."""
    page = client.submit("/sign-in", {"email": "", "password": ""})
    assert page.error_summary() == ["Enter your email address", "Enter your password"]


def test_repeated_failures_ask_the_person_to_wait(client, applicant):
    """After five failures the sixth attempt, even with the right password, is asked to wait."""
    for _ in range(5):
        client.submit("/sign-in", {"email": applicant.email, "password": "wrong-password-here"})
    page = client.submit("/sign-in", {"email": applicant.email, "password": PASSWORD})
    assert page.status == 200
    assert "You have tried to sign in too many times. Wait 30 seconds" in page.field_error("email")


@pytest.mark.parametrize("target, expected", [
    ("/organisations/1", "/organisations/1"),
    ("https://evil.example/steal", "/account"),
    ("//evil.example/steal", "/account"),
    ("/\\evil.example", "/account"),
    ("javascript:alert(1)", "/account"),
])
def test_next_only_redirects_to_local_paths(client, applicant, organisation, target, expected):
    """A link that would send someone off the portal after sign-in goes to their home instead."""
    response = client.submit(f"/sign-in?next={target}", {"email": applicant.email, "password": PASSWORD},
                             token_from="/sign-in")
    assert response.response.location == expected


def test_session_cookie_is_http_only_and_same_site(client, applicant):
    """Scripts cannot read the session cookie and other sites cannot send it with a form."""
    response = client.submit("/sign-in", {"email": applicant.email, "password": PASSWORD})
    cookie = response.response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    """In production the session cookie is only sent over HTTPS."""
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_signing_in_replaces_the_session(client, applicant):
    """A session value planted before sign-in does not survive it (session fixation)."""
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    client.sign_in(applicant.email)
    with client.session_transaction() as current:
        assert "planted" not in current
