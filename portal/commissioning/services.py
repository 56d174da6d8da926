"""What commissioners see when they sign in: what needs doing, by round, and each round's stages.

This module reads every stage of the lifecycle (submissions, panel, moderation, decisions, letters), so it
sits above them all. It counts with aggregate queries across rounds, and uses the panel's own progress and
moderation views only for rounds in assessment: the number of statements never grows with the number of
applications (tests/functional/test_query_counts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.clarifications.services import waiting_by_round
from portal.commissioning import round_services
from portal.commissioning.assessment_services import moderation_overview
from portal.commissioning.decision_services import DECIDING_STATUSES
from portal.commissioning.panel_admin_services import round_panel
from portal.commissioning.submission_services import RoundCounts, counts_by_round
from portal.formatting import date, date_time
from portal.letters.services import still_needed_by_round
from portal.messages.services import waiting_for_reply_by_round
from portal.models import (
    Application,
    ApplicationStatus,
    Decision,
    DecisionLogEntry,
    DecisionLogRedaction,
    Event,
    Outcome,
    Round,
    RoundStatus,
    User,
)
from portal.panel import scores_due
from portal.panel.assigning import ASSESSED_STATUSES
from portal.permissions import require_commissioner
from portal.round_lifecycle import follow_round_dates

COMMISSIONERS_ONLY = "Only commissioners can see every round"
# Events starting within this long of now are on the to-do list.
THIS_WEEK = timedelta(days=7)
# The lifecycle in order (DESIGN.md), to say which stages a round has reached.
LIFECYCLE = list(RoundStatus)
NO_COUNTS = RoundCounts(drafts=0, submitted=0, ineligible=0, withdrawn=0, eligible=0, awaiting_screening=0)


def _plural(count: int, one: str, many: str) -> str:
    """'1 application' or '3 applications'."""
    return f"{count} {one if count == 1 else many}"


@dataclass(frozen=True)
class ToDo:
    """One thing to do on a round: in words with its count, the stage it belongs to, and where it is done."""

    stage: str  # applications, panel, decisions, letters, or "" (questions and events)
    count: int
    text: str
    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundToDo:
    """A round and what needs doing on it."""

    round: Round
    items: list[ToDo]


@dataclass(frozen=True)
class RoundRow:
    """A line of the table of every round."""

    round: Round
    drafts: int
    submitted: int


@dataclass(frozen=True)
class CommissionerHome:
    """The commissioners' home page: what needs doing (rounds with nothing to do left out), then every round."""

    to_do: list[RoundToDo]
    rounds: list[RoundRow]


@dataclass(frozen=True)
class Stage:
    """A stage of a round, its state ("Done", "In progress", "Not started", "Cannot start yet") and its page."""

    key: str
    name: str
    status: str
    hint: str
    endpoint: str
    args: dict[str, Any]


@dataclass(frozen=True)
class RoundPage:
    """The commissioners' page for one round: its stages, and its set-up task list."""

    round: Round
    overview: round_services.RoundOverview
    stages: list[Stage]


def _reached(round_: Round, status: RoundStatus) -> bool:
    """Whether the round has got at least as far as ``status``."""
    return LIFECYCLE.index(round_.status) >= LIFECYCLE.index(status)


# What needs doing ---------------------------------------------------------------------------------


def _decision_counts(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    """Round id -> applications the panel assessed with no decision yet (rounds being decided), and round id ->
    decisions not yet published (rounds decided, or published with late decisions)."""
    undecided = dict(session.execute(
        select(Application.round_id, func.count())
        .join(Round, Round.id == Application.round_id)
        .outerjoin(Decision, Decision.application_id == Application.id)
        .where(Round.status.in_(DECIDING_STATUSES), Application.status.in_(ASSESSED_STATUSES), Decision.id.is_(None))
        .group_by(Application.round_id)
    ).tuples().all())
    unpublished = dict(session.execute(
        select(Application.round_id, func.count())
        .join(Round, Round.id == Application.round_id)
        .join(Decision, Decision.application_id == Application.id)
        .where(Round.status.in_((RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED)),
               Decision.published_at.is_(None))
        .group_by(Application.round_id)
    ).tuples().all())
    return undecided, unpublished


def _approvals_waiting(session: Session, by: User) -> tuple[dict[int, int], dict[int, int]]:
    """Round id -> public notes waiting for a commissioner other than their writer, and round id -> redactions of
    the log waiting for one other than who asked: only what ``by`` may approve (two statements for every round)."""
    notes = dict(session.execute(
        select(Application.round_id, func.count())
        .join(Decision, Decision.application_id == Application.id)
        .where(Decision.outcome != Outcome.AWARD, Decision.public_note != "", Decision.public_note_approved_at.is_(None),
               Decision.public_note_by_id != by.id)
        .group_by(Application.round_id)
    ).tuples().all())
    redactions = dict(session.execute(
        select(DecisionLogEntry.round_id, func.count())
        .join(DecisionLogRedaction, DecisionLogRedaction.entry_id == DecisionLogEntry.id)
        .where(DecisionLogRedaction.approved_at.is_(None), DecisionLogRedaction.requested_by_id != by.id)
        .group_by(DecisionLogEntry.round_id)
    ).tuples().all())
    return notes, redactions


def _events_this_week(session: Session, now: datetime) -> dict[int, list[Event]]:
    """Round id -> its published events starting in the next seven days, soonest first."""
    events: dict[int, list[Event]] = {}
    for event in session.scalars(
        select(Event)
        .where(Event.published_at.is_not(None), Event.cancelled_at.is_(None), Event.starts_at >= now,
               Event.starts_at < now + THIS_WEEK)
        .order_by(Event.starts_at, Event.id)
    ):
        events.setdefault(event.round_id, []).append(event)
    return events


def _behind_text(behind: int, round_: Round, now: datetime) -> str:
    """'2 panellists have scores still to send', with the round's date for scores when it has one."""
    text = _plural(behind, "panellist has", "panellists have") + " scores still to send"
    if round_.scores_due_at is None:
        return text
    if scores_due.is_overdue(round_, now):
        return f"{text}: they were due on {date(round_.scores_due_at)}"
    return f"{text} by {date(round_.scores_due_at)}"


def _panel_items(session: Session, round_: Round, by: User, now: datetime) -> list[ToDo]:
    """A round in assessment: conflicts to replace, applications short of panellists, panellists with scores
    still to send (and by when), and applications with scores to moderate (from the panel's progress and
    moderation views)."""
    panel = round_panel(session, round_=round_, by=by)
    replace = sum(1 for a in panel.applications if a.shortfall and a.recused)
    short = sum(1 for a in panel.applications if a.shortfall and not a.recused)
    behind = sum(1 for p in panel.panellists if p.outstanding)
    moderation = moderation_overview(session, round_=round_, by=by)
    flagged = sum(1 for row in moderation.rows
                  if any(c.flagged and c.moderated is None for c in row.scores.criteria))
    args = {"round_id": round_.id}
    items = [
        ToDo("panel", replace, _plural(replace, "conflict of interest", "conflicts of interest") + " to replace",
             "panel_admin.round_panel", args),
        ToDo("panel", short, _plural(short, "application needs", "applications need") + " panellists",
             "panel_admin.round_panel", args),
        ToDo("panel", behind, _behind_text(behind, round_, now), "panel_admin.round_panel", args),
        ToDo("panel", flagged, _plural(flagged, "application has", "applications have") + " scores to moderate",
             "assessment.moderation", args),
    ]
    return [item for item in items if item.count]


def _work(session: Session, *, rounds: list[Round], counts: dict[int, RoundCounts], by: User, now: datetime,
          letters: dict[int, int]) -> dict[int, list[ToDo]]:
    """Round id -> what needs doing on it, in the order the lifecycle runs (only what has a count)."""
    questions = waiting_by_round(session, by=by)
    replies = waiting_for_reply_by_round(session, by=by)
    events = _events_this_week(session, now)
    undecided, unpublished = _decision_counts(session)
    notes, redactions = _approvals_waiting(session, by)
    work: dict[int, list[ToDo]] = {}
    for round_ in rounds:
        args = {"round_id": round_.id}
        screen = counts.get(round_.id, NO_COUNTS).awaiting_screening
        waiting = questions.get(round_.id, 0)
        items = [
            ToDo("applications", screen, _plural(screen, "application", "applications") + " to screen",
                 "submissions.round_applications", {**args, "status": ApplicationStatus.SUBMITTED.value}),
            ToDo("", waiting, _plural(waiting, "question", "questions") + " from the public to answer",
                 "clarifications.round_questions", args),
            ToDo("", replies.get(round_.id, 0),
                 _plural(replies.get(round_.id, 0), "application", "applications")
                 + " with messages from the group waiting for a reply",
                 "messages.round_messages", args),
        ]
        items += [ToDo("", 1, f"Event this week: {event.title}, {date_time(event.starts_at)}",
                       "events.manage_event", {"event_id": event.id}) for event in events.get(round_.id, [])]
        if round_.status == RoundStatus.CLOSED and not screen and counts.get(round_.id, NO_COUNTS).eligible:
            items.append(ToDo("panel", 1, "Screening is done: start the youth panel's assessment",
                              "panel_admin.round_panel", args))
        if round_.status == RoundStatus.ASSESSMENT:
            items += _panel_items(session, round_, by, now)
        decide, publish = undecided.get(round_.id, 0), unpublished.get(round_.id, 0)
        issue = letters.get(round_.id, 0)
        items += [
            ToDo("decisions", decide, _plural(decide, "decision", "decisions") + " to make",
                 "decisions.round_decisions", args),
            ToDo("decisions", publish, _plural(publish, "decision", "decisions") + " to publish",
                 "decisions.round_decisions", args),
            ToDo("decisions", notes.get(round_.id, 0),
                 _plural(notes.get(round_.id, 0), "public note", "public notes") + " written by another commissioner "
                 "to approve", "decisions.round_decisions", args),
            ToDo("decisions", redactions.get(round_.id, 0),
                 _plural(redactions.get(round_.id, 0), "redaction", "redactions") + " of the decision log asked for "
                 "by another commissioner to approve", "redactions.pending", {}),
            ToDo("letters", issue, _plural(issue, "letter", "letters") + " to issue", "letters.round_letters", args),
        ]
        work[round_.id] = [item for item in items if item.count]
    return work


def commissioner_home(session: Session, *, by: User, now: datetime) -> CommissionerHome:
    """What needs doing on each round (with counts and the page where it is done), then every round.

    Statuses follow the round's dates first, by the rule the public pages use, so a round whose closing date
    has passed says it is closed here too.
    """
    require_commissioner(by, COMMISSIONERS_ONLY)
    follow_round_dates(session, now=now)
    rounds = list(session.scalars(select(Round).order_by(Round.opens_at.desc(), Round.id.desc())))
    counts = counts_by_round(session, by=by)
    work = _work(session, rounds=rounds, counts=counts, by=by, now=now,
                 letters=still_needed_by_round(session, by=by))
    return CommissionerHome(
        to_do=[RoundToDo(round=r, items=work[r.id]) for r in rounds if work[r.id]],
        rounds=[RoundRow(round=r, drafts=counts.get(r.id, NO_COUNTS).drafts, submitted=counts.get(r.id, NO_COUNTS).listed)
                for r in rounds],
    )


# A round's stages ---------------------------------------------------------------------------------


def _hint(items: list[ToDo], stage: str) -> str:
    """This stage's to-do items in one sentence ('' when none)."""
    texts = [item.text for item in items if item.stage == stage]
    return ". ".join(text[0].upper() + text[1:] for text in texts)


def _stages(round_: Round, counts: RoundCounts, items: list[ToDo]) -> list[Stage]:
    """Set-up, applications, panel, ranking, decisions and letters, each with its state."""
    args = {"round_id": round_.id}
    to_do = {item.stage for item in items}
    status = round_.status

    if _reached(round_, RoundStatus.PUBLISHED):
        set_up = ("Done", f"Published {date_time(round_.published_at)}" if round_.published_at else "Published")
    else:
        set_up = ("In progress", "Finish the tasks below, then publish the round")

    if not _reached(round_, RoundStatus.OPEN):
        applications = ("Cannot start yet", f"Opens {date_time(round_.opens_at)}")
    elif status == RoundStatus.OPEN:
        applications = ("In progress", f"{_plural(counts.listed, 'application', 'applications')} sent, "
                                       f"{counts.drafts} being written. Closes {date_time(round_.closes_at)}")
    elif "applications" in to_do:
        applications = ("In progress", _hint(items, "applications"))
    else:
        applications = ("Done", f"{_plural(counts.listed, 'application', 'applications')} sent, "
                                f"{counts.eligible} eligible")

    if not _reached(round_, RoundStatus.CLOSED):
        panel = ("Cannot start yet", "Starts once the round closes")
    elif status == RoundStatus.CLOSED:
        panel = ("Not started", "Start the panel's assessment")
    elif status == RoundStatus.ASSESSMENT:
        panel = ("In progress", _hint(items, "panel") or "Nothing is waiting for you: every panellist has their "
                 "applications and no scores need moderating")
    else:
        panel = ("Done", "")

    if not _reached(round_, RoundStatus.ASSESSMENT):
        ranking = ("Cannot start yet", "Once the panel has sent scores")
    elif status == RoundStatus.ASSESSMENT:
        ranking = ("In progress", "Moves as the panel's scores come in")
    else:
        ranking = ("Done", "")

    if not _reached(round_, RoundStatus.ASSESSMENT):
        decisions = ("Cannot start yet", "Once the panel has scored the applications")
    elif status == RoundStatus.DECISIONS_PUBLISHED and "decisions" not in to_do:
        decisions = ("Done", "Published in the decision log")
    else:
        decisions = ("In progress", _hint(items, "decisions") or (
            "Every decision is made: mark the round decided, then publish" if status == RoundStatus.ASSESSMENT
            else "Every decision is made"))

    if "letters" in to_do:
        letters = ("In progress", _hint(items, "letters"))
    elif not _reached(round_, RoundStatus.DECISIONS_PUBLISHED):
        letters = ("Cannot start yet", "Once decisions are published")
    else:
        letters = ("Done", "Every letter is issued")

    return [
        Stage("set-up", "Set up the round", *set_up, "round_setup.edit_round", args),
        Stage("applications", "Applications", *applications, "submissions.round_applications", args),
        Stage("panel", "Youth panel", *panel, "panel_admin.round_panel", args),
        Stage("ranking", "Ranked list and funding line", *ranking, "assessment.ranking", args),
        Stage("decisions", "Decisions", *decisions, "decisions.round_decisions", args),
        Stage("letters", "Outcome letters", *letters, "letters.round_letters", args),
    ]


def round_page(session: Session, *, round_id: int, by: User, now: datetime) -> RoundPage:
    """One round for a commissioner: its status (following its dates, as the public pages do), every stage with
    its state and a link, and the set-up task list."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    follow_round_dates(session, now=now)
    round_ = round_services.get_round(session, round_id=round_id, by=by)
    counts = counts_by_round(session, by=by).get(round_.id, NO_COUNTS)
    items = _work(session, rounds=[round_], counts={round_.id: counts}, by=by, now=now,
                  letters=still_needed_by_round(session, by=by, round_id=round_.id))[round_.id]
    return RoundPage(round=round_, overview=round_services.round_overview(session, round_=round_, by=by, now=now),
                     stages=_stages(round_, counts, items))
