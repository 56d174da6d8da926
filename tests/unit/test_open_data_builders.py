"""The open-data builders, on entries made in memory (no database): identifiers, money, titles, records."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from portal.models import DecisionLogEntry, Outcome, Round
from portal.transparency import log, open_data
from portal.transparency.filters import ParsedFilters
from portal.transparency.log import LogFilters

PUBLISHER = open_data.Publisher(funder_name="Safer Futures VRU", funder_org_id="GB-LAE-SF",
                                grant_id_prefix="360G-sf", public_url="https://grants.example.org/",
                                portal_name="Safer Futures Grants")
ROUND = Round(title="Safer summers", slug="safer-summers")
ATOM = "{http://www.w3.org/2005/Atom}"


def entry(**fields) -> DecisionLogEntry:
    """An award entry to Hackney Youth Voices, with any field replaced."""
    values = dict(
        position=3, round=ROUND, reference="YLF-2026-0001", outcome=Outcome.AWARD,
        organisation_name="Hackney Youth Voices", organisation_description="A community group in Hackney",
        organisation_type="unregistered", small_organisation=True, boroughs=",E09000012,E09000022,",
        charity_number=None, company_number=None, project_title="Youth voices", amount_requested_pence=800_000,
        amount_awarded_pence=750_000, panel_score=78.2, reason_category=None, reason="A strong plan.",
        decided_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC), decided_by_role="commissioner",
        panellists_recused=1, published_at=datetime(2026, 7, 2, 11, 0, tzinfo=UTC), corrects=None,
        correction_reason=None, content_hash="c" * 64, previous_hash="p" * 64, entry_hash="e" * 64,
    )
    values.update(fields)
    return DecisionLogEntry(**values)


def declined(**fields) -> DecisionLogEntry:
    """A declined entry, as the log stores it: described, not named."""
    values = dict(outcome=Outcome.DECLINE, organisation_name=None, project_title=None, amount_awarded_pence=None,
                  reason_category="Outcomes not clear enough", reason="Not clear what would change.")
    values.update(fields)
    return entry(**values)


@pytest.mark.parametrize(("charity", "company", "expected"), [
    ("1123456", None, "GB-CHC-1123456"),
    (" 1123456 ", "07654321", "GB-CHC-1123456"),  # a charitable company is known by its charity number
    (None, "sc123456", "GB-COH-SC123456"),
    ("", "", "360G-sf-org-42"),  # an unregistered group: the portal's number for it, not its name
    (None, None, "360G-sf-org-42"),
])
def test_organisation_identifiers(charity, company, expected):
    assert open_data.organisation_identifier(organisation_id=42, charity_number=charity,
                                             company_number=company, grant_id_prefix="360G-sf") == expected


@pytest.mark.parametrize(("code", "kind"), [("E09000012", "LONB"), ("E09000001", "LONB"), ("E06000001", "LA")])
def test_london_boroughs_are_lonb_in_360giving(code, kind):
    assert open_data.geo_code_type(code) == kind


@pytest.mark.parametrize(("pence", "text", "number"), [
    (800_000, "8000.00", 8000), (800_050, "8000.50", 8000.5), (5, "0.05", 0.05), (0, "0.00", 0), (None, "", None),
])
def test_pounds(pence, text, number):
    assert open_data.pounds_text(pence) == text
    assert open_data.pounds_number(pence) == number


def test_atom_titles_name_awards_only():
    assert open_data.atom_title(entry()) == "Awarded £7,500 to Hackney Youth Voices"
    assert open_data.atom_title(declined()) == "Declined: a community group in Hackney"
    reserve = declined(outcome=Outcome.RESERVE)
    assert open_data.atom_title(reserve) == "On the reserve list: a community group in Hackney"


def test_a_summary_says_what_was_asked_scored_and_why():
    summary = open_data.atom_summary(declined())
    assert summary == ("YLF-2026-0001, Safer summers. Asked for £8,000. Panel score 78.2 out of 100. "
                       "Reason: Outcomes not clear enough. Not clear what would change.")
    correction = entry(corrects=entry(position=1), correction_reason="Typing error")
    assert open_data.atom_summary(correction).endswith("Awarded £7,500. Panel score 78.2 out of 100. "
                                                        "Reason: A strong plan. This corrects entry 1: Typing error")


def test_a_declined_record_is_described_not_named():
    record = open_data.decision_record(declined(), publisher=PUBLISHER)
    assert record["organisation"] == "A community group in Hackney" and record["organisation_named"] is False
    assert record["url"] == "https://grants.example.org/decisions/entries/3"
    assert record["boroughs"] == [{"name": "Hackney", "gss_code": "E09000012"},
                                  {"name": "Lambeth", "gss_code": "E09000022"}]
    assert record["decided_at"] == "2026-06-30T23:30:00+00:00"


def test_nothing_identifying_leaks_through_a_declined_entry():
    """Even if a declined entry somehow held a name, number or project title, the files leave them out."""
    leaky = declined(organisation_name="Secret Club", charity_number="1099999", company_number="0123",
                     project_title="Secret project")
    assert open_data.organisation_label(leaky) == "A community group in Hackney"
    record = open_data.decision_record(leaky, publisher=PUBLISHER)
    row = open_data.csv_row(leaky)
    feed = open_data.atom_feed([leaky], parsed=ParsedFilters(filters=LogFilters()), publisher=PUBLISHER,
                               log_updated=None)
    assert set(record["field_openings"]).isdisjoint(open_data.NAMING_FIELDS), \
        "the salt and value of a name an entry should never hold are not published"
    for text in (str(record), str(row), feed):
        for secret in ("Secret", "1099999", "0123"):
            assert secret not in text


def test_a_record_carries_exactly_what_is_hashed():
    record = open_data.decision_record(declined(), publisher=PUBLISHER)
    assert record["hashed_content"] == log.commitments(declined())
    assert (record["content_hash"], record["previous_hash"], record["entry_hash"]) == ("c" * 64, "p" * 64, "e" * 64)


def test_csv_row_guards_text_but_not_numbers():
    row = open_data.csv_row(entry(reason="-1 for effort", organisation_name="@home youth"))
    header = dict(zip(open_data.CSV_HEADER, row, strict=True))
    assert header["Reason"] == "'-1 for effort" and header["Organisation"] == "'@home youth"
    assert header["Amount awarded (pounds)"] == "7500.00" and header["Entry"] == 3
    assert header["Decided (London time)"] == "2026-07-01 00:30"


def test_grant_record():
    grant = open_data.grant_record(entry(charity_number="1123456"), publisher=PUBLISHER, organisation_id=7)
    assert grant["id"] == "360G-sf-YLF-2026-0001"
    assert grant["awardDate"] == "2026-07-01", "The London date of a decision made at 00:30 BST"
    assert grant["recipientOrganization"][0]["id"] == "GB-CHC-1123456"
    assert grant["fundingOrganization"] == [{"id": "GB-LAE-SF", "name": "Safer Futures VRU"}]
    assert grant["grantProgramme"][0] == {"code": "safer-summers", "title": "Safer summers",
                                          "url": "https://grants.example.org/rounds/safer-summers"}
    assert [loc["geoCode"] for loc in grant["beneficiaryLocation"]] == ["E09000012", "E09000022"]
    assert grant["description"] == "A strong plan."
    assert open_data.grant_record(entry(reason=" "), publisher=PUBLISHER, organisation_id=7)["description"] == (
        "A grant from the Safer summers round.")
    assert [place["geoCodeType"] for place in grant["beneficiaryLocation"]] == ["LONB", "LONB"]
    unregistered = open_data.grant_record(entry(), publisher=PUBLISHER, organisation_id=7)
    assert unregistered["recipientOrganization"][0]["id"] == "360G-sf-org-7"


def test_the_package_holds_awards_only():
    package = open_data.grants_package([entry(application_id=5), declined(reference="YLF-2026-0002")],
                                       publisher=PUBLISHER, modified=datetime(2026, 7, 2, 11, 0, tzinfo=UTC),
                                       organisation_ids={5: 9})
    assert [g["id"] for g in package["grants"]] == ["360G-sf-YLF-2026-0001"]
    assert package["grants"][0]["recipientOrganization"][0]["id"] == "360G-sf-org-9"
    assert package["license"] == open_data.LICENCE_URL and package["modified"] == "2026-07-02T11:00:00+00:00"


def test_the_atom_feed_is_namespaced_and_escaped():
    parsed = ParsedFilters(filters=LogFilters(outcome=Outcome.AWARD), round_=ROUND)
    body = open_data.atom_feed([entry(organisation_name="Tom & Jerry's <Club>")], parsed=parsed,
                               publisher=PUBLISHER, log_updated=None)
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "https://grants.example.org/decisions.atom?round=safer-summers&outcome=award"
    assert feed.findtext(f"{ATOM}updated") == "2026-07-02T11:00:00Z"
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}title") == "Awarded £7,500 to Tom & Jerry's <Club>"
    assert "&lt;Club&gt;" in body


def test_canonical_query_keeps_only_understood_filters_in_a_fixed_order():
    parsed = ParsedFilters(filters=LogFilters(search="youth club", borough="E09000012"), problems={"outcome": "x"})
    assert open_data.canonical_query(parsed) == "?borough=E09000012&search=youth+club"
    assert open_data.canonical_query(ParsedFilters(filters=LogFilters())) == ""
