"""The rules for clarification questions: deadline, word limit, merging, publication order, e-mail once."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.clarifications import services
from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.formatting import date_time
from portal.models import AuditEvent, ClarificationQuestion, OutboxMessage, RoundStatus, utcnow
from portal.prospectus.services import public_round
from tests.conftest import make_round
from tests.fixtures.clarifications import make_question

SETTINGS = services.Settings(public_url="http://portal.test/", portal_name="Safer Futures Grants")


def outbox(session) -> list[OutboxMessage]:
    """Every e-mail queued so far, oldest first."""
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def actions(session) -> list[str]:
    """The audit trail's actions, oldest first."""
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# The word limit -----------------------------------------------------------------------------------


def test_words_are_counted_between_spaces_and_line_breaks():
    """Spaces, tabs and new lines all separate words; extra spaces are not words."""
    assert services.count_words("  Can we\napply   twice?\t ") == 4
    assert services.count_words("") == 0
    assert services.count_words(None) == 0


def test_a_question_of_300_words_is_within_the_limit():
    """Exactly the limit is fine."""
    assert services.word_limit_problem("word " * 300) is None


@pytest.mark.parametrize(("words", "message"), [
    (301, "Your question must be 300 words or fewer. Remove 1 word"),
    (312, "Your question must be 300 words or fewer. Remove 12 words"),
])
def test_a_question_over_the_limit_says_how_many_words_to_cut(words, message):
    """The message tells the asker exactly how much to shorten it."""
    assert services.word_limit_problem("word " * words) == message


# The deadline -------------------------------------------------------------------------------------


def test_questions_close_at_the_question_deadline(session, open_round):
    """Before the deadline questions are taken; at it and after, they are not."""
    deadline = open_round.question_deadline
    assert services.question_deadline(open_round) == deadline
    assert services.questions_open(open_round, now=deadline - timedelta(seconds=1))
    assert not services.questions_open(open_round, now=deadline)
    assert not services.questions_open(open_round, now=deadline + timedelta(days=1))


def test_without_a_question_deadline_questions_close_with_the_round(session):
    """A round with no question deadline takes questions until it closes."""
    round_ = make_round(session, slug="no-deadline", question_deadline=None)
    assert services.question_deadline(round_) == round_.closes_at
    assert services.questions_open(round_, now=round_.closes_at - timedelta(minutes=1))
    assert not services.questions_open(round_, now=round_.closes_at)


def test_questions_are_taken_once_published_and_before_applications_open(session, upcoming_round):
    """Market-warming: people ask while the prospectus is out, before the round opens."""
    assert services.questions_open(upcoming_round)


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.CLOSED, RoundStatus.ASSESSMENT,
                                    RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED])
def test_drafts_and_closed_rounds_take_no_questions(session, status):
    """Whatever the deadline says, a draft or a closed round takes no questions."""
    round_ = make_round(session, slug=f"round-{status.value}", status=status)
    assert not services.questions_open(round_)


def test_asking_after_the_deadline_is_refused_with_the_date_and_contact(session, open_round):
    """The message gives the deadline in London time and who to contact instead."""
    with pytest.raises(ValidationError) as refused:
        services.ask_question(session, round_=open_round, name="Priya Shah", email="priya@example.org",
                              question="Can we apply twice?", now=open_round.question_deadline)
    assert refused.value.field == "question"
    assert refused.value.message.startswith(
        f"Questions about this round closed on {date_time(open_round.question_deadline)}. Copy your question")
    assert session.scalar(select(ClarificationQuestion)) is None


def test_a_draft_round_cannot_be_asked_about(session, draft_round):
    """Drafts do not exist for the public."""
    with pytest.raises(NotFound):
        services.ask_question(session, round_=draft_round, name="Priya Shah", email="priya@example.org",
                              question="Can we apply twice?")
    with pytest.raises(NotFound):
        public_round(session, slug=draft_round.slug)


# Asking -------------------------------------------------------------------------------------------


def test_a_question_is_stored_with_the_askers_details_and_audited(session, open_round):
    """Anyone can ask; the trail records the question with no actor (no account was used)."""
    asked = services.ask_question(session, round_=open_round, name=" Priya Shah ", email=" Priya@Example.ORG",
                                  question="  Can we apply twice?  ")
    assert (asked.asker_name, asked.asker_email, asked.question) == ("Priya Shah", "priya@example.org",
                                                                     "Can we apply twice?")
    assert asked.answered_at is None and asked.merged_into_id is None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "clarification.asked"))
    assert event.actor_id is None and event.entity_id == asked.id
    assert outbox(session) == [], "Nothing is e-mailed until the question is answered"


def test_a_question_over_the_word_limit_is_refused(session, open_round):
    """The service applies the limit too, whatever the form did."""
    with pytest.raises(ValidationError) as refused:
        services.ask_question(session, round_=open_round, name="Priya Shah", email="priya@example.org",
                              question="word " * 305)
    assert (refused.value.field, refused.value.message) == (
        "question", "Your question must be 300 words or fewer. Remove 5 words")


@pytest.mark.parametrize(("name", "email", "question", "field"), [
    ("  ", "priya@example.org", "Why?", "name"),
    ("Priya Shah", " ", "Why?", "email"),
    ("Priya Shah", "priya@example.org", "   ", "question"),
])
def test_every_detail_is_needed(session, open_round, name, email, question, field):
    """Blank name, e-mail or question is refused beside that field."""
    with pytest.raises(ValidationError) as refused:
        services.ask_question(session, round_=open_round, name=name, email=email, question=question)
    assert refused.value.field == field


# Answering and publishing -----------------------------------------------------------------------------


def test_publishing_an_answer_records_who_and_when_and_emails_the_asker(session, clarification_question, commissioner):
    """The first publication sets answered_at and answered_by, and e-mails the asker."""
    services.publish_answer(session, question=clarification_question, by=commissioner, settings=SETTINGS,
                            published_question="Can a grant pay a youth worker's salary?",
                            answer="Yes, for the hours spent on the project.")
    assert clarification_question.answered_at is not None
    assert clarification_question.answered_by_id == commissioner.id
    assert clarification_question.asker_notified_at is not None
    (email,) = outbox(session)
    assert email.to_address == "priya@example.org"
    assert email.subject == "Your question about Staying in school has been answered"
    assert "http://portal.test/rounds/staying-in-school" in email.body
    assert "> Can we use the grant to pay a youth worker's salary?" in email.body
    assert "Priya" not in email.body, "The e-mail carries no personal data beyond the asker's own question"
    assert {"clarification.answered", "clarification.asker_notified"} <= set(actions(session))


def test_the_asker_is_emailed_only_once_even_when_the_answer_changes(session, clarification_question, commissioner):
    """Changing a published answer keeps its first publication date and sends nothing more."""
    services.publish_answer(session, question=clarification_question, by=commissioner, settings=SETTINGS,
                            published_question="Can a grant pay salaries?", answer="Yes.")
    first = clarification_question.answered_at
    services.publish_answer(session, question=clarification_question, by=commissioner, settings=SETTINGS,
                            published_question="Can a grant pay salaries?",
                            answer="Yes, for the hours spent on the project.", now=first + timedelta(days=2))
    assert clarification_question.answered_at == first
    assert clarification_question.answer == "Yes, for the hours spent on the project."
    assert len(outbox(session)) == 1
    assert services.notify_asker(session, question=clarification_question, settings=SETTINGS) is False
    assert len(outbox(session)) == 1
    change = session.scalar(select(AuditEvent).where(AuditEvent.action == services.ANSWER_CHANGED))
    assert change.before == {"answer": "Yes."}
    assert change.after == {"answer": "Yes, for the hours spent on the project."}
    assert change.actor_id == commissioner.id


def test_saving_an_answer_unchanged_records_no_change(session, answered_question, commissioner):
    """Only real changes go into the trail (and so show as updated on the prospectus)."""
    services.publish_answer(session, question=answered_question, by=commissioner, settings=SETTINGS,
                            published_question=answered_question.published_question,
                            answer=answered_question.answer)
    assert services.ANSWER_CHANGED not in actions(session)


def test_published_text_must_not_name_the_asker(session, answered_question, commissioner):
    """The asker's full name or e-mail address in the published wording or answer is refused."""
    for published_question, answer, field in [
        ("I'm Sam Okoro. Do we need a bank account?", "Yes.", "published_question"),
        ("Do we need a bank account?", "Yes, SAM  OKORO, you do.", "answer"),
        ("Do we need a bank account? Write to sam@example.org", "Yes.", "published_question"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.publish_answer(session, question=answered_question, by=commissioner, settings=SETTINGS,
                                    published_question=published_question, answer=answer)
        assert refused.value.field == field
        assert "Remove it" in refused.value.message


def test_a_one_word_name_is_not_mistaken_for_an_ordinary_word(session, open_round, commissioner):
    """Somebody who signs as "Grant" does not stop answers mentioning a grant."""
    question = make_question(session, round_=open_round, name="Grant", email="g@example.org")
    services.publish_answer(session, question=question, by=commissioner, settings=SETTINGS,
                            published_question="Can a grant pay salaries?", answer="Yes, a grant can.")
    assert question.answered_at is not None


def test_only_commissioners_answer(session, clarification_question, applicant, panellist):
    """Applicants and panellists are refused by the service itself."""
    for person in (applicant, panellist):
        with pytest.raises(PermissionDenied):
            services.publish_answer(session, question=clarification_question, by=person, settings=SETTINGS,
                                    published_question="Q", answer="A")
        with pytest.raises(PermissionDenied):
            services.round_questions(session, round_=clarification_question.round, by=person)
    assert clarification_question.answered_at is None


def test_an_answer_needs_wording_and_an_answer(session, clarification_question, commissioner):
    """Blank published wording or answer is refused beside the field."""
    for published_question, answer, field in [(" ", "Yes.", "published_question"), ("Can we?", "  ", "answer")]:
        with pytest.raises(ValidationError) as refused:
            services.publish_answer(session, question=clarification_question, by=commissioner, settings=SETTINGS,
                                    published_question=published_question, answer=answer)
        assert refused.value.field == field


# Merging ----------------------------------------------------------------------------------------


def test_a_question_cannot_be_merged_into_itself(session, clarification_question, commissioner):
    """Merging into itself would hide it for ever."""
    with pytest.raises(ValidationError) as refused:
        services.merge_question(session, question=clarification_question, into_id=clarification_question.id,
                                by=commissioner, settings=SETTINGS)
    assert "cannot be merged into itself" in refused.value.message


def test_a_question_cannot_be_merged_into_a_merged_question(
        session, open_round, clarification_question, duplicate_question, commissioner):
    """Merged questions are never targets: their asker would never see an answer."""
    services.merge_question(session, question=duplicate_question, into_id=clarification_question.id,
                            by=commissioner, settings=SETTINGS)
    third = make_question(session, round_=open_round, question="Salaries?", name="Ada Lee", email="ada@example.org")
    with pytest.raises(ValidationError) as refused:
        services.merge_question(session, question=third, into_id=duplicate_question.id, by=commissioner,
                                settings=SETTINGS)
    assert "has itself been merged" in refused.value.message
    assert duplicate_question not in services.merge_targets(session, question=third, by=commissioner)
    assert clarification_question in services.merge_targets(session, question=third, by=commissioner)
    assert third.merged_into_id is None


def test_a_question_cannot_be_merged_into_another_rounds_question(
        session, clarification_question, upcoming_round, commissioner):
    """Duplicates are of the same round only."""
    elsewhere = make_question(session, round_=upcoming_round, email="ola@example.org")
    with pytest.raises(ValidationError) as refused:
        services.merge_question(session, question=clarification_question, into_id=elsewhere.id,
                                by=commissioner, settings=SETTINGS)
    assert refused.value.message == "Select a question from this round"


def test_merged_and_answered_questions_cannot_be_merged_again(
        session, clarification_question, duplicate_question, answered_question, commissioner):
    """A published answer is never taken away, and a merge is not repeated."""
    with pytest.raises(StateTransitionError) as refused:
        services.merge_question(session, question=answered_question, into_id=clarification_question.id,
                                by=commissioner, settings=SETTINGS)
    assert "already published" in refused.value.message
    services.merge_question(session, question=duplicate_question, into_id=clarification_question.id,
                            by=commissioner, settings=SETTINGS)
    with pytest.raises(StateTransitionError) as refused:
        services.merge_question(session, question=duplicate_question, into_id=answered_question.id,
                                by=commissioner, settings=SETTINGS)
    assert "already been merged" in refused.value.message


def test_a_merged_question_cannot_be_answered_on_its_own(
        session, clarification_question, duplicate_question, commissioner):
    """It is answered by the question it was merged into."""
    services.merge_question(session, question=duplicate_question, into_id=clarification_question.id,
                            by=commissioner, settings=SETTINGS)
    with pytest.raises(StateTransitionError):
        services.publish_answer(session, question=duplicate_question, by=commissioner, settings=SETTINGS,
                                published_question="Salaries?", answer="Yes.")


def test_a_duplicates_asker_is_emailed_when_the_target_is_answered(
        session, clarification_question, duplicate_question, commissioner):
    """Merging into an unanswered question e-mails nobody; answering it e-mails both askers once."""
    services.merge_question(session, question=duplicate_question, into_id=clarification_question.id,
                            by=commissioner, settings=SETTINGS)
    assert outbox(session) == []
    assert duplicate_question.asker_notified_at is None
    services.publish_answer(session, question=clarification_question, by=commissioner, settings=SETTINGS,
                            published_question="Can a grant pay salaries?", answer="Yes.")
    emails = outbox(session)
    assert sorted(e.to_address for e in emails) == ["priya@example.org", "tom@example.org"]
    tom = next(e for e in emails if e.to_address == "tom@example.org")
    assert "> Are staff salaries an eligible cost?" in tom.body
    assert "we answered them together" in tom.body
    assert "Priya" not in tom.body and "priya@example.org" not in tom.body
    assert duplicate_question.asker_notified_at is not None


def test_a_duplicate_of_an_answered_question_is_emailed_straight_away(
        session, answered_question, duplicate_question, commissioner):
    """The answer is already public, so the asker hears at once; the first asker is not e-mailed again."""
    services.merge_question(session, question=duplicate_question, into_id=answered_question.id,
                            by=commissioner, settings=SETTINGS)
    (email,) = outbox(session)
    assert email.to_address == "tom@example.org"
    assert duplicate_question.asker_notified_at is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "clarification.merged"))
    assert (event.before, event.after) == ({"merged_into_id": None}, {"merged_into_id": answered_question.id})


def test_merging_a_question_that_has_duplicates_moves_them_too(
        session, open_round, clarification_question, duplicate_question, commissioner):
    """No question is left pointing at a merged question."""
    services.merge_question(session, question=duplicate_question, into_id=clarification_question.id,
                            by=commissioner, settings=SETTINGS)
    third = make_question(session, round_=open_round, question="Salaries?", name="Ada Lee",
                          email="ada@example.org", asked_days_ago=0.5)
    services.merge_question(session, question=clarification_question, into_id=third.id, by=commissioner,
                            settings=SETTINGS)
    assert clarification_question.merged_into_id == third.id
    assert duplicate_question.merged_into_id == third.id
    services.publish_answer(session, question=third, by=commissioner, settings=SETTINGS,
                            published_question="Can a grant pay salaries?", answer="Yes.")
    assert sorted(e.to_address for e in outbox(session)) == ["ada@example.org", "priya@example.org",
                                                             "tom@example.org"]


def test_only_commissioners_merge(session, clarification_question, duplicate_question, applicant):
    """Applicants are refused by the service."""
    with pytest.raises(PermissionDenied):
        services.merge_question(session, question=duplicate_question, into_id=clarification_question.id,
                                by=applicant, settings=SETTINGS)


# Publication and ordering ---------------------------------------------------------------------------


def test_published_answers_come_in_the_order_they_were_answered(session, open_round, commissioner):
    """Not the order asked; unanswered and merged questions are left out; wording falls back to the question."""
    now = utcnow()
    first_asked = make_question(session, round_=open_round, question="Asked first, answered second",
                                asked_days_ago=5, answer="Second answer", answered_at=now - timedelta(hours=1))
    second_asked = make_question(session, round_=open_round, question="Asked second, answered first",
                                 published_question="Reworded", asked_days_ago=4, answer="First answer",
                                 answered_at=now - timedelta(hours=2))
    make_question(session, round_=open_round, question="Not answered yet", asked_days_ago=3)
    make_question(session, round_=open_round, question="A duplicate", asked_days_ago=2,
                  merged_into_id=first_asked.id)
    answers = services.published_answers(session, round_=open_round)
    assert [(a.question, a.answer) for a in answers] == [("Reworded", "First answer"),
                                                        ("Asked first, answered second", "Second answer")]
    assert answers[0].answered_at == second_asked.answered_at
    assert answers[0].updated_at is None


def test_published_answers_never_carry_the_askers_details(session, answered_question):
    """Nothing about the asker is in what the prospectus receives."""
    (published,) = services.published_answers(session, round_=answered_question.round)
    assert {f.name for f in fields(published)} == {"id", "question", "answer", "answered_at", "updated_at"}
    assert "Sam Okoro" not in published.question


def test_a_changed_answer_shows_when_it_was_updated(session, answered_question, commissioner):
    """The first publication date stays; the date of the change comes from the audit trail."""
    services.publish_answer(session, question=answered_question, by=commissioner, settings=SETTINGS,
                            published_question=answered_question.published_question, answer="Yes, always.")
    (published,) = services.published_answers(session, round_=answered_question.round)
    assert published.answered_at == answered_question.answered_at
    assert published.updated_at is not None and published.updated_at > published.answered_at


def test_commissioners_see_waiting_then_answered_then_merged(session, open_round, commissioner):
    """Waiting questions oldest first, answered in publication order, merged last; numbered as asked."""
    now = utcnow()
    answered_late = make_question(session, round_=open_round, question="A", asked_days_ago=6, answer="x",
                                  answered_at=now - timedelta(hours=1))
    answered_early = make_question(session, round_=open_round, question="B", asked_days_ago=5, answer="y",
                                   answered_at=now - timedelta(hours=3))
    waiting_old = make_question(session, round_=open_round, question="C", asked_days_ago=4)
    merged = make_question(session, round_=open_round, question="D", asked_days_ago=3,
                           merged_into_id=waiting_old.id)
    waiting_new = make_question(session, round_=open_round, question="E", asked_days_ago=2)
    overview = services.round_questions(session, round_=open_round, by=commissioner)
    assert overview.waiting == [waiting_old, waiting_new]
    assert overview.answered == [answered_early, answered_late]
    assert overview.merged == [merged]
    assert overview.numbers == {answered_late.id: 1, answered_early.id: 2, waiting_old.id: 3, merged.id: 4,
                                waiting_new.id: 5}
    assert services.question_numbers(session, round_id=open_round.id) == overview.numbers


def test_a_question_is_found_only_through_its_own_round(
        session, clarification_question, upcoming_round, commissioner):
    """Another round's number in the address finds nothing."""
    assert services.question_for_commissioner(session, round_id=clarification_question.round_id,
                                              question_id=clarification_question.id, by=commissioner)
    with pytest.raises(NotFound):
        services.question_for_commissioner(session, round_id=upcoming_round.id,
                                           question_id=clarification_question.id, by=commissioner)
