"""The public prospectus: plain-English sections, key dates, scoring, questions, and a PDF."""

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.models import Event, EventFormat, Faq, RoundChange, utcnow
from portal.prospectus.services import estimated_minutes
from tests.conftest import make_round


def test_the_prospectus_explains_the_round_without_signing_in(client, open_round):
    """Money, eligibility, dates, criteria with weights and descriptors, and questions with limits."""
    page = client.page(f"/rounds/{open_round.slug}")
    assert page.status == 200 and page.h1 == "Staying in school"
    text = page.text()
    assert "You can ask for between £2,000 and £25,000. We have £100,000 to give in this round." in text
    assert "with an annual income under £250,000" in text
    assert "working with young people in at least one London borough" in text
    assert "Need (60% of the score)" in text and "What will change (40% of the score)" in text
    assert "Tracked and shared" in text
    assert "What will you do? (300 words)" in text
    assert "How will you keep young people safe? (200 words) Only if you ask for £10,000 or more." in text
    assert "Your bank details and your safeguarding policy." in text
    assert "Open for applications. The deadline is" in text


def test_key_dates_are_in_order_with_today_marked_between_them(client, open_round):
    """Opening has passed, today comes next, then the question deadline and closing."""
    page = client.page(f"/rounds/{open_round.slug}")
    items = [li.get_text(" ", strip=True) for li in page.soup.select(".portal-timeline li")]
    assert items[0].startswith("Applications open:") and "(passed)" in items[0]
    assert items[1].startswith("Today,")
    assert items[2].startswith("Last day to ask questions:")
    assert items[3].startswith("Applications close:")
    assert items[-1].startswith("Decisions by:")


def test_dates_show_in_london_time(client, session):
    """A 5pm London deadline in winter reads 5pm; in summer (BST) 17:00 UTC reads 6pm."""
    from datetime import UTC, datetime

    make_round(session, slug="winter", closes_at=datetime(2027, 1, 15, 17, 0, tzinfo=UTC),
               opens_at=datetime(2026, 11, 1, 9, tzinfo=UTC), question_deadline=None,
               scoring_starts_at=None, interviews_at=None, decisions_by=None)
    make_round(session, slug="summer", closes_at=datetime(2027, 7, 15, 16, 0, tzinfo=UTC),
               opens_at=datetime(2027, 6, 1, 8, tzinfo=UTC), question_deadline=None,
               scoring_starts_at=None, interviews_at=None, decisions_by=None)
    assert "Applications close: 15 January 2027, 5pm" in client.page("/rounds/winter").text()
    assert "Applications close: 15 July 2027, 5pm" in client.page("/rounds/summer").text()


def test_drafts_are_not_public(client, draft_round):
    """A round being set up is a 404 for the public, page and PDF."""
    assert client.page(f"/rounds/{draft_round.slug}").status == 404
    assert client.get(f"/rounds/{draft_round.slug}/prospectus.pdf").status_code == 404
    assert client.get(f"/rounds/{draft_round.slug}/check-eligibility").status_code == 404


def test_unknown_rounds_get_a_helpful_404(client):
    """The message points to the list of rounds."""
    page = client.page("/rounds/no-such-round")
    assert page.status == 404 and "see all funding rounds" in page.text()


def test_the_time_estimate_follows_the_word_limits(client, open_round):
    """500 words of answers: 45 minutes plus 100 minutes, shown as about 2 hours 30 minutes."""
    assert estimated_minutes(open_round.questions) == 145
    text = client.page(f"/rounds/{open_round.slug}").text()
    assert "Most groups need about 2 hours 30 minutes in total, or about 1 hour 45 minutes if you ask for less than £10,000" in text


def test_events_faqs_and_changes_appear(client, session, open_round):
    """Published upcoming events, FAQs and the dated list of changes are all shown."""
    now = utcnow()
    session.add_all([
        Event(round=open_round, title="Meet the funder", event_format=EventFormat.IN_PERSON,
              starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2), capacity=50,
              venue_address="Hackney Library", published_at=now),
        Event(round=open_round, title="Not yet published", event_format=EventFormat.ONLINE,
              starts_at=now + timedelta(days=4), ends_at=now + timedelta(days=4, hours=1), capacity=50),
        Faq(round=open_round, position=1, question="Can we apply twice?", answer="No, once per round."),
        RoundChange(round=open_round, summary="Closing date changed from 1 March to 8 March", changed_at=now),
    ])
    session.flush()
    text = client.page(f"/rounds/{open_round.slug}").text()
    assert "Meet the funder" in text and "Not yet published" not in text
    assert "Can we apply twice? No, once per round." in text
    assert "What has changed" in text and "Closing date changed from 1 March to 8 March" in text


def test_the_prospectus_pdf_is_a_tagged_a4_document_with_a_title(client, open_round):
    """An accessible PDF (PDF/UA-1 tagging, title and language set) with the same content."""
    response = client.get(f"/rounds/{open_round.slug}/prospectus.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root, "The PDF must be tagged"
    assert root["/Lang"] == "en"
    assert reader.metadata.title == "Staying in school: prospectus - Safer Futures Grants"
    assert b"pdfuaid" in root["/Metadata"].get_data(), "PDF/UA identification metadata is missing"
    assert [round(float(v)) for v in reader.pages[0].mediabox] == [0, 0, 595, 842], "The page must be A4"
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Need (60% of the score)" in text and "What will you do?" in text


def test_the_pdf_never_fetches_anything_a_round_names(client, session, monkeypatch):
    """Text typed into a round that looks like HTML is escaped, and the fetcher refuses other URLs."""
    from portal import pdf as pdf_module

    fetched = []
    original = pdf_module.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf_module.StaticOnlyFetcher, "fetch", spy)
    make_round(session, slug="hostile", summary='<img src="http://attacker.example/x.png"> <link rel=stylesheet href="file:///etc/passwd">')
    assert client.get("/rounds/hostile/prospectus.pdf").status_code == 200
    assert fetched == [], f"The PDF tried to fetch {fetched}"


@pytest.mark.parametrize("url", ["http://attacker.example/x.png", "file:///etc/passwd", "https://example.org/font.woff"])
def test_the_pdf_fetcher_refuses_anything_outside_static(url):
    """Network and local files outside portal/static are never read."""
    from portal.pdf import StaticOnlyFetcher

    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_the_home_page_links_to_each_prospectus(client, open_round, upcoming_round):
    """Open and upcoming rounds link to their prospectus."""
    page = client.page("/")
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select(".govuk-summary-card__title a")}
    assert links == {"Staying in school": "/rounds/staying-in-school", "Safer online": "/rounds/safer-online"}


def test_the_upcoming_round_says_when_it_opens(client, upcoming_round):
    """Before opening the page says when applications open."""
    assert "Opens for applications on" in client.page(f"/rounds/{upcoming_round.slug}").text()


def test_session_is_unused_by_public_pages(client, open_round, session):
    """Reading a prospectus changes nothing in the database."""
    before = session.scalar(select(RoundChange.id))
    client.page(f"/rounds/{open_round.slug}")
    assert session.scalar(select(RoundChange.id)) == before


def test_documents_asked_of_larger_grants_are_announced(client, session):
    """Groups know before they start which documents to have ready."""
    make_round(session, slug="with-documents", asks_for_documents=True, document_guidance="Your latest accounts.")
    text = client.page("/rounds/with-documents").text()
    assert "If you ask for £10,000 or more, you will upload supporting documents" in text
    assert "Your latest accounts." in text


def test_people_who_cannot_apply_are_not_offered_a_start_button(panellist_client, applicant_client, open_round):
    """A panellist would get a refusal page from the start button, so they are told why instead."""
    page = panellist_client.page(f"/rounds/{open_round.slug}")
    assert not page.soup.select(".govuk-button--start")
    assert "signed in with a youth panellist account, so you cannot apply" in page.text()
    assert applicant_client.page(f"/rounds/{open_round.slug}").soup.select(".govuk-button--start")
