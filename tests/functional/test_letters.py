"""Outcome letters: preview, feedback, issue (versions that never change), e-mails, downloads and who may see them."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from bs4 import BeautifulSoup
from pypdf import PdfReader

from portal.commissioning import decision_services
from portal.formatting import date
from portal.letters import services
from portal.letters.rendering import add_months
from portal.models import AuditEvent, DecisionLogEntry, Letter, LetterKind, Membership, Role, utcnow
from portal.transparency import log
from tests.conftest import make_user
from tests.fixtures.letters import LETTER_PUBLIC_URL


def pdf_text(data: bytes) -> str:
    """A PDF's text, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def letter_url(application, suffix: str = "") -> str:
    """The commissioner's letter page for an application (or one of its actions)."""
    return f"/commissioning/applications/{application.id}/letter{suffix}"


def preview_text(client, page) -> str:
    """The text of the letter preview that the page's iframe loads (with its own, stricter policy)."""
    frame = page.soup.select_one("#letter-preview")
    assert frame is not None, "The letter page should show the preview in an iframe with id letter-preview"
    preview = client.get(frame["src"])
    assert preview.status_code == 200 and "sandbox" in preview.headers["Content-Security-Policy"]
    return " ".join(BeautifulSoup(preview.get_data(as_text=True), "html.parser").get_text(" ").split())


def letters_of(session, application) -> list[Letter]:
    """The application's stored letters, oldest first."""
    return session.query(Letter).filter_by(application_id=application.id).order_by(Letter.version).all()


def letter_emails(emails: list, reference: str) -> list:
    """The letter e-mails about one application."""
    return [e for e in emails if e["Subject"] == f"Your letter about {reference} is ready"]


# Preview -----------------------------------------------------------------------------------------


def test_a_commissioner_previews_an_award_letter_as_html_and_pdf_without_storing_it(
        session, commissioner_client, letter_application):
    page = commissioner_client.page(letter_url(letter_application))
    assert page.status == 200
    assert page.h1 == f"Letter for {letter_application.reference}"
    text = preview_text(commissioner_client, page)
    assert "You have been awarded a grant of £5,000" in text
    assert "Dear Grace Mensah" in text and "Commissioner, Youth Leadership Fund" in text
    assert "Not issued yet" in page.text()

    response = commissioner_client.get(letter_url(letter_application, "/preview.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "outcome-letter-YLF-2026-0061-preview.pdf" in response.headers["Content-Disposition"]
    assert "You have been awarded a grant of £5,000" in pdf_text(response.data)
    assert letters_of(session, letter_application) == []


def test_a_decline_letter_shows_each_criterion_with_the_panels_mean_and_never_a_panellists_name(
        commissioner_client, letter_declined):
    text = preview_text(commissioner_client, commissioner_client.page(letter_url(letter_declined)))
    assert "Your application was not funded" in text
    assert "Scored below the funding line" in text
    # Lewisham Girls Club was scored 3 for need and 2 for what will change by one panellist ("Scorer 3").
    assert "Need Panel score: 3 out of 5 Scored against the descriptors for Need" in text
    assert "What will change Panel score: 2 out of 5" in text
    assert "Scorer" not in text


# Feedback ----------------------------------------------------------------------------------------


def test_feedback_starts_from_the_panels_comments_and_the_edited_text_goes_in_the_letter(
        session, commissioner_client, commissioner, letter_declined):
    url = letter_url(letter_declined, "/feedback")
    page = commissioner_client.page(url)
    need = next(c for c in letter_declined.round.criteria if c.name == "Need")
    assert page.value_of(f"feedback_{need.id}").strip() == "Scored against the descriptors for Need"
    assert "Scorer" not in page.text()

    fields = {f"feedback_{c.id}": f"Edited advice on {c.name}." for c in letter_declined.round.criteria}
    page = commissioner_client.submit(url, {**fields, "general_feedback": "Thank you for applying.", "version": ""},
                                      follow=True)
    assert page.status == 200 and "Feedback saved" in page.text()
    text = preview_text(commissioner_client, page)
    assert "Need Panel score: 3 out of 5 Edited advice on Need." in text
    assert "Thank you for applying." in text
    event = session.query(AuditEvent).filter_by(action="letter.feedback_saved").one()
    assert event.actor_id == commissioner.id and event.after["general_feedback"] == "Thank you for applying."


def test_a_feedback_save_from_an_older_version_is_refused_showing_both_and_keeping_what_was_typed(
        session, commissioner_client, commissioner, letter_declined):
    criteria = letter_declined.round.criteria
    services.save_feedback(session, application=letter_declined, by=commissioner, version=None,
                           feedback={c.id: "Theirs, saved first." for c in criteria}, general_feedback="")
    session.commit()
    url = letter_url(letter_declined, "/feedback")
    typed = {f"feedback_{c.id}": "Mine, typed meanwhile." for c in criteria}
    page = commissioner_client.submit(url, {**typed, "general_feedback": "", "version": ""})
    assert page.status == 200
    assert page.title.startswith("Error: ")
    assert any("saved feedback for this letter" in message for message in page.error_summary())
    assert "Theirs, saved first." in page.soup.select_one("#version").get_text()
    assert page.value_of(f"feedback_{criteria[0].id}").strip() == "Mine, typed meanwhile."
    assert services.draft_for(session, letter_declined).feedback[str(criteria[0].id)] == "Theirs, saved first."

    # Saving again from the version now shown replaces theirs.
    version = page.soup.find("input", attrs={"name": "version"})["value"]
    commissioner_client.submit(url, {**typed, "general_feedback": "", "version": version})
    assert services.draft_for(session, letter_declined).feedback[str(criteria[0].id)] == "Mine, typed meanwhile."


def test_feedback_that_is_too_long_is_refused_beside_the_field(commissioner_client, letter_declined):
    criterion = letter_declined.round.criteria[0]
    page = commissioner_client.submit(letter_url(letter_declined, "/feedback"),
                                      {f"feedback_{criterion.id}": "x" * 3001, "version": ""})
    assert page.field_error(f"feedback_{criterion.id}") == "Feedback must be 3,000 characters or fewer"
    assert page.value_of(f"feedback_{criterion.id}").strip() == "x" * 3001


# Issuing -----------------------------------------------------------------------------------------


def test_issuing_stores_the_pdf_with_its_sha256_and_reissuing_makes_version_2_keeping_version_1(
        session, commissioner_client, commissioner, letter_application):
    page = commissioner_client.submit(letter_url(letter_application, "/issue"),
                                      token_from=letter_url(letter_application), follow=True)
    assert "Version 1 of the letter for YLF-2026-0061 is issued" in page.text()
    (first,) = letters_of(session, letter_application)
    assert first.kind == LetterKind.AWARD and first.version == 1 and first.issued_by_id == commissioner.id
    assert first.sha256 == hashlib.sha256(first.pdf).hexdigest()
    assert "You have been awarded a grant of £5,000" in pdf_text(first.pdf)
    first_pdf = first.pdf

    commissioner_client.submit(letter_url(letter_application, "/issue"), token_from=letter_url(letter_application))
    first, second = letters_of(session, letter_application)
    assert (first.version, second.version) == (1, 2)
    assert first.pdf == first_pdf and first.sha256 == hashlib.sha256(first_pdf).hexdigest()
    assert second.sha256 == hashlib.sha256(second.pdf).hexdigest()
    events = session.query(AuditEvent).filter_by(action="letter.issued").all()
    assert sorted(e.after["version"] for e in events) == [1, 2]
    page = commissioner_client.page(letter_url(letter_application))
    assert [row.get_text(" ", strip=True).split(" Download")[0][:9]
            for row in page.soup.select("#letter-versions tbody tr")] == ["Version 2", "Version 1"]


def test_an_award_letter_pays_half_on_signing_and_half_after_the_report_due_six_months_after_the_decision(
        session, commissioner, letter_application):
    letter = services.issue_letter(session, application=letter_application, by=commissioner,
                                   public_url=LETTER_PUBLIC_URL)
    decided_at = services.decision_for(session, letter_application).decided_at
    text = pdf_text(letter.pdf)
    assert text.count("£2,500") == 2
    assert f"Please sign it and send it back by {date(letter.issued_at + timedelta(days=14))}" in text
    assert date(add_months(decided_at, 6)) in text and date(add_months(decided_at, 12)) in text


def test_a_letter_cannot_be_issued_before_the_decision_is_published(
        session, commissioner_client, commissioner, decision_round):
    decision_services.accept_recommendation(session, round_=decision_round.round, by=commissioner)
    session.commit()
    url = letter_url(decision_round.top)
    page = commissioner_client.submit(url + "/issue", token_from=url)
    assert page.status == 200
    assert page.error_summary() == [
        "The decision on this application is not published yet. Letters can be issued once it is published in "
        "the decision log"]
    assert letters_of(session, decision_round.top) == []


def test_an_ineligible_application_gets_a_letter_with_the_reason(session, commissioner_client, letter_ineligible):
    url = letter_url(letter_ineligible)
    commissioner_client.submit(url + "/issue", token_from=url)
    (letter,) = letters_of(session, letter_ineligible)
    assert letter.kind == LetterKind.INELIGIBLE and letter.decision_id is None
    text = pdf_text(letter.pdf)
    assert "Your application could not go forward" in text
    assert "The project takes place outside London." in text


def test_every_member_is_emailed_the_outcome_and_a_sign_in_link_with_no_amount_or_feedback(
        session, commissioner, organisation, letter_application, sent_emails):
    colleague = make_user(session, email="kwame@example.org", role=Role.APPLICANT, name="Kwame Boateng")
    session.add(Membership(user=colleague, organisation=organisation))
    session.flush()
    sent_emails()  # earlier e-mails (the decisions) out of the way
    services.issue_letter(session, application=letter_application, by=commissioner, public_url=LETTER_PUBLIC_URL)
    emails = letter_emails(sent_emails(), "YLF-2026-0061")
    assert sorted(e["To"] for e in emails) == ["grace@example.org", "kwame@example.org"]
    body = emails[0].get_content()
    assert "Good news: you have been awarded a grant" in body
    assert f"{LETTER_PUBLIC_URL}/sign-in?next=/applications/{letter_application.id}/letters" in body
    assert "£" not in body and "5,000" not in body
    assert "Hackney Youth Voices" not in body and "Grace" not in body


def test_a_decline_email_says_only_that_it_was_not_funded(session, commissioner, letter_declined, sent_emails):
    sent_emails()
    services.issue_letter(session, application=letter_declined, by=commissioner, public_url=LETTER_PUBLIC_URL)
    (email,) = letter_emails(sent_emails(), letter_declined.reference)
    body = email.get_content()
    assert "We are sorry: your application was not funded" in body
    assert "Scored" not in body and "descriptors" not in body and "funding line" not in body


# Letters needed ----------------------------------------------------------------------------------


def test_a_letter_is_needed_once_per_published_decision_and_again_after_a_correction(
        session, commissioner, letter_application):
    assert services.letter_needed(session, letter_application) == LetterKind.AWARD
    services.issue_letter(session, application=letter_application, by=commissioner, public_url=LETTER_PUBLIC_URL)
    assert services.letter_needed(session, letter_application) is None

    decision = services.decision_for(session, letter_application)
    entry = session.query(DecisionLogEntry).filter_by(application_id=letter_application.id).one()
    decision.amount_awarded_pence = 450_000
    log.append(session, [decision], now=utcnow() + timedelta(minutes=1),
               correction=log.Correction(entry=entry, reason="The amount was typed wrongly"))
    assert services.letter_needed(session, letter_application) == LetterKind.AWARD


def test_the_rounds_letters_page_shows_where_each_letter_stands(
        session, commissioner_client, commissioner, decision_published, letter_application):
    url = f"/commissioning/rounds/{decision_published.round.id}/letters"
    page = commissioner_client.page(url)
    assert page.h1 == "Letters for Youth voices"
    rows = {row["id"]: row.get_text(" ", strip=True) for row in page.soup.select("#round-letters tbody tr")}
    assert set(rows) == {f"letter-{a.reference}" for a in decision_published.applications}
    assert "Not issued" in rows["letter-YLF-2026-0061"]

    services.issue_letter(session, application=letter_application, by=commissioner, public_url=LETTER_PUBLIC_URL)
    session.commit()
    page = commissioner_client.page(url)
    assert "Issued version 1 on" in page.soup.select_one("#letter-YLF-2026-0061").get_text(" ", strip=True)

    decision = services.decision_for(session, letter_application)
    entry = session.query(DecisionLogEntry).filter_by(application_id=letter_application.id).one()
    decision.amount_awarded_pence = 450_000
    log.append(session, [decision], now=utcnow() + timedelta(minutes=1),
               correction=log.Correction(entry=entry, reason="The amount was typed wrongly"))
    session.commit()
    row = commissioner_client.page(url).soup.select_one("#letter-YLF-2026-0061").get_text(" ", strip=True)
    assert "Needs a new letter: the decision changed" in row


def test_the_letters_page_of_an_open_round_explains_letters_come_after_decisions(commissioner_client, open_round):
    page = commissioner_client.page(f"/commissioning/rounds/{open_round.id}/letters")
    assert page.status == 200
    assert "Outcome letters come after decisions are published" in page.text()


# Downloads ---------------------------------------------------------------------------------------


def test_members_and_commissioners_download_the_stored_letter_and_every_download_is_audited(
        session, applicant_client, commissioner_client, applicant, commissioner, letter_issued):
    for client, person in ((applicant_client, applicant), (commissioner_client, commissioner)):
        response = client.get(f"/letters/{letter_issued.id}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data == letter_issued.pdf
        assert 'filename="outcome-letter-YLF-2026-0061-v1.pdf"' in response.headers["Content-Disposition"]
    events = session.query(AuditEvent).filter_by(action="letter.downloaded", entity_id=letter_issued.id).all()
    assert sorted(e.actor_id for e in events) == sorted([applicant.id, commissioner.id])


def test_other_organisations_and_panellists_cannot_download_a_letter(
        other_applicant_client, panellist_client, commissioner_client, letter_issued):
    assert other_applicant_client.get(f"/letters/{letter_issued.id}.pdf").status_code == 403
    assert panellist_client.get(f"/letters/{letter_issued.id}.pdf").status_code == 403
    assert commissioner_client.get("/letters/999999.pdf").status_code == 404


def test_applicants_see_their_letters_on_their_dashboard_and_the_applications_letters_page(
        session, applicant_client, commissioner, letter_application, letter_issued):
    services.issue_letter(session, application=letter_application, by=commissioner, public_url=LETTER_PUBLIC_URL)
    session.commit()
    dashboard = applicant_client.page("/account")
    text = dashboard.text()
    assert f"Letter issued {date(letter_issued.issued_at)} (version 2)" in text
    page = applicant_client.page(f"/applications/{letter_application.id}/letters")
    assert page.h1 == "Letters about YLF-2026-0061"
    assert [a["href"] for a in page.soup.select("#letter-versions a")] == [
        f"/letters/{letter.id}.pdf" for letter in reversed(letters_of(session, letter_application))]
