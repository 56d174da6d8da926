"""Outcome letters as PDFs: what each kind says, that the PDF is tagged, and that applicant text fetches nothing."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from portal import pdf as portal_pdf
from portal.letters import rendering
from portal.letters.rendering import CriterionFeedback, DatedStep, LetterContent, NextRound
from portal.models import LetterKind

SETTINGS = rendering.LetterSettings(portal_name="Safer Futures Grants", funder_name="Safer Futures VRU",
                                    support_email="grants@example.org", public_url="https://grants.example.org")
DATED = datetime(2026, 5, 5, 13, 0, tzinfo=timezone.utc)
HOSTILE = ('<img src="http://example.com/x.png">', "<style>body{background:url(http://example.com/x)}</style>",
           "url(file:///etc/passwd)")


def content(kind: LetterKind, **fields) -> LetterContent:
    """A letter of this kind to Hackney Youth Voices about YLF-2026-0042."""
    values = dict(kind=kind, reference="YLF-2026-0042", dated=DATED, project_title="Youth voices radio",
                  round_title="Youth voices", fund_name="Youth Leadership Fund",
                  organisation_name="Hackney Youth Voices", address=["1 Mare Street", "E8 1DY"],
                  addressee_name="Grace Mensah", signed_by_role="Commissioner", contact="grants@example.org",
                  amount_requested_pence=600_000)
    values.update(fields)
    return LetterContent(**values)


def render(letter: LetterContent) -> tuple[bytes, PdfReader, str]:
    """The letter's PDF, read back, and its text with whitespace collapsed."""
    data = rendering.letter_pdf(rendering.letter_html(letter, settings=SETTINGS))
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return data, reader, text


def award() -> LetterContent:
    """A £5,000 award decided on 1 May 2026."""
    return content(LetterKind.AWARD, amount_awarded_pence=500_000,
                   agreement_by=datetime(2026, 5, 19, tzinfo=timezone.utc),
                   payments=[DatedStep("When we receive your signed grant agreement",
                                       datetime(2026, 5, 19, tzinfo=timezone.utc), 250_000),
                             DatedStep("When we have received your six-month report",
                                       datetime(2026, 11, 1, tzinfo=timezone.utc), 250_000)],
                   reports=[DatedStep("Six-month report", datetime(2026, 11, 1, tzinfo=timezone.utc)),
                            DatedStep("End-of-grant report", datetime(2027, 5, 1, tzinfo=timezone.utc))])


def test_an_award_letter_gives_the_amount_the_payments_and_the_reporting_dates():
    _, _, text = render(award())
    assert "You have been awarded a grant of £5,000" in text
    assert "YLF-2026-0042" in text and "Dear Grace Mensah" in text
    assert "You asked for £6,000" in text
    assert "19 May 2026" in text and "£2,500" in text  # agreement by, and each half of the grant
    assert "1 November 2026" in text and "1 May 2027" in text  # the reports
    assert "Commissioner, Youth Leadership Fund" in text


def test_a_decline_letter_gives_the_reason_and_each_criterion_with_its_mean_score_and_feedback():
    letter = content(LetterKind.DECLINE, reason_category="Outcomes not clear enough",
                     reason="The panel could not see what would change.",
                     general_feedback="Thank you for a lively bid.",
                     criteria=[CriterionFeedback("Need", 3.5, "The need was well evidenced."),
                               CriterionFeedback("What will change", 2.0, "Say how you will measure change.")],
                     next_round=NextRound(title="Summer 2027", url="https://grants.example.org/rounds/summer-2027",
                                          opens_at=datetime(2027, 1, 10, tzinfo=timezone.utc),
                                          closes_at=datetime(2027, 2, 10, 17, tzinfo=timezone.utc)))
    _, _, text = render(letter)
    assert "Your application was not funded" in text
    assert "Outcomes not clear enough" in text and "The panel could not see what would change." in text
    assert "Need Panel score: 3.5 out of 5 The need was well evidenced." in text
    assert "What will change Panel score: 2 out of 5 Say how you will measure change." in text
    assert "Thank you for a lively bid." in text
    assert "Summer 2027" in text
    assert "https://grants.example.org/rounds/summer-2027" in text.replace(" ", "")  # a long link may wrap
    assert "more feedback" in text and "Other sources of support" in text


def test_a_reserve_letter_says_what_reserve_means_and_when_they_will_hear():
    _, _, text = render(content(LetterKind.RESERVE, hear_by=datetime(2026, 8, 5, tzinfo=timezone.utc)))
    assert "Your application is on the reserve list" in text
    assert "What the reserve list means" in text
    assert "by 5 August 2026" in text


def test_an_ineligible_letter_gives_the_reason_and_what_to_do_next():
    _, _, text = render(content(LetterKind.INELIGIBLE, ineligible_reason="The project takes place outside London."))
    assert "Your application could not go forward" in text
    assert "The project takes place outside London." in text
    assert "What you can do next" in text


def test_every_letter_is_a_tagged_pdf_with_a_title_and_language():
    _, reader, _ = render(award())
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == "You have been awarded a grant of £5,000: outcome letter YLF-2026-0042"


def test_html_title_and_language():
    html = rendering.letter_html(award(), settings=SETTINGS)
    # The title starts with the letter's heading, as every page's does, and names the reference.
    assert "<title>You have been awarded a grant of £5,000: outcome letter YLF-2026-0042</title>" in html
    assert '<html lang="en-GB">' in html


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL the PDF renderer asks its fetcher for (the fetcher still decides)."""
    urls: list[str] = []
    original = portal_pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(portal_pdf.StaticOnlyFetcher, "fetch", spy)
    return urls


def test_the_fetch_spy_sees_a_fetch_when_html_asks_for_one(fetched):
    portal_pdf.render_pdf('<html lang="en"><head><title>x</title></head><body>'
                          '<img src="http://example.com/x.png" alt=""></body></html>')
    assert "http://example.com/x.png" in fetched


def test_applicant_text_is_shown_as_text_and_fetches_nothing(fetched):
    hostile = " ".join(HOSTILE)
    letter = content(LetterKind.DECLINE, project_title=HOSTILE[0], organisation_name=HOSTILE[1],
                     address=[HOSTILE[2]], addressee_name=hostile, reason=hostile,
                     criteria=[CriterionFeedback("Need", 3.0, hostile)])
    html = rendering.letter_html(letter, settings=SETTINGS)
    assert "<img" not in html and "<style>body" not in html
    _, _, text = render(letter)
    for item in HOSTILE:
        assert item in text
    assert [url for url in fetched if not url.startswith(portal_pdf.STATIC_DIR.as_uri())] == []


def test_add_months_keeps_the_london_day_or_takes_the_last_day_of_a_short_month():
    assert rendering.add_months(datetime(2026, 8, 31, 12, tzinfo=timezone.utc), 6).day == 28  # February 2027
    assert rendering.add_months(datetime(2026, 5, 1, 12, tzinfo=timezone.utc), 12).date().isoformat() == "2027-05-01"
