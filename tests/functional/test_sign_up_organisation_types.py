"""Sign-up asks for a charity or company number only under the types that have one, and not schools (issue 14)."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Organisation, OrganisationType
from tests.functional.test_sign_up import GOOD


def _radio(page, value: str):
    """The organisation type radio with this value."""
    return page.soup.find("input", attrs={"name": "organisation_type", "value": value})


def _revealed_under(page, value: str) -> list[str]:
    """The names of the inputs in the conditional reveal that belongs to this type's radio."""
    radio = _radio(page, value)
    target = radio.get("data-aria-controls") or radio.get("aria-controls")
    if not target:
        return []
    return [i["name"] for i in page.soup.find(id=target).find_all("input")]


def test_number_boxes_sit_under_the_types_that_have_them(client):
    """Charity and CIO reveal a charity number, CIC and company a company number; other types reveal nothing."""
    page = client.page("/sign-up")
    assert _revealed_under(page, "charity") == ["charity_number"]
    assert _revealed_under(page, "cio") == ["cio_charity_number"]
    assert _revealed_under(page, "cic") == ["cic_company_number"]
    assert _revealed_under(page, "company") == ["company_number"]
    for value in ("unregistered", "community_benefit_society", "faith_group"):
        assert _revealed_under(page, value) == [], f"{value} should reveal no number box"
    # Without JavaScript each box still reads right: inside the radios, straight after its own type.
    for value, name in (("charity", "charity_number"), ("company", "company_number")):
        item = _radio(page, value).find_parent(class_="govuk-radios__item")
        conditional = item.find_next_sibling()
        assert "govuk-radios__conditional" in conditional["class"] and conditional.find("input")["name"] == name
    labels = [page.soup.find("label", attrs={"for": i["id"]}).get_text(strip=True)
              for i in page.soup.select(".govuk-radios__conditional input")]
    assert labels == ["Charity number", "Charity number", "Company number", "Company number"]


def test_schools_are_not_offered_at_sign_up(client):
    """Schools may only be partners, so "School or college" is not a type a group can sign up as."""
    page = client.page("/sign-up")
    assert _radio(page, "school") is None
    assert "School or college" not in [label.get_text(strip=True) for label in page.soup.select(".govuk-radios__label")]
    assert "Schools and colleges cannot apply on their own" in page.text()


def test_a_school_posted_anyway_is_refused(client, session):
    """A form sent with "school" (an old page, or by hand) creates nothing."""
    page = client.submit("/sign-up", {**GOOD, "organisation_type": "school"})
    assert page.status == 200
    assert page.field_error("organisation_type").startswith("Select the type of organisation. Schools and colleges")
    assert session.scalar(select(Organisation)) is None


def test_numbers_typed_for_another_type_are_ignored(client, session):
    """An unregistered group that first chose "Registered charity" and typed a number keeps no number."""
    response = client.submit("/sign-up", {**GOOD, "charity_number": "12", "company_number": "not a number",
                                          "cio_charity_number": "1123456"})
    assert response.status == 302, response.error_summary()
    organisation = session.scalar(select(Organisation))
    assert organisation.organisation_type == OrganisationType.UNREGISTERED
    assert (organisation.charity_number, organisation.company_number) == (None, None)


def test_each_type_stores_the_number_typed_under_it(client, session):
    """A CIO's charity number and a CIC's company number are stored from their own boxes."""
    response = client.submit("/sign-up", {**GOOD, "organisation_type": "cio", "cio_charity_number": "1123456",
                                          "charity_number": "999"})
    assert response.status == 302, response.error_summary()
    client.sign_out()
    response = client.submit("/sign-up", {**GOOD, "email": "kofi@example.org", "organisation_name": "Boxing CIC",
                                          "organisation_type": "cic", "cic_company_number": "sc123456"})
    assert response.status == 302, response.error_summary()
    stored = {o.organisation_type: (o.charity_number, o.company_number) for o in session.scalars(select(Organisation))}
    assert stored == {OrganisationType.CIO: ("1123456", None), OrganisationType.CIC: (None, "SC123456")}


def test_a_missing_or_badly_formed_number_is_shown_beside_its_own_box(client):
    """The message sits beside the box under the chosen type, and what was typed is kept."""
    page = client.submit("/sign-up", {**GOOD, "organisation_type": "cio"})
    assert page.field_error("cio_charity_number") == "Enter your charity number"
    assert page.field_error("charity_number") is None
    assert _radio(page, "cio").has_attr("checked")
    page = client.submit("/sign-up", {**GOOD, "organisation_type": "company", "company_number": "123"})
    assert page.field_error("company_number").startswith("Enter a company number in the correct format")
    assert page.value_of("company_number") == "123"


def test_an_existing_school_stays_valid(applicant_client, session, organisation):
    """Organisations recorded as schools before this change still show their type."""
    organisation.organisation_type = OrganisationType.SCHOOL
    session.commit()
    page = applicant_client.page(f"/organisations/{organisation.id}")
    assert page.status == 200 and "School or college" in page.text()
