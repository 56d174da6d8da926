"""The bulk letters progress page: counts in a summary list, a styled bar, and "Success" only when done (issue 14)."""

from __future__ import annotations

from portal.letters import bulk
from portal.letters import services as letter_services

START = "/commissioning/rounds/{}/letters/issue-all"
LETTERS_PAGE = "/commissioning/rounds/{}/letters"
ESCAPED = ("<a ", "<br", "<p", "&lt;", "&amp;lt;")


def _banners(page) -> list[tuple[str, str, str]]:
    """Each notification banner on the page: (success or important, its title, its content)."""
    return [("success" if "govuk-notification-banner--success" in banner["class"] else "important",
             banner.select_one(".govuk-notification-banner__title").get_text(strip=True),
             banner.select_one(".govuk-notification-banner__content").get_text(" ", strip=True))
            for banner in page.soup.select(".govuk-notification-banner")]


def _counts(page) -> dict[str, str]:
    """The batch's summary list, key to value."""
    return {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
            for row in page.soup.select("#batch-counts .govuk-summary-list__row")}


def test_a_batch_with_nothing_issued_yet_is_not_called_a_success(commissioner_client, session, bulk_round,
                                                                 commissioner):
    """0 of 5 issued: an "Important" banner says what is happening; no green "Success"."""
    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner)
    session.info.pop("portal_jobs_pending", None)  # the workers have not started yet
    session.commit()
    page = commissioner_client.page(f"/commissioning/letter-batches/{batch.id}")
    assert _banners(page) == [("important", "Important", "Issuing 5 letters: 0 dealt with so far. You can leave "
                                                         "this page: the letters carry on being issued")]
    assert _counts(page) == {"Letters in this batch": "5", "Issued": "0", "Not needed": "0", "Failed": "0",
                             "Still to do": "5"}
    bar = page.soup.select_one("progress#batch-meter")
    assert "portal-progress" in bar["class"], "the bar is styled by the portal, not left to the browser"
    assert (bar["max"], bar["value"], bar["aria-valuetext"]) == ("5", "0", "0 of 5 letters dealt with")
    label = page.soup.select_one("label[for=batch-meter]")
    assert label.get_text(" ", strip=True) == "Letters dealt with: 0 of 5"
    text = page.text()
    assert not any(tag in text for tag in ESCAPED), f"Markup shown as text: {text}"


def test_pressing_issue_all_shows_success_only_once_every_letter_is_issued(commissioner_client, bulk_round):
    """The button's redirect shows one banner: "Success" with the count, and no flashed "Issuing" message."""
    page = commissioner_client.submit(START.format(bulk_round.id), token_from=LETTERS_PAGE.format(bulk_round.id),
                                      follow=True)
    assert _banners(page) == [("success", "Success", "All 5 letters issued")]
    assert _counts(page)["Issued"] == "5" and _counts(page)["Still to do"] == "0"


def test_a_batch_that_finished_with_failures_is_not_a_success(commissioner_client, bulk_round, decision_published,
                                                              monkeypatch):
    """A failed letter: an "Important" banner saying so and offering to resume."""
    real = letter_services.issue_letter
    failing = decision_published.middle.id

    def flaky(session, *, application, **kwargs):
        if application.id == failing:
            raise RuntimeError("The PDF renderer stopped")
        return real(session, application=application, **kwargs)

    monkeypatch.setattr(letter_services, "issue_letter", flaky)
    page = commissioner_client.submit(START.format(bulk_round.id), token_from=LETTERS_PAGE.format(bulk_round.id),
                                      follow=True)
    assert _banners(page) == [("important", "Important", "Finished, but 1 letter failed. Resume to try again")]
    assert _counts(page)["Failed"] == "1"
