"""Supporting documents: one rule, said the same way on every page (issue 14, part 4).

The round's settings decide: a round that asks for documents needs at least one from every grant at or
above its small-grant threshold, and none from smaller grants. The task list used to call the section
"Optional" while the section said a document was needed, and an application could be sent without one.
"""

from __future__ import annotations

from portal.models import (
    Answer,
    ApplicationSection,
    ApplicationStatus,
    BudgetLine,
    SectionStatus,
    utcnow,
)
from tests.fixtures.documents import add_document, make_application

NEEDED = "Upload at least one document"


def complete_every_other_section(session, application, *, by) -> None:
    """Answer every question, a budget that adds up, a declaration, and each section (not documents) completed."""
    now = utcnow()
    for question in application.round.questions:
        session.add(Answer(application=application, question=question, text="Weekly sessions at the hall.",
                           updated_by_id=by.id))
    session.add(BudgetLine(application=application, position=1, item="Coach fees",
                           cost_pence=application.amount_requested_pence))
    application.declared_by_name, application.declared_by_role, application.declared_at = by.name, "Chair", now
    for key in ("organisation", "project", "budget", "partners", "declarations"):
        session.add(ApplicationSection(application=application, key=key, status=SectionStatus.COMPLETED,
                                       version=1, updated_at=now, updated_by_id=by.id))
    session.flush()


def documents_task(page):
    """The task list's "Supporting documents" row, or None."""
    for item in page.soup.select(".govuk-task-list__item"):
        if item.select_one(".govuk-task-list__name-and-hint").get_text(" ", strip=True).startswith(
                "Supporting documents"):
            return item
    return None


def documents_card(page):
    """The "Supporting documents" card on check answers."""
    for card in page.soup.select(".govuk-summary-card"):
        if card.select_one(".govuk-summary-card__title").get_text(strip=True) == "Supporting documents":
            return card
    raise AssertionError("Check answers has no 'Supporting documents' card")


def test_the_task_list_and_the_section_say_documents_are_needed(applicant_client, documents_application):
    """A larger grant: the task list says what the section says, and neither calls it optional."""
    task_list = applicant_client.page(f"/applications/{documents_application.id}")
    task = documents_task(task_list)
    assert task is not None
    hint = task.select_one(".govuk-task-list__hint").get_text(strip=True)
    assert hint == NEEDED
    assert "Optional" not in task_list.text()

    section = applicant_client.page(f"/applications/{documents_application.id}/documents")
    assert section.soup.select_one("#documents-needed").get_text(strip=True) == (
        f"{NEEDED} before you send your application.")
    assert section.soup.select_one("#completed-hint").get_text(strip=True) == (
        f"{NEEDED} before you mark this section as completed.")


def test_a_larger_grant_cannot_be_sent_without_a_document(session, applicant_client, documents_application,
                                                         applicant, documents_upload_dir):
    """Check answers shows and lists the documents section, sending is refused, and a document then lets it go."""
    complete_every_other_section(session, documents_application, by=applicant)
    check = f"/applications/{documents_application.id}/check-answers"
    page = applicant_client.page(check)
    missing = page.soup.select_one("#missing")
    assert missing is not None, "Documents are needed, so the application must not be ready to send"
    link = missing.find("a", string="Complete 'Supporting documents'")
    assert link is not None and link["href"] == f"/applications/{documents_application.id}/documents"
    card = documents_card(page)
    assert "None uploaded" in card.get_text(" ")
    change = card.select_one(".govuk-summary-card__actions a")
    assert change["href"] == f"/applications/{documents_application.id}/documents"
    refused = applicant_client.submit(check)
    assert refused.status == 200 and "Your application was not sent" in refused.text()
    session.refresh(documents_application)
    assert documents_application.status == ApplicationStatus.DRAFT

    add_document(session, application=documents_application, upload_dir=documents_upload_dir, by=applicant)
    applicant_client.submit(f"/applications/{documents_application.id}/documents/completed", {"completed": "yes"},
                            token_from=f"/applications/{documents_application.id}/documents")
    ready = applicant_client.page(check)
    assert ready.soup.select_one("#missing") is None
    assert "safeguarding-policy.pdf" in documents_card(ready).get_text(" ")
    sent = applicant_client.submit(check)
    assert sent.status == 302
    session.refresh(documents_application)
    assert documents_application.status == ApplicationStatus.SUBMITTED


def test_a_small_grant_is_asked_for_no_documents(session, applicant_client, documents_round, organisation,
                                                 applicant):
    """Under the threshold: no documents task, the section says why, and it can be sent without any."""
    small = make_application(session, round_=documents_round, organisation=organisation, created_by=applicant,
                             amount_pence=800_000)
    assert documents_task(applicant_client.page(f"/applications/{small.id}")) is None
    check = applicant_client.page(f"/applications/{small.id}/check-answers")
    assert "Supporting documents" not in [title.get_text(strip=True)
                                          for title in check.soup.select(".govuk-summary-card__title")]
    section = applicant_client.page(f"/applications/{small.id}/documents")
    assert "Groups asking for less than £10,000 do not need to send documents with their application." in (
        section.text())
    complete_every_other_section(session, small, by=applicant)
    assert applicant_client.submit(f"/applications/{small.id}/check-answers").status == 302


def test_a_round_that_asks_for_no_documents_says_so(session, applicant_client, open_round, organisation, applicant):
    """A round without documents: no task, and the section's page says the round does not ask."""
    application = make_application(session, round_=open_round, organisation=organisation, created_by=applicant)
    assert documents_task(applicant_client.page(f"/applications/{application.id}")) is None
    section = applicant_client.page(f"/applications/{application.id}/documents")
    assert "This round does not ask for supporting documents." in section.text()
