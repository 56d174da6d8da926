"""A community group signs up as an organisation with its first member."""

from sqlalchemy import select

from portal.models import AuditEvent, Organisation, OutboxMessage, Role, User

GOOD = {
    "name": "Grace Mensah",
    "email": "Grace@Example.org ",
    "password": "purple kettle orbit",
    "organisation_name": "Hackney Youth Voices",
    "organisation_type": "unregistered",
    "income_band": "under_10k",
    "boroughs": ["E09000012", "E09000030"],
    "address_line_1": "St Mary's Church Hall",
    "town": "London",
    "postcode": "e9 5ja",
}


def test_a_group_signs_up_and_lands_on_its_dashboard(client, session):
    """The organisation, its first member and a welcome e-mail are created together."""
    response = client.submit("/sign-up", GOOD)
    assert response.status == 302 and response.response.location == "/account"
    user = session.scalar(select(User).where(User.email == "grace@example.org"))
    assert user is not None and user.role == Role.APPLICANT
    organisation = user.organisations[0]
    assert organisation.name == "Hackney Youth Voices"
    assert organisation.boroughs == ["E09000012", "E09000030"]
    assert organisation.postcode == "E9 5JA"
    assert session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "grace@example.org"))
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"organisation.signed_up", "user.created"} <= actions
    page = client.page("/account")
    assert page.h1 == "Your applications"
    assert "Hackney Youth Voices" in page.text()


def test_missing_answers_are_listed_and_what_was_typed_is_kept(client, session):
    """Each missing answer has its own message, in the summary and beside the field."""
    page = client.submit("/sign-up", {"name": "Grace Mensah", "email": "grace@example.org",
                                      "organisation_name": "Hackney Youth Voices"})
    assert page.status == 200
    assert page.title.startswith("Error: Create an account for your group")
    summary = page.error_summary()
    for message in ["Create a password", "Select the type of organisation",
                    "Select your organisation's annual income", "Select at least one London borough you work in",
                    "Enter the first line of your address", "Enter your postcode"]:
        assert message in summary, f"Missing error {message!r} in {summary}"
    assert page.field_error("postcode") == "Enter your postcode"
    assert page.value_of("name") == "Grace Mensah"
    assert page.value_of("organisation_name") == "Hackney Youth Voices"
    assert page.soup.find("input", attrs={"name": "password"}).get("value") in (None, "")
    assert session.scalar(select(Organisation)) is None


def test_a_weak_password_is_refused_beside_the_password_field(client, session):
    """The policy's message shows beside the field and nothing is saved."""
    page = client.submit("/sign-up", {**GOOD, "password": "password1234"})
    assert page.field_error("password") == "This password is too common and easy to guess. Choose a different one"
    assert session.scalar(select(User)) is None
    assert page.value_of("address_line_1") == "St Mary's Church Hall"


def test_a_registered_charity_must_give_its_number(client):
    """Registered charities give a charity number; unregistered groups need none."""
    page = client.submit("/sign-up", {**GOOD, "organisation_type": "charity"})
    assert page.field_error("charity_number") == "Enter your charity number"


def test_postcodes_and_numbers_are_checked_for_format(client):
    """Badly formed postcodes and charity numbers get a message with an example."""
    page = client.submit("/sign-up", {**GOOD, "organisation_type": "charity", "postcode": "not a postcode",
                                      "charity_number": "12"})
    assert page.field_error("postcode") == "Enter a real postcode, like E8 1DY"
    assert "like 1123456" in page.field_error("charity_number")


def test_an_address_with_an_account_cannot_sign_up_again(client, applicant):
    """The message tells them to sign in or reset the password instead."""
    page = client.submit("/sign-up", {**GOOD, "email": applicant.email.upper()})
    assert "An account already uses this email address" in page.field_error("email")


def test_signed_in_people_are_sent_home_from_sign_up(applicant_client):
    """Nobody signs up twice by accident."""
    assert applicant_client.get("/sign-up").location == "/account"
