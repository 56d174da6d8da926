"""What the public sees about rounds: the home page, the prospectus and the eligibility checker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import NotFound
from portal.models import (
    Criterion,
    Event,
    Faq,
    Question,
    Round,
    RoundChange,
    RoundStatus,
    utcnow,
)
from portal.models.enums import ORGANISATION_TYPE_LABELS, OrganisationType
from portal.prospectus.eligibility import (
    EligibilityAnswers,
    Problem,
    check_eligibility,
    is_small_grant,
)
from portal.round_lifecycle import PublicStage, follow_round_dates, public_stage

if TYPE_CHECKING:
    from portal.commissioning.panel_admin_services import PanelStatistics

PUBLIC_STATUSES = [s for s in RoundStatus if s != RoundStatus.DRAFT]
# Minutes a volunteer might need per 100 words written, and for the rest of the form.
MINUTES_PER_100_WORDS = 20
MINUTES_FOR_THE_REST = 45


@dataclass(frozen=True)
class HomeRounds:
    """Rounds grouped as the home page shows them."""

    open: list[Round]
    upcoming: list[Round]
    closed: list[Round]  # closed for applications, decisions not yet published
    decided: list[Round]
    now: datetime  # so a closed round whose decision date has passed can say its decisions are late


def home_rounds(session: Session, *, now: datetime | None = None) -> HomeRounds:
    """Open, upcoming, closed and decided rounds, by the prospectus's rule (``public_stage``); never drafts."""
    now = now or utcnow()
    follow_round_dates(session, now=now)
    rounds = session.scalars(
        select(Round).where(Round.status.in_(PUBLIC_STATUSES)).order_by(Round.opens_at)
    ).all()
    stages = {round_.id: public_stage(round_, now) for round_ in rounds}
    return HomeRounds(
        open=[r for r in rounds if stages[r.id] == PublicStage.OPEN],
        upcoming=[r for r in rounds if stages[r.id] == PublicStage.UPCOMING],
        closed=[r for r in reversed(rounds) if stages[r.id] == PublicStage.CLOSED],
        decided=[r for r in reversed(rounds) if stages[r.id] == PublicStage.DECIDED],
        now=now,
    )


def public_round(session: Session, *, slug: str, now: datetime | None = None) -> Round:
    """A round the public may see, by its address; drafts do not exist for the public."""
    follow_round_dates(session, now=now or utcnow())
    round_ = session.scalar(select(Round).where(Round.slug == slug))
    if round_ is None or round_.status == RoundStatus.DRAFT:
        raise NotFound("There is no funding round at this address. It may have moved: see all funding rounds")
    return round_


@dataclass(frozen=True)
class Milestone:
    """A key date on the timeline, or today's place on it."""

    label: str
    at: datetime
    is_today: bool = False

    def is_past(self, now: datetime) -> bool:
        """Whether this date has gone by."""
        return self.at < now


@dataclass(frozen=True)
class AnsweredQuestion:
    """A clarification question and its published answer."""

    question: str
    answer: str
    answered_at: datetime
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Prospectus:
    """Everything the public prospectus page and PDF show about a round."""

    round: Round
    now: datetime
    timeline: list[Milestone]
    eligible_types: list[str]
    criteria: list[Criterion]
    questions: list[Question]
    faqs: list[Faq]
    events: list[Event]
    answers: list[AnsweredQuestion]
    changes: list[RoundChange]
    minutes_full: int
    minutes_small: int | None
    # How the youth panel assessed the applications (counts only), once assessment has started.
    panel: PanelStatistics | None = None

    @property
    def stage(self) -> PublicStage | None:
        """Coming soon, open, closed or decided: the rule the home page uses too."""
        return public_stage(self.round, self.now)

    @property
    def accepting_applications(self) -> bool:
        """Open now, by the dates (the status follows the dates)."""
        return self.stage == PublicStage.OPEN

    @property
    def accepting_questions(self) -> bool:
        """Clarification questions are taken until the question deadline (the Q&A service's rule)."""
        from portal.clarifications.services import questions_open

        return questions_open(self.round, now=self.now)


def _timeline(round_: Round, now: datetime) -> list[Milestone]:
    """The round's key dates in order, with today placed among them."""
    dates = [
        ("Applications open", round_.opens_at),
        ("Last day to ask questions", round_.question_deadline),
        ("Applications close", round_.closes_at),
        ("Youth panel starts scoring", round_.scoring_starts_at),
        ("Interviews", round_.interviews_at),
        ("Decisions by", round_.decisions_by),
    ]
    milestones = sorted((Milestone(label, at) for label, at in dates if at is not None), key=lambda m: m.at)
    position = sum(1 for m in milestones if m.at <= now)
    milestones.insert(position, Milestone("Today", now, is_today=True))
    return milestones


def estimated_minutes(questions: list[Question]) -> int:
    """A generous estimate of the time to write the answers and fill in the rest of the form."""
    words = sum(q.word_limit for q in questions)
    return MINUTES_FOR_THE_REST + -(-words * MINUTES_PER_100_WORDS // 100)


def published_answers_for(session: Session, round_: Round) -> list[AnsweredQuestion]:
    """The round's answered clarification questions, as the Q&A service publishes them."""
    from portal.clarifications.services import published_answers

    return [AnsweredQuestion(question=a.question, answer=a.answer, answered_at=a.answered_at,
                             updated_at=a.updated_at)
            for a in published_answers(session, round_=round_)]


def prospectus_for(session: Session, *, round_: Round, now: datetime | None = None) -> Prospectus:
    """Gather what the prospectus shows (also used for commissioners' preview of a draft)."""
    now = now or utcnow()
    small_questions = [q for q in round_.questions if q.asked_of_small_grants]
    return Prospectus(
        round=round_,
        now=now,
        timeline=_timeline(round_, now),
        eligible_types=[ORGANISATION_TYPE_LABELS[OrganisationType(t)] for t in round_.eligible_organisation_types],
        criteria=list(round_.criteria),
        questions=list(round_.questions),
        faqs=list(round_.faqs),
        events=[e for e in round_.events if e.published_at is not None and e.cancelled_at is None and e.ends_at > now],
        answers=published_answers_for(session, round_),
        changes=list(round_.changes),
        minutes_full=estimated_minutes(list(round_.questions)),
        minutes_small=estimated_minutes(small_questions) if round_.small_grant_threshold_pence else None,
        panel=panel_statistics_for(session, round_),
    )


def panel_statistics_for(session: Session, round_: Round) -> PanelStatistics | None:
    """The youth panel's public counts (applications, panellists, conflicts), once its assessment has started."""
    from portal.commissioning.panel_admin_services import panel_statistics

    return panel_statistics(session, round_)


def public_prospectus(session: Session, *, slug: str, now: datetime | None = None) -> Prospectus:
    """The prospectus of a round the public may see."""
    return prospectus_for(session, round_=public_round(session, slug=slug), now=now)


@dataclass(frozen=True)
class EligibilityResult:
    """The checker's verdict."""

    round: Round
    answers: EligibilityAnswers
    problems: list[Problem]
    small_grant: bool

    @property
    def can_apply(self) -> bool:
        """No rule stops them."""
        return not self.problems


def check_round_eligibility(session: Session, *, slug: str, answers: EligibilityAnswers) -> EligibilityResult:
    """Run a round's eligibility rules over a group's answers."""
    round_ = public_round(session, slug=slug)
    return EligibilityResult(
        round=round_, answers=answers, problems=check_eligibility(round_, answers),
        small_grant=is_small_grant(round_, answers.amount_pence),
    )
