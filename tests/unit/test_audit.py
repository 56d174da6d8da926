"""Every change of state records who, what, when, and the values before and after."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts import services
from portal.models import AuditEvent, OutboxMessage

SETTINGS = services.Settings(public_url="http://portal.test", portal_name="Portal", fast_hashing=True)


def test_sign_up_records_the_new_organisation_and_person_without_secrets(session):
    """The trail names the actor and the after-values, never the password hash."""
    user = services.sign_up_organisation(
        session,
        details=services.OrganisationDetails(
            name="Hackney Youth Voices", organisation_type="unregistered", income_band="under_10k",
            boroughs=["E09000012"], address_line_1="1 Mare Street", postcode="E8 1DY"),
        name="Grace", email="grace@example.org", password="purple kettle orbit", settings=SETTINGS)
    events = {e.action: e for e in session.scalars(select(AuditEvent))}
    created = events["user.created"]
    assert created.actor_id == user.id and created.entity_type == "user" and created.entity_id == user.id
    assert created.after["email"] == "grace@example.org"
    assert "password_hash" not in created.after
    assert events["organisation.signed_up"].after["name"] == "Hackney Youth Voices"
    assert abs(created.occurred_at - user.created_at) < timedelta(seconds=5)


def test_a_password_reset_records_before_and_after(session, applicant):
    """The reset bumps the session version, and the trail shows both values."""
    services.request_password_reset(session, email=applicant.email, settings=SETTINGS)
    body = session.scalar(select(OutboxMessage.body))
    token = body.split("/reset-password/")[1].split()[0]
    services.reset_password(session, token=token, password="harbour-tulip-engine", settings=SETTINGS)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert event.before == {"session_version": 1} and event.after == {"session_version": 2}
    assert event.actor_id == applicant.id
