"""A second factor: staff set up an authenticator app before any staff page, codes after the password,
never accepted twice, wrong codes throttled, single-use recovery codes, every change audited and e-mailed,
and anyone else may opt in."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from portal.accounts import second_factor
from portal.accounts.second_factor_routes import factor_settings
from portal.domain import ValidationError
from portal.models import AuditEvent, Role, User, utcnow
from tests.conftest import PASSWORD, RECOVERY_CODES, TOTP_SECRET, PortalClient, authenticator_code, make_user

CODE_PAGE = "/sign-in/authenticator-code"
SET_UP = "/account/authenticator-app"


def actions(session, user: User) -> list[str]:
    """The audit trail's actions about this person, oldest first."""
    return list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id).order_by(AuditEvent.id)))


def new_client(app) -> PortalClient:
    """A browser of its own."""
    app.test_client_class = PortalClient
    return app.test_client()


def password_only(client, email: str):
    """Give the e-mail address and password, and nothing more."""
    return client.submit("/sign-in", {"email": email, "password": PASSWORD})


@pytest.fixture
def new_commissioner(session):
    """A commissioner who has not set up an authenticator app yet."""
    return make_user(session, email="kofi@example.org", role=Role.COMMISSIONER, name="Kofi Mensah",
                     second_factor=False)


def set_up_from_page(client, url: str = SET_UP):
    """Read the key shown for typing by hand (as a person without a camera would), enter its code."""
    page = client.page(url)
    assert page.status == 200 and page.h1 == "Set up an authenticator app"
    qr = page.soup.select_one(".portal-qr-code-box svg")
    assert qr is not None and qr.get("role") == "img" and qr.get("aria-label"), "The QR code is an inline, named SVG"
    secret = page.soup.select_one("#setup-key").get_text().replace(" ", "")
    code = pyotp.TOTP(secret).now()
    return secret, client.submit(url, {"setup": page.value_of("setup"), "code": code}, token_from=url)


# Staff must set one up ------------------------------------------------------------------------------


def test_a_commissioner_without_a_second_factor_is_sent_to_set_one_up(app, session, new_commissioner, sent_emails):
    """Signing in with the password alone leads to set-up; the QR code and key work; then staff pages open."""
    client = new_client(app)
    assert password_only(client, new_commissioner.email).response.location == "/commissioning"
    detour = client.page("/commissioning")
    assert detour.status == 302 and detour.response.location.startswith(SET_UP)
    assert client.page("/commissioning/people").response.location.startswith(SET_UP)

    secret, saved = set_up_from_page(client)
    assert saved.status == 200 and saved.h1 == "Save your recovery codes"
    codes = [code.get_text() for code in saved.soup.select("#recovery-codes code")]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.page("/commissioning").status == 200, "With the app set up, staff pages open"

    session.refresh(new_commissioner)
    assert new_commissioner.has_second_factor
    assert secret not in (new_commissioner.totp_secret or ""), "The secret is stored encrypted"
    assert second_factor.secret_for(new_commissioner, settings=factor_settings()) == secret
    assert "user.authenticator_set_up" in actions(session, new_commissioner)
    (email,) = [m for m in sent_emails() if m["To"] == new_commissioner.email]
    assert "You set up an authenticator app" in email["Subject"]


def test_a_wrong_set_up_code_is_refused_and_the_same_key_is_kept(app, new_commissioner):
    """A code that does not match says so beside the field; the key shown stays the same to try again."""
    client = new_client(app)
    client.sign_in(new_commissioner.email)
    page = client.page(SET_UP)
    key = page.soup.select_one("#setup-key").get_text()
    wrong = client.submit(SET_UP, {"setup": page.value_of("setup"), "code": "000000"}, token_from=SET_UP)
    assert wrong.status == 200 and wrong.title.startswith("Error: ")
    assert wrong.field_error("code").startswith("That code is not right")
    assert wrong.soup.select_one("#setup-key").get_text() == key
    empty = client.submit(SET_UP, {"setup": page.value_of("setup"), "code": ""}, token_from=SET_UP)
    assert empty.error_summary() == ["Enter the 6-digit code from your authenticator app"]


def test_a_set_up_key_from_someone_else_is_refused(app, session, new_commissioner):
    """The key rides in the form encrypted and naming its person: another person's form cannot be replayed."""
    other = make_user(session, email="lena@example.org", role=Role.APPLICANT, name="Lena Ortiz")
    token = second_factor.seal_setup(TOTP_SECRET, user=other, settings=factor_settings())
    client = new_client(app)
    client.sign_in(new_commissioner.email)
    page = client.submit(SET_UP, {"setup": token, "code": pyotp.TOTP(TOTP_SECRET).now()}, token_from=SET_UP)
    assert page.status == 200 and "timed out" in page.field_error("code")
    session.refresh(new_commissioner)
    assert not new_commissioner.has_second_factor


def test_a_set_up_page_left_open_too_long_is_refused(session, commissioner):
    """The key a set-up form carries back is good for 30 minutes (the time is given, not waited for)."""
    settings = factor_settings()
    token = second_factor.seal_setup(TOTP_SECRET, user=commissioner, settings=settings)
    later = utcnow() + timedelta(minutes=29)
    assert second_factor.open_setup(token, user=commissioner, settings=settings, max_age=timedelta(minutes=30),
                                    now=later) == TOTP_SECRET
    assert second_factor.open_setup(token, user=commissioner, settings=settings, max_age=timedelta(minutes=30),
                                    now=utcnow() + timedelta(minutes=31)) is None


# Signing in with a code ------------------------------------------------------------------------------


def test_signing_in_asks_for_the_code_before_any_page_opens(app, session, commissioner):
    """After the password the person is not signed in until the code is right."""
    client = new_client(app)
    assert password_only(client, commissioner.email).response.location == CODE_PAGE
    page = client.page(CODE_PAGE)
    assert page.h1 == "Enter the code from your authenticator app"
    assert page.soup.select_one("input[name=code]")["autocomplete"] == "one-time-code"
    assert client.page("/commissioning").response.location.startswith("/sign-in"), "Not signed in yet"
    done = client.submit(CODE_PAGE, {"code": authenticator_code(session, commissioner.email)})
    assert done.response.location == "/commissioning"
    assert client.page("/commissioning").status == 200
    assert "user.second_factor_passed" in actions(session, commissioner)


def test_the_code_page_goes_back_where_the_person_was_going(app, session, commissioner):
    """A next path given to sign-in survives the code page."""
    client = new_client(app)
    client.submit("/sign-in?next=/commissioning/people", {"email": commissioner.email, "password": PASSWORD})
    done = client.submit(CODE_PAGE, {"code": authenticator_code(session, commissioner.email)})
    assert done.response.location == "/commissioning/people"


def test_a_used_code_is_refused(app, session, commissioner):
    """The same code cannot sign in twice, even within its 30 seconds."""
    code = authenticator_code(session, commissioner.email)
    first = new_client(app)
    password_only(first, commissioner.email)
    assert first.submit(CODE_PAGE, {"code": code}).status == 302
    second = new_client(app)
    password_only(second, commissioner.email)
    again = second.submit(CODE_PAGE, {"code": code})
    assert again.status == 200 and again.field_error("code") == (
        "That code is not right or has been used already. Wait for a new code in your authenticator app and enter it")
    assert second.page("/commissioning").response.location.startswith("/sign-in")


def test_codes_are_checked_one_step_either_side_and_never_twice(session, commissioner):
    """The service, with the time given: a step either side is accepted, two away is not, nor any step twice."""
    settings = factor_settings()
    totp = pyotp.TOTP(TOTP_SECRET)
    now = utcnow()

    def check(code, at=now):
        second_factor.check_code(session, user=commissioner, code=code, address="192.0.2.1", settings=settings, now=at)

    with pytest.raises(ValidationError):
        check(totp.at(now - timedelta(seconds=60)))
    check(totp.at(now - timedelta(seconds=30)))
    check(totp.at(now))
    with pytest.raises(ValidationError, match="used already"):
        check(totp.at(now))
    with pytest.raises(ValidationError, match="used already"):
        check(totp.at(now - timedelta(seconds=30)))  # an earlier step after a later one
    check(totp.at(now + timedelta(seconds=30)), at=now)
    with pytest.raises(ValidationError, match="6 digits"):
        check("12345")
    assert commissioner.totp_last_step == totp.timecode(now) + 1


def test_wrong_codes_are_throttled_and_a_right_password_does_not_clear_them(app, session, commissioner):
    """After five wrong codes even the right one must wait; signing in with the password again does not help."""
    client = new_client(app)
    password_only(client, commissioner.email)
    for _ in range(5):
        assert client.submit(CODE_PAGE, {"code": "000000"}).field_error("code").startswith("That code is not right")
    blocked = client.submit(CODE_PAGE, {"code": authenticator_code(session, commissioner.email)})
    assert blocked.field_error("code").startswith("You have entered too many wrong codes. Wait 30 seconds")
    elsewhere = new_client(app)
    password_only(elsewhere, commissioner.email)
    again = elsewhere.submit(CODE_PAGE, {"code": authenticator_code(session, commissioner.email)})
    assert again.field_error("code").startswith("You have entered too many wrong codes")
    # Recovery codes share the count: they are no way round it.
    recovery = elsewhere.submit("/sign-in/recovery-code", {"code": f"{RECOVERY_CODES[0]}{commissioner.id}"})
    assert recovery.field_error("code").startswith("You have entered too many wrong codes")


def test_the_code_page_without_a_password_sends_people_to_sign_in(client):
    """Nobody reaches the code page without giving a password first."""
    page = client.page(CODE_PAGE)
    assert page.status == 302 and page.response.location.startswith("/sign-in?next=")


def test_the_code_must_follow_the_password_within_ten_minutes(app, session, commissioner):
    """A session left between the password and the code goes back to sign-in after 10 minutes."""
    from portal.accounts.routes import PENDING_KEY

    client = new_client(app)
    password_only(client, commissioner.email)
    with client.session_transaction() as kept:
        kept[PENDING_KEY] = {**kept[PENDING_KEY], "since": (utcnow() - timedelta(minutes=11)).isoformat()}
    late = client.submit(CODE_PAGE, {"code": authenticator_code(session, commissioner.email)}, token_from="/sign-in")
    assert late.status == 302 and late.response.location.startswith("/sign-in?next=")
    assert client.page("/commissioning").response.location.startswith("/sign-in")


def test_a_password_reset_does_not_skip_the_code(app, session, commissioner):
    """A reset link proves the e-mail address, not the phone: the code is still asked for."""
    from portal.accounts import services
    from portal.accounts.routes import account_settings
    from portal.models import PasswordResetToken

    with app.test_request_context():
        services.request_password_reset(session, email=commissioner.email, settings=account_settings())
    reset = session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == commissioner.id))
    token = "a-known-token"
    reset.token_hash = services._hash_token(token)
    session.flush()
    client = new_client(app)
    done = client.submit(f"/reset-password/{token}", {"password": "quiet-harbour-lantern-91",
                                                       "confirm_password": "quiet-harbour-lantern-91"})
    assert done.response.location == CODE_PAGE, done.error_summary()
    assert client.page("/commissioning").response.location.startswith("/sign-in")


# Recovery codes -------------------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(app, session, commissioner, sent_emails):
    """A recovery code works instead of the app, once; the person is told by e-mail and on the page."""
    code = f"{RECOVERY_CODES[1]}{commissioner.id}"
    client = new_client(app)
    password_only(client, commissioner.email)
    page = client.page(CODE_PAGE)
    assert page.soup.find("a", string="Use a recovery code")["href"] == "/sign-in/recovery-code"
    assert client.page("/sign-in/recovery-code").h1 == "Enter a recovery code"
    done = client.submit("/sign-in/recovery-code", {"code": "  " + code.upper() + " "})
    assert done.response.location == "/commissioning"
    assert "You have 2 recovery codes left" in client.page("/commissioning").text()
    client.sign_out()
    password_only(client, commissioner.email)
    again = client.submit("/sign-in/recovery-code", {"code": code})
    assert again.field_error("code") == "That recovery code is not right or has been used already. Each code works once"
    assert "user.recovery_code_used" in actions(session, commissioner)
    assert any(m["To"] == commissioner.email and "A recovery code was used" in m["Subject"] for m in sent_emails())


def test_new_recovery_codes_replace_the_old_ones(app, session, commissioner_client, commissioner, sent_emails):
    """Making new codes shows ten, once; the old ones stop working; audited and e-mailed."""
    page = commissioner_client.page("/account/recovery-codes")
    assert page.h1 == "Make new recovery codes" and "You have 3 unused recovery codes" in page.text()
    shown = commissioner_client.submit("/account/recovery-codes", {})
    codes = [code.get_text() for code in shown.soup.select("#recovery-codes code")]
    assert shown.h1 == "Your new recovery codes" and len(codes) == 10
    assert second_factor.recovery_codes_left(session, user=commissioner) == 10
    with pytest.raises(ValidationError):
        second_factor.use_recovery_code(session, user=commissioner, code=f"{RECOVERY_CODES[0]}{commissioner.id}",
                                        address="192.0.2.1", settings=factor_settings())
    assert second_factor.use_recovery_code(session, user=commissioner, code=codes[0], address="192.0.2.1",
                                           settings=factor_settings()) == 9
    assert "user.recovery_codes_replaced" in actions(session, commissioner)
    assert any("You made new recovery codes" in m["Subject"] for m in sent_emails())


def test_staff_cannot_turn_their_second_factor_off(commissioner_client, session, commissioner):
    """Commissioners may change to a new app but never go back to a password alone."""
    overview = commissioner_client.page("/account/sign-in-security")
    assert overview.h1 == "Sign-in security" and "must sign in with an authenticator app" in overview.text()
    assert not overview.soup.find("a", href="/account/authenticator-app/turn-off")
    assert commissioner_client.page("/account/authenticator-app/turn-off").response.location == (
        "/account/sign-in-security")
    assert commissioner_client.submit("/account/authenticator-app/turn-off", {"code": "123456"},
                                      token_from="/account/sign-in-security").status == 302
    session.refresh(commissioner)
    assert commissioner.has_second_factor


def test_setting_up_a_new_app_ends_other_sessions(app, session, commissioner_client, commissioner):
    """A new app is a change of how to sign in: other browsers signed in as the person are signed out."""
    other = new_client(app)
    other.sign_in(commissioner.email)
    assert other.page("/commissioning").status == 200
    page = commissioner_client.page(SET_UP)
    assert page.h1 == "Set up a new authenticator app"
    secret = page.soup.select_one("#setup-key").get_text().replace(" ", "")
    saved = commissioner_client.submit(SET_UP, {"setup": page.value_of("setup"), "code": pyotp.TOTP(secret).now()})
    assert saved.h1 == "Save your recovery codes"
    assert commissioner_client.page("/commissioning").status == 200
    assert other.page("/commissioning").response.location.startswith("/sign-in")
    assert "user.authenticator_replaced" in actions(session, commissioner)


# Anyone else may opt in --------------------------------------------------------------------------


def test_an_applicant_opts_in_and_then_signs_in_with_a_code(app, session, applicant, organisation, sent_emails):
    """From the account pages: set up, then sign-in asks for a code; turning it off is audited and e-mailed."""
    client = new_client(app)
    client.sign_in(applicant.email)
    overview = client.page("/account/sign-in-security")
    assert overview.soup.find("a", href=SET_UP), "People who are not staff may choose a second factor"
    assert client.page("/account").soup.find("a", href="/account/sign-in-security"), "Linked from every page"
    secret, saved = set_up_from_page(client)
    assert saved.h1 == "Save your recovery codes"
    client.sign_out()

    assert password_only(client, applicant.email).response.location == CODE_PAGE
    assert client.submit(CODE_PAGE, {"code": authenticator_code(session, applicant.email)}).response.location == (
        "/account")
    off = client.page("/account/authenticator-app/turn-off")
    assert off.h1 == "Turn off your authenticator app"
    wrong = client.submit("/account/authenticator-app/turn-off", {"code": "000000"})
    assert wrong.status == 200 and wrong.field_error("code").startswith("That code is not right")
    done = client.submit("/account/authenticator-app/turn-off", {"code": authenticator_code(session, applicant.email)})
    assert done.response.location == "/account/sign-in-security"
    client.sign_out()
    assert password_only(client, applicant.email).response.location == "/account", "Password alone again"

    trail = actions(session, applicant)
    assert {"user.authenticator_set_up", "user.second_factor_passed", "user.authenticator_removed"} <= set(trail)
    subjects = [m["Subject"] for m in sent_emails() if m["To"] == applicant.email]
    assert any("You set up an authenticator app" in s for s in subjects)
    assert any("You turned off your authenticator app" in s for s in subjects)


def test_a_panellist_need_not_set_one_up(panellist_client):
    """Second factors are required of commissioners and administrators only."""
    assert panellist_client.page("/panel").status == 200
