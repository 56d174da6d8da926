"""Anyone asks a question about a round; commissioners answer it, merge duplicates and publish answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.formatting import date_time
from portal.models import AuditEvent, ClarificationQuestion, RoundStatus, utcnow
from tests.conftest import make_round
from tests.fixtures.clarifications import make_question

QUESTION = {"name": "Priya Shah", "email": "Priya@Example.org ",
            "question": "Can we use the grant to pay a youth worker's salary?"}


def ask_url(round_) -> str:
    """The public page for asking about a round."""
    return f"/rounds/{round_.slug}/ask-a-question"


def questions_url(round_) -> str:
    """The commissioners' list of a round's questions."""
    return f"/commissioning/rounds/{round_.id}/questions"


def answer_url(question) -> str:
    """The commissioners' page for answering (or changing the answer to) a question."""
    return f"/commissioning/rounds/{question.round_id}/questions/{question.id}/answer"


def merge_url(question) -> str:
    """The commissioners' page for merging a duplicate."""
    return f"/commissioning/rounds/{question.round_id}/questions/{question.id}/merge"


@pytest.fixture
def past_deadline_round(session):
    """An open round whose question deadline passed yesterday."""
    return make_round(session, slug="deadline-passed", title="Deadline passed",
                      question_deadline=utcnow() - timedelta(days=1))


# Asking -------------------------------------------------------------------------------------------


def test_anyone_asks_a_question_without_an_account(client, session, open_round):
    """The page gives the deadline; sending it stores the question and confirms what happens next."""
    page = client.page(ask_url(open_round))
    assert page.status == 200
    assert page.h1 == "Ask a question about Staying in school"
    assert f"You can ask questions until {date_time(open_round.question_deadline)}" in page.text()
    assert page.soup.select_one("#question").find_parent(attrs={"data-maxwords": "300"}), (
        "The question box counts words as people type"
    )
    assert page.soup.find("a", href="/rounds/staying-in-school#questions-and-answers")

    sent = client.submit(ask_url(open_round), QUESTION)
    assert sent.status == 302
    assert sent.response.location == "/rounds/staying-in-school/ask-a-question/question-sent"
    asked = session.scalar(select(ClarificationQuestion))
    assert (asked.round_id, asked.asker_name, asked.asker_email) == (open_round.id, "Priya Shah", "priya@example.org")
    assert asked.question == QUESTION["question"]

    confirmation = client.page(sent.response.location)
    assert confirmation.h1 == "Question sent"
    text = confirmation.text()
    assert "We will email you when your question has been answered" in text
    assert "for everyone to read, without your name or email address" in text
    assert "Priya" not in text and "priya@example.org" not in text


def test_a_signed_in_applicant_can_ask_too(applicant_client, session, open_round):
    """Being signed in changes nothing: they give a name and e-mail like anyone else."""
    assert applicant_client.submit(ask_url(open_round), QUESTION).status == 302
    assert session.scalar(select(ClarificationQuestion)) is not None


def test_questions_can_be_asked_before_the_round_opens(client, upcoming_round):
    """Market-warming: the prospectus is out, so questions are welcome."""
    assert client.submit(ask_url(upcoming_round), QUESTION).status == 302


def test_missing_details_are_listed_beside_each_field(client, session, open_round):
    """Each blank field gets its own message in the summary and beside it."""
    page = client.submit(ask_url(open_round), {"name": " ", "email": "", "question": ""})
    assert page.status == 200
    assert page.title.startswith("Error: Ask a question about Staying in school")
    assert page.error_summary() == ["Enter your name", "Enter your email address", "Enter your question"]
    assert page.field_error("name") == "Enter your name"
    assert page.field_error("email") == "Enter your email address"
    assert page.field_error("question") == "Enter your question"
    assert page.soup.select_one(".govuk-error-summary a[href='#question']")
    assert session.scalar(select(ClarificationQuestion)) is None


def test_a_badly_formed_email_address_is_explained_and_the_question_kept(client, open_round):
    """Nothing typed is lost."""
    page = client.submit(ask_url(open_round), {**QUESTION, "email": "priya at example"})
    assert page.field_error("email") == "Enter an email address in the correct format, like name@example.com"
    assert page.value_of("name") == "Priya Shah"
    assert page.value_of("email") == "priya at example"
    assert page.value_of("question") == QUESTION["question"]


def test_a_long_question_says_how_many_words_to_cut_and_keeps_the_text(client, session, open_round):
    """Over 300 words: the message says how many to remove; the text is given back to edit."""
    long_question = " ".join(f"word{n}" for n in range(312))
    page = client.submit(ask_url(open_round), {**QUESTION, "question": long_question})
    message = "Your question must be 300 words or fewer. Remove 12 words"
    assert page.field_error("question") == message
    assert message in page.error_summary()
    assert page.value_of("question") == long_question
    assert session.scalar(select(ClarificationQuestion)) is None


def test_after_the_deadline_the_page_points_to_the_answers_and_the_support_contact(client, past_deadline_round):
    """No form: the deadline, the published answers and who to contact instead."""
    page = client.page(ask_url(past_deadline_round))
    assert page.status == 200
    assert page.h1 == "Questions about Deadline passed have closed"
    assert f"was {date_time(past_deadline_round.question_deadline)}" in page.text()
    assert page.soup.find("a", href="/rounds/deadline-passed#questions-and-answers")
    assert "grants@example.org" in page.text()
    assert page.soup.find("textarea") is None


def test_a_question_sent_after_the_deadline_is_refused_and_kept(client, session, past_deadline_round):
    """Somebody whose page was open past the deadline is told why, and can copy their question."""
    page = client.submit(ask_url(past_deadline_round), QUESTION, token_from="/forgot-password")
    assert page.status == 200
    assert page.field_error("question").startswith(
        f"Questions about this round closed on {date_time(past_deadline_round.question_deadline)}")
    assert page.value_of("question") == QUESTION["question"]
    assert "If you still need help" in page.text() and "grants@example.org" in page.text()
    assert session.scalar(select(ClarificationQuestion)) is None


def test_without_a_question_deadline_questions_close_with_the_round(client, session):
    """The closing date is the deadline when the round has no question deadline."""
    closed = make_round(session, slug="closed-round", title="Closed round", status=RoundStatus.CLOSED,
                        opens_in_days=-60, closes_in_days=-1, question_deadline=None)
    page = client.page(ask_url(closed))
    assert page.h1 == "Questions about Closed round have closed"
    assert date_time(closed.closes_at) in page.text()


def test_a_draft_round_cannot_be_asked_about(client, draft_round):
    """Drafts do not exist for the public."""
    assert client.page(ask_url(draft_round)).status == 404
    assert client.page(ask_url(draft_round) + "/question-sent").status == 404
    assert client.submit(ask_url(draft_round), QUESTION, token_from="/forgot-password").status == 404
    assert client.page("/rounds/no-such-round/ask-a-question").status == 404


# Commissioners: the list ---------------------------------------------------------------------------


def test_commissioners_see_waiting_questions_first_then_answered_then_merged(
        commissioner_client, session, open_round, clarification_question, duplicate_question, answered_question):
    """Waiting first, with the asker's details (only commissioners see them)."""
    duplicate_question.merged_into_id = answered_question.id
    session.flush()
    page = commissioner_client.page(questions_url(open_round))
    assert page.h1 == "Questions about Staying in school"
    headings = [h.get_text(" ", strip=True) for h in page.soup.select("main h2")]
    assert headings == ["Waiting for an answer (1)", "Answered (1)", "Merged into another question (1)"]
    cards = [c.get_text(" ", strip=True) for c in page.soup.select(".govuk-summary-card")]
    assert "Priya Shah" in cards[0] and "priya@example.org" in cards[0]
    assert "Sam Okoro" in cards[1] and "Change answer" in cards[1]
    assert "Tom Byrne" in cards[2] and "Merged into Question 1" in cards[2]
    assert page.soup.find("a", href=answer_url(clarification_question))
    assert page.soup.find("a", href=merge_url(clarification_question))


def test_a_round_with_no_questions_says_so(commissioner_client, open_round):
    """An empty list is explained."""
    page = commissioner_client.page(questions_url(open_round))
    assert "Nobody has asked a question about this round yet" in page.text()


def test_unknown_rounds_and_other_rounds_questions_are_not_found(
        commissioner_client, clarification_question, upcoming_round):
    """The question must belong to the round in the address."""
    assert commissioner_client.page("/commissioning/rounds/999999/questions").status == 404
    wrong = f"/commissioning/rounds/{upcoming_round.id}/questions/{clarification_question.id}/answer"
    assert commissioner_client.page(wrong).status == 404


# Commissioners: answering -------------------------------------------------------------------------


def test_publishing_an_answer_emails_the_asker_and_shows_it_to_everyone_without_their_name(
        commissioner_client, client, session, clarification_question, sent_emails):
    """The wording is prefilled with the question; publishing e-mails the asker a link to the prospectus."""
    page = commissioner_client.page(answer_url(clarification_question))
    assert page.h1 == "Answer question 1"
    assert page.value_of("published_question") == clarification_question.question
    assert "Priya Shah" in page.text()

    done = commissioner_client.submit(answer_url(clarification_question), {
        "published_question": "Can a grant pay a youth worker's salary?",
        "answer": "Yes, for the hours they spend on the project.\n\nKeep timesheets.",
    }, follow=True)
    assert done.h1 == "Questions about Staying in school"
    assert "Answer published. We have emailed everyone who asked this question" in done.text()
    session.refresh(clarification_question)
    assert clarification_question.answered_at is not None
    assert clarification_question.answered_by_id is not None

    (email,) = sent_emails()
    assert email["To"] == "priya@example.org"
    assert email["Subject"] == "Your question about Staying in school has been answered"
    body = email.get_content()
    assert "http://portal.test/rounds/staying-in-school" in body
    assert "Priya" not in body

    prospectus = client.page("/rounds/staying-in-school")
    assert prospectus.status == 200
    text = prospectus.text()
    assert "Can a grant pay a youth worker's salary?" in text
    assert "Keep timesheets." in text
    assert "Priya" not in text and "priya@example.org" not in text
    assert "Can we use the grant" not in text, "Only the published wording is shown"


def test_answer_validation_messages_keep_what_was_typed(commissioner_client, clarification_question):
    """Blank fields get messages; the asker's name in the published text is refused with a reason."""
    page = commissioner_client.submit(answer_url(clarification_question),
                                      {"published_question": "", "answer": ""})
    assert page.error_summary() == ["Enter the question as it will be published", "Enter the answer"]
    assert page.title.startswith("Error: Answer question 1")

    page = commissioner_client.submit(answer_url(clarification_question), {
        "published_question": "Priya Shah asks: can a grant pay salaries?", "answer": "Yes."})
    assert page.field_error("published_question") == (
        "The question as published contains the asker's name. Remove it: answers are published without the "
        "asker's details")
    assert page.value_of("published_question") == "Priya Shah asks: can a grant pay salaries?"
    assert page.value_of("answer") == "Yes."
    assert clarification_question.answered_at is None


def test_changing_a_published_answer_keeps_its_date_and_emails_nobody(
        commissioner_client, client, session, answered_question, sent_emails):
    """The change is published straight away and recorded in the audit trail."""
    first = answered_question.answered_at
    page = commissioner_client.page(answer_url(answered_question))
    assert page.h1 == "Change the answer to question 1"
    assert page.value_of("published_question") == "Do we need a bank account in our group's name?"
    assert page.value_of("answer") == answered_question.answer
    assert "Nobody is emailed again" in page.text()

    done = commissioner_client.submit(answer_url(answered_question), {
        "published_question": "Do we need a bank account in our group's name?",
        "answer": "Yes, or a partner organisation can hold the grant for you.",
    }, follow=True)
    assert "The published answer has been changed" in done.text()
    session.refresh(answered_question)
    assert answered_question.answered_at == first
    assert answered_question.answer == "Yes, or a partner organisation can hold the grant for you."
    assert sent_emails() == []
    change = session.scalar(select(AuditEvent).where(AuditEvent.action == "clarification.answer_changed"))
    assert change.after == {"answer": "Yes, or a partner organisation can hold the grant for you."}
    assert "a partner organisation can hold the grant" in client.page("/rounds/staying-in-school").text()


# Commissioners: merging ---------------------------------------------------------------------------


def test_merging_a_duplicate_then_answering_emails_both_askers(
        commissioner_client, client, session, clarification_question, duplicate_question, sent_emails):
    """The duplicate is never published; its asker hears when the other question is answered."""
    page = commissioner_client.page(merge_url(duplicate_question))
    assert page.h1 == "Merge question 2 into another question"
    choices = [i["value"] for i in page.soup.select("input[name=into]")]
    assert choices == [str(clarification_question.id)], "A question is never offered as a target for itself"

    done = commissioner_client.submit(merge_url(duplicate_question), {"into": str(clarification_question.id)},
                                      follow=True)
    assert "Question 2 merged into question 1. We will email the person who asked when question 1 is answered" \
        in done.text()
    session.refresh(duplicate_question)
    assert duplicate_question.merged_into_id == clarification_question.id
    assert sent_emails() == []

    merged_answer_page = commissioner_client.page(answer_url(duplicate_question))
    assert "This question has been merged into question 1" in merged_answer_page.text()
    assert merged_answer_page.soup.find("textarea") is None

    commissioner_client.submit(answer_url(clarification_question), {
        "published_question": "Can a grant pay salaries?", "answer": "Yes."})
    assert sorted(e["To"] for e in sent_emails()) == ["priya@example.org", "tom@example.org"]
    text = client.page("/rounds/staying-in-school").text()
    assert "Can a grant pay salaries?" in text
    assert "Are staff salaries an eligible cost?" not in text, "Merged questions are never published separately"
    assert "Tom" not in text


def test_merging_into_an_answered_question_emails_the_asker_straight_away(
        commissioner_client, session, answered_question, duplicate_question, sent_emails):
    """The answer is already public, so the asker hears at once."""
    done = commissioner_client.submit(merge_url(duplicate_question), {"into": str(answered_question.id)},
                                      follow=True)
    assert "Its answer is already published, so we have emailed the person who asked" in done.text()
    (email,) = sent_emails()
    assert email["To"] == "tom@example.org"


def test_merge_validation_messages(commissioner_client, session, open_round, clarification_question,
                                   duplicate_question, answered_question):
    """Choosing nothing, or a question that has itself been merged, is refused with a reason."""
    page = commissioner_client.submit(merge_url(duplicate_question), {})
    assert page.field_error("into") == "Select the question this one repeats"
    assert page.error_summary() == ["Select the question this one repeats"]

    third = make_question(session, round_=open_round, question="Salaries?", name="Ada Lee",
                          email="ada@example.org", asked_days_ago=0.5)
    commissioner_client.submit(merge_url(duplicate_question), {"into": str(clarification_question.id)})
    page = commissioner_client.submit(merge_url(third), {"into": str(duplicate_question.id)})
    assert page.field_error("into") == (
        "That question has itself been merged into another question. Select the question it was merged into")
    assert str(duplicate_question.id) not in [i["value"] for i in page.soup.select("input[name=into]")]
    page = commissioner_client.submit(merge_url(third), {"into": "999999"})
    assert page.field_error("into") == "Select a question from this round"
    session.refresh(third)
    assert third.merged_into_id is None


def test_an_answered_question_cannot_be_merged(commissioner_client, answered_question, clarification_question):
    """The page explains why and offers no form."""
    page = commissioner_client.page(merge_url(answered_question))
    assert "answer is already published, so it cannot be merged" in page.text()
    assert page.soup.select("input[name=into]") == []


def test_a_lone_question_has_nothing_to_merge_into(commissioner_client, clarification_question):
    """With no other question in the round, the page says so."""
    page = commissioner_client.page(merge_url(clarification_question))
    assert "There are no other questions in this round to merge it into" in page.text()


# Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["client", "applicant_client", "panellist_client"])
def test_only_commissioners_see_who_asked(request, who, clarification_question):
    """Anonymous people are sent to sign in; applicants and panellists are refused."""
    person = request.getfixturevalue(who)
    for url in (questions_url(clarification_question.round), answer_url(clarification_question),
                merge_url(clarification_question)):
        page = person.page(url)
        if who == "client":
            assert page.status == 302 and page.response.location.startswith("/sign-in")
        else:
            assert page.status == 403
            assert "Priya" not in page.text()


def test_public_pages_never_show_who_asked(client, open_round, clarification_question, answered_question,
                                           past_deadline_round):
    """Neither the asking pages nor the prospectus carry an asker's name or e-mail address."""
    make_question(client.application.extensions["sqlalchemy"].session, round_=past_deadline_round,
                  name="Kemi Adeyemi", email="kemi@example.org")
    for url in (ask_url(open_round), ask_url(open_round) + "/question-sent", ask_url(past_deadline_round),
                "/rounds/staying-in-school", "/rounds/deadline-passed"):
        text = client.page(url).text()
        for secret in ("Priya", "priya@example.org", "Sam Okoro", "sam@example.org", "Kemi", "kemi@example.org"):
            assert secret not in text, f"{url} shows {secret!r}"
