"""Daily reminders, sent without anyone pressing a button (cron's ``flask send-reminders`` or the queue's 9am task).

(a) Panellists with scores outstanding in a round in assessment (not sent, not recused, the application still
assessed) get one e-mail per round, at most every ``PANEL_REMINDER_EVERY`` (3 days); each assignment's
``reminded_at`` records it, the same field the commissioners' "Send reminders" button sets.
(b) People with a place at an event that starts within the next 24 hours get the event's reminder, through the
events service, once: the service records ``event.reminder_sent_at`` and it is never sent twice automatically.
Running it twice the same day sends nothing new. Every run that sends something is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.commissioning.panel_admin_services import outstanding_by_panellist
from portal.events import services as event_services
from portal.models import Application, Event, PanelAssignment, Round, RoundStatus, User, utcnow
from portal.notifications.services import queue_email

PANEL_REMINDER_EVERY = timedelta(days=3)
EVENT_REMINDER_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class ReminderRun:
    """What one run sent."""

    panellists: int  # panellist e-mails (one per panellist per round)
    events: int  # events whose reminder went out
    event_people: int  # people e-mailed about those events

    def __str__(self) -> str:
        """In words, for the command line and the queue's log."""
        return (f"Reminded {self.panellists} panellist(s) about scores outstanding; sent reminders for "
                f"{self.events} event(s) to {self.event_people} people.")


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
            _email_panellist(session, round_=round_, assignments=items, public_url=public_url)
            for assignment in items:
                assignment.reminded_at = now
        if waiting:
            audit.record(session, actor=actor, action="panel.reminders_sent", entity=round_,
                         after={"panellist_ids": sorted(waiting), "assignments": sum(map(len, waiting.values())),
                                "automatic": True})
        sent += len(waiting)
    return sent


def _email_panellist(session: Session, *, round_: Round, assignments: list[PanelAssignment], public_url: str) -> None:
    """The reminder e-mail: how many applications wait for this panellist's scores, and where to carry on."""
    panellist = assignments[0].panellist
    count = len(assignments)
    what = "1 application is" if count == 1 else f"{count} applications are"
    queue_email(
        session, to=panellist.email, subject=f"Reminder: {what} waiting for your scores",
        body=(f"Hello {panellist.name},\n\n"
              f"{what[0].upper()}{what[1:]} waiting for your scores for {round_.title}.\n\n"
              f"Carry on here: {public_url}/panel\n\n"
              "If you know a group that applied, say so when you open its application and somebody "
              "else will assess it.\n"),
    )


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
    return ReminderRun(panellists=panellists, events=events, event_people=people)


def _events_due(session: Session, now: datetime) -> bool:
    """Whether any event may need its reminder (so a portal without commissioners still reminds panellists)."""
    return session.scalar(select(Event.id).where(
        Event.reminder_sent_at.is_(None), Event.cancelled_at.is_(None), Event.starts_at > now,
        Event.starts_at <= now + EVENT_REMINDER_WITHIN).limit(1)) is not None
