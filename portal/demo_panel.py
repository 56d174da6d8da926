"""The demo's youth panel: declarations, scores, moderation and interviews, built straight from the models.

``portal.demo`` builds the people, rounds and applications and calls these to give the decided round a
complete, moderated assessment with interviews, and the round in assessment some work in every state
(not opened, conflict declared, scoring, scores sent, flags waiting for the panel lead).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy.orm import Session

from portal.models import (
    Application,
    ConflictDeclaration,
    InterviewQuestion,
    InterviewScore,
    InterviewSlot,
    ModeratedScore,
    PanelAssignment,
    Round,
    RoundInterviewQuestion,
    Score,
    User,
)
from portal.panel import scoring

INTERVIEW_QUESTIONS = [
    ("Tell us about a young person your project has helped, or will help. What changed for them?",
     "Listen for a real example, told with care and without naming the young person."),
    ("How do young people have a say in what you do, week to week?",
     "Good answers show young people making decisions, not only being asked their views."),
    ("What would you do if a young person told you they were not safe?",
     "Listen for a named safeguarding lead, a clear first step and who they would tell."),
    ("What will you do differently if something in your plan does not work?",
     "Good answers show they notice what is working and change course."),
]

COMMENTS = {
    1: "No real evidence for {what}.",
    2: "Little evidence for {what}; the answer stays general.",
    3: "Some evidence for {what}, but more detail would help.",
    4: "Good evidence for {what}, with local examples.",
    5: "Strong evidence for {what}: specific, local and led by young people.",
}


@dataclass
class PanelWork:
    """The sent scores of one application, kept to work out flags and its score."""

    application: Application
    assignments: list[PanelAssignment] = field(default_factory=list)
    sent: list[dict[int, int]] = field(default_factory=list)


def interview_bank(session: Session, *, by: User, at: datetime) -> list[InterviewQuestion]:
    """The interview question bank."""
    questions = [InterviewQuestion(text=text, guidance=guidance, created_by_id=by.id, created_at=at)
                 for text, guidance in INTERVIEW_QUESTIONS]
    session.add_all(questions)
    return questions


def choose_interview_questions(session: Session, *, round_: Round, questions: list[InterviewQuestion]) -> None:
    """Use these bank questions, in this order, at the round's interviews."""
    session.add_all([RoundInterviewQuestion(round=round_, question=q, position=n) for n, q in enumerate(questions, 1)])


def declare(session: Session, *, application: Application, panellist: User, at: datetime,
            conflict: str | None = None) -> None:
    """The panellist's conflict-of-interest declaration."""
    session.add(ConflictDeclaration(application=application, panellist=panellist, has_conflict=conflict is not None,
                                    reason=conflict, declared_at=at))


def score(session: Session, work: PanelWork, *, round_: Round, panellist: User, base: int, rng: random.Random,
          assigned_at: datetime, sent_at: datetime | None, by: User, how_many: int | None = None,
          spread: tuple[int, ...] = (-1, 0, 0, 1)) -> PanelAssignment:
    """A declared assignment with scores: all of them sent at ``sent_at``, or the first ``how_many`` as a draft."""
    declare(session, application=work.application, panellist=panellist, at=assigned_at + timedelta(hours=2))
    assignment = PanelAssignment(application=work.application, panellist=panellist, assigned_by_id=by.id,
                                 assigned_at=assigned_at, scores_submitted_at=sent_at)
    session.add(assignment)
    values: dict[int, int] = {}
    for criterion in round_.criteria[:how_many]:
        value = max(1, min(5, base + rng.choice(spread)))
        values[criterion.id] = value
        session.add(Score(assignment=assignment, criterion=criterion, value=value,
                          comment=COMMENTS[value].format(what=criterion.name.lower())))
    work.assignments.append(assignment)
    if sent_at is not None:
        work.sent.append(values)
    return assignment


def moderate(session: Session, work: PanelWork, *, lead: User, at: datetime) -> None:
    """The panel lead's moderated score, with a reason, wherever sent scores differ by 2 or more."""
    for criterion_id in sorted(scoring.moderation_flags(work.sent)):
        values = sorted(scores[criterion_id] for scores in work.sent if criterion_id in scores)
        agreed = int(median(values))
        session.add(ModeratedScore(
            application=work.application, criterion_id=criterion_id, value=agreed, moderated_by_id=lead.id,
            moderated_at=at,
            reason=f"The panel discussed scores of {', '.join(map(str, values))} and agreed {agreed}: the "
                   "higher score missed that the plan depends on one volunteer.",
        ))


def interview(session: Session, work: PanelWork, *, questions: list[InterviewQuestion], base: int,
              rng: random.Random, starts_at: datetime, by: User, sent: bool = True) -> list[int]:
    """An interview slot and every panellist's scored answers; returns the scores given."""
    session.add(InterviewSlot(application=work.application, starts_at=starts_at, duration_minutes=30,
                              place="Hackney Central Library, 1 Reading Lane, London E8 1GQ (meeting room 2)",
                              scheduled_by_id=by.id, scheduled_at=starts_at - timedelta(days=7)))
    given = []
    for assignment in work.assignments:
        for question in questions:
            value = max(1, min(5, base + rng.choice([-1, 0, 1])))
            given.append(value)
            session.add(InterviewScore(application=work.application, panellist=assignment.panellist,
                                       question=question, value=value,
                                       comment="Clear and honest." if value >= 4 else "Needed prompting."))
        if sent:
            assignment.interview_scores_submitted_at = starts_at + timedelta(hours=1)
    return given


def panel_score(work: PanelWork, *, round_: Round, interview_scores: list[int] | None) -> float:
    """The application's combined score out of 100: moderated or mean written score, and any interview."""
    weights = {c.id: c.weight for c in round_.criteria}
    agreed = scoring.mean_scores(work.sent)
    flagged = scoring.moderation_flags(work.sent)
    for criterion_id in flagged:
        values = sorted(scores[criterion_id] for scores in work.sent)
        agreed[criterion_id] = int(median(values))
    written = scoring.weighted_score(agreed, weights)
    interviewed = scoring.interview_score(interview_scores) if interview_scores else None
    return scoring.combined_score(written, interviewed, written_weight=round_.written_weight,
                                  interview_weight=round_.interview_weight)
