"""Daily reminders, sent without anyone pressing a button (cron's ``flask send-reminders`` or the queue's 9am task).

(a) Panellists with scores outstanding in a round in assessment (not sent, not recused, the application still
assessed) get one e-mail per round, at most every ``PANEL_REMINDER_EVERY`` (3 days); each assignment's
``reminded_at`` records it, the same field the commissioners' "Send reminders" button sets.
(b) People with a place at an event that starts within the next 24 hours get the event's reminder, through the
events service, once: the service records ``event.reminder_sent_at`` and it is never sent twice automatically.
(c) Groups with a draft in a round open for applications get a reminder to finish it a week before the deadline
and another two days before (see ``draft_reminder_due`` for the exact windows), each once per application: a
``draft_reminder`` row per application and kind, inserted only if absent, is the record.
Running it twice the same day sends nothing new. Every run that sends something is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from portal import audit
from portal.commissioning.panel_admin_services import email_reminder, outstanding_by_panellist
from portal.events import services as event_services
from portal.formatting import date_time, london
from portal.models import (
    Application,
    ApplicationStatus,
    DraftReminder,
    Event,
    Membership,
    PanelAssignment,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from portal.notifications.services import queue_email

PANEL_REMINDER_EVERY = timedelta(days=3)
EVENT_REMINDER_WITHIN = timedelta(hours=24)
WEEK = "week"  # draft_reminder.kind: the reminder a week before the deadline
TWO_DAYS = "two_days"  # and the one two days before


@dataclass(frozen=True)
class ReminderRun:
    """What one run sent."""

    panellists: int  # panellist e-mails (one per panellist per round)
    events: int  # events whose reminder went out
    event_people: int  # people e-mailed about those events
    drafts: int = 0  # draft applications whose group was reminded to finish
    draft_people: int = 0  # members e-mailed about those drafts

    def __str__(self) -> str:
        """In words, for the command line and the queue's log."""
        return (f"Reminded {self.panellists} panellist(s) about scores outstanding; sent reminders for "
                f"{self.events} event(s) to {self.event_people} people; reminded the groups of {self.drafts} "
                f"draft application(s) to finish them ({self.draft_people} people).")


def _due(assignment: PanelAssignment, now: datetime) -> bool:
    """Not reminded in the last three days."""
    return assignment.reminded_at is None or now - assignment.reminded_at >= PANEL_REMINDER_EVERY


def remind_panellists(session: Session, *, public_url: str, actor: User | None = None,
                      now: datetime | None = None) -> int:
    """E-mail each panellist with outstanding scores not reminded in three days, once per round; returns how many."""
    now = now or utcnow()
    sent = 0
    for round_ in session.scalars(select(Round).where(Round.status == RoundStatus.ASSESSMENT).order_by(Round.id)):
        assignments = session.scalars(
            select(PanelAssignment).join(Application, Application.id == PanelAssignment.application_id)
            .where(Application.round_id == round_.id).order_by(PanelAssignment.id))
        waiting = {panellist_id: items for panellist_id, items in outstanding_by_panellist(assignments).items()
                   if items[0].panellist.is_active_account and all(_due(a, now) for a in items)}
        for items in waiting.values():
            email_reminder(session, round_=round_, assignments=items, public_url=public_url, now=now)
            for assignment in items:
                assignment.reminded_at = now
        if waiting:
            audit.record(session, actor=actor, action="panel.reminders_sent", entity=round_,
                         after={"panellist_ids": sorted(waiting), "assignments": sum(map(len, waiting.values())),
                                "automatic": True})
        sent += len(waiting)
    return sent


def remind_event_registrants(session: Session, *, actor: User, settings: event_services.Settings,
                             now: datetime | None = None) -> tuple[int, int]:
    """Send the reminder of each event starting in the next 24 hours that has had none; returns (events, people)."""
    now = now or utcnow()
    events = session.scalars(
        select(Event).where(Event.published_at.is_not(None), Event.cancelled_at.is_(None),
                            Event.reminder_sent_at.is_(None), Event.starts_at > now,
                            Event.starts_at <= now + EVENT_REMINDER_WITHIN).order_by(Event.starts_at, Event.id))
    reminded = people = 0
    for event in list(events):
        if event_services.reminder_problem(session, event, now=now) is not None:
            continue  # nobody has a place, say: nothing to send
        people += event_services.send_reminder(session, event=event, by=actor, settings=settings, now=now)
        reminded += 1
    return reminded, people


def send_reminders(session: Session, *, public_url: str, portal_name: str, actor: User | None = None,
                   now: datetime | None = None) -> ReminderRun:
    """Both kinds of reminder; event reminders are sent in the name of ``actor`` (the first commissioner if None)."""
    from portal.letters.bulk import operator  # the same rule for who a command acts as

    now = now or utcnow()
    public_url = public_url.rstrip("/")
    panellists = remind_panellists(session, public_url=public_url, actor=actor, now=now)
    events = people = 0
    if _events_due(session, now):
        settings = event_services.Settings(public_url=public_url, portal_name=portal_name)
        events, people = remind_event_registrants(session, actor=actor or operator(session), settings=settings,
                                                  now=now)
    drafts, draft_people = remind_drafts(session, public_url=public_url, actor=actor, now=now)
    return ReminderRun(panellists=panellists, events=events, event_people=people, drafts=drafts,
                       draft_people=draft_people)


def _events_due(session: Session, now: datetime) -> bool:
    """Whether any event may need its reminder (so a portal without commissioners still reminds panellists)."""
    return session.scalar(select(Event.id).where(
        Event.reminder_sent_at.is_(None), Event.cancelled_at.is_(None), Event.starts_at > now,
        Event.starts_at <= now + EVENT_REMINDER_WITHIN).limit(1)) is not None


def days_left(*, closes_at: datetime, now: datetime) -> int:
    """Whole days from today to the deadline's day, both as London calendars count them (0 on the day itself).

    A deadline at exactly midnight ends the day before, so it counts as that day.
    """
    deadline_day = london(closes_at - timedelta(microseconds=1)).date()
    return (deadline_day - london(now).date()).days


def draft_reminder_due(*, closes_at: datetime, now: datetime) -> str | None:
    """Which reminder to finish a draft falls due at ``now``: WEEK, TWO_DAYS or None (before sending it, check none
    has gone).

    Days are London calendar days to the deadline's day (``days_left``). The week reminder is due while
    2 < days left <= 7 and the two-day one while 0 <= days left <= 2 and the deadline has not passed. The run is
    daily at 9am, so the week reminder normally goes on the day a week before and the two-day one two days
    before; a missed run, or a draft started later, is caught by the next run inside the window. The windows
    do not overlap, so the week reminder can never follow the two-day one: a draft started with two days or
    fewer left gets only the two-day one.
    """
    if now >= closes_at:
        return None
    left = days_left(closes_at=closes_at, now=now)
    if left <= 2:
        return TWO_DAYS
    if left <= 7:
        return WEEK
    return None


def remind_drafts(session: Session, *, public_url: str, actor: User | None = None,
                  now: datetime | None = None) -> tuple[int, int]:
    """Remind the groups of drafts due a reminder to finish (each kind once per application); returns
    (applications, people).

    It goes to every member of the group with an open account, not only those who worked on the draft: any member
    may finish and send it, and a group's members change while it drafts. An application the group has sent
    or withdrawn is no longer a draft, so it gets nothing.
    """
    now = now or utcnow()
    # The week window starts 7 days before the deadline's day: 9 days of time covers it whatever the hour and clocks.
    drafts = session.scalars(
        select(Application).join(Round, Round.id == Application.round_id)
        .where(Application.status == ApplicationStatus.DRAFT, Round.status == RoundStatus.OPEN,
               Round.closes_at > now, Round.closes_at <= now + timedelta(days=9))
        .options(joinedload(Application.round), joinedload(Application.organisation))
        .order_by(Round.id, Application.id)).all()
    if not drafts:
        return 0, 0
    already: dict[int, set[str]] = {}
    for application_id, kind in session.execute(
            select(DraftReminder.application_id, DraftReminder.kind)
            .where(DraftReminder.application_id.in_([a.id for a in drafts]))):
        already.setdefault(application_id, set()).add(kind)
    reminded: dict[Round, list[tuple[int, str]]] = {}
    people = 0
    for application in drafts:
        kind = draft_reminder_due(closes_at=application.round.closes_at, now=now)
        sent = already.get(application.id, set())
        if kind is None or kind in sent or (kind == WEEK and TWO_DAYS in sent):
            continue
        members = list(session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == application.organisation_id, User.is_active_account.is_(True))
            .order_by(User.id)))
        if not _record_draft_reminder(session, application=application, kind=kind, recipients=len(members),
                                      now=now):
            continue  # another run recorded it first: it sends the e-mails
        for member in members:
            _email_draft_reminder(session, application=application, member=member, now=now, public_url=public_url)
        people += len(members)
        reminded.setdefault(application.round, []).append((application.id, kind))
    for round_, items in reminded.items():
        audit.record(session, actor=actor, action="application.draft_reminders_sent", entity=round_,
                     after={"reminders": [{"application_id": i, "kind": k} for i, k in items], "automatic": True})
    return sum(map(len, reminded.values())), people


def _record_draft_reminder(session: Session, *, application: Application, kind: str, recipients: int,
                           now: datetime) -> bool:
    """Insert the reminder's row unless it exists; True if this insert made it (so this run sends the e-mails).

    A second worker inserting the same row at the same moment waits for the first to commit (the unique key on
    PostgreSQL, the write lock on SQLite) and then inserts nothing.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    made = session.scalar(
        insert(DraftReminder).values(application_id=application.id, kind=kind, sent_at=now, recipients=recipients)
        .on_conflict_do_nothing(index_elements=["application_id", "kind"]).returning(DraftReminder.id))
    return made is not None


def _when(left: int) -> str:
    """'in 7 days', 'in 2 days', 'tomorrow', 'today'."""
    return {0: "today", 1: "tomorrow"}.get(left, f"in {left} days")


def _email_draft_reminder(session: Session, *, application: Application, member: User, now: datetime,
                          public_url: str) -> None:
    """The reminder to finish: the round, the deadline in London time and the task list; nothing about anyone else."""
    round_ = application.round
    deadline = date_time(round_.closes_at)
    when = _when(days_left(closes_at=round_.closes_at, now=now))
    project = f" for “{application.project_title}”" if application.project_title else ""
    queue_email(
        session, to=member.email, subject=f"Reminder: applications to {round_.title} close {when}",
        body=(f"Hello {member.name},\n\n"
              f"{application.organisation.name} has started an application to {round_.title}{project} "
              "but has not sent it yet.\n\n"
              f"Applications close {when}: {deadline} (London time). We cannot accept an application sent "
              "after that.\n\n"
              f"Carry on where you left off: {public_url}/applications/{application.id}\n\n"
              "Any member of your group can finish and send it. If your group has decided not to apply, "
              "you can ignore this e-mail.\n"),
    )
