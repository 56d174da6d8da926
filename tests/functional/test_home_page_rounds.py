"""The public home page lists a round from the day it is announced until its decisions are published (issue 14)."""

from __future__ import annotations

from datetime import timedelta

from portal.models import RoundStatus, utcnow
from tests.conftest import make_round


def _sections(page) -> dict[str, list[str]]:
    """Each h2 on the home page and the titles of the rounds listed under it."""
    sections: dict[str, list[str]] = {}
    for heading in page.soup.select("main h2"):
        titles = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            titles += [a.get_text(strip=True) for a in sibling.select(".govuk-summary-card__title a")]
        sections[heading.get_text(strip=True)] = titles
    return sections


def test_a_round_whose_deadline_moved_to_yesterday_stays_listed_as_closed(client, session, open_round):
    """The commissioner moves "Applications close" to yesterday: the round moves from open to closed at once."""
    assert _sections(client.page("/"))["Open for applications"] == ["Staying in school"]

    open_round.closes_at = utcnow() - timedelta(days=1)
    session.commit()

    page = client.page("/")
    sections = _sections(page)
    assert sections["Open for applications"] == []
    assert sections["Closed, waiting for decisions"] == ["Staying in school"]
    state = page.soup.select_one(".portal-round-state").get_text(" ", strip=True)
    assert state.startswith("Closed for applications: decisions expected by ")
    # The prospectus says the same.
    assert "This round closed on" in client.page(f"/rounds/{open_round.slug}").text()


def test_rounds_being_assessed_or_decided_stay_closed_until_the_decisions_are_published(client, session):
    """Assessment and decided-but-unpublished rounds are closed; published decisions move a round to decided."""
    make_round(session, slug="assessing", title="Being assessed", status=RoundStatus.ASSESSMENT,
               opens_in_days=-60, closes_in_days=-20)
    make_round(session, slug="decided", title="Decided, not published", status=RoundStatus.DECIDED,
               opens_in_days=-90, closes_in_days=-50, decisions_by=None)
    make_round(session, slug="published", title="Decisions published", status=RoundStatus.DECISIONS_PUBLISHED,
               opens_in_days=-200, closes_in_days=-150)
    make_round(session, slug="draft", title="A draft", status=RoundStatus.DRAFT)

    page = client.page("/")
    sections = _sections(page)
    assert sections["Closed, waiting for decisions"] == ["Being assessed", "Decided, not published"]
    assert sections["Recently decided"] == ["Decisions published"]
    assert "A draft" not in page.text()
    assert "Closed for applications: we are making the decisions." in page.text()


def test_a_round_whose_decision_date_has_passed_says_its_decisions_are_late(client, session):
    """No "expected by" a date already gone: the page says they were expected then and will follow soon."""
    make_round(session, slug="late", title="Late decisions", status=RoundStatus.ASSESSMENT, opens_in_days=-90,
               closes_in_days=-60, decisions_by=utcnow() - timedelta(days=2))
    state = client.page("/").soup.select_one(".portal-round-state").get_text(" ", strip=True)
    assert state.startswith("Closed for applications: decisions were expected by ")
    assert state.endswith("and will be published soon.")


def test_no_closed_heading_when_no_round_is_waiting(client, open_round):
    """The closed section appears only when a round is in it."""
    assert "Closed, waiting for decisions" not in _sections(client.page("/"))
