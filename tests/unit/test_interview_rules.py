"""Interview rules: checking scores and slots, who may change what, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from portal.commissioning.submission_services import Settings
from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.models import ApplicationStatus, AuditEvent, InterviewScore, RoundInterviewQuestion, RoundStatus, utcnow
from portal.panel import interview_services as services
from portal.panel.interview_services import AnswerScore, SlotDetails, check_answers, check_slot
from tests.fixtures.interviews import make_bank_question

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
SETTINGS = Settings(public_url="http://portal.test", portal_name="Youth Grants")


def questions(*ids: int) -> list[RoundInterviewQuestion]:
    """A round's questions (not stored), in order."""
    return [RoundInterviewQuestion(question_id=q, position=n) for n, q in enumerate(ids, start=1)]


# Checking what a panellist entered -----------------------------------------------------------------


def test_a_draft_may_have_gaps():
    """Saving needs nothing filled in."""
    assert check_answers(questions(7, 8), {7: AnswerScore(value=None, comment="")}, complete=False) == {}


def test_sending_names_every_gap_by_field_in_question_order():
    """Each missing score and comment is its own message, numbered as the panellist sees the questions."""
    problems = check_answers(questions(7, 8), {7: AnswerScore(value=4, comment=" "),
                                               8: AnswerScore(value=None, comment="Fine")}, complete=True)
    assert problems == {
        "comment_7": "Write a comment on the answer to question 1: say why you gave that score",
        "score_8": "Choose a score for the answer to question 2",
    }


@pytest.mark.parametrize("value", [0, 6, -1])
def test_a_score_outside_1_to_5_is_refused_even_in_a_draft(value):
    """Only 1 to 5 are scores."""
    problems = check_answers(questions(7), {7: AnswerScore(value=value, comment="")}, complete=False)
    assert problems == {"score_7": "Score question 1 from 1 to 5"}


def test_a_comment_over_the_limit_is_refused():
    """2,000 characters at most."""
    problems = check_answers(questions(7), {7: AnswerScore(value=3, comment="x" * 2001)}, complete=False)
    assert problems == {"comment_7": "Your comment on question 1 must be 2,000 characters or fewer"}


def test_complete_answers_pass():
    """Every answer scored with a comment: no problems."""
    answers = {7: AnswerScore(value=1, comment="Poor"), 8: AnswerScore(value=5, comment="Great")}
    assert check_answers(questions(7, 8), answers, complete=True) == {}


# Checking a slot -----------------------------------------------------------------------------------


def slot(**changes) -> SlotDetails:
    """A valid slot tomorrow, with some details changed."""
    values = dict(starts_at=NOW + timedelta(days=1), duration_minutes=30, place="  The hall  ")
    values.update(changes)
    return SlotDetails(**values)


def test_a_good_slot_is_tidied():
    """Spaces round the place go."""
    assert check_slot(slot(), now=NOW).place == "The hall"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"starts_at": None}, "starts_at", "Enter the date and time the interview starts"),
    ({"starts_at": NOW}, "starts_at", "The interview must start in the future. Enter a date and time after now"),
    ({"starts_at": NOW - timedelta(minutes=1)}, "starts_at",
     "The interview must start in the future. Enter a date and time after now"),
    ({"duration_minutes": 14}, "duration_minutes", "The interview must last between 15 and 180 minutes"),
    ({"duration_minutes": 181}, "duration_minutes", "The interview must last between 15 and 180 minutes"),
    ({"duration_minutes": None}, "duration_minutes", "Enter how long the interview lasts, in minutes"),
    ({"place": " "}, "place", "Enter where the interview will be, or say it is online"),
    ({"place": "x" * 301}, "place", "The place must be 300 characters or fewer"),
])
def test_a_bad_slot_is_refused_beside_the_field(changes, field, message):
    """Each problem names its field."""
    with pytest.raises(ValidationError) as raised:
        check_slot(slot(**changes), now=NOW)
    assert (raised.value.field, raised.value.message) == (field, message)


@pytest.mark.parametrize("minutes", [15, 180])
def test_the_limits_of_the_length_are_allowed(minutes):
    """15 and 180 minutes are both fine."""
    assert check_slot(slot(duration_minutes=minutes), now=NOW).duration_minutes == minutes


# Services: who and when ---------------------------------------------------------------------------


def test_only_commissioners_manage_the_bank_and_shortlist(session, panellist, applicant, panel_application):
    """Panellists and applicants are refused by the service itself, not only by the page."""
    for person in (panellist, applicant):
        with pytest.raises(PermissionDenied):
            services.add_bank_question(session, text="Why?", guidance="", by=person)
        with pytest.raises(PermissionDenied):
            services.shortlist(session, application=panel_application, by=person)


def test_only_panellists_have_interviews(session, commissioner):
    """A commissioner asking for a panellist's list is refused."""
    with pytest.raises(PermissionDenied):
        services.my_interviews(session, by=commissioner)


def test_a_retired_question_cannot_be_added_to_a_round(session, commissioner, assessment_round):
    """Retired questions are not offered, and a crafted post is refused too."""
    retired = make_bank_question(session, text="Old", by=commissioner, retired=True)
    with pytest.raises(ValidationError, match="Choose a question from the list"):
        services.add_round_question(session, round_=assessment_round, interview_question_id=retired.id,
                                    by=commissioner)


def test_a_question_is_not_added_twice(session, commissioner, assessment_round, interview_round_questions):
    """The round already asks it."""
    with pytest.raises(ValidationError, match="already asks"):
        services.add_round_question(session, round_=assessment_round,
                                    interview_question_id=interview_round_questions[0].id, by=commissioner)


def test_removing_a_question_the_round_does_not_ask_is_not_found(session, commissioner, assessment_round,
                                                                interview_question):
    """Nothing to remove."""
    with pytest.raises(NotFound):
        services.remove_round_question(session, round_=assessment_round,
                                       interview_question_id=interview_question.id, by=commissioner)


def test_questions_are_frozen_once_the_round_is_decided(session, commissioner, assessment_round,
                                                       interview_round_questions, interview_question):
    """A decided round's interviews are history."""
    assessment_round.status = RoundStatus.DECIDED
    with pytest.raises(StateTransitionError, match="decided"):
        services.add_round_question(session, round_=assessment_round, interview_question_id=interview_question.id,
                                    by=commissioner)


def test_shortlisting_only_from_under_assessment(session, commissioner, panel_application):
    """Shortlisting twice is refused: it is already shortlisted."""
    services.shortlist(session, application=panel_application, by=commissioner)
    assert panel_application.status == ApplicationStatus.SHORTLISTED
    with pytest.raises(StateTransitionError, match="Only applications being assessed"):
        services.shortlist(session, application=panel_application, by=commissioner)


def test_booking_needs_a_shortlisted_application(session, commissioner, panel_application):
    """An application under assessment cannot be booked."""
    with pytest.raises(StateTransitionError, match="Shortlist this application"):
        services.schedule_interview(session, application=panel_application, details=slot(starts_at=utcnow()
                                    + timedelta(days=2)), by=commissioner, settings=SETTINGS)


def test_scores_are_stored_only_for_the_rounds_questions_and_sending_locks_them(
        session, panellist, interview_assignment, interview_round_questions):
    """Saving twice updates the same rows; after sending, saving is refused."""
    first, second = interview_round_questions
    sheet = services.interview_for_panellist(session, interview_assignment_id=interview_assignment.id, by=panellist)
    services.save_interview_scores(session, sheet=sheet, answers={first.id: AnswerScore(value=2, comment="Hmm")},
                                   send=False, by=panellist)
    services.save_interview_scores(session, sheet=sheet, answers={
        first.id: AnswerScore(value=3, comment="Better"), second.id: AnswerScore(value=5, comment="Great"),
        999: AnswerScore(value=1, comment="Not a question on this round")}, send=True, by=panellist)
    rows = session.scalars(select(InterviewScore).order_by(InterviewScore.question_id)).all()
    assert [(r.question_id, r.value, r.comment) for r in rows] == [(first.id, 3, "Better"), (second.id, 5, "Great")]
    assert interview_assignment.interview_scores_submitted_at is not None
    assert sheet.mean == 4.0
    with pytest.raises(StateTransitionError, match="already sent"):
        services.save_interview_scores(session, sheet=sheet, answers={}, send=False, by=panellist)


def test_a_sent_interview_counts_as_sent_for_the_round(session, panellist, assessment_round, interview_assignment):
    """The flag that freezes the round's questions."""
    assert not services.interview_scores_sent(session, assessment_round)
    interview_assignment.interview_scores_submitted_at = utcnow()
    session.flush()
    assert services.interview_scores_sent(session, assessment_round)


def test_first_interview_saves_at_the_same_moment_get_a_clear_message(session, panellist, interview_assignment,
                                                                      interview_round_questions):
    """Another window stored the first answer between loading and saving: a message, not a server error."""
    first, _second = interview_round_questions
    sheet = services.interview_for_panellist(session, interview_assignment_id=interview_assignment.id, by=panellist)
    session.execute(insert(InterviewScore).values(application_id=interview_assignment.application_id,
                                                  panellist_id=panellist.id, question_id=first.id, value=2,
                                                  comment="From my phone", updated_at=utcnow()))
    with pytest.raises(StateTransitionError, match="another window"):
        services.save_interview_scores(session, sheet=sheet, answers={first.id: AnswerScore(value=4, comment="Laptop")},
                                       send=False, by=panellist)
    rows = session.scalars(select(InterviewScore)).all()
    assert [(r.value, r.comment) for r in rows] == [(2, "From my phone")]


def test_saving_an_interview_draft_is_audited(session, panellist, interview_assignment, interview_round_questions):
    """Like written scores, every save is in the audit trail, not only sending."""
    first, _second = interview_round_questions
    sheet = services.interview_for_panellist(session, interview_assignment_id=interview_assignment.id, by=panellist)
    services.save_interview_scores(session, sheet=sheet, answers={first.id: AnswerScore(value=4, comment="Good")},
                                   send=False, by=panellist)
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.interview_scores_saved")).all()
    assert event.after["scores"] == {str(first.id): 4, str(_second.id): None}
