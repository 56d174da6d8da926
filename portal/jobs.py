"""The job queue: the Huey instance the workers run, and the portal's tasks.

Work that must not hold up a web request (issuing a round's letters, daily reminders) runs in worker
processes started with::

    .venv/bin/huey_consumer portal.jobs.huey -k process -w $(nproc)

``PORTAL_QUEUE_URL`` picks where the queue lives: ``sqlite:///instance/queue.sqlite3`` by default (embedded,
no extra server, one machine), ``redis://...`` when the portal runs on several machines (Huey keeps its
queue in Redis; Huey has no PostgreSQL queue), ``memory://`` in tests, where each task runs at once.

Each task runs inside a Flask app context (one app per worker process, made on first use) and in its own
transaction: committed when the task succeeds, rolled back when it fails. Tasks are enqueued only once the
transaction that asked for them has committed (``enqueue_after_commit``), so a worker never looks for a
batch that is not yet in the database.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context, request_finished
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from config import config_for

T = TypeVar("T")
LONDON = ZoneInfo("Europe/London")
REMINDER_HOUR = 9  # London time, every day
_PENDING = "portal_jobs_pending"  # session.info key: tasks asked for in the open transaction
_READY = "portal_jobs_ready"  # tasks whose transaction committed, to run once it is over (immediate mode)


def queue_url() -> str:
    """Where the queue lives, from the environment or the configuration class."""
    return os.environ.get("PORTAL_QUEUE_URL") or config_for().PORTAL_QUEUE_URL


def make_huey(url: str) -> Huey:
    """A Huey instance for a queue URL: sqlite:///path, redis://..., or memory:// (immediate)."""
    if url.startswith("memory://"):
        return MemoryHuey("portal", immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("portal", url=url)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteHuey("portal", filename=path)
    raise RuntimeError(f"PORTAL_QUEUE_URL is {url!r}; use sqlite:///path, redis://host:port/db or memory://")


huey = make_huey(queue_url())


def init_app(app: Flask) -> None:
    """Use the app's queue setting (tests: immediate) and run immediate tasks once each request has committed."""
    if app.config.get("PORTAL_QUEUE_URL", "").startswith("memory://"):
        huey.immediate = True  # Huey switches to in-memory storage and runs each task when it is enqueued
    request_finished.connect(_run_ready_after_request, app, weak=False)


# Enqueueing after commit -------------------------------------------------------------------------------


def enqueue_after_commit(session: Session, task: Callable[..., Any], *args: Any) -> None:
    """Enqueue ``task(*args)`` once the session's transaction commits; forget it if it rolls back."""
    session.connection()  # make sure a transaction is open, so its commit or rollback decides
    session.info.setdefault(_PENDING, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Hand the committed transaction's tasks to the queue (immediate ones wait until it is safe to run them)."""
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    if huey.immediate:
        # An immediate task would use this session while it is still finishing its commit: run it later.
        session.info.setdefault(_READY, []).extend(pending)
        return
    for task, args in pending:
        task(*args)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    """Tasks asked for by a transaction that rolled back are never enqueued (a savepoint's rollback keeps them)."""
    if not previous_transaction.nested and previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def run_ready(session: Session) -> int:
    """Run the immediate-mode tasks whose transaction has committed; returns how many ran."""
    ran = 0
    while session.info.get(_READY):
        task, args = session.info[_READY].pop(0)
        task(*args)
        ran += 1
    return ran


def _run_ready_after_request(sender: Flask, **_extra: Any) -> None:
    """After a request has committed (immediate mode), run the tasks it asked for."""
    from portal.extensions import db

    if huey.immediate:
        run_ready(db.session)


# Running a task ------------------------------------------------------------------------------------------

_worker_app: Flask | None = None


def worker_app() -> Flask:
    """The worker process's Flask app, made on first use."""
    global _worker_app
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    return _worker_app


def _transaction(work: Callable[[Session], T], *, writes: bool = False) -> T:
    """Run ``work(session)`` and commit, or roll back and re-raise.

    ``writes`` takes SQLite's write lock at the start (BEGIN IMMEDIATE), so the transaction waits its turn
    under the busy timeout instead of failing when another worker commits first.
    """
    from portal.extensions import db

    try:
        if writes:
            db.session.connection(execution_options={"sqlite_immediate": True})
        result = work(db.session)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    run_ready(db.session)
    return result


def run_in_app(work: Callable[[Session], T], *, writes: bool = False) -> T:
    """Run ``work(session)`` in its own transaction inside an app context (the worker's own if there is none)."""
    if has_app_context():
        return _transaction(work, writes=writes)
    from portal.extensions import db

    with worker_app().app_context():
        try:
            return _transaction(work, writes=writes)
        finally:
            db.session.remove()


def public_url() -> str:
    """The portal's public address, for links in e-mails and letters."""
    return current_app.config["PUBLIC_URL"].rstrip("/")


# Tasks ---------------------------------------------------------------------------------------------------

# SQLite refuses a write from a transaction that began reading before another worker's commit ("database is
# locked" at once, whatever the busy timeout), so a task that meets it starts again straight away a few times;
# after that Huey tries it again later. On PostgreSQL this does not happen.
BUSY_ATTEMPTS = 10
QUEUE_RETRIES = 5


def _busy(error: OperationalError) -> bool:
    """Whether the database refused because another connection was writing."""
    return "locked" in str(error.orig) or "busy" in str(error.orig)


@huey.task(retries=QUEUE_RETRIES, retry_delay=2)
def issue_one(batch_id: int, application_id: int) -> str:
    """Issue one application's letter for a bulk batch (idempotent); returns what happened."""
    from portal.letters import bulk

    # Render first, in a transaction that only reads; then store in a short one that writes at once.
    prepared = run_in_app(lambda session: bulk.prepare_one(session, batch_id=batch_id, application_id=application_id,
                                                            public_url=public_url()))
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return run_in_app(lambda session: bulk.issue_one(session, batch_id=batch_id, application_id=application_id,
                                                             public_url=public_url(), prepared=prepared),
                              writes=True)
        except OperationalError as error:  # rolled back already: nothing half done
            if attempt == BUSY_ATTEMPTS or not _busy(error):
                raise  # Huey tries the task again later
            time.sleep(random.uniform(0, 0.05 * attempt))
    raise AssertionError("unreachable")


@huey.periodic_task(crontab(minute="*"))
def resume_stalled_letter_batches() -> str:
    """Every minute: restart each letter batch that has made no progress for PORTAL_LETTER_BATCH_STALL_SECONDS.

    A worker killed mid-batch takes the tasks it had with it, and a queue can be lost; the batch's heartbeat
    stops, and this queues its missing letters again (each is issued once, whatever runs twice). Queued like
    any task, it runs after the tasks ahead of it have been taken, so a batch merely waiting its turn moves
    before it is looked at.
    """
    from portal.letters import bulk

    resumed = run_in_app(lambda session: bulk.resume_stalled_batches(session))
    return ", ".join(f"batch {batch_id}: {queued} queued" for batch_id, queued in resumed.items()) or "none stalled"


def nine_in_london(moment: datetime) -> bool:
    """True at 9am London time (Huey passes the scheduler's time in UTC, without a zone)."""
    london = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(LONDON)
    return london.hour == REMINDER_HOUR and london.minute == 0


@huey.periodic_task(nine_in_london)
def daily_reminders() -> str:
    """Every day at 9am London time: panel score reminders, tomorrow's event reminders, reminders to finish drafts."""
    from portal.notifications import reminders

    result = run_in_app(lambda session: reminders.send_reminders(session, public_url=public_url(),
                                                                 portal_name=current_app.config["PORTAL_NAME"]))
    return str(result)
