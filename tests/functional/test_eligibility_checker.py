"""The public eligibility checker: four questions, a clear answer, and the answers carried to sign-up."""

from tests.conftest import make_round

GOOD = {"organisation_type": "unregistered", "income_band": "under_10k", "boroughs": ["E09000012"], "amount": "£8,000"}


def test_a_group_that_fits_is_told_it_can_apply(client, open_round):
    """The answer says so, with the amount, the deadline, and a way to create an account."""
    page = client.submit(f"/rounds/{open_round.slug}/check-eligibility", GOOD)
    assert page.h1 == "You can apply"
    text = page.text()
    assert "your group can apply for £8,000" in text
    assert "you will answer fewer questions" in text
    assert "Create an account for your group" in text


def test_a_group_that_does_not_fit_is_told_which_rules_and_what_to_do(client, session):
    """Each rule that stops them is shown with what to do instead."""
    round_ = make_round(session, slug="charities-only", eligible_organisation_types=["charity"])
    page = client.submit(f"/rounds/{round_.slug}/check-eligibility",
                         {**GOOD, "income_band": "over_1m", "amount": "30000"})
    assert page.h1 == "Your group cannot apply to this round"
    text = page.text()
    assert "This round is only for registered charity." in text
    assert "annual income under £250,000" in text
    assert "Grants in this round are from £2,000 to £25,000." in text
    assert "These rules stop your group applying" in text


def test_missing_and_badly_formed_answers_get_messages_and_keep_the_rest(client, open_round):
    """Each question's message is specific; chosen answers stay chosen."""
    page = client.submit(f"/rounds/{open_round.slug}/check-eligibility",
                         {"organisation_type": "charity", "boroughs": ["E09000028"], "amount": "lots"})
    assert page.title.startswith("Error: Check if your group can apply")
    assert page.error_summary() == ["Select your organisation's annual income", "Enter an amount in pounds, like 8,000"]
    assert page.soup.find("input", attrs={"name": "organisation_type", "value": "charity"}).has_attr("checked")
    assert page.soup.find("input", attrs={"name": "boroughs", "value": "E09000028"}).has_attr("checked")
    assert page.value_of("amount") == "lots"


def test_the_answers_fill_in_the_sign_up_form(client, open_round):
    """A group that goes on to create an account does not type its details again."""
    client.submit(f"/rounds/{open_round.slug}/check-eligibility", GOOD)
    page = client.page("/sign-up")
    assert page.soup.find("input", attrs={"name": "organisation_type", "value": "unregistered"}).has_attr("checked")
    assert page.soup.find("input", attrs={"name": "income_band", "value": "under_10k"}).has_attr("checked")
    assert page.soup.find("input", attrs={"name": "boroughs", "value": "E09000012"}).has_attr("checked")
    assert "filled in your organisation's type, income and boroughs" in page.text()


def test_checking_before_the_round_opens_says_when_it_opens(client, upcoming_round):
    """Groups can check early and get ready."""
    page = client.submit(f"/rounds/{upcoming_round.slug}/check-eligibility", GOOD)
    assert "Applications open on" in page.text()


def test_a_group_that_can_apply_signs_up_and_lands_on_the_application_start(client, open_round):
    """From "you can apply" through sign-up straight to starting the application, answers kept."""
    result = client.submit(f"/rounds/{open_round.slug}/check-eligibility", GOOD)
    create = result.soup.select_one("main a.govuk-button")["href"]
    assert create == f"/sign-up?next=/rounds/{open_round.slug}/apply"
    page = client.page(create)
    form = page.soup.select_one("main form")
    response = client.submit(form["action"], {
        "name": "Grace Mensah", "email": "grace.new@example.org", "password": "purple kettle orbit",
        "organisation_name": "Hackney Youth Voices", "organisation_type": "unregistered",
        "income_band": "under_10k", "boroughs": ["E09000012"], "address_line_1": "1 Mare Street",
        "town": "London", "postcode": "E8 1DY"}, token_from=create)
    assert response.response.location == f"/rounds/{open_round.slug}/apply"
