"""Markup is never shown as text, and change links are announced once (issue 14, parts 1 and 5).

Every page the PortalClient fetches is checked for escaped tags (``check_no_markup_as_text``); these
tests look at the rows that used to show ``<a class="govuk-link" ...>`` or ``...<br>London<br>...``.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from portal.formatting import lines
from portal.models import EventFormat
from tests.conftest import Page, check_no_markup_as_text
from tests.fixtures.events import make_event


def row_value(page, key: str):
    """The value cell of the summary-list row with this key."""
    for row in page.soup.select(".govuk-summary-list__row"):
        if row.select_one(".govuk-summary-list__key").get_text(" ", strip=True) == key:
            return row.select_one(".govuk-summary-list__value")
    raise AssertionError(f"No row called {key!r} on the page")


def address_lines(cell) -> list[str]:
    """The lines an address cell shows, split where the browser breaks them."""
    return [part.strip() for part in cell.get_text("\n").split("\n") if part.strip()]


@pytest.fixture
def clapton_address(session, organisation):
    """The applicant's organisation meets in a community room, with a character that must stay escaped."""
    organisation.address_line_1 = "Clapton Square community room"
    organisation.address_line_2 = "Rear entrance <by the gate> & ramp"
    organisation.town = "London"
    organisation.postcode = "E5 8HP"
    session.flush()
    return organisation


def test_an_event_page_links_to_its_funding_round(client, event_in_person):
    """The "Funding round" row is a link to the prospectus, not the link's HTML as text."""
    page = client.page(f"/events/{event_in_person.id}")
    cell = row_value(page, "Funding round")
    link = cell.find("a")
    assert link is not None and link["href"] == "/rounds/events-round", cell
    assert link.get_text(strip=True) == "Safer online"
    assert "<a" not in cell.get_text()


def test_the_joining_link_row_shows_the_link_and_its_hint(commissioner_client, session, events_round):
    """A commissioner sees the online event's joining link and "Sent only to people with a place" as text."""
    event = make_event(session, round_=events_round, title="Online drop-in", event_format=EventFormat.ONLINE)
    page = commissioner_client.page(f"/commissioning/events/{event.id}")
    cell = row_value(page, "Joining link")
    assert cell.get_text(" ", strip=True) == "https://meet.example.org/secret-room-42 Sent only to people with a place"
    assert cell.select_one(".govuk-hint") is not None


def test_check_answers_shows_the_address_on_separate_lines(applicant_client, draft_application, clapton_address):
    """Each line of the address on its own line; what was typed stays text."""
    page = applicant_client.page(f"/applications/{draft_application.id}/check-answers")
    cell = row_value(page, "Address")
    assert address_lines(cell) == ["Clapton Square community room", "Rear entrance <by the gate> & ramp",
                                   "London", "E5 8HP"]
    assert len(cell.find_all("br")) == 3 and cell.find("by") is None


def test_the_organisation_page_shows_the_address_on_separate_lines(applicant_client, clapton_address):
    """The same address on the organisation's own page."""
    page = applicant_client.page(f"/organisations/{clapton_address.id}")
    cell = row_value(page, "Address")
    assert address_lines(cell) == ["Clapton Square community room", "Rear entrance <by the gate> & ramp",
                                   "London", "E5 8HP"]
    assert len(cell.find_all("br")) == 3


def test_the_lines_filter_escapes_each_line_and_breaks_between_them():
    """Lines are escaped one by one and joined with real line breaks; blank lines are left out."""
    assert str(lines(["Flat 1", None, "  ", "<script>x</script>", "E5 8HP"])) == (
        "Flat 1<br>&lt;script&gt;x&lt;/script&gt;<br>E5 8HP")
    assert str(lines("Hall\n\nLondon")) == "Hall<br>London"
    assert str(lines(None)) == ""


def _page(html: str) -> Page:
    """A page made from this HTML, for trying the check on its own."""
    return Page(response=None, soup=BeautifulSoup(html, "html.parser"))


@pytest.mark.parametrize("escaped", [
    "&lt;a class=&quot;govuk-link&quot; href=&quot;/rounds/x&quot;&gt;Round&lt;/a&gt;",
    "Clapton Square&lt;br&gt;London",
    "Tom &amp;amp; Jerry",
    "5 &amp;lt; 6",
])
def test_the_page_check_fails_on_markup_shown_as_text(escaped):
    """The test client's check catches an escaped tag or a double-escaped entity, and says how to fix it."""
    with pytest.raises(AssertionError, match="shows markup as text") as failure:
        check_no_markup_as_text(_page(f"<main><dl><dd>{escaped}</dd></dl></main>"))
    assert "lines filter" in str(failure.value)


def test_the_page_check_leaves_typed_text_scripts_and_real_markup_alone():
    """A textarea's typed text, a script and real tags are not markup shown as text."""
    check_no_markup_as_text(_page(
        '<main><textarea>&lt;br&gt; typed</textarea><script>var a = "<a href>";</script>'
        '<p>Tom &amp; Jerry<br><a href="/">Home</a> 5 &lt; 6 <b>bold</b></p></main>'
    ))


def test_change_links_on_check_answers_name_their_section_once(applicant_client, draft_application):
    """"Change (About your organisation)", not "Change About your organisation (About your organisation)"."""
    page = applicant_client.page(f"/applications/{draft_application.id}/check-answers")
    titles = ["About your organisation", "Your project", "Budget", "Partners", "Declarations"]
    for title in titles:
        card = next(card for card in page.soup.select(".govuk-summary-card")
                    if card.select_one(".govuk-summary-card__title").get_text(strip=True) == title)
        link = card.select_one(".govuk-summary-card__actions a")
        name = " ".join(link.get_text(" ").split())
        assert name.count(title) == 1, f"The change link for {title!r} is announced as {name!r}"
        assert link.get_text(strip=True).startswith("Change")


def test_dashboard_links_name_their_application_once(applicant_client, submitted_application):
    """Each action on an application's card says which application once ("Withdraw (YLF-...)")."""
    page = applicant_client.page("/account")
    reference = submitted_application.reference
    card = next(card for card in page.soup.select(".govuk-summary-card")
                if card.select_one(".govuk-summary-card__title").get_text(strip=True) == reference)
    names = [" ".join(link.get_text(" ").split()) for link in card.select(".govuk-summary-card__actions a")]
    assert names and all(name.count(reference) == 1 for name in names), names
