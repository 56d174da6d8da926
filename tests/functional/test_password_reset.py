"""Forgotten passwords are reset by an e-mailed, single-use, expiring link."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.models import PasswordResetToken
from tests.conftest import PASSWORD


def reset_link(emails) -> str:
    """The reset path in the last e-mail."""
    return re.search(r"http://portal\.test(/reset-password/\S+)", emails[-1].get_content()).group(1)


def test_a_person_resets_a_forgotten_password(app, client, applicant, organisation, sent_emails):
    """The link lets them choose a new password, which then signs them in; the old one stops working."""
    page = client.submit("/forgot-password", {"email": applicant.email})
    assert page.h1 == "Check your email"
    link = reset_link(sent_emails())
    assert client.page(link).h1 == "Choose a new password"
    response = client.submit(link, {"password": "harbour-tulip-engine"})
    assert response.response.location == "/account"
    client.sign_out()
    assert client.submit("/sign-in", {"email": applicant.email, "password": PASSWORD}).status == 200
    client.sign_in(applicant.email, "harbour-tulip-engine")


def test_a_reset_link_works_once(client, applicant, sent_emails):
    """Using the link again says it is no longer valid."""
    client.submit("/forgot-password", {"email": applicant.email})
    link = reset_link(sent_emails())
    client.submit(link, {"password": "harbour-tulip-engine"})
    again = client.page(link)
    assert again.status == 404
    assert "already been used or is not valid" in again.text()


def test_an_expired_link_says_so(client, applicant, sent_emails, session):
    """Links last an hour."""
    client.submit("/forgot-password", {"email": applicant.email})
    link = reset_link(sent_emails())
    token = session.scalar(select(PasswordResetToken))
    token.expires_at = token.created_at - timedelta(seconds=1)
    session.commit()
    assert "This password reset link has expired" in client.page(link).text()


def test_the_new_password_must_meet_the_policy(client, applicant, sent_emails):
    """A weak new password is refused and the link still works."""
    client.submit("/forgot-password", {"email": applicant.email})
    link = reset_link(sent_emails())
    page = client.submit(link, {"password": "short"})
    assert page.field_error("password").startswith("Your password must be at least 12 characters long")
    assert client.page(link).status == 200


def test_unknown_addresses_get_the_same_answer_and_no_email(client, applicant, sent_emails):
    """The page never reveals whether an address has an account."""
    page = client.submit("/forgot-password", {"email": "nobody@example.org"})
    assert page.h1 == "Check your email"
    assert sent_emails() == []


def test_resetting_signs_out_other_sessions(app, client, applicant, organisation, sent_emails):
    """A session elsewhere (perhaps an attacker's) ends when the password is reset."""
    elsewhere = app.test_client()
    elsewhere.sign_in(applicant.email)
    client.submit("/forgot-password", {"email": applicant.email})
    client.submit(reset_link(sent_emails()), {"password": "harbour-tulip-engine"})
    assert elsewhere.get("/account").location.startswith("/sign-in")


def test_resetting_clears_the_sign_in_wait(client, applicant, sent_emails):
    """The real owner, locked out by someone guessing, gets straight back in after a reset."""
    for _ in range(6):
        client.submit("/sign-in", {"email": applicant.email, "password": "wrong-password-here"})
    client.submit("/forgot-password", {"email": applicant.email})
    client.submit(reset_link(sent_emails()), {"password": "harbour-tulip-engine"})
    client.sign_out()
    client.sign_in(applicant.email, "harbour-tulip-engine")
