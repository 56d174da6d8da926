"""Interviews: the question bank, each round's questions, shortlisting, slots and panellists' interview scores.

Commissioners keep a bank of interview questions and choose some for each round; they shortlist assessed
applications for interview and book a slot, which is e-mailed to the group (never naming a panellist:
young people's names are not shown to applicants). Each panellist on an application's panel scores every
answer 1 to 5 with a comment, saves and comes back, then sends: sent scores are locked and are what the
ranking reads (``PanelAssignment.interview_scores_submitted_at`` set).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import audit
from portal.application_lifecycle import transition_application
from portal.commissioning.submission_services import Settings, status_label
from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.formatting import date_time
from portal.models import (
    Application,
    ApplicationStatus,
    InterviewQuestion,
    InterviewScore,
    InterviewSlot,
    PanelAssignment,
    Role,
    Round,
    RoundInterviewQuestion,
    RoundStatus,
    User,
    utcnow,
)
from portal.notifications.services import queue_email
from portal.panel.access import assignment_for_panellist, has_declared_no_conflict
from portal.panel.assigning import assessed_applications
from portal.panel.services import needs_guardian_consent, panel_project_title
from portal.permissions import require_commissioner

QUESTION_MAX_CHARACTERS = 500
GUIDANCE_MAX_CHARACTERS = 2000
PLACE_MAX_CHARACTERS = 300
COMMENT_MAX_CHARACTERS = 2000
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 180
# What each interview score means, in plain English (shown beside each radio).
SCORE_LABELS = {1: "Poor", 2: "Weak", 3: "Adequate", 4: "Good", 5: "Excellent"}
# Once a round is decided, its interviews are history: nothing about them changes.
FINISHED_ROUND_STATUSES = (RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED)
SLOT_AUDIT_FIELDS = ["starts_at", "duration_minutes", "place"]


# Who may do what -----------------------------------------------------------------------------------


COMMISSIONERS_ONLY = "Only commissioners can manage interviews"


def _require_in_assessment(round_: Round, doing: str) -> None:
    """Shortlisting, booking and scoring happen only while the panel is assessing the round."""
    if round_.status != RoundStatus.ASSESSMENT:
        raise StateTransitionError(f"You can {doing} only while the round is being assessed")


# The question bank ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankQuestion:
    """A question in the bank and how many rounds ask it."""

    question: InterviewQuestion
    rounds_used: int

    @property
    def retired(self) -> bool:
        """Whether it is no longer offered for new rounds."""
        return self.question.retired_at is not None


def question_bank(session: Session, *, by: User) -> list[BankQuestion]:
    """Every question in the bank, offered ones first, each with the number of rounds that ask it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    used = (
        select(RoundInterviewQuestion.question_id, func.count(RoundInterviewQuestion.id).label("rounds"))
        .group_by(RoundInterviewQuestion.question_id)
        .subquery()
    )
    rows = session.execute(
        select(InterviewQuestion, func.coalesce(used.c.rounds, 0))
        .outerjoin(used, used.c.question_id == InterviewQuestion.id)
        .order_by(InterviewQuestion.retired_at.is_not(None), InterviewQuestion.id)
    ).all()
    return [BankQuestion(question=question, rounds_used=rounds) for question, rounds in rows]


def add_bank_question(session: Session, *, text: str | None, guidance: str | None, by: User) -> InterviewQuestion:
    """Add a question to the bank, with optional guidance on what a good answer covers."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    text = (text or "").strip()
    guidance = (guidance or "").strip()
    if not text:
        raise ValidationError("Enter the question", field="text")
    if len(text) > QUESTION_MAX_CHARACTERS:
        raise ValidationError(f"The question must be {QUESTION_MAX_CHARACTERS} characters or fewer", field="text")
    if len(guidance) > GUIDANCE_MAX_CHARACTERS:
        raise ValidationError(f"The guidance must be {GUIDANCE_MAX_CHARACTERS:,} characters or fewer",
                              field="guidance")
    question = InterviewQuestion(text=text, guidance=guidance, created_by_id=by.id)
    session.add(question)
    session.flush()
    audit.record(session, actor=by, action="panel.interview_question_added", entity=question,
                 after={"text": text, "guidance": guidance})
    return question


def bank_question(session: Session, *, interview_question_id: int, by: User) -> InterviewQuestion:
    """One question from the bank, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    question = session.get(InterviewQuestion, interview_question_id)
    if question is None:
        raise NotFound("There is no such interview question")
    return question


def retire_bank_question(session: Session, *, interview_question_id: int, by: User) -> InterviewQuestion:
    """Stop offering a question for new rounds; rounds that already ask it keep it."""
    question = bank_question(session, interview_question_id=interview_question_id, by=by)
    if question.retired_at is None:
        question.retired_at = utcnow()
        audit.record(session, actor=by, action="panel.interview_question_retired", entity=question,
                     before={"retired_at": None}, after={"retired_at": question.retired_at.isoformat()})
    return question


# A round's interviews ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShortlistRow:
    """An assessed application, with its interview slot once booked."""

    application: Application
    slot: InterviewSlot | None

    @property
    def shortlisted(self) -> bool:
        """Whether it has been shortlisted for interview."""
        return self.application.status == ApplicationStatus.SHORTLISTED


@dataclass(frozen=True)
class RoundInterviews:
    """Everything on a round's interviews page."""

    round: Round
    questions: list[RoundInterviewQuestion]
    offered: list[InterviewQuestion]
    applications: list[ShortlistRow]
    scores_sent: bool

    @property
    def in_assessment(self) -> bool:
        """Whether shortlisting and booking are possible now."""
        return self.round.status == RoundStatus.ASSESSMENT

    @property
    def questions_locked(self) -> bool:
        """Whether the questions can no longer change."""
        return self.scores_sent or self.round.status in FINISHED_ROUND_STATUSES


def round_for_interviews(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def round_questions(session: Session, round_: Round) -> list[RoundInterviewQuestion]:
    """The round's interview questions in the order they are asked."""
    return list(session.scalars(
        select(RoundInterviewQuestion)
        .where(RoundInterviewQuestion.round_id == round_.id)
        .order_by(RoundInterviewQuestion.position, RoundInterviewQuestion.id)
    ))


def interview_scores_sent(session: Session, round_: Round) -> bool:
    """Whether any panellist has sent interview scores for an application in this round."""
    return session.scalar(
        select(func.count(PanelAssignment.id))
        .join(Application, Application.id == PanelAssignment.application_id)
        .where(Application.round_id == round_.id, PanelAssignment.interview_scores_submitted_at.is_not(None))
    ) > 0


def slots_for(session: Session, applications: list[Application]) -> dict[int, InterviewSlot]:
    """Application id -> its interview slot, for those that have one."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    slots = session.scalars(select(InterviewSlot).where(InterviewSlot.application_id.in_(ids)))
    return {slot.application_id: slot for slot in slots}


def round_interviews(session: Session, *, round_: Round, by: User) -> RoundInterviews:
    """The round's questions, the questions that could be added, and the assessed applications with slots."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    questions = round_questions(session, round_)
    chosen = {q.question_id for q in questions}
    offered = [q for q in session.scalars(
        select(InterviewQuestion).where(InterviewQuestion.retired_at.is_(None)).order_by(InterviewQuestion.id)
    ) if q.id not in chosen]
    applications = assessed_applications(session, round_)
    slots = slots_for(session, applications)
    return RoundInterviews(
        round=round_, questions=questions, offered=offered,
        applications=[ShortlistRow(application=a, slot=slots.get(a.id)) for a in applications],
        scores_sent=interview_scores_sent(session, round_),
    )


def _require_questions_changeable(session: Session, round_: Round) -> None:
    """Refuse changes to the questions once a panellist has sent scores for them, or the round is decided."""
    if round_.status in FINISHED_ROUND_STATUSES:
        raise StateTransitionError("This round has been decided, so its interview questions cannot change")
    if interview_scores_sent(session, round_):
        raise StateTransitionError(
            "Panellists have already sent interview scores for this round, so its questions cannot change")


def add_round_question(session: Session, *, round_: Round, interview_question_id: int | None,
                       by: User) -> RoundInterviewQuestion:
    """Add a bank question to the end of the round's interview questions."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if interview_question_id is None:
        raise ValidationError("Choose a question to add", field="interview_question_id")
    question = session.get(InterviewQuestion, interview_question_id)
    if question is None or question.retired_at is not None:
        raise ValidationError("Choose a question from the list", field="interview_question_id")
    _require_questions_changeable(session, round_)
    existing = round_questions(session, round_)
    if any(q.question_id == question.id for q in existing):
        raise ValidationError("The round already asks this question", field="interview_question_id")
    chosen = RoundInterviewQuestion(round_id=round_.id, question_id=question.id,
                                    position=max((q.position for q in existing), default=0) + 1)
    session.add(chosen)
    session.flush()
    audit.record(session, actor=by, action="panel.round_interview_question_added", entity=chosen,
                 after={"round_id": round_.id, "question_id": question.id, "position": chosen.position})
    return chosen


def remove_round_question(session: Session, *, round_: Round, interview_question_id: int, by: User) -> None:
    """Take a question off the round's interviews (and any draft scores for it); the rest close up."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    questions = round_questions(session, round_)
    chosen = next((q for q in questions if q.question_id == interview_question_id), None)
    if chosen is None:
        raise NotFound("This round does not ask that interview question")
    _require_questions_changeable(session, round_)
    # No score has been sent (checked above): drafts for the question go with it, so none is ever counted.
    application_ids = select(Application.id).where(Application.round_id == round_.id)
    session.execute(delete(InterviewScore).where(InterviewScore.question_id == interview_question_id,
                                                 InterviewScore.application_id.in_(application_ids)))
    audit.record(session, actor=by, action="panel.round_interview_question_removed", entity=chosen,
                 before={"round_id": round_.id, "question_id": interview_question_id, "position": chosen.position})
    session.delete(chosen)
    for position, remaining in enumerate((q for q in questions if q is not chosen), start=1):
        remaining.position = position
    session.flush()


# Shortlisting and slots ---------------------------------------------------------------------------


def application_for_interview(session: Session, *, shortlist_application_id: int, by: User) -> Application:
    """An application the panel assesses (or assessed), for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    application = session.get(Application, shortlist_application_id)
    if application is None or application.submitted_at is None or application.status in (
            ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.INELIGIBLE):
        raise NotFound("There is no assessed application with this number")
    return application


def shortlist(session: Session, *, application: Application, by: User) -> Application:
    """Shortlist an application under assessment for interview."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _require_in_assessment(application.round, "shortlist applications for interview")
    if application.status != ApplicationStatus.UNDER_ASSESSMENT:
        raise StateTransitionError("Only applications being assessed can be shortlisted for interview. "
                                   f"This one is {_status_words(application)}")
    before = audit.snapshot(application, ["status"])
    transition_application(application, to=ApplicationStatus.SHORTLISTED)
    session.flush()
    audit.record(session, actor=by, action="application.shortlisted", entity=application,
                 before=before, after=audit.snapshot(application, ["status"]))
    return application


def _status_words(application: Application) -> str:
    """The application's status in lower-case words."""
    return status_label(application.status).lower()


def slot_for(session: Session, application: Application) -> InterviewSlot | None:
    """The application's interview slot, if one is booked."""
    return session.scalar(select(InterviewSlot).where(InterviewSlot.application_id == application.id))


@dataclass(frozen=True)
class SlotDetails:
    """When and where an interview happens, as a commissioner entered it."""

    starts_at: datetime | None
    duration_minutes: int | None
    place: str | None


def check_slot(details: SlotDetails, *, now: datetime) -> SlotDetails:
    """The details tidied, or a ValidationError naming the first field that is wrong."""
    if details.starts_at is None:
        raise ValidationError("Enter the date and time the interview starts", field="starts_at")
    if details.starts_at.tzinfo is None:
        raise ValueError("The start of an interview must be an aware datetime")
    if details.starts_at <= now:
        raise ValidationError("The interview must start in the future. Enter a date and time after now",
                              field="starts_at")
    if details.duration_minutes is None:
        raise ValidationError("Enter how long the interview lasts, in minutes", field="duration_minutes")
    if not MIN_DURATION_MINUTES <= details.duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationError(f"The interview must last between {MIN_DURATION_MINUTES} and "
                              f"{MAX_DURATION_MINUTES} minutes", field="duration_minutes")
    place = (details.place or "").strip()
    if not place:
        raise ValidationError("Enter where the interview will be, or say it is online", field="place")
    if len(place) > PLACE_MAX_CHARACTERS:
        raise ValidationError(f"The place must be {PLACE_MAX_CHARACTERS} characters or fewer", field="place")
    return SlotDetails(starts_at=details.starts_at, duration_minutes=details.duration_minutes, place=place)


def schedule_interview(session: Session, *, application: Application, details: SlotDetails, by: User,
                       settings: Settings, now: datetime | None = None) -> tuple[InterviewSlot, bool]:
    """Book or change a shortlisted application's interview and e-mail the group; returns (slot, changed)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _require_in_assessment(application.round, "book interviews")
    if application.status != ApplicationStatus.SHORTLISTED:
        raise StateTransitionError(
            "Shortlist this application for interview before booking its interview. "
            f"It is {_status_words(application)}")
    details = check_slot(details, now=now or utcnow())
    slot = slot_for(session, application)
    before = audit.snapshot(slot, SLOT_AUDIT_FIELDS) if slot else None
    if slot is None:
        slot = InterviewSlot(application_id=application.id, scheduled_by_id=by.id, starts_at=details.starts_at,
                             duration_minutes=details.duration_minutes, place=details.place)
        session.add(slot)
    else:
        slot.starts_at, slot.duration_minutes, slot.place = details.starts_at, details.duration_minutes, details.place
        slot.scheduled_by_id = by.id
    after = audit.snapshot(slot, SLOT_AUDIT_FIELDS)
    if before == after:
        return slot, False
    session.flush()
    audit.record(session, actor=by, action="panel.interview_scheduled" if before is None
                 else "panel.interview_rescheduled", entity=slot, before=before, after=after)
    _email_invitation(session, application=application, slot=slot, changed=before is not None, settings=settings)
    _email_panel(session, application=application, slot=slot, changed=before is not None, settings=settings)
    return slot, True


def _email_panel(session: Session, *, application: Application, slot: InterviewSlot, changed: bool,
                 settings: Settings) -> None:
    """Tell the application's panellists (not those recused) when and where they interview."""
    panellists = session.scalars(
        select(User).join(PanelAssignment, PanelAssignment.panellist_id == User.id)
        .where(PanelAssignment.application_id == application.id, PanelAssignment.recused_at.is_(None),
               User.is_active_account.is_(True))
        .order_by(User.id)
    )
    subject = f"{'Changed: interview' if changed else 'Interview'} for {application.reference}"
    for panellist in panellists:
        queue_email(session, to=panellist.email, subject=subject, body=(
            f"Hello {panellist.name},\n\n"
            f"{'The interview has moved. ' if changed else ''}You will help interview the group behind "
            f"application {application.reference} for {application.round.title}.\n\n"
            f"When: {date_time(slot.starts_at)} (London time)\n"
            f"How long: {slot.duration_minutes} minutes\n"
            f"Where: {slot.place}\n\n"
            f"The questions and a page to score the answers are here: {settings.public_url.rstrip('/')}/panel/interviews\n"
        ))


def _email_invitation(session: Session, *, application: Application, slot: InterviewSlot, changed: bool,
                      settings: Settings) -> None:
    """Tell every member of the group when and where the interview is (never who the panellists are)."""
    round_ = application.round
    when = date_time(slot.starts_at)
    if changed:
        subject = f"Your interview for {application.reference} has changed"
        opening = ("We have changed the details of your interview for your application "
                   f"{application.reference} ({application.project_title}) to {round_.title}. The new details are:")
    else:
        subject = f"You are invited to an interview for {application.reference}"
        opening = (f"Good news: your application {application.reference} ({application.project_title}) to "
                   f"{round_.title} has been shortlisted, and we would like to interview you.")
    body = (
        f"{opening}\n\n"
        f"When: {when} (London time)\n"
        f"How long: {slot.duration_minutes} minutes\n"
        f"Where: {slot.place}\n\n"
        "Young people from our youth panel will interview you. They will ask you about your project "
        "and score your answers.\n\n"
        f"If you cannot come at this time, reply to {round_.support_contact or 'us'} as soon as you can.\n\n"
        f"Sign in to see your application: {settings.public_url.rstrip('/')}/sign-in\n\n"
        f"{settings.portal_name}"
    )
    for member in application.organisation.members:
        queue_email(session, to=member.email, subject=subject, body=f"Dear {member.name},\n\n{body}")


# Panellists: their interviews and scores -------------------------------------------------------------


def _require_panellist_role(by: User) -> None:
    """Only youth panellists score interviews."""
    if by.role != Role.PANELLIST:
        raise PermissionDenied("Only youth panellists score interviews")


@dataclass(frozen=True)
class InterviewRow:
    """One interview on a panellist's list."""

    assignment: PanelAssignment
    slot: InterviewSlot
    questions: int
    scored: int

    @property
    def project_title(self) -> str:
        """The project's title, with the group's name hidden when the round's scoring is anonymised."""
        return panel_project_title(self.assignment)

    @property
    def status(self) -> str:
        """Not started, N of M answers scored, or sent."""
        if self.assignment.interview_scores_submitted_at is not None:
            return "Scores sent"
        if self.scored == 0:
            return "Not started"
        return f"{self.scored} of {self.questions} answers scored"


@dataclass(frozen=True)
class MyInterviews:
    """A panellist's interviews, or why they cannot see any yet."""

    waiting_for_consent: bool
    rows: list[InterviewRow] = field(default_factory=list)


def _scored_counts(session: Session, *, panellist: User, application_ids: list[int]) -> dict[int, int]:
    """Application id -> how many of the panellist's interview answers have a score."""
    if not application_ids:
        return {}
    rows = session.execute(
        select(InterviewScore.application_id, func.count(InterviewScore.id))
        .where(InterviewScore.panellist_id == panellist.id, InterviewScore.application_id.in_(application_ids),
               InterviewScore.value.is_not(None))
        .group_by(InterviewScore.application_id)
    )
    return {application_id: count for application_id, count in rows}


def my_interviews(session: Session, *, by: User) -> MyInterviews:
    """The shortlisted applications with a booked slot that this panellist assesses, soonest first."""
    _require_panellist_role(by)
    if needs_guardian_consent(session, panellist=by):
        return MyInterviews(waiting_for_consent=True)
    assignments = [a for a in session.scalars(
        select(PanelAssignment)
        .join(Application, Application.id == PanelAssignment.application_id)
        .where(PanelAssignment.panellist_id == by.id, PanelAssignment.recused_at.is_(None),
               Application.status == ApplicationStatus.SHORTLISTED)
    ) if has_declared_no_conflict(session, a)]
    slots = slots_for(session, [a.application for a in assignments])
    scored = _scored_counts(session, panellist=by, application_ids=[a.application_id for a in assignments])
    rows = [
        InterviewRow(assignment=a, slot=slots[a.application_id],
                     questions=len(round_questions(session, a.application.round)),
                     scored=scored.get(a.application_id, 0))
        for a in assignments if a.application_id in slots
    ]
    return MyInterviews(waiting_for_consent=False, rows=sorted(rows, key=lambda r: r.slot.starts_at))


@dataclass(frozen=True)
class InterviewSheet:
    """What a panellist needs to score one interview."""

    assignment: PanelAssignment
    slot: InterviewSlot
    questions: list[RoundInterviewQuestion]
    scores: dict[int, InterviewScore]

    @property
    def application(self) -> Application:
        """The application being interviewed."""
        return self.assignment.application

    @property
    def project_title(self) -> str:
        """The project's title, with the group's name hidden when the round's scoring is anonymised."""
        return panel_project_title(self.assignment)

    @property
    def sent(self) -> bool:
        """Whether the panellist has sent (and so locked) their scores."""
        return self.assignment.interview_scores_submitted_at is not None

    @property
    def open(self) -> bool:
        """Whether scores can still be saved: not sent and the round still being assessed."""
        return not self.sent and self.application.round.status == RoundStatus.ASSESSMENT

    @property
    def mean(self) -> float | None:
        """The panellist's own mean answer score, once sent."""
        values = [s.value for s in self.scores.values() if s.value is not None]
        return round(sum(values) / len(values), 1) if self.sent and values else None


def interview_for_panellist(session: Session, *, interview_assignment_id: int, by: User) -> InterviewSheet:
    """A panellist's own interview to score; refused if unassigned, recused or no conflict is not declared."""
    assignment = assignment_for_panellist(session, assignment_id=interview_assignment_id, by=by)
    if not has_declared_no_conflict(session, assignment):
        raise PermissionDenied("Declare whether you have a conflict of interest with this application first")
    application = assignment.application
    slot = slot_for(session, application)
    if slot is None or (application.status != ApplicationStatus.SHORTLISTED
                        and assignment.interview_scores_submitted_at is None):
        raise NotFound("This application has no interview for you to score")
    scores = {s.question_id: s for s in session.scalars(
        select(InterviewScore).where(InterviewScore.application_id == application.id,
                                     InterviewScore.panellist_id == by.id)
    )}
    return InterviewSheet(assignment=assignment, slot=slot, questions=round_questions(session, application.round),
                          scores=scores)


@dataclass(frozen=True)
class AnswerScore:
    """What a panellist entered for one answer: a score (None if not chosen) and a comment."""

    value: int | None
    comment: str


class IncompleteScores(ValidationError):
    """Scores cannot be sent: each problem is keyed by the form field it belongs beside."""

    def __init__(self, problems: dict[str, str]) -> None:
        first_field, first_message = next(iter(problems.items()))
        super().__init__(first_message, field=first_field)
        self.problems = problems


def score_field(question_id: int) -> str:
    """The form field holding an answer's score."""
    return f"score_{question_id}"


def comment_field(question_id: int) -> str:
    """The form field holding an answer's comment."""
    return f"comment_{question_id}"


def check_answers(questions: list[RoundInterviewQuestion], answers: dict[int, AnswerScore], *,
                  complete: bool) -> dict[str, str]:
    """Problems with what was entered, by form field: wrong values always, gaps only when sending."""
    problems: dict[str, str] = {}
    for number, chosen in enumerate(questions, start=1):
        answer = answers.get(chosen.question_id, AnswerScore(value=None, comment=""))
        if answer.value is not None and answer.value not in SCORE_LABELS:
            problems[score_field(chosen.question_id)] = f"Score question {number} from 1 to 5"
        elif complete and answer.value is None:
            problems[score_field(chosen.question_id)] = f"Choose a score for the answer to question {number}"
        if len(answer.comment) > COMMENT_MAX_CHARACTERS:
            problems[comment_field(chosen.question_id)] = (
                f"Your comment on question {number} must be {COMMENT_MAX_CHARACTERS:,} characters or fewer")
        elif complete and not answer.comment.strip():
            problems[comment_field(chosen.question_id)] = (
                f"Write a comment on the answer to question {number}: say why you gave that score")
    return problems


def save_interview_scores(session: Session, *, sheet: InterviewSheet, answers: dict[int, AnswerScore], send: bool,
                          by: User, now: datetime | None = None) -> InterviewSheet:
    """Save a panellist's interview scores (gaps allowed), or send them: every answer scored, then locked."""
    assignment = sheet.assignment
    if assignment.panellist_id != by.id:
        raise PermissionDenied("This interview is not assigned to you")
    if sheet.sent:
        raise StateTransitionError("You have already sent your interview scores, so they cannot change")
    _require_in_assessment(sheet.application.round, "score interviews")
    if not sheet.questions:
        raise StateTransitionError("This round has no interview questions yet, so there is nothing to score")
    problems = check_answers(sheet.questions, answers, complete=send)
    if problems:
        raise IncompleteScores(problems)
    before = {str(q): s.value for q, s in sorted(sheet.scores.items())}
    added: dict[int, InterviewScore] = {}
    try:
        with session.begin_nested():  # a first save from another window at the same moment meets the same rows
            for chosen in sheet.questions:
                answer = answers.get(chosen.question_id, AnswerScore(value=None, comment=""))
                score = sheet.scores.get(chosen.question_id)
                if score is None:
                    score = added[chosen.question_id] = InterviewScore(
                        application_id=assignment.application_id, panellist_id=by.id, question_id=chosen.question_id)
                    session.add(score)
                score.value, score.comment = answer.value, answer.comment.strip()
            session.flush()
    except IntegrityError:
        raise StateTransitionError("Your interview scores were saved from another window at the same moment, so "
                                   "these were not saved. Open the page again to see what is saved, then make "
                                   "your changes") from None
    sheet.scores.update(added)
    after = {str(q): s.value for q, s in sorted(sheet.scores.items())}
    if send:
        assignment.interview_scores_submitted_at = now or utcnow()
        session.flush()
        audit.record(session, actor=by, action="panel.interview_scores_sent", entity=assignment,
                     after={"application": sheet.application.reference, "scores": after})
    else:
        # Drafts are audited like written scores (panel.scores_saved), so every change can be traced.
        audit.record(session, actor=by, action="panel.interview_scores_saved", entity=assignment,
                     before={"scores": before}, after={"application": sheet.application.reference, "scores": after})
    session.flush()
    return sheet
