"""/open-data/360giving.json validates against the official 360Giving schema, with org-id identifiers.

The schema is reference data kept outside the repository (../shared/reference/360giving beside the checkout).
Without it these tests skip, except on CI (CI=true), where a missing schema must fail rather than pass quietly.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
import referencing.jsonschema
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from portal.models import Decision, Organisation, Outcome, Role, Round
from portal.transparency import log
from portal.transparency.open_data import add_months
from tests.conftest import make_organisation
from tests.fixtures.open_data import OPEN_DATA_PUBLISHED_AT
from tests.fixtures.panel_round import make_eligible_application

SCHEMA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "360giving"
PACKAGE_SCHEMA = SCHEMA_DIR / "360-giving-package-schema.json"
GRANT_SCHEMA = SCHEMA_DIR / "360-giving-schema.json"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@pytest.fixture(scope="module")
def package_validator() -> Draft202012Validator:
    """A validator for 360Giving data packages, resolving each grant to the local grant schema (no network)."""
    if not (PACKAGE_SCHEMA.is_file() and GRANT_SCHEMA.is_file()):
        reason = f"The 360Giving schema is not at {SCHEMA_DIR}: put the reference data there to run this test"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
        pytest.skip(reason)
    package = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    grant = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    # The schemas name draft 2020-12 with an http:// URL that referencing does not detect by itself.
    resource = Resource(contents=grant, specification=referencing.jsonschema.DRAFT202012)
    package_ref = package["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(package_ref, resource), (grant["$id"], resource)])
    # Dates may be a date-time or YYYY-MM-DD (oneOf): without a real date-time check a date matches both.
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(validator: Draft202012Validator, document: dict) -> list[str]:
    """Every schema error, as "where: what", for a readable assertion message."""
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in validator.iter_errors(document)]


def fetch_package(client) -> dict:
    """GET the 360Giving file and parse it."""
    response = client.get("/open-data/360giving.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def grants_by_recipient(package: dict) -> dict[str, dict]:
    """Each grant, keyed by its recipient's name."""
    return {grant["recipientOrganization"][0]["name"]: grant for grant in package["grants"]}


def test_the_package_validates_against_the_official_schema(client, package_validator, open_data_log):
    package = fetch_package(client)
    assert problems(package_validator, package) == [], "The 360Giving file does not match the schema"
    assert len(package["grants"]) == 3, "Only the three awards are grants"


def test_the_validator_catches_a_broken_grant(client, package_validator, open_data_log):
    package = fetch_package(client)
    del package["grants"][0]["awardDate"]
    package["grants"][1]["awardDate"] = "1 July 2026"
    found = problems(package_validator, package)
    assert len(found) == 2 and all(p.startswith("grants/") for p in found), found


def test_the_demo_package_validates(app, client, package_validator):
    app.test_cli_runner().invoke(args=["seed-demo"])
    package = fetch_package(client)
    assert problems(package_validator, package) == []
    assert {g["recipientOrganization"][0]["id"][:6] for g in package["grants"]} <= {"GB-CHC", "GB-COH", "360G-s"}


def test_a_corrected_award_is_published_as_corrected(client, package_validator, open_data_corrected):
    package = fetch_package(client)
    assert problems(package_validator, package) == []
    hackney = grants_by_recipient(package)["Hackney Youth Voices"]
    assert hackney["amountAwarded"] == 7000
    assert [g["id"] for g in package["grants"]].count("360G-saferfutures-YLF-2026-0061") == 1


def test_grant_fields(client, open_data_log):
    package = fetch_package(client)
    hackney = grants_by_recipient(package)["Hackney Youth Voices"]
    assert hackney["id"] == "360G-saferfutures-YLF-2026-0061"
    assert hackney["title"] == "Youth voices on the estate"
    assert hackney["description"] == "A strong plan led by young people."
    assert (hackney["currency"], hackney["amountAwarded"], hackney["amountAppliedFor"]) == ("GBP", 7500, 8000)
    assert hackney["awardDate"] == "2026-07-01", "The award date is the London date of the decision (BST)"
    assert hackney["fundingOrganization"] == [{"id": "GB-LAE-SAFERFUTURES",
                                               "name": "Safer Futures Violence Reduction Unit"}]
    assert hackney["grantProgramme"][0]["code"] == "safer-summers"
    assert hackney["grantProgramme"][0]["title"] == "Safer summers"
    carers = grants_by_recipient(package)["Lambeth Young Carers"]
    assert carers["amountAwarded"] == 12000.5, "Pounds and pence become a decimal number of pounds"


def test_organisation_identifiers_follow_org_id(client, open_data_log):
    grants = grants_by_recipient(fetch_package(client))
    charity = grants["Lambeth Young Carers"]["recipientOrganization"][0]
    assert charity["id"] == "GB-CHC-1123456" and charity["charityNumber"] == "1123456"
    company = grants["Mare Street Media CIC"]["recipientOrganization"][0]
    assert company["id"] == "GB-COH-09876543" and company["companyNumber"] == "09876543"
    unregistered = grants["Hackney Youth Voices"]["recipientOrganization"][0]
    hackney = open_data_log.hackney_award.application.organisation
    assert unregistered["id"] == f"360G-saferfutures-org-{hackney.id}"
    assert "charityNumber" not in unregistered and "companyNumber" not in unregistered


def test_an_unregistered_groups_identifier_survives_a_rename_and_is_never_shared(client, session,
                                                                                 open_data_log):
    first = grants_by_recipient(fetch_package(client))["Hackney Youth Voices"]["recipientOrganization"][0]["id"]
    # The group renames itself; a new group takes its old name and is awarded too.
    hackney = open_data_log.hackney_award.application.organisation
    hackney.name = "Hackney Young Voices"
    namesake = make_organisation(session, name="Hackney Youth Voices", members=[])
    application = make_eligible_application(session, round_=open_data_log.round_, organisation=namesake,
                                            by=open_data_log.hackney_award.application.created_by, number=66,
                                            amount_pence=100_000, project_title="Another radio")
    award = Decision(application=application, outcome=Outcome.AWARD, amount_awarded_pence=100_000, reason="Good",
                     decided_by=open_data_log.hackney_award.decided_by, decided_by_role=Role.COMMISSIONER,
                     decided_at=OPEN_DATA_PUBLISHED_AT)
    session.add(award)
    session.flush()
    log.append(session, [award])
    grants = fetch_package(client)["grants"]
    ids = {grant["id"]: grant["recipientOrganization"][0]["id"] for grant in grants}
    assert ids["360G-saferfutures-YLF-2026-0061"] == first
    assert ids["360G-saferfutures-YLF-2026-0066"] == f"360G-saferfutures-org-{namesake.id}" != first


def test_beneficiary_locations_are_boroughs_with_gss_codes(client, open_data_log):
    grants = grants_by_recipient(fetch_package(client))
    assert grants["Lambeth Young Carers"]["beneficiaryLocation"] == [
        {"name": "Lambeth", "geoCode": "E09000022", "geoCodeType": "LONB", "countryCode": "GB"},
        {"name": "Southwark", "geoCode": "E09000028", "geoCodeType": "LONB", "countryCode": "GB"},
    ]
    types = {place["geoCodeType"] for grant in grants.values() for place in grant["beneficiaryLocation"]}
    assert types == {"LONB"}, "London boroughs are LONB in the 360Giving geoCodeType codelist"
    assert [loc["geoCode"] for loc in grants["Hackney Youth Voices"]["beneficiaryLocation"]] == ["E09000012"]


def test_licence_publisher_and_dates(client, open_data_log):
    package = fetch_package(client)
    assert package["license"] == OGL
    assert package["version"] == "1.4"
    assert package["publisher"]["name"] == "Safer Futures Violence Reduction Unit"
    assert package["modified"] == "2026-07-03T11:00:00+00:00", "Modified is when the log last changed"
    hackney = grants_by_recipient(package)["Hackney Youth Voices"]
    assert hackney["dateModified"] == OPEN_DATA_PUBLISHED_AT.isoformat()


def test_declined_and_reserve_groups_are_left_out(client, open_data_log):
    body = client.get("/open-data/360giving.json").get_data(as_text=True)
    for secret in ("Southwark Boxing Club", "1099999", "Boxing after school", "Clapton Dance Crew",
                   "Dance on Fridays", "YLF-2026-0063", "YLF-2026-0064"):
        assert secret not in body, f"{secret!r} must not appear in the 360Giving file"


def test_with_no_awards_published_the_file_is_a_json_404(client, session, open_data_log):
    for decision in (open_data_log.hackney_award, open_data_log.charity_award, open_data_log.cic_award):
        decision.outcome, decision.amount_awarded_pence = Outcome.DECLINE, None
    session.flush()
    # Publishing them again as declines replaces each award in the current log.
    log.append(session, [open_data_log.hackney_award, open_data_log.charity_award, open_data_log.cic_award])
    response = client.get("/open-data/360giving.json")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"] == "No grants have been published yet"


def test_an_empty_log_has_no_360giving_file(client):
    response = client.get("/open-data/360giving.json")
    assert response.status_code == 404
    assert "No grants have been published yet" in response.get_json()["error"]


def test_the_demos_file_validates_and_is_useful(app, client, session, package_validator):
    """360Giving's usefulness checks (issue 21): every grant says where the recipient is (GSS code and name, never
    an address) and when the grant runs; the beneficiary location comes with a recipient location."""
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    package = fetch_package(client)
    assert problems(package_validator, package) == []
    addresses = {text for o in session.query(Organisation) for text in (o.postcode, o.address_line_1) if text}
    months = {r.grant_months for r in session.query(Round)}
    assert months == {12}
    for grant in package["grants"]:
        [recipient] = grant["recipientOrganization"]
        assert recipient["location"], f"{grant['id']} has no recipient location"
        for place in recipient["location"]:
            assert place["geoCode"].startswith("E09") and len(place["geoCode"]) == 9 and place["name"]
            assert place["geoCodeType"] == "LONB"
        assert grant["beneficiaryLocation"] and recipient["location"]
        [planned] = grant["plannedDates"]
        assert planned["duration"] == 12 and planned["startDate"] == grant["awardDate"]
        assert planned["endDate"] > planned["startDate"]
        text = json.dumps(grant)
        assert not any(address in text for address in addresses), "no address or postcode is published"


def test_a_year_long_grant_ends_the_day_before_the_same_date_next_year():
    assert add_months(date(2026, 7, 15), 12) == date(2027, 7, 15)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
