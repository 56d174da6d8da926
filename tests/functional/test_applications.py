"""A community group applies: start, sections saved independently, check answers, send, withdraw."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Membership,
    Role,
    SectionStatus,
    utcnow,
)
from tests.conftest import _signed_in, make_organisation, make_user
from tests.fixtures.applications import complete_application, make_application


def url(application, page=""):
    """An application's page."""
    return f"/applications/{application.id}" + (f"/{page}" if page else "")


def project_data(application, **overrides):
    """A valid project form for the £8,000 draft (one question, as a small grant)."""
    question = application.round.questions[0]
    data = {"project_title": "After-school boxing", "amount": "8,000",
            f"answer_{question.id}": "We will run weekly sessions.", "version": "0", "completed": "no"}
    data.update(overrides)
    return data


def sections(application):
    """Section statuses by key."""
    return {s.key: s.status for s in application.sections}


# Starting -------------------------------------------------------------------------------------


def test_a_group_starts_an_application_once_per_round(applicant_client, open_round, organisation, session):
    """Starting twice goes back to the same draft."""
    page = applicant_client.page(f"/rounds/{open_round.slug}/apply")
    assert page.status == 200 and page.h1 == "Apply to Staying in school"
    assert "days left" in page.text()
    first = applicant_client.submit(f"/rounds/{open_round.slug}/apply")
    assert first.status == 302
    application = session.scalar(select(Application))
    assert application.organisation_id == organisation.id and application.status == ApplicationStatus.DRAFT
    assert first.response.location == url(application)
    again = applicant_client.submit(f"/rounds/{open_round.slug}/apply")
    assert again.response.location == url(application)
    assert len(session.scalars(select(Application)).all()) == 1
    assert applicant_client.page(f"/rounds/{open_round.slug}/apply").response.location == url(application)


def test_the_prospectus_offers_to_start_and_visitors_sign_in_first(client, open_round):
    """Anonymous people are sent to sign in and brought back."""
    page = client.page(f"/rounds/{open_round.slug}")
    start_button = page.soup.find("a", href=f"/rounds/{open_round.slug}/apply")
    assert start_button and "Start an application" in start_button.get_text()
    start = client.page(f"/rounds/{open_round.slug}/apply")
    assert start.status == 302 and "/sign-in?next=" in start.response.location


def test_task_list_shows_each_section_and_the_deadline(applicant_client, draft_application):
    """Five sections, not started, with the deadline and time left."""
    page = applicant_client.page(url(draft_application))
    text = page.text()
    for title in ["About your organisation", "Your project", "Budget", "Partners", "Declarations"]:
        assert title in text
    assert text.count("Not started") == 5
    assert "Closes" in text and "days left" in text
    assert "Supporting documents" not in text  # small grants are not asked for documents


# Sections -------------------------------------------------------------------------------------


def test_word_limit_is_enforced_with_the_count_and_the_text_is_kept(applicant_client, draft_application, session):
    """305 words against a 300-word limit: remove 5 words."""
    question = draft_application.round.questions[0]
    long_answer = " ".join(["word"] * 305)
    page = applicant_client.submit(url(draft_application, "project"),
                                   project_data(draft_application, **{f"answer_{question.id}": long_answer}))
    assert page.status == 200 and page.title.startswith("Error: Your project")
    message = "Your answer is 305 words. Remove 5 words so it is no more than 300 words"
    assert message in page.error_summary()
    assert page.field_error(f"answer_{question.id}") == message
    assert page.value_of(f"answer_{question.id}").strip() == long_answer
    session.refresh(draft_application)
    assert draft_application.answers == []


def test_amount_must_be_inside_the_rounds_range(applicant_client, draft_application, session):
    """£1,000 is under the £2,000 minimum; nothing is saved."""
    page = applicant_client.submit(url(draft_application, "project"), project_data(draft_application, amount="1,000"))
    assert page.field_error("amount") == "Enter an amount between £2,000 and £25,000"
    assert page.value_of("amount") == "1,000"
    session.refresh(draft_application)
    assert draft_application.amount_requested_pence == 800_000


def test_questions_follow_the_grant_size(applicant_client, draft_application, session):
    """A small grant is asked one question; £12,000 brings the safeguarding question."""
    first, second = draft_application.round.questions
    page = applicant_client.page(url(draft_application, "project"))
    assert page.soup.find(attrs={"name": f"answer_{first.id}"})
    assert page.soup.find(attrs={"name": f"answer_{second.id}"}) is None
    assert page.soup.select_one(f"[data-maxwords='{first.word_limit}']"), "the GOV.UK word count needs maxwords"
    saved = applicant_client.submit(url(draft_application, "project"), project_data(draft_application, amount="12000"))
    assert saved.status == 302
    page = applicant_client.page(url(draft_application, "project"))
    assert page.soup.find(attrs={"name": f"answer_{second.id}"})
    refused = applicant_client.submit(url(draft_application, "project"),
                                      project_data(draft_application, amount="12000", version="1", completed="yes"))
    assert f"Answer the question: {second.text}" in refused.error_summary()


def test_project_saves_and_is_completed_only_when_finished(applicant_client, draft_application, session):
    """'No' leaves it in progress; 'yes' with everything answered completes it."""
    assert applicant_client.submit(url(draft_application, "project"), project_data(draft_application)).status == 302
    session.refresh(draft_application)
    assert sections(draft_application)["project"] == SectionStatus.IN_PROGRESS
    assert applicant_client.submit(url(draft_application, "project"),
                                   project_data(draft_application, version="1", completed="yes")).status == 302
    session.refresh(draft_application)
    assert sections(draft_application)["project"] == SectionStatus.COMPLETED
    assert draft_application.answers[0].text == "We will run weekly sessions."
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "application.section_saved.project"))


def test_budget_total_must_equal_the_amount_requested(applicant_client, draft_application, session):
    """£7,500 of costs against £8,000 asked for: the message says the difference."""
    data = {"item_0": "Coach fees", "cost_0": "5,000", "item_1": "Hall hire", "cost_1": "2,500",
            "version": "0", "completed": "yes"}
    page = applicant_client.submit(url(draft_application, "budget"), data)
    assert page.status == 200
    assert ("Your budget adds up to £7,500, which is £500 less than the £8,000 you are asking for. "
            "Change the costs, or the amount in 'Your project'") in page.error_summary()
    assert page.value_of("cost_1") == "2,500"
    ok = applicant_client.submit(url(draft_application, "budget"), {**data, "cost_1": "3,000"})
    assert ok.status == 302
    session.refresh(draft_application)
    assert [(b.item, b.cost_pence) for b in draft_application.budget_lines] == [("Coach fees", 500_000),
                                                                              ("Hall hire", 300_000)]
    assert sections(draft_application)["budget"] == SectionStatus.COMPLETED


def test_budget_lines_are_added_and_removed_without_javascript(applicant_client, draft_application, session):
    """'Remove' drops that line; the page shows a blank line to add another."""
    data = {"item_0": "Coach fees", "cost_0": "5,000", "item_1": "Hall hire", "cost_1": "3,000", "version": "0"}
    assert applicant_client.submit(url(draft_application, "budget"), {**data, "action": "add"}).status == 302
    page = applicant_client.page(url(draft_application, "budget"))
    assert page.soup.find(attrs={"name": "item_2"}) and page.value_of("item_2") in (None, "")
    assert applicant_client.submit(url(draft_application, "budget"),
                                   {**data, "version": "1", "action": "remove-0"}).status == 302
    session.refresh(draft_application)
    assert [b.item for b in draft_application.budget_lines] == ["Hall hire"]


def test_a_budget_lists_at_most_fifty_lines_and_a_fifty_first_is_shown_back(applicant_client, draft_application,
                                                                            session):
    """The 51st line is refused with a message beside it, and every typed line comes back; nothing is saved."""
    data = {"version": "0"}
    for n in range(51):
        data |= {f"item_{n}": f"Session {n + 1} snacks", f"cost_{n}": "10"}
    page = applicant_client.submit(url(draft_application, "budget"), data)
    assert page.status == 200
    assert any(m.startswith("List up to 50 budget lines") for m in page.error_summary())
    assert page.value_of("item_50") == "Session 51 snacks"
    session.refresh(draft_application)
    assert draft_application.budget_lines == []


def test_partnership_bid_lists_partners_and_roles(applicant_client, draft_application, session):
    """Yes with no partners cannot be completed; with a partner it can."""
    page = applicant_client.submit(url(draft_application, "partners"),
                                   {"partnership": "yes", "version": "0", "completed": "yes"})
    assert "Add at least one partner organisation, or answer no" in page.error_summary()
    ok = applicant_client.submit(url(draft_application, "partners"), {
        "partnership": "yes", "name_0": "Hackney Library", "role_0": "Lends the room", "version": "0",
        "completed": "yes"})
    assert ok.status == 302
    session.refresh(draft_application)
    assert [(p.organisation_name, p.role_description) for p in draft_application.partners] == [
        ("Hackney Library", "Lends the room")]


def test_organisation_details_are_updated_and_audited(applicant_client, draft_application, organisation, session):
    """Edits change the organisation itself."""
    data = {"organisation_name": "Hackney Youth Voices CIC", "organisation_type": "unregistered",
            "income_band": "under_10k", "boroughs": ["E09000012"], "address_line_1": "1 Mare Street",
            "town": "London", "postcode": "E8 1DY", "version": "0", "completed": "yes"}
    assert applicant_client.submit(url(draft_application, "organisation"), data).status == 302
    session.refresh(organisation)
    assert organisation.name == "Hackney Youth Voices CIC"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.updated"))


def test_declarations_need_every_box_ticked(applicant_client, draft_application, session):
    """Completing without ticking is refused beside the boxes."""
    page = applicant_client.submit(url(draft_application, "declarations"),
                                   {"name": "Grace Mensah", "role": "Chair", "version": "0", "completed": "yes"})
    assert "Tick every declaration to confirm it" in page.error_summary()
    ok = applicant_client.submit(url(draft_application, "declarations"), {
        "name": "Grace Mensah", "role": "Chair", "confirmed": ["true", "authorised", "tell_changes"],
        "version": "0", "completed": "yes"})
    assert ok.status == 302
    session.refresh(draft_application)
    assert draft_application.declared_by_role == "Chair" and draft_application.declared_at is not None


# Nothing lost ---------------------------------------------------------------------------------


def test_a_colleague_sees_and_edits_the_same_application(app, applicant_client, draft_application, organisation,
                                                         session):
    """Colleagues share applications; the second of two saves from the same version is refused, both shown."""
    colleague = make_user(session, email="kofi@example.org", role=Role.APPLICANT, name="Kofi Boateng")
    session.add(Membership(user=colleague, organisation=organisation))
    session.flush()
    colleague_client = _signed_in(app, colleague)
    assert "After-school boxing" in colleague_client.page("/account").text()
    assert colleague_client.submit(url(draft_application, "project"),
                                   project_data(draft_application, project_title="Boxing after school")).status == 302
    page = applicant_client.submit(url(draft_application, "project"),
                                   project_data(draft_application, project_title="Boxing club"))
    assert page.status == 200 and page.title.startswith("Error:")
    assert any("Kofi Boateng saved this section" in m for m in page.error_summary())
    assert page.value_of("project_title") == "Boxing club"  # what they typed
    panel = page.soup.select_one("#version").get_text(" ")
    assert "Boxing after school" in panel and "Kofi Boateng" in panel  # what is saved now
    session.refresh(draft_application)
    assert draft_application.project_title == "Boxing after school"
    # Having seen both, saving again (the form now carries the new version) replaces theirs.
    assert page.value_of("version") == "1"
    again = applicant_client.submit(url(draft_application, "project"),
                                    project_data(draft_application, project_title="Boxing club", version="1"))
    assert again.status == 302


def test_a_save_after_the_deadline_is_refused_and_the_text_shown_back(applicant_client, draft_application,
                                                                      session):
    """The round closed a minute ago: nothing saved, what they typed is on the page to copy."""
    draft_application.round.closes_at = utcnow() - timedelta(minutes=1)
    session.flush()
    question = draft_application.round.questions[0]
    page = applicant_client.submit(url(draft_application, "project"), project_data(
        draft_application, **{f"answer_{question.id}": "Our late but heartfelt answer"}))
    assert page.status == 200 and page.h1 == "Your changes were not saved"
    assert "The deadline for this round was" in page.text()
    assert "Our late but heartfelt answer" in page.soup.select_one("#typed").get_text()
    session.refresh(draft_application)
    assert draft_application.answers == []


def test_other_organisations_are_refused(other_applicant_client, draft_application):
    """Another group's member gets 403 on every page of the application."""
    for page in ["", "project", "budget", "check-answers", "withdraw"]:
        assert other_applicant_client.page(url(draft_application, page)).status == 403
    assert other_applicant_client.submit(url(draft_application, "project"), project_data(draft_application),
                                         token_from="/account").status == 403


# Check answers, send, withdraw ---------------------------------------------------------------


def test_sending_is_blocked_until_every_section_is_complete(applicant_client, draft_application, session):
    """Check answers lists what is missing and there is no way to send."""
    page = applicant_client.page(url(draft_application, "check-answers"))
    missing = page.soup.select_one("#missing").get_text(" ")
    for title in ["About your organisation", "Your project", "Budget", "Partners", "Declarations"]:
        assert f"Complete '{title}'" in missing
    refused = applicant_client.submit(url(draft_application, "check-answers"))
    assert refused.status == 200 and "Your application was not sent" in refused.text()
    session.refresh(draft_application)
    assert draft_application.status == ApplicationStatus.DRAFT and draft_application.reference is None


def test_sending_gives_a_reference_a_frozen_copy_and_a_receipt(applicant_client, complete_draft, session,
                                                               sent_emails):
    """YLF-<year>-0001, a confirmation page and a receipt to every member, with no application text."""
    page = applicant_client.page(url(complete_draft, "check-answers"))
    assert page.soup.select_one("#missing") is None
    sent = applicant_client.submit(url(complete_draft, "check-answers"))
    assert sent.status == 302 and sent.response.location == url(complete_draft, "sent")
    session.refresh(complete_draft)
    year = complete_draft.submitted_at.year
    assert complete_draft.reference == f"YLF-{year}-0001"
    assert complete_draft.status == ApplicationStatus.SUBMITTED
    assert complete_draft.submitted_snapshot["budget_total_pence"] == 800_000
    assert complete_draft.submitted_snapshot["reference"] == complete_draft.reference
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "application.submitted"))
    confirmation = applicant_client.page(url(complete_draft, "sent"))
    assert confirmation.h1.startswith("Application sent") and complete_draft.reference in confirmation.text()
    assert confirmation.soup.find("a", href=url(complete_draft, "copy.pdf"))
    (receipt,) = sent_emails()
    assert receipt["To"] == "grace@example.org"
    body = receipt.get_content() if hasattr(receipt, "get_content") else str(receipt)
    assert complete_draft.reference in body and "What happens next" in body
    assert "We will run weekly sessions" not in body


def test_references_count_up_per_fund(app, applicant_client, complete_draft, session):
    """The next application to the same fund in the same year gets 0002."""
    applicant_client.submit(url(complete_draft, "check-answers"))
    member = make_user(session, email="lee@example.org", role=Role.APPLICANT, name="Lee Chan")
    other = make_organisation(session, name="Tower Hamlets Youth", members=[member])
    second = complete_application(session, make_application(
        session, round_=complete_draft.round, organisation=other, by=member), by=member)
    _signed_in(app, member).submit(url(second, "check-answers"))
    session.refresh(second)
    assert second.reference.endswith("-0002")


def test_a_sent_application_is_frozen(applicant_client, submitted_application, session):
    """Edit pages go back to the application; saves are refused with the text shown back."""
    assert applicant_client.page(url(submitted_application, "project")).status == 302
    page = applicant_client.submit(url(submitted_application, "project"),
                                   project_data(submitted_application, project_title="Changed"))
    assert page.h1 == "Your changes were not saved"
    assert "has been sent, so it cannot be changed" in page.text()
    session.refresh(submitted_application)
    assert submitted_application.project_title == "After-school boxing"
    view = applicant_client.page(url(submitted_application))
    assert view.h1 == f"Application {submitted_application.reference}"


def test_withdraw_after_confirming(applicant_client, submitted_application, session):
    """A confirmation page, then the status changes and the change is audited."""
    page = applicant_client.page(url(submitted_application, "withdraw"))
    assert page.h1 == f"Withdraw application {submitted_application.reference}?"
    done = applicant_client.submit(url(submitted_application, "withdraw"))
    assert done.status == 302
    session.refresh(submitted_application)
    assert submitted_application.status == ApplicationStatus.WITHDRAWN
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "application.withdrawn"))
    assert "Withdrawn" in applicant_client.page("/account").text()


def test_a_draft_cannot_be_withdrawn(applicant_client, draft_application):
    """Nothing to withdraw before it is sent."""
    page = applicant_client.page(url(draft_application, "withdraw"))
    assert page.h1 == "You cannot withdraw this application"


def test_dashboard_lists_applications_with_status_and_next_steps(applicant_client, submitted_application):
    """Status, what happens next, and links to view, copy and withdraw."""
    page = applicant_client.page("/account")
    text = page.text()
    assert submitted_application.reference in text and "Sent" in text
    assert "We will tell you our decision by" in text
    assert page.soup.find("a", href=url(submitted_application, "copy.pdf"))
    assert page.soup.find("a", href=url(submitted_application, "withdraw"))


# Autosave (JavaScript posts the form with X-Autosave: 1 and reads JSON) ------------------------


def _autosave(client, application, data: dict):
    """Post the project form as autosave.js does."""
    url = f"/applications/{application.id}/project"
    page = client.page(url)
    fields = {"csrf_token": client.csrf_token(url), "version": page.value_of("version"), **data}
    return client.post(url, data=fields, headers={"X-Autosave": "1"})


def test_autosave_keeps_the_text_and_leaves_the_section_in_progress(applicant_client, draft_application, session):
    """A quiet save stores the answer, returns the new version, and never marks the section finished."""
    response = _autosave(applicant_client, draft_application,
                         {"project_title": "Homework club", "amount": "8,000", "completed": "yes"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] is True and body["message"].startswith("Saved at ")
    session.refresh(draft_application)
    assert draft_application.project_title == "Homework club"
    section = next(s for s in draft_application.sections if s.key == "project")
    assert section.status == "in_progress" and section.version == body["version"]


def test_autosave_says_why_it_could_not_save(applicant_client, draft_application):
    """A bad amount is reported in words, with a 422, and nothing is lost on the page."""
    response = _autosave(applicant_client, draft_application, {"project_title": "Club", "amount": "lots"})
    assert response.status_code == 422
    assert response.get_json()["message"] == "Not saved: Enter the amount in pounds, like 8,000. Use the button to save"


def test_autosave_stops_on_a_conflict(applicant_client, draft_application, session):
    """If a colleague saved first, autosave stops so the manual save shows both versions."""
    url = f"/applications/{draft_application.id}/project"
    token = applicant_client.csrf_token(url)
    response = applicant_client.post(url, data={"csrf_token": token, "version": "-5", "project_title": "Mine",
                                                "amount": "8000"}, headers={"X-Autosave": "1"})
    assert response.status_code == 409
    assert response.get_json()["stop"] is True


def test_the_applicant_reads_why_their_application_was_not_eligible(app, applicant_client, commissioner, submitted_application):
    """A commissioner's screening reason is shown to the group on its application and dashboard."""
    commissioner_client = app.test_client()
    commissioner_client.sign_in(commissioner.email)
    commissioner_client.submit(f"/commissioning/applications/{submitted_application.id}/mark-ineligible",
                               {"reason": "Your group works outside London, and this round is for London groups."})
    page = applicant_client.page(f"/applications/{submitted_application.id}")
    assert "Why it was not eligible: Your group works outside London" in page.text()
    dashboard = applicant_client.page("/account").text()
    assert "This application was not eligible: Your group works outside London" in dashboard
