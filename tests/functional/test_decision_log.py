"""The public decision log: filters, search, pages, entries with their history, the chain check and caching."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.formatting import date
from portal.models import DecisionLogEntry, IncomeBand, OrganisationType, Outcome, RoundStatus
from portal.transparency import log
from tests.fixtures.decision_log import LOG_UNNAMED, log_decision, log_organisation
from tests.fixtures.panel_round import assign, make_assessment_round, make_panellist


def references(page) -> list[str]:
    """The references of the entries listed on a log page, in order."""
    return [card.select_one(".govuk-summary-card__title a").get_text(strip=True)
            for card in page.soup.select("#decision-entries > li")]


def row(card, key: str) -> str:
    """The value beside a key in an entry's summary list."""
    for item in card.select(".govuk-summary-list__row"):
        if item.select_one("dt").get_text(strip=True) == key:
            return " ".join(item.select_one("dd").get_text().split())
    raise AssertionError(f"No row {key!r}")


# The log -----------------------------------------------------------------------------------------


def test_the_log_lists_every_published_decision_without_signing_in(client, log_round):
    page = client.page("/decisions")
    assert page.status == 200 and page.h1 == "Decision log"
    assert "6 decisions published" in page.text()
    assert sorted(references(page)) == [f"YLF-2026-060{n}" for n in range(1, 7)]
    award = page.soup.select_one(f"#entry-{log_round.entries['hackney'].position}")
    assert "Hackney Youth Voices" in award.get_text()
    assert row(award, "Amount asked for") == "£8,000" and row(award, "Amount awarded") == "£7,500"
    assert row(award, "Panel score") == "81.2 out of 100"
    assert row(award, "Outcome") == "Awarded"
    assert row(award, "Panellists who stood aside") == "None"
    decline = page.soup.select_one(f"#entry-{log_round.entries['southwark'].position}")
    assert row(decline, "Organisation").startswith("A community group in Hackney")
    assert row(decline, "Amount awarded") == "Nothing"
    # A decline is published from its structured fields: its feedback goes to the group, not the public (issue 15).
    assert row(decline, "Reason") == "Outcomes not clear enough"


def test_drafts_and_unpublished_decisions_are_not_in_the_log(client, session, log_round, organisation, applicant,
                                                             commissioner):
    log_decision(session, round_=log_round.round_, organisation=organisation, by=applicant, decided_by=commissioner,
                 number=650, outcome=Outcome.AWARD, awarded_pence=100_000)
    page = client.page("/decisions")
    assert "YLF-2026-0650" not in page.text() and "6 decisions published" in page.text()


def test_panellists_who_stood_aside_are_counted(client, session, log_round, organisation, applicant, commissioner):
    decision = log_decision(session, round_=log_round.round_, organisation=organisation, by=applicant,
                            decided_by=commissioner, number=653, outcome=Outcome.RESERVE)
    for number in (1, 2):
        panellist = make_panellist(session, email=f"recused{number}@example.org")
        assign(session, application=decision.application, panellist=panellist, declared=False,
               conflict_reason="My cousin runs it")
    (entry,) = log.append(session, [decision])
    card = client.page("/decisions?outcome=reserve").soup.select_one(f"#entry-{entry.position}")
    assert row(card, "Panellists who stood aside") == (
        "2 panellists declared a conflict of interest and did not score this application")


@pytest.mark.parametrize(("query", "expected"), [
    ("outcome=award", ["YLF-2026-0601", "YLF-2026-0602", "YLF-2026-0603"]),
    ("outcome=decline", ["YLF-2026-0604", "YLF-2026-0606"]),
    ("outcome=reserve", ["YLF-2026-0605"]),
    ("borough=E09000012", ["YLF-2026-0601", "YLF-2026-0603", "YLF-2026-0604"]),  # Hackney
    ("borough=E09000028", ["YLF-2026-0602"]),  # Southwark: the Lambeth charity works there too
    ("organisation_type=charity", ["YLF-2026-0602"]),
    ("organisation_type=faith_group", ["YLF-2026-0605"]),
    ("search=camden+youth", ["YLF-2026-0603"]),
    ("search=YLF-2026-0606", ["YLF-2026-0606"]),
    ("round=safer-summers&outcome=award&borough=E09000012", ["YLF-2026-0601", "YLF-2026-0603"]),
    ("outcome=decline&organisation_type=unregistered&borough=E09000014", ["YLF-2026-0606"]),
])
def test_filters(client, log_round, query, expected):
    page = client.page(f"/decisions?{query}")
    assert page.status == 200 and not page.error_summary()
    assert sorted(references(page)) == expected
    count = len(expected)
    assert f"{count} {'decision matches' if count == 1 else 'decisions match'} the filters" in page.text()


def test_the_round_filter_offers_only_rounds_with_published_decisions(client, session, log_round):
    make_assessment_round(session, slug="not-decided-yet", title="Not decided yet")
    make_assessment_round(session, slug="greenwich-round", title="Greenwich round",
                          status=RoundStatus.DECISIONS_PUBLISHED)  # but nothing in the log yet
    page = client.page("/decisions?round=safer-summers")
    options = [option.get_text(strip=True) for option in page.soup.select("#round option")]
    assert options == ["Any round", "Safer summers"]
    assert page.soup.select_one("#round option[selected]").get("value") == "safer-summers"
    assert len(references(page)) == 6
    page = client.page("/decisions?round=greenwich-round")
    assert page.field_error("round") == "There is no round with that name: showing every round"
    assert "Greenwich round" not in page.text() and len(references(page)) == 6


@pytest.mark.parametrize("path", ["/decisions", "/decisions.csv", "/decisions.json", "/decisions.atom"])
def test_a_draft_rounds_title_never_shows_through_the_round_filter(client, draft_round, log_round, path):
    response = client.get(f"{path}?round={draft_round.slug}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert draft_round.title not in body, f"{path} named a round that has published nothing"
    if path in ("/decisions", "/decisions.json"):
        assert "There is no round with that name" in body


@pytest.mark.parametrize("path", ["/decisions", "/decisions.csv", "/decisions.json", "/decisions.atom"])
@pytest.mark.parametrize("query", ["search=a%00b", "round=a%00b", "search=a%0Ab%7F", "round=safer-summers%01"])
def test_control_characters_in_the_query_are_not_understood(client, log_round, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200, f"{path}?{query} gave {response.status_code}"
    if path == "/decisions.json":
        problems = response.get_json()["problems"]
        assert problems == ({"search": "Remove unusual characters from the search"} if query.startswith("search")
                            else {"round": "There is no round with that name: showing every round"})
        assert len(response.get_json()["decisions"]) == 6, "a value that is not understood filters nothing"
    if path == "/decisions" and query.startswith("search"):
        assert "Remove unusual characters from the search" in response.get_data(as_text=True)


def test_a_round_page_with_control_characters_is_not_found(client, log_round):
    assert client.get("/decisions/rounds/safer%00summers").status_code == 404


def test_filters_are_kept_in_the_form_and_the_download_links(client, log_round):
    page = client.page("/decisions?outcome=award&borough=E09000012&search=youth")
    assert page.soup.select_one("#outcome option[selected]").get("value") == "award"
    assert page.soup.select_one("#borough option[selected]").get_text() == "Hackney"
    assert page.value_of("search") == "youth"
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("a.govuk-link")}
    assert links["spreadsheet (CSV)"] == "/decisions.csv?outcome=award&borough=E09000012&search=youth"
    assert links["JSON"] == "/decisions.json?outcome=award&borough=E09000012&search=youth"
    assert links["Atom feed"] == "/decisions.atom?outcome=award&borough=E09000012&search=youth"
    assert links["360Giving open data (JSON)"] == "/open-data/360giving.json"


def test_bad_filter_values_give_messages_and_still_list_the_log(client, log_round):
    page = client.page("/decisions?round=no-such-round&outcome=maybe&borough=Hackney&organisation_type=club")
    assert page.status == 200 and page.title.startswith("Error: Decision log")
    assert page.error_summary() == [
        "There is no round with that name: showing every round", "Choose award, decline or reserve",
        "Choose a London borough from the list", "Choose a type of organisation from the list",
    ]
    assert page.field_error("outcome") == "Choose award, decline or reserve"
    assert page.field_error("borough") == "Choose a London borough from the list"
    assert len(references(page)) == 6, "a value that is not understood filters nothing"
    good_and_bad = client.page("/decisions?outcome=reserve&borough=nowhere")
    assert references(good_and_bad) == ["YLF-2026-0605"] and good_and_bad.error_summary()


def test_a_long_search_is_kept_and_cut_short_with_a_message(client, log_round):
    typed = "Camden Youth Trust" + " x" * 60
    page = client.page("/decisions", query_string={"search": typed})
    assert page.field_error("search") == "Search for 100 characters or fewer"
    assert page.value_of("search") == typed, "what was typed is shown again"


@pytest.mark.parametrize("name", LOG_UNNAMED)
def test_search_never_finds_a_group_that_was_not_awarded_by_its_name(client, log_round, name):
    for words in (name, name.split()[0], name.split()[1]):
        page = client.page("/decisions", query_string={"search": words})
        assert references(page) == [], f"searching for {words!r} found an unnamed group"


# Pages -------------------------------------------------------------------------------------------


@pytest.fixture
def log_many(session, log_round, applicant, commissioner):
    """Twenty-three more awards in another round: 29 entries, two pages."""
    round_ = make_assessment_round(session, slug="big-round", title="Big round",
                                   status=RoundStatus.DECISIONS_PUBLISHED)
    decisions = []
    for number in range(700, 723):
        group = log_organisation(session, name=f"Group {number}", members=[], boroughs=("E09000011",))
        decisions.append(log_decision(session, round_=round_, organisation=group, by=applicant,
                                      decided_by=commissioner, number=number, outcome=Outcome.AWARD,
                                      awarded_pence=300_000))
    log.append(session, decisions)


def test_the_log_is_paginated_twenty_a_page(client, log_many):
    first = client.page("/decisions")
    assert len(references(first)) == 20 and "29 decisions published" in first.text()
    assert first.title.startswith("Decision log (page 1 of 2)")
    pagination = first.soup.select_one("nav.govuk-pagination")
    assert pagination["aria-label"] == "Pages of decisions"
    next_link = pagination.select_one(".govuk-pagination__next a")["href"]
    second = client.page(next_link)
    assert len(references(second)) == 9 and "Page 2 of 2" in second.text()
    assert not set(references(first)) & set(references(second))


def test_pages_keep_the_filters(client, log_many):
    page = client.page("/decisions?outcome=award")
    href = page.soup.select_one(".govuk-pagination__next a")["href"]
    assert "outcome=award" in href and "page=2" in href
    assert len(references(client.page(href))) == 6  # 26 awards


@pytest.mark.parametrize(("value", "shown", "message"), [
    ("9", 2, "There are 2 pages of entries: showing page 2"),
    ("0", 1, "Page numbers are whole numbers from 1: showing the first page"),
    ("-3", 1, "Page numbers are whole numbers from 1: showing the first page"),
    ("two", 1, "Page numbers are whole numbers from 1: showing the first page"),
])
def test_bad_page_numbers_show_a_page_and_say_why(client, log_many, value, shown, message):
    page = client.page(f"/decisions?page={value}")
    assert page.status == 200
    assert page.error_summary() == [message]
    assert f"Page {shown} of 2" in page.text()


def test_a_page_past_the_end_of_a_short_log(client, log_round):
    page = client.page("/decisions?page=4")
    assert page.error_summary() == ["There is 1 page of entries: showing page 1"]
    assert len(references(page)) == 6


def test_an_empty_log_says_so(client):
    page = client.page("/decisions")
    assert page.status == 200 and "No decisions have been published yet" in page.text()


# Entries and corrections -------------------------------------------------------------------------


def test_an_entry_shows_its_hashes(client, log_entry):
    page = client.page(f"/decisions/entries/{log_entry.position}")
    assert page.status == 200 and page.h1 == "Entry 1: YLF-2026-0601"
    hashes = [code.get_text() for code in page.soup.select("code.portal-hash")]
    assert hashes == [log_entry.content_hash, log_entry.entry_hash, log.GENESIS_HASH]
    assert "This is the only entry published for YLF-2026-0601" in page.text()


def test_a_correction_is_listed_in_place_of_the_entry_it_corrects(client, log_round, log_correction):
    page = client.page("/decisions?search=hackney+youth")
    (card,) = page.soup.select("#decision-entries > li")
    assert card["id"] == f"entry-{log_correction.position}"
    assert row(card, "Amount awarded") == "£7,000"
    assert row(card, "Correction").startswith("Corrects entry 1: The amount was typed wrongly")
    history_link = card.select_one("a[href$='#history']")["href"]
    assert history_link == f"/decisions/entries/{log_correction.position}#history"


def test_an_entrys_history_marks_what_was_corrected(client, log_round, log_correction):
    page = client.page("/decisions/entries/1")
    assert "This entry was corrected on" in page.text()
    history = page.soup.select("#history ~ ol > li")
    assert len(history) == 2
    assert f"Corrected on {date(log_correction.published_at)}: The amount was typed wrongly" in history[0].get_text(" ")
    assert row(history[0], "Amount awarded") == "£7,500"
    assert "Stands now" in history[1].get_text() and row(history[1], "Amount awarded") == "£7,000"
    current = client.page(f"/decisions/entries/{log_correction.position}")
    assert "This entry was corrected" not in current.text()
    assert "2 entries have been published for YLF-2026-0601" in current.text()


def test_an_unknown_entry_is_not_found(client, log_round):
    assert client.page("/decisions/entries/999").status == 404
    assert client.get("/decisions/entries/abc").status_code == 404


# Checking the chain ------------------------------------------------------------------------------


def test_the_check_says_the_log_is_intact_and_gives_the_latest_hash(client, log_round):
    page = client.page("/decisions/verify")
    assert page.h1 == "Check the decision log"
    assert "The decision log is intact." in page.text() and "We checked 6 entries" in page.text()
    assert page.soup.select_one("#head-hash").get_text() == log_round.entries["haringey"].entry_hash
    assert "flask --app wsgi verify-decisions" in page.text()


def test_the_check_names_the_first_changed_entry(client, session, log_round):
    session.execute(update(DecisionLogEntry).where(DecisionLogEntry.position == 3)
                    .values(amount_awarded_pence=1_500_000))
    page = client.page("/decisions/verify")
    result = page.soup.select_one("#chain-result").get_text(" ")
    assert "The decision log has been changed" in result
    assert "Entry 3 (YLF-2026-0603) has been changed since it was published." in result
    assert "We checked 3 entries" in " ".join(result.split())
    assert page.soup.select_one("#head-hash") is None
    assert page.soup.select_one("#chain-result a[href^='/decisions/entries/']")["href"] == "/decisions/entries/3"


def test_the_check_of_an_empty_log(client):
    page = client.page("/decisions/verify")
    assert "The decision log is intact." in page.text() and "We checked 0 entries" in page.text()


# Conditional requests ----------------------------------------------------------------------------


PUBLIC_PAGES = ["/decisions", "/decisions?outcome=award", "/decisions/entries/1", "/decisions/rounds/safer-summers",
                "/decisions/verify"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_anonymous_visitors_get_304_when_their_copy_is_current(client, log_round, url):
    first = client.get(url)
    etag = first.headers["ETag"]
    assert "Cookie" in first.vary, "a shared cache must keep signed-in people's pages apart"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


@pytest.mark.parametrize("url", PUBLIC_PAGES[:-1])
def test_pages_carry_the_logs_last_publication_time(client, log_round, url):
    first = client.get(url)
    assert first.last_modified == log_round.round_.decisions_published_at.replace(microsecond=0)
    since = first.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": since}).status_code == 304


CHANGING_ROUND = PUBLIC_PAGES[:-1] + ["/decisions.csv", "/decisions.json", "/decisions.atom",
                                      "/open-data/360giving.json"]


@pytest.mark.parametrize("url", CHANGING_ROUND)
def test_a_round_changed_after_publication_is_not_answered_304_by_date(client, session, log_round, url):
    first = client.get(url)
    since = first.headers["Last-Modified"]
    log_round.round_.title = "Safer summers 2026"  # shown on every one of these pages and files
    session.flush()
    again = client.get(url, headers={"If-Modified-Since": since})
    assert again.status_code == 200 and "Safer summers 2026" in again.get_data(as_text=True)
    assert again.last_modified > first.last_modified
    assert client.get(url, headers={"If-Modified-Since": again.headers["Last-Modified"]}).status_code == 304


def test_a_new_publication_changes_the_validators(client, session, log_round, organisation, applicant, commissioner):
    first = client.get("/decisions")
    decision = log_decision(session, round_=log_round.round_, organisation=organisation, by=applicant,
                            decided_by=commissioner, number=651, outcome=Outcome.RESERVE)
    log.append(session, [decision], now=log_round.round_.decisions_published_at + timedelta(days=2))
    again = client.get("/decisions", headers={"If-None-Match": first.headers["ETag"],
                                              "If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200 and "YLF-2026-0651" in again.get_data(as_text=True)


def test_a_kept_page_still_gives_each_visitor_their_own_header(client, applicant_client, log_round):
    anonymous = client.page("/decisions")  # renders the log's content and keeps it
    signed_in = applicant_client.page("/decisions")
    assert references(signed_in) == references(anonymous)
    assert signed_in.soup.select_one("form[action='/sign-out']") is not None
    assert anonymous.soup.select_one("form[action='/sign-out']") is None
    assert "Sign in" in anonymous.text() and "Sign in" not in signed_in.soup.select_one("header").get_text()


def test_each_query_string_gets_its_own_page(client, log_round):
    client.page("/decisions?search=hackney")
    everything = client.page("/decisions")
    assert "6 decisions published" in everything.text()
    assert everything.soup.select_one("#search")["value"] == ""
    searched = client.page("/decisions?search=hackney")
    assert searched.soup.select_one("#search")["value"] == "hackney"
    assert references(searched) == [log_round.entries["hackney"].reference]


def test_the_check_is_not_cached_by_date_so_a_quiet_change_is_seen(client, session, log_round):
    first = client.get("/decisions/verify")
    assert "Last-Modified" not in first.headers
    session.execute(update(DecisionLogEntry).where(DecisionLogEntry.position == 1).values(reason="Changed"))
    again = client.get("/decisions/verify", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "has been changed since it was published" in again.get_data(as_text=True)


def test_signed_in_visitors_get_an_ordinary_page(applicant_client, log_round):
    response = applicant_client.get("/decisions")
    assert response.status_code == 200 and "ETag" not in response.headers
    assert response.cache_control.private and response.cache_control.no_store
    assert "Signed in as Grace Mensah" in response.get_data(as_text=True)


# Anonymity ---------------------------------------------------------------------------------------


def test_groups_that_were_not_awarded_are_never_named_on_any_page(client, log_round, log_correction):
    urls = PUBLIC_PAGES + [f"/decisions/entries/{entry.position}" for entry in log_round.entries.values()] + [
        f"/decisions?outcome={outcome}" for outcome in ("decline", "reserve")] + [
        "/decisions?search=YLF-2026-0604", "/decisions?borough=E09000014"]
    for url in urls:
        text = client.page(url).response.get_data(as_text=True)
        for name in LOG_UNNAMED:
            assert name not in text, f"{url} names {name}, which was not awarded"
        assert "Boxing after school" not in text, f"{url} shows a declined group's project title"


def test_a_declined_group_is_described_by_type_and_place(client, session, log_round, applicant, commissioner):
    school = log_organisation(session, name="St Secret School", members=[], organisation_type=OrganisationType.SCHOOL,
                              income_band=IncomeBand.OVER_1M, boroughs=("E09000022", "E09000023"))
    decision = log_decision(session, round_=log_round.round_, organisation=school, by=applicant,
                            decided_by=commissioner, number=652, outcome=Outcome.DECLINE, reason="Not this time.")
    (entry,) = log.append(session, [decision])
    page = client.page(f"/decisions/entries/{entry.position}")
    assert "A school or college in Lambeth and Lewisham" in page.text()
    assert "St Secret School" not in page.response.get_data(as_text=True)


def test_the_check_explains_how_to_recompute_every_hash(client, log_round):
    page = client.page("/decisions/verify")
    steps = page.soup.select_one("#recompute-steps").get_text(" ", strip=True)
    for words in ("hashed_content", "keys sorted", "separators", "UTF-8", "SHA-256", "previous_hash",
                  "entry_hash", "64 zeros"):
        assert words in steps or words in page.text(), words
    code = page.soup.select_one("#recompute-code").get_text()
    assert 'sort_keys=True, separators=(",", ":")' in code and "sha256" in code
