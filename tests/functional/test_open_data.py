"""The decision log as open data: /decisions.csv, /decisions.json and /decisions.atom, for anyone.

Declined and reserve groups are never named in any file; filters work as on /decisions; a correction
replaces the entry it corrects; every file answers conditional requests with 304.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET

import pytest

from portal.transparency import open_data
from tests.fixtures.open_data import FORMULA_REASON

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "http://portal.test"  # PUBLIC_URL in the test settings
URLS = ("/decisions.csv", "/decisions.json", "/decisions.atom", "/open-data/360giving.json")
# What identifies the declined group (Southwark Boxing Club) and the reserve group (Clapton Dance Crew).
SECRETS = ("Southwark Boxing Club", "1099999", "Boxing after school", "Clapton Dance Crew", "Dance on Fridays",
           "dance@example.org", "dan@example.org")


def csv_rows(client, query: str = "") -> list[dict[str, str]]:
    """The CSV file's rows, keyed by the header."""
    response = client.get(f"/decisions.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def json_file(client, query: str = "") -> dict:
    """The JSON file, parsed."""
    response = client.get(f"/decisions.json{query}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def atom_feed(client, query: str = "") -> ET.Element:
    """The Atom feed, parsed as XML."""
    response = client.get(f"/decisions.atom{query}")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


# Anonymity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/decisions.csv", "/decisions.json", "/decisions.atom"])
def test_declined_and_reserve_groups_are_never_named(client, open_data_log, url):
    body = client.get(url).get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in body, f"{url} names a group that was not funded ({secret!r})"
    assert "a registered charity in hackney" in body.lower(), "The declined group is described instead"
    assert "Hackney Youth Voices" in body, "Awards are named"


# CSV ---------------------------------------------------------------------------------------------


def test_csv_has_a_header_and_a_row_per_current_decision(client, open_data_log):
    response = client.get("/decisions.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="decisions.csv"'
    assert response.mimetype_params.get("charset") == "utf-8"
    assert response.get_data(as_text=True).startswith("Entry,Reference,Round,")
    rows = csv_rows(client)
    assert len(rows) == 5
    hackney = next(r for r in rows if r["Reference"] == "YLF-2026-0061")
    assert hackney["Organisation"] == "Hackney Youth Voices" and hackney["Outcome"] == "Awarded"
    assert (hackney["Amount requested (pounds)"], hackney["Amount awarded (pounds)"]) == ("8000.00", "7500.00")
    assert hackney["Panel score (out of 100)"] == "78.2"
    assert hackney["Round slug"] == "safer-summers" and hackney["Boroughs"] == "Hackney"
    assert hackney["Decided at"] == "2026-06-30T23:30:00+00:00"
    assert hackney["Decided (London time)"] == "2026-07-01 00:30", "London dates are in British Summer Time"
    declined = next(r for r in rows if r["Reference"] == "YLF-2026-0063")
    assert declined["Organisation"] == "A registered charity in Hackney" and declined["Amount awarded (pounds)"] == ""
    assert declined["Reason category"] == "Outcomes not clear enough"
    carers = next(r for r in rows if r["Reference"] == "YLF-2026-0062")
    assert carers["Borough GSS codes"] == "E09000022; E09000028" and carers["Amount awarded (pounds)"] == "12000.50"
    assert list(rows[0])[-3:] == ["Content hash", "Previous hash", "Entry hash"]
    entries = {entry.reference: entry for entry in open_data_log.entries}
    for row in rows:
        entry = entries[row["Reference"]]
        assert (row["Content hash"], row["Previous hash"], row["Entry hash"]) == (
            entry.content_hash, entry.previous_hash, entry.entry_hash)
        assert row["Entry hash"] == sha256(row["Previous hash"] + row["Content hash"])


def test_csv_cells_never_run_as_formulas(client, open_data_log):
    carers = next(r for r in csv_rows(client) if r["Reference"] == "YLF-2026-0062")
    assert carers["Reason"] == "'" + FORMULA_REASON


def test_csv_filters_like_the_log(client, open_data_log):
    assert {r["Outcome"] for r in csv_rows(client, "?outcome=award")} == {"Awarded"}
    assert [r["Reference"] for r in csv_rows(client, "?round=safe-routes")] == ["YLF-2026-0065"]
    assert [r["Reference"] for r in csv_rows(client, "?borough=E09000022")] == ["YLF-2026-0062"]
    assert [r["Reference"] for r in csv_rows(client, "?search=hackney+youth")] == ["YLF-2026-0061"]
    assert len(csv_rows(client, "?organisation_type=charity")) == 2
    assert csv_rows(client, "?search=southwark+boxing") == [], "Searching for a declined group finds nothing"


def test_csv_ignores_filters_it_does_not_understand(client, open_data_log):
    assert len(csv_rows(client, "?outcome=maybe&borough=nowhere&round=no-such-round")) == 5


# JSON --------------------------------------------------------------------------------------------


def test_json_has_licence_chain_and_decisions(client, open_data_log):
    document = json_file(client)
    assert document["licence"] == {"name": "Open Government Licence v3.0", "url": open_data.LICENCE_URL}
    assert document["chain"]["entries"] == 5
    assert document["chain"]["head_hash"] == open_data_log.entries[-1].entry_hash
    assert document["generated_at"] == "2026-07-03T11:00:00+00:00"
    assert len(document["decisions"]) == 5
    hackney = next(d for d in document["decisions"] if d["reference"] == "YLF-2026-0061")
    assert hackney["organisation"] == "Hackney Youth Voices" and hackney["outcome"] == "award"
    assert hackney["amount_requested_pence"] == 800_000 and hackney["amount_requested_pounds"] == 8000
    assert hackney["amount_awarded_pence"] == 750_000 and hackney["amount_awarded_pounds"] == 7500
    assert hackney["round"] == {"title": "Safer summers", "slug": "safer-summers"}
    assert hackney["boroughs"] == [{"name": "Hackney", "gss_code": "E09000012"}]
    assert hackney["decided_at"] == "2026-06-30T23:30:00+00:00"
    assert hackney["published_at"] == "2026-07-02T11:00:00+00:00"
    assert hackney["entry_hash"] == open_data_log.entries[0].entry_hash
    assert hackney["content_hash"] == open_data_log.entries[0].content_hash
    reserve = next(d for d in document["decisions"] if d["reference"] == "YLF-2026-0064")
    assert reserve["organisation"] == "A community group in Hackney" and reserve["organisation_named"] is False
    assert reserve["project_title"] is None and reserve["amount_awarded_pence"] is None


def sha256(text: str) -> str:
    """The SHA-256 of UTF-8 text, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_anyone_can_recompute_every_hash_from_the_json_alone(client, open_data_corrected):
    """Follow the steps on /decisions/verify using nothing but the downloaded file."""
    document = json_file(client)
    assert len(document["decisions"]) == 5
    for record in document["decisions"]:
        content = record["hashed_content"]
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert sha256(canonical) == record["content_hash"], f"entry {record['position']}"
        assert sha256(record["previous_hash"] + record["content_hash"]) == record["entry_hash"]
        # Each commitment opens to the value published beside it: SHA-256 of the salt's bytes, then the value
        # as canonical JSON.
        openings = record["field_openings"]
        for field, opening in openings.items():
            value = json.dumps(opening["value"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256(bytes.fromhex(opening["salt"]) + value.encode("utf-8")).hexdigest()
            assert digest == content[field], f"entry {record['position']}, {field}"
        assert openings["position"]["value"] == record["position"]
        assert openings["reference"]["value"] == record["reference"]
        assert openings["amount_awarded_pence"]["value"] == record["amount_awarded_pence"]
        assert openings["reason"]["value"] == record["reason"]
    corrected = next(r for r in document["decisions"] if r["reference"] == "YLF-2026-0061")
    assert corrected["field_openings"]["corrects_position"]["value"] == 1
    assert corrected["field_openings"]["correction_reason"]["value"] == "Typing error"
    # The newest entry follows on from the one published before it, and heads the chain.
    newest = max(document["decisions"], key=lambda record: record["position"])
    before = next(r for r in document["decisions"] if r["position"] == newest["position"] - 1)
    assert newest["previous_hash"] == before["entry_hash"] and document["chain"]["head_hash"] == newest["entry_hash"]


def test_json_filters_and_reports_values_not_understood(client, open_data_log):
    document = json_file(client, "?outcome=decline&borough=E09999999")
    assert [d["reference"] for d in document["decisions"]] == ["YLF-2026-0063"]
    assert document["filters"]["outcome"] == "decline" and document["filters"]["borough"] is None
    assert document["problems"] == {"borough": "Choose a London borough from the list"}
    assert json_file(client, "?round=safe-routes")["filters"]["round"] == "safe-routes"


def test_a_correction_replaces_the_entry_it_corrects(client, open_data_corrected):
    document = json_file(client)
    hackney = [d for d in document["decisions"] if d["reference"] == "YLF-2026-0061"]
    assert len(hackney) == 1, "Only the current entry for an application is in the file"
    assert hackney[0]["position"] == 6 and hackney[0]["amount_awarded_pence"] == 700_000
    assert hackney[0]["corrects_position"] == 1 and hackney[0]["correction_reason"] == "Typing error"
    assert document["chain"] == {"entries": 6, "head_hash": open_data_corrected.entry_hash,
                                 "verify_url": PUBLIC + "/decisions/verify"}
    row = next(r for r in csv_rows(client) if r["Reference"] == "YLF-2026-0061")
    assert (row["Entry"], row["Corrects entry"], row["Correction reason"]) == ("6", "1", "Typing error")
    assert row["Amount awarded (pounds)"] == "7000.00"
    titles = [e.findtext(f"{ATOM}title") for e in atom_feed(client).iter(f"{ATOM}entry")]
    assert "Awarded £7,000 to Hackney Youth Voices" in titles
    assert "Awarded £7,500 to Hackney Youth Voices" not in titles


def test_an_empty_log_gives_empty_files(client):
    assert csv_rows(client) == []
    document = json_file(client)
    assert document["decisions"] == [] and document["chain"]["entries"] == 0
    feed = atom_feed(client)
    assert feed.findall(f"{ATOM}entry") == [] and feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"


# Atom --------------------------------------------------------------------------------------------


def test_atom_feed_is_valid_atom_newest_first(client, open_data_log):
    feed = atom_feed(client)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, f"An Atom feed needs <{required}>"
    assert feed.findtext(f"{ATOM}updated") == "2026-07-03T11:00:00Z"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": PUBLIC + "/decisions.atom", "alternate": PUBLIC + "/decisions",
                     "related": PUBLIC + "/decisions/checkpoint"}
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        PUBLIC + f"/decisions/entries/{n}" for n in (5, 4, 3, 2, 1)]
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "Awarded £3,000 to Mare Street Media CIC"
    assert first.findtext(f"{ATOM}updated") == "2026-07-03T11:00:00Z"
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert "Declined: a registered charity in Hackney" in titles
    assert "On the reserve list: a community group in Hackney" in titles
    declined = entries[titles.index("Declined: a registered charity in Hackney")]
    assert "Outcomes not clear enough" in declined.findtext(f"{ATOM}summary")
    assert "Asked for £6,000" in declined.findtext(f"{ATOM}summary")


def test_atom_escapes_text(client, open_data_log):
    body = client.get("/decisions.atom").get_data(as_text=True)
    assert "&lt;Click&gt; &amp; go" in body and "<Click>" not in body
    summaries = [e.findtext(f"{ATOM}summary") for e in ET.fromstring(body).iter(f"{ATOM}entry")]
    assert any(FORMULA_REASON in summary for summary in summaries), "The reason reads as typed once parsed"
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(body).iter(f"{ATOM}entry")]
    assert "Awarded £12,000.50 to Lambeth Young Carers" in titles


def test_atom_filters_and_names_the_filtered_feed(client, open_data_log):
    feed = atom_feed(client, "?outcome=award&round=safer-summers&nonsense=1")
    assert len(feed.findall(f"{ATOM}entry")) == 2
    assert feed.findtext(f"{ATOM}title") == "Safer Futures Grants: decisions in Safer summers"
    self_link = next(link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link == PUBLIC + "/decisions.atom?round=safer-summers&outcome=award"


def test_atom_carries_only_the_latest_entries(client, open_data_log, monkeypatch):
    monkeypatch.setattr(open_data, "FEED_LIMIT", 2)
    ids = [e.findtext(f"{ATOM}id") for e in atom_feed(client).findall(f"{ATOM}entry")]
    assert ids == [PUBLIC + "/decisions/entries/5", PUBLIC + "/decisions/entries/4"]


# Conditional requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
def test_unchanged_files_answer_304(client, open_data_log, url):
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Last-Modified"] == "Fri, 03 Jul 2026 11:00:00 GMT"
    again = client.get(url)
    assert again.headers["ETag"] == first.headers["ETag"], "The same log gives the same file"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": "Thu, 02 Jul 2026 11:00:00 GMT"}).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_a_new_entry_changes_the_etag(client, open_data_corrected, url):
    response = client.get(url)
    assert response.headers["Last-Modified"] == "Fri, 10 Jul 2026 09:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": "Fri, 03 Jul 2026 11:00:00 GMT"}).status_code == 200
