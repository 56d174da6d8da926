"""The applicant's dashboard says when a letter is ready and links to it, in a constant number of queries (issue 14)."""

from __future__ import annotations

from portal.models import ApplicationStatus, Letter, LetterKind, RoundStatus
from tests.conftest import make_round
from tests.fixtures.submissions import make_submission
from tests.functional.test_query_counts import statements_for


def _card(page, reference: str):
    """The dashboard's summary card for one application, by its reference."""
    for card in page.soup.select(".govuk-summary-card"):
        if card.select_one(".govuk-summary-card__title").get_text(strip=True) == reference:
            return card
    raise AssertionError(f"No card for {reference} on the dashboard")


def _row(card, key: str):
    """The value cell of a summary list row, by its key."""
    for row in card.select(".govuk-summary-list__row"):
        if row.select_one(".govuk-summary-list__key").get_text(strip=True) == key:
            return row.select_one(".govuk-summary-list__value")
    return None


def test_before_the_letter_the_dashboard_says_one_will_be_sent(applicant_client, letter_application):
    """Decided and published, no letter yet: "We will send you a letter"."""
    card = _card(applicant_client.page("/account"), letter_application.reference)
    assert _row(card, "What happens next").get_text(" ", strip=True) == (
        "A decision has been made. We will send you a letter explaining it")
    assert _row(card, "Letters") is None


def test_once_issued_the_dashboard_says_the_letter_is_ready_with_a_link(applicant_client, letter_application,
                                                                        letter_issued):
    """After the letter is issued the next step says it is ready and links to the PDF."""
    page = applicant_client.page("/account")
    assert "We will send you a letter" not in page.text()
    next_step = _row(_card(page, letter_application.reference), "What happens next")
    assert next_step.get_text(" ", strip=True).startswith("A decision has been made. Your letter explaining it is ready.")
    link = next_step.find("a")
    assert link["href"] == f"/letters/{letter_issued.id}.pdf"
    assert link.get_text(" ", strip=True) == f"Download your letter about {letter_application.reference} (PDF)"
    assert applicant_client.get(link["href"]).status_code == 200


def _grow(session, *, organisation, applicant, commissioner, start: int, end: int) -> None:
    """Decided applications numbered start..end-1, each in its own round and with two issued letters."""
    for number in range(start, end):
        round_ = make_round(session, slug=f"dashboard-{number}", title=f"Round {number}",
                            status=RoundStatus.DECISIONS_PUBLISHED, opens_in_days=-100, closes_in_days=-60)
        application = make_submission(session, round_=round_, organisation=organisation, by=applicant,
                                      number=9000 + number, status=ApplicationStatus.DECLINED)
        for version in (1, 2):
            session.add(Letter(application_id=application.id, kind=LetterKind.DECLINE, version=version,
                               pdf=b"%PDF-1.7", sha256="0" * 64, issued_by_id=commissioner.id))
    session.flush()


def test_the_dashboard_runs_the_same_statements_at_3_and_12_applications(session, applicant_client, applicant,
                                                                         organisation, commissioner):
    """Letters and rounds are loaded with the applications, not once per row."""
    _grow(session, organisation=organisation, applicant=applicant, commissioner=commissioner, start=0, end=3)
    small = statements_for(applicant_client, "/account")
    _grow(session, organisation=organisation, applicant=applicant, commissioner=commissioner, start=3, end=12)
    large = statements_for(applicant_client, "/account")
    assert len(applicant_client.page("/account").soup.select(".govuk-summary-card")) == 12
    assert len(large) - len(small) <= 1, (
        f"The dashboard ran {len(small)} statements with 3 applications and {len(large)} with 12: something is "
        "loaded once per application. Statements at 12:\n" + "\n".join(large))


def test_the_application_page_also_says_the_letter_is_ready(applicant_client, letter_application, letter_issued):
    """The sent application's own page agrees with the dashboard and links to the letter."""
    page = applicant_client.page(f"/applications/{letter_application.id}")
    assert "We will send you a letter" not in page.text()
    assert "A decision has been made. Your letter explaining it is ready." in page.text()
    assert page.soup.find("a", string="Download your letter (PDF)")["href"] == f"/letters/{letter_issued.id}.pdf"
