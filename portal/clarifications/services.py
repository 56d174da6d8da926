"""Clarification questions: anyone asks about a round; commissioners answer, merge and publish.

Answers are published for everyone without the asker's name (the prospectus promises an open
process), and each asker is e-mailed once when the answer covering their question is published.
Services flush; the request commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import (
    NotFound,
    StateTransitionError,
    ValidationError,
)
from portal.formatting import date_time
from portal.models import (
    AuditEvent,
    ClarificationQuestion,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from portal.notifications.services import queue_email
from portal.permissions import require_commissioner

# Long enough for a real question, short enough for a commissioner to answer quickly.
WORD_LIMIT = 300
# Questions are taken while the prospectus is public and the round has not closed.
ASKING_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.OPEN)
ANSWER_CHANGED = "clarification.answer_changed"


@dataclass(frozen=True)
class Settings:
    """What the e-mails need to know about the deployment."""

    public_url: str
    portal_name: str


@dataclass(frozen=True)
class PublishedAnswer:
    """A question and its answer as everyone sees them: never the asker's name or e-mail."""

    id: int
    question: str
    answer: str
    answered_at: datetime
    # When the answer or wording was last changed after publication (from the audit trail).
    updated_at: datetime | None = None


@dataclass(frozen=True)
class RoundQuestions:
    """A round's questions as commissioners work through them."""

    waiting: list[ClarificationQuestion]
    answered: list[ClarificationQuestion]
    merged: list[ClarificationQuestion]
    # Question id -> its number in the round (1 for the first asked), for talking about them.
    numbers: dict[int, int]

    @property
    def total(self) -> int:
        """How many questions the round has had."""
        return len(self.numbers)


# Rules ------------------------------------------------------------------------------------------


def count_words(text: str | None) -> int:
    """Words as people count them: anything between spaces or line breaks."""
    return len((text or "").split())


def word_limit_problem(text: str | None, *, limit: int = WORD_LIMIT) -> str | None:
    """The message for a question over the word limit, saying how many words to cut; else None."""
    over = count_words(text) - limit
    if over <= 0:
        return None
    return f"Your question must be {limit} words or fewer. Remove {over} {'word' if over == 1 else 'words'}"


def question_deadline(round_: Round) -> datetime:
    """When questions close: the round's question deadline, or its closing date if it has none."""
    return round_.question_deadline or round_.closes_at


def questions_open(round_: Round, *, now: datetime | None = None) -> bool:
    """Whether anyone may ask a question about this round now."""
    now = now or utcnow()
    return round_.status in ASKING_STATUSES and now < question_deadline(round_)


COMMISSIONERS_ONLY = "Only commissioners can answer questions about a round"


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case or surrounding spaces."""
    return email.strip().lower()


# The public: asking -----------------------------------------------------------------------------


def ask_question(
    session: Session, *, round_: Round, name: str, email: str, question: str, now: datetime | None = None
) -> ClarificationQuestion:
    """Anyone, without an account, asks a question about a published round before the deadline."""
    now = now or utcnow()
    if round_.status == RoundStatus.DRAFT:
        raise NotFound("There is no funding round at this address")
    if not questions_open(round_, now=now):
        deadline = question_deadline(round_)
        closed = f"closed on {date_time(deadline)}" if deadline <= now else "have closed"
        raise ValidationError(
            f"Questions about this round {closed}. Copy your question and send it to the grants team "
            "instead: their contact details are below",
            field="question",
        )
    name, email, question = name.strip(), normalise_email(email), question.strip()
    if not name:
        raise ValidationError("Enter your name", field="name")
    if not email:
        raise ValidationError("Enter your email address", field="email")
    if not question:
        raise ValidationError("Enter your question", field="question")
    problem = word_limit_problem(question)
    if problem:
        raise ValidationError(problem, field="question")
    asked = ClarificationQuestion(round=round_, question=question, asker_name=name, asker_email=email, asked_at=now)
    session.add(asked)
    session.flush()
    audit.record(session, actor=None, action="clarification.asked", entity=asked, after=audit.snapshot(asked))
    return asked


def published_answers(session: Session, *, round_: Round) -> list[PublishedAnswer]:
    """The round's answered questions (duplicates merged away), in the order they were answered."""
    answered = session.scalars(
        select(ClarificationQuestion)
        .where(
            ClarificationQuestion.round_id == round_.id,
            ClarificationQuestion.answered_at.is_not(None),
            ClarificationQuestion.merged_into_id.is_(None),
        )
        .order_by(ClarificationQuestion.answered_at, ClarificationQuestion.id)
    ).all()
    updated: dict[int, datetime] = {}
    if answered:
        updated = dict(session.execute(
            select(AuditEvent.entity_id, func.max(AuditEvent.occurred_at))
            .where(
                AuditEvent.action == ANSWER_CHANGED,
                AuditEvent.entity_type == ClarificationQuestion.__tablename__,
                AuditEvent.entity_id.in_([q.id for q in answered]),
            )
            .group_by(AuditEvent.entity_id)
        ).tuples().all())
    return [
        PublishedAnswer(
            id=q.id, question=q.published_question or q.question, answer=q.answer or "",
            answered_at=q.answered_at, updated_at=updated.get(q.id),
        )
        for q in answered
    ]


# Commissioners: answering and merging -----------------------------------------------------------


def round_for_commissioner(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, drafts included, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def question_for_commissioner(session: Session, *, round_id: int, question_id: int, by: User) -> ClarificationQuestion:
    """One question of a round; a question of another round is not found here."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    question = session.get(ClarificationQuestion, question_id)
    if question is None or question.round_id != round_id:
        raise NotFound("There is no question with this number in this round")
    return question


def round_questions(session: Session, *, round_: Round, by: User) -> RoundQuestions:
    """Questions waiting for an answer (oldest first), then answered (as published), then merged."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    questions = session.scalars(
        select(ClarificationQuestion)
        .where(ClarificationQuestion.round_id == round_.id)
        .order_by(ClarificationQuestion.asked_at, ClarificationQuestion.id)
    ).all()
    numbers = {q.id: n for n, q in enumerate(questions, start=1)}  # as question_numbers() counts
    merged = [q for q in questions if q.merged_into_id is not None]
    answered = sorted(
        (q for q in questions if q.merged_into_id is None and q.answered_at is not None),
        key=lambda q: (q.answered_at, q.id),
    )
    waiting = [q for q in questions if q.merged_into_id is None and q.answered_at is None]
    return RoundQuestions(waiting=waiting, answered=answered, merged=merged, numbers=numbers)


def waiting_by_round(session: Session, *, by: User) -> dict[int, int]:
    """Round id -> how many questions wait for an answer (as ``round_questions`` lists them), in one query."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    return dict(session.execute(
        select(ClarificationQuestion.round_id, func.count())
        .where(ClarificationQuestion.merged_into_id.is_(None), ClarificationQuestion.answered_at.is_(None))
        .group_by(ClarificationQuestion.round_id)
    ).tuples().all())


def question_numbers(session: Session, *, round_id: int) -> dict[int, int]:
    """Question id -> its number in the round, counting in the order asked (1 for the first)."""
    ids = session.scalars(
        select(ClarificationQuestion.id)
        .where(ClarificationQuestion.round_id == round_id)
        .order_by(ClarificationQuestion.asked_at, ClarificationQuestion.id)
    ).all()
    return {question_id: n for n, question_id in enumerate(ids, start=1)}


def duplicates_of(session: Session, *, question: ClarificationQuestion) -> list[ClarificationQuestion]:
    """The questions merged into this one."""
    return list(session.scalars(
        select(ClarificationQuestion)
        .where(ClarificationQuestion.merged_into_id == question.id)
        .order_by(ClarificationQuestion.asked_at, ClarificationQuestion.id)
    ))


def _mentions(text: str, words: str) -> bool:
    """Whether ``words`` appear in ``text`` as whole words, ignoring case and runs of spaces."""
    parts = words.split()
    if not parts:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(p) for p in parts) + r"(?!\w)"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def _check_anonymous(question: ClarificationQuestion, *, published_question: str, answer: str) -> None:
    """Refuse published text that still gives the asker's e-mail address or full name."""
    # A one-word name ("Grant", "Will") is too likely to be an ordinary word to refuse on.
    full_name = question.asker_name if len(question.asker_name.split()) > 1 else ""
    for field, text in (("published_question", published_question), ("answer", answer)):
        where = "question as published" if field == "published_question" else "answer"
        if _mentions(text, question.asker_email):
            raise ValidationError(
                f"The {where} contains the asker's email address. Remove it: answers are published "
                "without the asker's details", field=field)
        if _mentions(text, full_name):
            raise ValidationError(
                f"The {where} contains the asker's name. Remove it: answers are published without the "
                "asker's details", field=field)


def publish_answer(
    session: Session, *, question: ClarificationQuestion, published_question: str, answer: str, by: User,
    settings: Settings, now: datetime | None = None,
) -> ClarificationQuestion:
    """Publish (or change) an answer; the first publication e-mails the asker and their duplicates' askers."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if question.merged_into_id is not None:
        raise StateTransitionError(
            "This question has been merged into another question, so it is answered there. Answer that "
            "question instead", field="answer")
    published_question, answer = published_question.strip(), answer.strip()
    if not published_question:
        raise ValidationError("Enter the question as it will be published", field="published_question")
    if not answer:
        raise ValidationError("Enter the answer", field="answer")
    _check_anonymous(question, published_question=published_question, answer=answer)
    fields = ["published_question", "answer"]
    if question.answered_at is not None:
        # Keep answered_at as the first publication; the trail (and so the prospectus) shows the change.
        before = audit.snapshot(question, fields)
        question.published_question, question.answer = published_question, answer
        changed_before, changed_after = audit.changed(before, audit.snapshot(question, fields))
        if changed_after:
            session.flush()
            audit.record(session, actor=by, action=ANSWER_CHANGED, entity=question,
                         before=changed_before, after=changed_after)
        return question
    now = now or utcnow()
    before = audit.snapshot(question, [*fields, "answered_at", "answered_by_id"])
    question.published_question, question.answer = published_question, answer
    question.answered_at, question.answered_by_id = now, by.id
    session.flush()
    audit.record(session, actor=by, action="clarification.answered", entity=question, before=before,
                 after=audit.snapshot(question, [*fields, "answered_at", "answered_by_id"]))
    for asked in [question, *duplicates_of(session, question=question)]:
        notify_asker(session, question=asked, settings=settings, by=by, now=now)
    return question


def merge_targets(session: Session, *, question: ClarificationQuestion, by: User) -> list[ClarificationQuestion]:
    """The questions this one may be merged into: others of its round that are not merged themselves."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    return list(session.scalars(
        select(ClarificationQuestion)
        .where(
            ClarificationQuestion.round_id == question.round_id,
            ClarificationQuestion.id != question.id,
            ClarificationQuestion.merged_into_id.is_(None),
        )
        .order_by(ClarificationQuestion.asked_at, ClarificationQuestion.id)
    ))


def cannot_merge_reason(question: ClarificationQuestion) -> str | None:
    """Why this question cannot be merged into another, or None if it can."""
    if question.merged_into_id is not None:
        return "This question has already been merged into another question"
    if question.answered_at is not None:
        # Merged questions are never published on their own: merging would take a public answer away.
        return "This question's answer is already published, so it cannot be merged into another question"
    return None


def merge_question(
    session: Session, *, question: ClarificationQuestion, into_id: int | None, by: User,
    settings: Settings, now: datetime | None = None,
) -> ClarificationQuestion:
    """Merge a duplicate into the question whose answer covers it (returned); it is never published on its own."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    reason = cannot_merge_reason(question)
    if reason:
        raise StateTransitionError(reason, field="into")
    into = session.get(ClarificationQuestion, into_id) if into_id is not None else None
    if into is None or into.round_id != question.round_id:
        raise ValidationError("Select a question from this round", field="into")
    if into.id == question.id:
        raise ValidationError("A question cannot be merged into itself. Select a different question", field="into")
    if into.merged_into_id is not None:
        raise ValidationError(
            "That question has itself been merged into another question. Select the question it was merged into",
            field="into")
    now = now or utcnow()
    # Questions already merged into this one follow it, so no duplicate points at a merged question.
    for moved in [question, *duplicates_of(session, question=question)]:
        moved.merged_into_id = into.id
        audit.record(session, actor=by, action="clarification.merged", entity=moved,
                     before={"merged_into_id": question.id if moved is not question else None},
                     after={"merged_into_id": into.id})
        if into.answered_at is not None:
            # The answer is already public: tell the asker straight away.
            notify_asker(session, question=moved, settings=settings, by=by, now=now)
    session.flush()
    return into


def notify_asker(
    session: Session, *, question: ClarificationQuestion, settings: Settings, by: User | None = None,
    now: datetime | None = None,
) -> bool:
    """E-mail the asker that the answer covering their question is published: once only."""
    if question.asker_notified_at is not None:
        return False
    now = now or utcnow()
    round_ = question.round
    merged = question.merged_into_id is not None
    together = (
        "Somebody else asked a question like yours, so we answered them together. "
        if merged else ""
    )
    queue_email(
        session,
        to=question.asker_email,
        subject=f"Your question about {round_.title} has been answered",
        body=(
            "Hello,\n\n"
            f"You asked a question about {round_.title}:\n\n"
            f"{_quoted(question.question)}\n\n"
            f"{together}We have published the answer for everyone on the round's page. Your name and "
            "email address are not shown.\n\n"
            f"Read the answer: {settings.public_url.rstrip('/')}/rounds/{round_.slug}\n\n"
            f"{settings.portal_name}\n"
        ),
    )
    question.asker_notified_at = now
    audit.record(session, actor=by, action="clarification.asker_notified", entity=question,
                 before={"asker_notified_at": None}, after={"asker_notified_at": now.isoformat()})
    return True


def _quoted(text: str) -> str:
    """The asker's question as an e-mail quotation."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
