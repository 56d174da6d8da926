"""Interviews: the question bank, a round's questions, shortlisting, booking slots and panellists' scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.formatting import date_time
from portal.models import (
    AgeBand,
    ApplicationStatus,
    AuditEvent,
    InterviewQuestion,
    InterviewScore,
    InterviewSlot,
    Membership,
    Role,
    RoundInterviewQuestion,
    RoundStatus,
    utcnow,
)
from tests.conftest import make_user
from tests.fixtures.interviews import book_slot, make_bank_question
from tests.fixtures.panel_round import assign, make_eligible_application, make_panellist

BANK_URL = "/commissioning/interview-questions"


def round_url(round_) -> str:
    """The round's interviews page."""
    return f"/commissioning/rounds/{round_.id}/interviews"


def shortlist_url(application) -> str:
    """The page that shortlists an application for interview."""
    return f"/commissioning/applications/{application.id}/shortlist"


def schedule_url(application) -> str:
    """The page that books an application's interview."""
    return f"/commissioning/applications/{application.id}/interview"


def score_url(assignment) -> str:
    """A panellist's interview scoring page."""
    return f"/panel/interviews/{assignment.id}"


def audit_events(session, action: str) -> list[AuditEvent]:
    """Audit events with this action, oldest first."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def slot_form(day: int, month: int, year: int, time: str, *, duration: str = "45",
              place: str = "Mare Street Youth Club, E8 1DY") -> dict:
    """What a commissioner types to book an interview."""
    return {"starts_at": [str(day), str(month), str(year), time], "duration_minutes": duration, "place": place}


def answers(questions, *entries) -> dict:
    """The scoring form's fields: (score, comment) for each question in order (None leaves a score blank)."""
    data = {}
    for question, (score, comment) in zip(questions, entries):
        if score is not None:
            data[f"score_{question.id}"] = str(score)
        data[f"comment_{question.id}"] = comment
    return data


# The question bank ---------------------------------------------------------------------------------


def test_the_bank_lists_questions_with_the_rounds_that_use_them(
        session, commissioner_client, commissioner, interview_round_questions):
    """Each question shows its guidance, how many rounds ask it and whether it is retired."""
    make_bank_question(session, text="Why now?", by=commissioner, retired=True)
    page = commissioner_client.page(BANK_URL)
    assert page.status == 200 and page.h1 == "Interview questions"
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.soup.select("#bank tbody tr")]
    assert rows[0][:3] == ["Tell us about the young people you work with.", "Do they know who they serve?", "1 round"]
    assert rows[0][3].startswith("Offered")
    assert rows[-1][:4] == ["Why now?", "None", "0 rounds", "Retired"]


def test_a_commissioner_adds_a_question_to_the_bank(session, commissioner_client, commissioner):
    """The question and its guidance are stored, audited and listed."""
    url = f"{BANK_URL}/new"
    page = commissioner_client.submit(url, {"text": "  How will you spend the money?  ",
                                            "guidance": "A clear, costed plan."}, follow=True)
    assert page.status == 200 and "Question added to the bank" in page.text()
    question = session.scalar(select(InterviewQuestion))
    assert (question.text, question.guidance, question.created_by_id) == (
        "How will you spend the money?", "A clear, costed plan.", commissioner.id)
    (event,) = audit_events(session, "panel.interview_question_added")
    assert event.actor_id == commissioner.id and event.after["text"] == "How will you spend the money?"
    assert "How will you spend the money?" in page.soup.select_one("#bank").get_text()


def test_a_question_must_be_written_and_not_too_long(session, commissioner_client):
    """Empty: a message. Too long: a message, and the text typed comes back."""
    url = f"{BANK_URL}/new"
    page = commissioner_client.submit(url, {"text": "", "guidance": "Kept"})
    assert page.title.startswith("Error: ") and page.error_summary() == ["Enter the question"]
    assert page.value_of("guidance") == "Kept"
    page = commissioner_client.submit(url, {"text": "x" * 501})
    assert page.field_error("text") == "The question must be 500 characters or fewer"
    assert page.value_of("text") == "x" * 501
    assert session.scalar(select(InterviewQuestion)) is None


def test_a_retired_question_is_no_longer_offered_but_stays_on_rounds_that_ask_it(
        session, commissioner_client, commissioner, assessment_round, interview_round_questions, interview_question):
    """Retiring is audited; the round keeps the question; the select no longer offers it to other rounds."""
    asked = interview_round_questions[0]
    commissioner_client.submit(f"{BANK_URL}/{asked.id}/retire", token_from=BANK_URL)
    page = commissioner_client.submit(f"{BANK_URL}/{interview_question.id}/retire", token_from=BANK_URL,
                                      follow=True)
    assert "is retired" in page.text()
    assert asked.retired_at is not None and interview_question.retired_at is not None
    assert len(audit_events(session, "panel.interview_question_retired")) == 2

    page = commissioner_client.page(round_url(assessment_round))
    assert asked.text in page.soup.select_one("#round-questions").get_text()
    # Nothing left to offer: both unused questions are retired.
    assert page.soup.select_one("#interview_question_id") is None
    assert "Every question in the bank is already on this round" in page.text()


# A round's questions ------------------------------------------------------------------------------


def test_the_interviews_page_of_an_open_round_explains_when_interviews_happen(commissioner_client, open_round):
    """Any round answers; one not in assessment says interviews happen while it is being assessed."""
    page = commissioner_client.page(round_url(open_round))
    assert page.status == 200 and page.h1 == "Interviews for Staying in school"
    assert "Interviews happen while the round is being assessed" in page.soup.select_one("#when").get_text()
    assert "No applications are being assessed in this round yet" in page.text()


def test_questions_are_added_at_the_end_and_removed_with_the_rest_closing_up(
        session, commissioner_client, commissioner, assessment_round, interview_round_questions, interview_question):
    """Add appends; remove takes it off and renumbers; both are audited."""
    url = round_url(assessment_round)
    page = commissioner_client.page(url)
    offered = [o.get_text(strip=True) for o in page.soup.select("#interview_question_id option")]
    assert offered == ["Choose a question", interview_question.text]

    page = commissioner_client.submit(f"{url}/questions", {"interview_question_id": str(interview_question.id)},
                                      token_from=url, follow=True)
    listed = [li.contents[0].strip() for li in page.soup.select("#round-questions > li")]
    assert listed[-1] == interview_question.text and len(listed) == 3
    assert audit_events(session, "panel.round_interview_question_added")

    first = interview_round_questions[0]
    page = commissioner_client.submit(f"{url}/questions/{first.id}/remove", token_from=url, follow=True)
    assert "Question removed" in page.text()
    chosen = session.scalars(select(RoundInterviewQuestion)
                             .where(RoundInterviewQuestion.round_id == assessment_round.id)
                             .order_by(RoundInterviewQuestion.position)).all()
    assert [(c.question_id, c.position) for c in chosen] == [(interview_round_questions[1].id, 1),
                                                              (interview_question.id, 2)]
    assert audit_events(session, "panel.round_interview_question_removed")


def test_adding_without_choosing_a_question_says_so(commissioner_client, assessment_round, interview_question):
    """An empty choice re-shows the page with a message."""
    url = round_url(assessment_round)
    page = commissioner_client.submit(f"{url}/questions", {"interview_question_id": ""}, token_from=url)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.error_summary() == ["Choose a question to add"]


def test_questions_cannot_change_once_a_panellist_has_sent_interview_scores(
        session, commissioner_client, assessment_round, interview_round_questions, interview_question,
        interview_assignment):
    """The page says why and offers no buttons; a remove or add posted anyway is refused with the reason."""
    interview_assignment.interview_scores_submitted_at = utcnow()
    session.flush()
    url = round_url(assessment_round)
    page = commissioner_client.page(url)
    assert "Panellists have sent interview scores" in page.soup.select_one("#questions-locked").get_text()
    assert not [b for b in page.soup.select("#round-questions button") if "Remove" in b.get_text()]

    first = interview_round_questions[0]
    page = commissioner_client.submit(f"{url}/questions/{first.id}/remove", token_from=url)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert "already sent interview scores" in page.error_summary()[0]
    page = commissioner_client.submit(f"{url}/questions", {"interview_question_id": str(interview_question.id)},
                                      token_from=url)
    assert "already sent interview scores" in page.error_summary()[0]
    count = session.scalars(select(RoundInterviewQuestion).where(
        RoundInterviewQuestion.round_id == assessment_round.id)).all()
    assert len(count) == 2


def test_removing_a_question_drops_draft_scores_for_it(
        session, panellist_client, commissioner_client, assessment_round, interview_round_questions,
        interview_assignment):
    """A draft score for a removed question can never be counted later."""
    first, second = interview_round_questions
    panellist_client.submit(score_url(interview_assignment), answers(interview_round_questions, (4, "Good"),
                                                                     (2, "Thin")))
    url = round_url(assessment_round)
    commissioner_client.submit(f"{url}/questions/{first.id}/remove", token_from=url)
    kept = session.scalars(select(InterviewScore)).all()
    assert [(s.question_id, s.value) for s in kept] == [(second.id, 2)]


# Shortlisting ------------------------------------------------------------------------------------


def test_shortlisting_an_application_under_assessment(
        session, commissioner_client, commissioner, assessment_round, panel_application):
    """The round page offers it; a confirm page; then shortlisted, audited, and on to booking."""
    page = commissioner_client.page(round_url(assessment_round))
    row = page.soup.select_one(f"#application-{panel_application.id}")
    assert "Eligible, being assessed" in row.get_text()
    assert row.find("a", href=shortlist_url(panel_application))

    page = commissioner_client.page(shortlist_url(panel_application))
    assert page.h1 == "Shortlist YLF-2026-0021 for interview?"
    page = commissioner_client.submit(shortlist_url(panel_application))
    assert page.status == 302 and page.response.headers["Location"].endswith(schedule_url(panel_application))
    session.refresh(panel_application)
    assert panel_application.status == ApplicationStatus.SHORTLISTED
    (event,) = audit_events(session, "application.shortlisted")
    assert event.before == {"status": "under_assessment"} and event.after == {"status": "shortlisted"}
    assert event.actor_id == commissioner.id

    page = commissioner_client.page(round_url(assessment_round))
    row = page.soup.select_one(f"#application-{panel_application.id}")
    assert "Shortlisted for interview" in row.get_text() and "Not booked yet" in row.get_text()
    assert row.find("a", href=schedule_url(panel_application))


def test_only_applications_under_assessment_can_be_shortlisted(
        session, commissioner_client, assessment_round, organisation, applicant):
    """A withdrawn application: the page says why, and a POST is refused with the reason."""
    withdrawn = make_eligible_application(session, round_=assessment_round, organisation=organisation,
                                          by=applicant, number=30)
    withdrawn.status = ApplicationStatus.WITHDRAWN
    session.flush()
    page = commissioner_client.page(shortlist_url(withdrawn))
    assert page.h1 == "You cannot shortlist YLF-2026-0030"
    assert "This one is withdrawn" in page.text()
    page = commissioner_client.submit(shortlist_url(withdrawn), token_from=round_url(assessment_round))
    assert page.status == 200 and page.title.startswith("Error: ")
    assert "Only applications being assessed can be shortlisted" in page.error_summary()[0]
    session.refresh(withdrawn)
    assert withdrawn.status == ApplicationStatus.WITHDRAWN


def test_shortlisting_needs_the_round_in_assessment(session, commissioner_client, assessment_round, panel_application):
    """Once the round is decided, shortlisting is refused."""
    assessment_round.status = RoundStatus.DECIDED
    session.flush()
    page = commissioner_client.submit(shortlist_url(panel_application), token_from=round_url(assessment_round))
    assert "only while the round is being assessed" in page.error_summary()[0]
    session.refresh(panel_application)
    assert panel_application.status == ApplicationStatus.UNDER_ASSESSMENT


def test_an_application_not_yet_screened_cannot_be_reached(commissioner_client, screening_application):
    """Only assessed applications have interview pages."""
    assert commissioner_client.page(shortlist_url(screening_application)).status == 404


# Booking the interview ----------------------------------------------------------------------------


@pytest.fixture
def shortlisted(session, panel_application, organisation):
    """The panel application shortlisted (no slot yet), with a second member in the group."""
    colleague = make_user(session, email="sam@example.org", role=Role.APPLICANT, name="Sam Patel")
    session.add(Membership(user=colleague, organisation=organisation))
    panel_application.status = ApplicationStatus.SHORTLISTED
    session.flush()
    return panel_application


def test_booking_an_interview_stores_utc_and_emails_every_member_in_london_time(
        session, commissioner_client, commissioner, shortlisted, panellist, interview_assignment, sent_emails):
    """British Summer Time is right; the e-mail gives when, how long and where, and names no panellist."""
    session.delete(session.scalar(select(InterviewSlot)))  # the fixture's slot: book afresh
    session.flush()
    year = utcnow().year + 1
    page = commissioner_client.submit(schedule_url(shortlisted), slot_form(15, 7, year, "2:30pm"))
    assert page.status == 302
    slot = session.scalar(select(InterviewSlot))
    assert slot.starts_at == datetime(year, 7, 15, 13, 30, tzinfo=UTC)
    assert (slot.duration_minutes, slot.place) == (45, "Mare Street Youth Club, E8 1DY")
    (event,) = audit_events(session, "panel.interview_scheduled")
    assert event.actor_id == commissioner.id and event.after["place"] == "Mare Street Youth Club, E8 1DY"

    everyone = sent_emails()
    (to_panellist,) = [e for e in everyone if e["To"] == panellist.email]
    assert to_panellist["Subject"] == "Interview for YLF-2026-0021"
    assert f"When: 15 July {year}, 2:30pm (London time)" in to_panellist.get_content()
    assert "/panel/interviews" in to_panellist.get_content()
    emails = [e for e in everyone if e is not to_panellist]
    assert sorted(e["To"] for e in emails) == ["grace@example.org", "sam@example.org"]
    assert emails[0]["Subject"] == "You are invited to an interview for YLF-2026-0021"
    body = emails[0].get_content()
    assert f"When: 15 July {year}, 2:30pm (London time)" in body
    assert "How long: 45 minutes" in body and "Where: Mare Street Youth Club, E8 1DY" in body
    assert "Young people from our youth panel will interview you" in body
    assert panellist.name not in body and "Jordan" not in body

    page = commissioner_client.page(round_url(shortlisted.round))
    row = page.soup.select_one(f"#application-{shortlisted.id}").get_text(" ", strip=True)
    assert f"15 July {year}, 2:30pm, 45 minutes, Mare Street Youth Club, E8 1DY" in row and "Change" in row


def test_changing_an_interview_emails_the_new_details(session, commissioner_client, shortlisted, sent_emails):
    """The form starts from the booked slot; a change is audited and e-mailed; saving it unchanged sends nothing."""
    year = utcnow().year + 1
    commissioner_client.submit(schedule_url(shortlisted), slot_form(10, 1, year, "10am"))
    sent_emails()
    page = commissioner_client.page(schedule_url(shortlisted))
    assert page.h1 == "Change the interview for YLF-2026-0021"
    assert [i.get("value") for i in page.soup.select("input[name=starts_at]")] == ["10", "1", str(year), "10am"]

    commissioner_client.submit(schedule_url(shortlisted),
                               slot_form(11, 1, year, "4pm", place="Online: we will e-mail a link"))
    assert audit_events(session, "panel.interview_rescheduled")
    emails = sent_emails()
    assert len(emails) == 2 and emails[0]["Subject"] == "Your interview for YLF-2026-0021 has changed"
    body = emails[0].get_content()
    assert f"When: 11 January {year}, 4pm (London time)" in body and "Where: Online: we will e-mail a link" in body

    page = commissioner_client.submit(schedule_url(shortlisted), slot_form(11, 1, year, "4pm",
                                                                          place="Online: we will e-mail a link"),
                                      follow=True)
    assert "Nothing changed" in page.text()
    assert sent_emails() == []


def test_an_interview_in_the_past_is_refused_and_what_was_typed_is_kept(session, commissioner_client, shortlisted):
    """A clear message beside the date; nothing is booked."""
    last_year = utcnow().year - 1
    page = commissioner_client.submit(schedule_url(shortlisted), slot_form(3, 3, last_year, "11am", place="The hall"))
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.error_summary() == ["The interview must start in the future. Enter a date and time after now"]
    assert [i.get("value") for i in page.soup.select("input[name=starts_at]")] == ["3", "3", str(last_year), "11am"]
    assert page.value_of("place") == "The hall"
    assert session.scalar(select(InterviewSlot)) is None


@pytest.mark.parametrize(("duration", "message"), [
    ("10", "How long the interview lasts must be between 15 and 180 minutes"),
    ("an hour", "How long the interview lasts must be a whole number"),
    ("", "Enter how long the interview lasts"),
])
def test_the_length_of_an_interview_is_checked(session, commissioner_client, shortlisted, duration, message):
    """15 to 180 minutes, as a whole number."""
    year = utcnow().year + 1
    page = commissioner_client.submit(schedule_url(shortlisted), slot_form(1, 2, year, "1pm", duration=duration))
    assert page.field_error("duration_minutes") == message
    assert session.scalar(select(InterviewSlot)) is None


def test_the_place_is_required(commissioner_client, shortlisted):
    """Groups need to know where to go."""
    page = commissioner_client.submit(schedule_url(shortlisted), slot_form(1, 2, utcnow().year + 1, "1pm", place=" "))
    assert page.error_summary() == ["Enter where the interview will be, or say it is online"]


def test_an_application_must_be_shortlisted_before_booking(session, commissioner_client, panel_application):
    """The page says to shortlist first; a booking posted anyway is refused."""
    page = commissioner_client.page(schedule_url(panel_application))
    assert page.status == 200
    assert "Shortlist this application for interview before booking" in page.soup.select_one("#cannot-book").get_text()
    assert page.soup.select_one("input[name=place]") is None
    page = commissioner_client.submit(schedule_url(panel_application), slot_form(1, 2, utcnow().year + 1, "1pm"),
                                      token_from=shortlist_url(panel_application))
    assert "Shortlist this application for interview before booking" in page.error_summary()[0]
    assert session.scalar(select(InterviewSlot)) is None


# Panellists: their interviews -------------------------------------------------------------------


def test_a_panellist_sees_their_interviews_with_when_where_and_progress(
        session, panellist_client, panellist, assessment_round, interview_assignment, interview_round_questions,
        organisation, applicant):
    """Listed with the slot and status; others (not shortlisted, no slot, recused, not declared) are not."""
    for number, status, slot, declared, recused in [
        (31, ApplicationStatus.UNDER_ASSESSMENT, False, True, False),
        (32, ApplicationStatus.SHORTLISTED, False, True, False),
        (33, ApplicationStatus.SHORTLISTED, True, None, False),
        (34, ApplicationStatus.SHORTLISTED, True, True, True),
    ]:
        other = make_eligible_application(session, round_=assessment_round, organisation=organisation, by=applicant,
                                          number=number)
        other.status = status
        if slot:
            book_slot(session, application=other, by=applicant)
        assignment = assign(session, application=other, panellist=panellist, declared=declared)
        if recused:
            assignment.recused_at = utcnow()
    session.flush()

    page = panellist_client.page("/panel/interviews")
    assert page.status == 200 and page.h1 == "Your interviews"
    rows = page.soup.select("tbody tr")
    assert [r.get("id") for r in rows] == [f"interview-{interview_assignment.id}"]
    text = rows[0].get_text(" ", strip=True)
    slot = session.scalar(select(InterviewSlot)
                          .where(InterviewSlot.application_id == interview_assignment.application_id))
    assert "YLF-2026-0021" in text and "Mare Street Youth Club, E8 1DY" in text and "30 minutes" in text
    assert "Not started" in text and date_time(slot.starts_at) in text

    panellist_client.submit(score_url(interview_assignment), answers(interview_round_questions, (4, "Good"),
                                                                     (None, "Not sure yet")))
    assert "1 of 2 answers scored" in panellist_client.page("/panel/interviews").soup.select_one("tbody").get_text()


def test_an_under_18_panellist_without_consent_sees_no_interviews(session, app, interview_slot, panel_application):
    """A message about consent, and nothing listed."""
    from tests.conftest import _signed_in

    young = make_panellist(session, email="kai@example.org", name="Kai", age_band=AgeBand.UNDER_18)
    assign(session, application=panel_application, panellist=young, declared=True)
    client = _signed_in(app, young)
    page = client.page("/panel/interviews")
    assert page.status == 200
    assert "consent from your parent or guardian" in page.soup.select_one("#consent").get_text()
    assert page.soup.select_one("table") is None


# Panellists: scoring ----------------------------------------------------------------------------


def test_the_scoring_page_shows_each_question_with_guidance_and_plain_english_scores(
        panellist_client, interview_assignment, interview_round_questions):
    """A 1 to 5 radio group per question, its guidance as the hint, and a comment box."""
    first, second = interview_round_questions
    page = panellist_client.page(score_url(interview_assignment))
    assert page.status == 200 and page.h1 == "Interview scores for YLF-2026-0021"
    legend = page.soup.select_one("#question-1 legend").get_text(strip=True)
    assert legend == f"Question 1: {first.text}"
    assert "Do they know who they serve?" in page.soup.select_one(f"#score_{first.id}-hint").get_text()
    labels = [label.get_text(strip=True) for label in page.soup.select("#question-1 .govuk-radios__label")]
    assert labels == ["1 – Poor", "2 – Weak", "3 – Adequate", "4 – Good", "5 – Excellent"]
    assert page.soup.select_one(f"textarea[name=comment_{second.id}]") is not None
    assert "Mare Street Youth Club" in page.soup.select_one("#slot").get_text()


def test_saving_keeps_a_partial_draft_and_shows_it_again(session, panellist_client, interview_assignment,
                                                         interview_round_questions):
    """Gaps are fine when saving: scores are stored with no value where none was chosen."""
    first, second = interview_round_questions
    url = score_url(interview_assignment)
    page = panellist_client.submit(url, {**answers(interview_round_questions, (3, "Fair"), (None, "")),
                                         "save": "Save and come back later"}, follow=True)
    assert "saved" in page.text()
    scores = {s.question_id: (s.value, s.comment) for s in session.scalars(select(InterviewScore))}
    assert scores == {first.id: (3, "Fair"), second.id: (None, "")}
    assert page.soup.select_one(f"input[name=score_{first.id}][value='3']").has_attr("checked")
    assert page.value_of(f"comment_{first.id}") == "Fair"
    assert interview_assignment.interview_scores_submitted_at is None


def test_sending_needs_every_answer_scored_with_a_comment(session, panellist_client, interview_assignment,
                                                         interview_round_questions):
    """Specific messages per question; what was typed comes back; nothing is sent."""
    first, second = interview_round_questions
    page = panellist_client.submit(score_url(interview_assignment), {
        **answers(interview_round_questions, (5, ""), (None, "Vague plan")), "send": "Send your interview scores"})
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.error_summary() == [
        "Write a comment on the answer to question 1: say why you gave that score",
        "Choose a score for the answer to question 2",
    ]
    assert page.field_error(f"comment_{first.id}") == (
        "Write a comment on the answer to question 1: say why you gave that score")
    assert page.soup.select_one(f"input[name=score_{first.id}][value='5']").has_attr("checked")
    assert page.value_of(f"comment_{second.id}") == "Vague plan"
    session.refresh(interview_assignment)
    assert interview_assignment.interview_scores_submitted_at is None


def test_sending_locks_the_scores(session, panellist_client, panellist, interview_assignment,
                                  interview_round_questions):
    """Sent: stored, audited, locked; the page shows them with the panellist's mean; a later post is refused."""
    first, second = interview_round_questions
    url = score_url(interview_assignment)
    page = panellist_client.submit(url, {**answers(interview_round_questions, (4, "Knew their group"),
                                                   (3, "Some ideas")), "send": "Send your interview scores"},
                                   follow=True)
    assert "Your interview scores are sent" in page.text()
    session.refresh(interview_assignment)
    assert interview_assignment.interview_scores_submitted_at is not None
    scores = {s.question_id: (s.value, s.comment) for s in session.scalars(select(InterviewScore))}
    assert scores == {first.id: (4, "Knew their group"), second.id: (3, "Some ideas")}
    (event,) = audit_events(session, "panel.interview_scores_sent")
    assert event.actor_id == panellist.id and event.after["scores"] == {str(first.id): 4, str(second.id): 3}
    assert "Scores sent" in page.soup.select_one("tbody").get_text()

    page = panellist_client.page(url)
    assert "You sent your interview scores" in page.soup.select_one("#sent").get_text()
    assert "3.5 out of 5" in page.soup.select_one("#mean").get_text()
    assert page.soup.select_one("form input[type=radio]") is None

    page = panellist_client.submit(url, {**answers(interview_round_questions, (1, "Changed my mind"), (1, "Also")),
                                         "send": "Send your interview scores"})
    assert page.status == 200 and page.title.startswith("Error: ")
    assert "already sent your interview scores" in page.error_summary()[0]
    assert page.value_of(f"comment_{first.id}") == "Changed my mind"
    assert session.scalar(select(InterviewScore).where(InterviewScore.question_id == first.id)).value == 4


def test_scores_cannot_be_saved_once_the_round_leaves_assessment(
        session, panellist_client, assessment_round, interview_assignment, interview_round_questions):
    """A refused post shows the reason with the text typed, so nothing is lost."""
    assessment_round.status = RoundStatus.DECIDED
    session.flush()
    url = score_url(interview_assignment)
    assert "scoring for this round has closed" in panellist_client.page(url).soup.select_one("#closed").get_text()
    first, _ = interview_round_questions
    page = panellist_client.submit(url, answers(interview_round_questions, (2, "Typed with care"), (None, "")),
                                   token_from="/panel/interviews")
    assert page.status == 200 and "only while the round is being assessed" in page.error_summary()[0]
    assert page.value_of(f"comment_{first.id}") == "Typed with care"
    assert session.scalar(select(InterviewScore)) is None


def test_a_panellist_not_assigned_cannot_score(session, app, interview_assignment):
    """Another panellist gets the 403 page, for the page and for a post."""
    from tests.conftest import _signed_in

    stranger = make_panellist(session, email="ola@example.org", name="Ola")
    client = _signed_in(app, stranger)
    url = score_url(interview_assignment)
    page = client.page(url)
    assert page.status == 403 and page.h1 == "You cannot see this page"
    assert client.submit(url, {}, token_from="/panel/interviews").status == 403


def test_a_recused_panellist_cannot_score(session, panellist_client, interview_assignment):
    """A panellist taken off the application for a conflict is refused."""
    interview_assignment.recused_at = utcnow()
    session.flush()
    assert panellist_client.page(score_url(interview_assignment)).status == 403


def test_a_panellist_who_has_not_declared_no_conflict_cannot_score(
        session, panellist_client, panellist, panel_application, interview_slot):
    """Assigned, but no declaration yet: refused."""
    assignment = assign(session, application=panel_application, panellist=panellist)
    page = panellist_client.page(score_url(assignment))
    assert page.status == 403


def test_an_application_without_an_interview_has_no_scoring_page(panellist_client, declared_assignment):
    """Not shortlisted, no slot: nothing to score."""
    assert panellist_client.page(score_url(declared_assignment)).status == 404


def test_the_commissioners_pages_never_reach_applicants(applicant_client, assessment_round, panel_application):
    """Applicants are refused the interview pages (and so never see who is on the panel)."""
    for url in (round_url(assessment_round), shortlist_url(panel_application), schedule_url(panel_application)):
        assert applicant_client.page(url).status == 403
    assert applicant_client.page("/panel/interviews").status == 403


def test_the_slot_moves_with_british_summer_time(session, commissioner_client, shortlisted):
    """9am in winter is 9:00 UTC; 9am in summer is 8:00 UTC."""
    year = utcnow().year + 1
    commissioner_client.submit(schedule_url(shortlisted), slot_form(20, 12, year, "9am"))
    assert session.scalar(select(InterviewSlot)).starts_at == datetime(year, 12, 20, 9, tzinfo=UTC)
    commissioner_client.submit(schedule_url(shortlisted), slot_form(20, 6, year, "9am"))
    session.expire_all()
    assert session.scalar(select(InterviewSlot)).starts_at == datetime(year, 6, 20, 8, tzinfo=UTC)
    assert timedelta(0) < session.scalar(select(InterviewSlot)).starts_at - utcnow()


# Review of issue 5: anonymised titles, tampered scores, audited drafts ---------------------------------


def test_an_anonymised_round_hides_the_group_in_the_project_title(session, panellist_client, assessment_round,
                                                                   interview_assignment, panel_application):
    """The interview pages use the same hidden title as the scoring page; named rounds keep the real one."""
    title = "Hackney Youth Voices summer programme"
    panel_application.project_title = title
    panel_application.submitted_snapshot = {**(panel_application.submitted_snapshot or {}), "project_title": title}
    assessment_round.anonymised_scoring = True
    session.flush()
    for url in ("/panel/interviews", score_url(interview_assignment)):
        page = panellist_client.page(url)
        assert page.status == 200
        assert "Hackney Youth Voices" not in page.text()
        assert "[name hidden] summer programme" in page.text()
    assessment_round.anonymised_scoring = False
    session.flush()
    assert title in panellist_client.page(score_url(interview_assignment)).text()


@pytest.mark.parametrize("typed", ["²", "٣", "abc", "0", "9", "-1", "1.0"])
def test_a_tampered_interview_score_is_refused_with_a_message(session, panellist_client, interview_assignment,
                                                              interview_round_questions, typed):
    """Anything but 1 to 5 gets the message beside the question, keeps the comment and saves nothing."""
    first, _second = interview_round_questions
    page = panellist_client.submit(score_url(interview_assignment), {
        f"score_{first.id}": typed, f"comment_{first.id}": "Kept comment", "save": "Save and come back later"})
    assert page.status == 200
    assert page.field_error(f"score_{first.id}") == "Score question 1 from 1 to 5"
    assert page.value_of(f"comment_{first.id}") == "Kept comment"
    assert session.scalars(select(InterviewScore)).all() == []


def test_saving_an_interview_draft_is_in_the_audit_trail(session, panellist_client, interview_assignment,
                                                         interview_round_questions):
    """Drafts are audited like written scores, not only the final send."""
    panellist_client.submit(score_url(interview_assignment), {
        **answers(interview_round_questions, (3, "Fair"), (None, "")), "save": "Save and come back later"})
    (event,) = audit_events(session, "panel.interview_scores_saved")
    assert event.after["application"] == interview_assignment.application.reference
