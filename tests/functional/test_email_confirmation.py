"""A new account's e-mail address is confirmed by a single-use link before the group can send an application.

Drafting may start at once; sending waits for the sender's address to be confirmed. Asking for a new link is
limited to one per five minutes and five a day. People who join by invitation have proved their address already.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.applications import services as application_services
from portal.domain import ValidationError
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    EmailConfirmationToken,
    Membership,
    Role,
    User,
    utcnow,
)
from tests.conftest import make_user
from tests.fixtures.applications import complete_application, make_application

NOTICE = "Confirm your email address before you can send an application"
REFUSAL = "Confirm your email address before you can send an application. Follow the link we emailed to"

SIGN_UP = {
    "name": "Grace Mensah",
    "email": "grace@example.org",
    "password": "purple kettle orbit",
    "organisation_name": "Hackney Youth Voices",
    "organisation_type": "unregistered",
    "income_band": "under_10k",
    "boroughs": ["E09000012"],
    "address_line_1": "St Mary's Church Hall",
    "town": "London",
    "postcode": "E9 5JA",
}


def confirmation_link(emails, to: str = "grace@example.org") -> str:
    """The confirmation path in the newest e-mail to this address that has one."""
    for message in reversed(emails):
        if message["To"] == to:
            match = re.search(r"http://portal\.test(/confirm-email/\S+)", message.get_content())
            if match:
                return match.group(1)
    raise AssertionError(f"No e-mail to {to} holds a link to confirm the address")


def grace(session) -> User:
    """The person who signed up in these tests."""
    return session.scalar(select(User).where(User.email == "grace@example.org"))


def age_links(session, *, minutes: int) -> None:
    """Pretend every confirmation link so far was sent this many minutes earlier."""
    for token in session.scalars(select(EmailConfirmationToken)):
        token.created_at -= timedelta(minutes=minutes)
    session.commit()


@pytest.fixture
def signed_up(client, session, sent_emails):
    """A group that has just signed up (and is signed in): its welcome e-mail holds the confirmation link."""
    response = client.submit("/sign-up", SIGN_UP)
    assert response.status == 302, response.error_summary()
    emails = sent_emails()
    return client, confirmation_link(emails), emails


def test_a_new_group_drafts_at_once_and_sends_once_its_address_is_confirmed(signed_up, session, open_round):
    """Sign up -> e-mail with link -> draft -> sending refused -> follow the link -> sending works."""
    client, link, emails = signed_up
    welcome = next(m for m in emails if m["To"] == "grace@example.org")
    assert welcome["Subject"] == "Confirm your email address for Safer Futures Grants"
    assert "The link works once and for 7 days" in welcome.get_content()

    dashboard = client.page("/account")
    assert NOTICE in dashboard.text()
    assert dashboard.soup.select_one("#confirm-email form")["action"] == "/confirm-email"

    # Drafting starts at once.
    started = client.submit(f"/rounds/{open_round.slug}/apply", {})
    assert started.status == 302, started.error_summary()
    application = session.scalar(select(Application))
    assert application.status == ApplicationStatus.DRAFT
    task_list = client.page(f"/applications/{application.id}")
    assert NOTICE in task_list.text()
    application.project_title, application.amount_requested_pence = "Friday night football", 800_000
    complete_application(session, application, by=grace(session))
    session.commit()

    check = client.page(f"/applications/{application.id}/check-answers")
    assert NOTICE in check.text()
    assert check.soup.select_one("#missing") is None, "Every section is complete"
    assert check.soup.find("button", string=re.compile("Send application")) is None, (
        "With the address not confirmed, the page should explain rather than offer the send button"
    )
    assert "once your email address is confirmed" in check.soup.select_one("#confirm-first").get_text()
    refused = client.submit(f"/applications/{application.id}/check-answers", {},
                            token_from=f"/applications/{application.id}")
    assert refused.status == 200
    assert REFUSAL in refused.text()
    session.refresh(application)
    assert application.status == ApplicationStatus.DRAFT and application.reference is None

    confirmed = client.page(link)
    assert confirmed.status == 200
    assert confirmed.h1 == "Your email address is confirmed"
    assert grace(session).email_confirmed_at is not None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "user.email_confirmed"))
    assert NOTICE not in client.page("/account").text()

    check = client.page(f"/applications/{application.id}/check-answers")
    assert NOTICE not in check.text()
    sent = client.submit(f"/applications/{application.id}/check-answers", {})
    assert sent.status == 302 and sent.response.location == f"/applications/{application.id}/sent"
    session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_confirmation_link_works_once(signed_up, session):
    """Following it again shows the 'link not valid' page, which says the address is already confirmed."""
    client, link, _ = signed_up
    assert client.page(link).status == 200
    again = client.page(link)
    assert again.status == 404
    assert again.h1 == "Email confirmation link not valid"
    assert "already been used, and your email address is confirmed" in again.text()


def test_an_expired_link_says_so_and_offers_a_new_one(signed_up, session, sent_emails):
    """An old link confirms nothing; the page leads to asking for a new link, which works."""
    client, link, _ = signed_up
    token = session.scalar(select(EmailConfirmationToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    token.created_at = utcnow() - timedelta(days=8)
    session.commit()
    page = client.page(link)
    assert page.status == 404
    assert "This link to confirm your email address has expired" in page.text()
    assert grace(session).email_confirmed_at is None
    ask = page.soup.find("a", string=re.compile("Ask for a new link to confirm your email address"))
    assert ask is not None and ask["href"] == "/confirm-email"

    asked = client.submit("/confirm-email", {})
    assert asked.status == 302
    notice_page = client.page("/confirm-email")
    assert "We have sent a new link to grace@example.org" in notice_page.text()
    new_link = confirmation_link(sent_emails())
    assert new_link != link
    assert client.page(new_link).h1 == "Your email address is confirmed"
    assert grace(session).email_confirmed_at is not None


def test_an_unknown_link_is_not_valid(client):
    """A made-up token confirms nothing and shows the 'link not valid' page to someone not signed in."""
    page = client.page("/confirm-email/made-up-token")
    assert page.status == 404
    assert "is not valid" in page.text()
    assert page.soup.find("a", string=re.compile("Sign in to ask for a new link"))


def test_asking_for_new_links_is_limited(signed_up, session, sent_emails):
    """One link per five minutes (counting the sign-up e-mail) and five new links a day, with a time to try again."""
    client, _, _ = signed_up
    too_soon = client.submit("/confirm-email", {})
    assert too_soon.status == 200
    assert too_soon.title.startswith("Error: Confirm your email address")
    (message,) = too_soon.error_summary()
    assert message.startswith("We sent you a link less than 5 minutes ago")
    assert re.search(r"You can ask for another link from \d+ \w+ \d{4}, \d", message), message
    assert sent_emails() == []

    for _ in range(5):
        age_links(session, minutes=6)
        asked = client.submit("/confirm-email", {})
        assert asked.status == 302, asked.error_summary()
        assert len(sent_emails()) == 1
    age_links(session, minutes=6)
    sixth = client.submit("/confirm-email", {})
    (message,) = sixth.error_summary()
    assert message.startswith("You have asked for 5 new links today"), message
    assert sent_emails() == []
    resends = session.scalars(select(AuditEvent).where(AuditEvent.action == "email_confirmation.resent")).all()
    assert len(resends) == 5

    # A day after the first of those five, one more may be sent.
    age_links(session, minutes=24 * 60 - 5 * 6 + 1)
    assert client.submit("/confirm-email", {}).status == 302
    assert len(sent_emails()) == 1


def test_the_person_sending_must_have_confirmed(session, client, open_round, applicant, organisation):
    """A colleague whose own address is not confirmed cannot send, even though another member's is."""
    colleague = make_user(session, email="sam@example.org", role=Role.APPLICANT, name="Sam Okoye",
                          email_confirmed=False)
    session.add(Membership(user=colleague, organisation=organisation))
    application = complete_application(
        session, make_application(session, round_=open_round, organisation=organisation, by=applicant), by=applicant)
    with pytest.raises(ValidationError) as refusal:
        application_services.submit_application(session, application_id=application.id, by=colleague)
    assert str(refusal.value.message).startswith(REFUSAL)
    assert application.status == ApplicationStatus.DRAFT
    sent = application_services.submit_application(session, application_id=application.id, by=applicant)
    assert sent.status == ApplicationStatus.SUBMITTED


def test_people_who_join_by_invitation_are_confirmed(session, applicant_client, organisation, sent_emails, client):
    """The invitation reached them at that address, so accepting it confirms the address."""
    applicant_client.submit(f"/organisations/{organisation.id}/invite",
                            {"name": "Sam Okoye", "email": "sam@example.org"})
    link = re.search(r"http://portal\.test(/invitations/\S+)", sent_emails()[-1].get_content()).group(1)
    accepted = client.submit(link, {"name": "Sam Okoye", "password": "harbour-tulip-engine"})
    assert accepted.status == 302, accepted.error_summary()
    sam = session.scalar(select(User).where(User.email == "sam@example.org"))
    assert sam.email_confirmed_at is not None
    assert NOTICE not in client.page("/account").text()


def test_confirmed_people_are_sent_home_from_the_resend_page(applicant_client):
    """Nothing to confirm: the page says so and goes back to their applications."""
    response = applicant_client.get("/confirm-email")
    assert response.status_code == 302 and response.location == "/account"
    assert "Your email address is confirmed" in applicant_client.page("/account").text()


@pytest.mark.own_database
def test_the_migration_counts_existing_accounts_as_confirmed(tmp_path):
    """Accounts made before the check existed are confirmed by the migration, so nobody is stopped from sending."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app

    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'backfill.sqlite3'}"})
    with app.app_context():
        upgrade(revision="0015")
        db.session.execute(text(
            "INSERT INTO \"user\" (email, name, password_hash, role, is_active_account, created_at, session_version) "
            "VALUES ('old@example.org', 'Old Hand', 'x', 'applicant', 1, '2026-01-01 00:00:00.000000', 1)"))
        db.session.commit()
        upgrade(revision="0016")
        # A plain query: the User model has columns from later migrations (a second factor, 0025).
        confirmed_at = db.session.scalar(text("SELECT email_confirmed_at FROM \"user\" WHERE email = 'old@example.org'"))
        assert confirmed_at is not None
        db.session.remove()
        db.engine.dispose()
