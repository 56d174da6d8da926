"""Members invite colleagues; commissioners invite panellists and commissioners; nobody else can."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.models import AgeBand, AuditEvent, Invitation, Role, User
from tests.conftest import PASSWORD


def invitation_link(emails: list) -> str:
    """The path of the invitation link in the last e-mail sent."""
    body = emails[-1].get_content()
    return re.search(r"http://portal\.test(/invitations/\S+)", body).group(1)


def test_a_member_invites_a_colleague_who_joins_the_organisation(app, applicant_client, organisation, session, sent_emails):
    """The colleague gets an e-mail, accepts it, chooses a password and sees the same organisation."""
    page = applicant_client.submit(f"/organisations/{organisation.id}/invite",
                                   {"name": "Kwame Boateng", "email": "kwame@example.org"}, follow=True)
    assert "Invitation sent to kwame@example.org" in page.text()
    assert "Kwame Boateng (kwame@example.org), invited" in page.text()
    emails = sent_emails()
    assert emails[-1]["To"] == "kwame@example.org"
    assert "Grace Mensah has invited you to join" in emails[-1].get_content()
    link = invitation_link(emails)

    colleague = app.test_client()
    accept = colleague.page(link)
    assert accept.h1 == "Accept your invitation"
    assert accept.value_of("name") == "Kwame Boateng"
    response = colleague.submit(link, {"name": "Kwame Boateng", "password": "river-lamp-harvest"})
    assert response.response.location == "/account"
    kwame = session.scalar(select(User).where(User.email == "kwame@example.org"))
    assert kwame.role == Role.APPLICANT and kwame.organisations == [organisation]
    members = colleague.page(f"/organisations/{organisation.id}")
    assert "Grace Mensah" in members.text() and "Kwame Boateng" in members.text()
    assert "invitation.accepted" in set(session.scalars(select(AuditEvent.action)))
    assert colleague.page(link).status == 404, "An accepted invitation link must not work twice"


def test_inviting_an_existing_member_or_a_pending_invitee_is_refused(applicant_client, organisation, applicant):
    """Duplicate invitations get specific messages."""
    page = applicant_client.submit(f"/organisations/{organisation.id}/invite",
                                   {"name": "Grace", "email": applicant.email})
    assert page.field_error("email") == "Grace Mensah is already a member of Hackney Youth Voices"
    applicant_client.submit(f"/organisations/{organisation.id}/invite", {"name": "Kwame", "email": "kwame@example.org"})
    again = applicant_client.submit(f"/organisations/{organisation.id}/invite", {"name": "Kwame", "email": "KWAME@example.org"})
    assert again.field_error("email") == "This person has already been invited and has not replied yet"
    assert again.value_of("name") == "Kwame"


def test_an_invitation_form_with_mistakes_keeps_what_was_typed(applicant_client, organisation):
    """A bad address gets a format message and the name stays."""
    page = applicant_client.submit(f"/organisations/{organisation.id}/invite", {"name": "Kwame", "email": "kwame at example"})
    assert page.field_error("email") == "Enter an email address in the correct format, like name@example.com"
    assert page.value_of("name") == "Kwame"


def test_an_existing_applicant_joins_a_second_organisation_with_their_password(app, applicant_client, organisation, other_applicant, sent_emails, session):
    """Someone who already has an account confirms with their own password."""
    applicant_client.submit(f"/organisations/{organisation.id}/invite", {"name": "Dan", "email": other_applicant.email})
    link = invitation_link(sent_emails())
    dan = app.test_client()
    assert "You already have an account" in dan.page(link).text()
    wrong = dan.submit(link, {"name": "Dan", "password": "not-my-password-at-all"})
    assert wrong.field_error("password") == "You already have an account: enter its password to join this organisation"
    assert dan.submit(link, {"name": "Dan", "password": PASSWORD}).status == 302
    assert organisation in session.get(User, other_applicant.id).organisations


def test_a_commissioner_invites_a_panellist_with_an_age_band(app, commissioner_client, session, sent_emails):
    """Panellists can only join by invitation, with their age band recorded for safeguarding."""
    page = commissioner_client.submit("/commissioning/people/invite", {
        "role": "panellist", "name": "Tyler Brown", "email": "tyler@example.org", "age_band": "16_17"}, follow=True)
    assert "Invitation sent to tyler@example.org" in page.text()
    link = invitation_link(sent_emails())
    tyler = app.test_client()
    assert tyler.submit(link, {"name": "Tyler Brown", "password": "comet-biscuit-lagoon"}).response.location == "/panel"
    user = session.scalar(select(User).where(User.email == "tyler@example.org"))
    assert user.role == Role.PANELLIST and user.age_band == AgeBand.UNDER_18
    home = tyler.page("/panel")
    assert "we need consent from your parent or guardian" in home.text()


def test_a_panellist_invitation_needs_an_age_band(commissioner_client):
    """Without the age band we cannot apply the safeguarding rules."""
    page = commissioner_client.submit("/commissioning/people/invite", {
        "role": "panellist", "name": "Tyler Brown", "email": "tyler@example.org"})
    assert page.field_error("age_band") == "Select the panellist's age"
    assert page.value_of("email") == "tyler@example.org"


def test_a_commissioner_invites_another_commissioner(app, commissioner_client, session, sent_emails):
    """A new commissioner lands on the commissioners' home."""
    commissioner_client.submit("/commissioning/people/invite", {
        "role": "commissioner", "name": "Lee Chan", "email": "lee@example.org"})
    link = invitation_link(sent_emails())
    lee = app.test_client()
    assert lee.submit(link, {"name": "Lee Chan", "password": "meadow-anchor-violet"}).response.location == "/commissioning"
    people = commissioner_client.page("/commissioning/people")
    assert "Lee Chan" in people.text()


def test_expired_invitations_do_not_work(app, commissioner_client, session, sent_emails):
    """An invitation older than its lifetime shows a clear message."""
    commissioner_client.submit("/commissioning/people/invite", {
        "role": "commissioner", "name": "Lee Chan", "email": "lee@example.org"})
    link = invitation_link(sent_emails())
    invitation = session.scalar(select(Invitation))
    invitation.expires_at = invitation.created_at - timedelta(minutes=1)
    session.commit()
    page = app.test_client().page(link)
    assert page.status == 404
    assert "This invitation has expired" in page.text()


def test_only_the_stored_hash_of_a_token_is_kept(commissioner_client, session, sent_emails):
    """A copy of the database does not hand out working invitation links."""
    commissioner_client.submit("/commissioning/people/invite", {
        "role": "commissioner", "name": "Lee Chan", "email": "lee@example.org"})
    token = invitation_link(sent_emails()).rsplit("/", 1)[1]
    assert session.scalar(select(Invitation)).token_hash != token


def test_nobody_can_sign_up_as_a_panellist_or_commissioner(client, session):
    """The sign-up form makes applicants only, whatever is posted."""
    client.submit("/sign-up", {
        "name": "Eve", "email": "eve@example.org", "password": "purple kettle orbit", "role": "commissioner",
        "organisation_name": "Eve's group", "organisation_type": "unregistered", "income_band": "under_10k",
        "boroughs": ["E09000012"], "address_line_1": "1 Road", "town": "London", "postcode": "E8 1DY"})
    assert session.scalar(select(User.role).where(User.email == "eve@example.org")) == Role.APPLICANT


def test_colleagues_are_never_invited_into_another_organisation(other_applicant_client, organisation):
    """An applicant cannot invite people into a group they do not belong to."""
    response = other_applicant_client.post(f"/organisations/{organisation.id}/invite",
                                           data={"csrf_token": other_applicant_client.csrf_token("/account"),
                                                 "name": "Mallory", "email": "mallory@example.org"})
    assert response.status_code == 403
