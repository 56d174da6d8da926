"""Issuing every letter of a round at once: a batch, one queued task per letter, progress and resuming.

``start_batch`` records a ``LetterBatch`` with how many letters are needed and, once the request commits,
queues ``portal.jobs.issue_one`` for each application. ``issue_one`` is idempotent: an application that
already has a letter in this batch, or no longer needs one, is not issued again, and the database refuses a
second letter for the same application in the same batch (two workers at once). Counters change with
``UPDATE ... SET issued = issued + 1`` in the same transaction as the letter, so they always match what was
stored. A batch stalled by a crash (workers stopped, queue lost) is resumed with ``resume_batch``: every
application of the round that still has no letter in the batch and still needs one is queued again.

The batch keeps a heartbeat, ``progress_at``: set when it starts or is resumed and with every letter dealt with
(in the same UPDATE as the counters). ``resume_stalled_batches``, run every minute by the job queue
(``portal.jobs.resume_stalled_letter_batches``) and by ``flask issue-letters --resume-stalled``, restarts each
unfinished batch whose heartbeat is older than ``PORTAL_LETTER_BATCH_STALL_SECONDS``, in the same way. It claims
a batch with a compare-and-set UPDATE on the heartbeat, so two schedulers at once queue its letters only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from portal import audit, jobs
from portal.domain import NotFound, StateTransitionError
from portal.formatting import clock, date_time, london
from portal.letters import services as letters
from portal.models import Application, Letter, LetterBatch, Role, Round, RoundStatus, User, utcnow
from portal.permissions import require_commissioner

# A batch with no progress for this long is taken to have stopped (a worker crashed, the queue was lost), unless
# PORTAL_LETTER_BATCH_STALL_SECONDS says otherwise.
STALLED_AFTER = timedelta(seconds=60)
# The job queue restarts a batch by itself at most this many times: one that keeps stopping (a letter that
# kills its worker every time) is left for a person to look at and resume.
AUTO_RESUME_LIMIT = 5
ERROR_MAX = 2000
NOTHING_TO_DO = "Every letter is already issued"
NOT_PUBLISHED = ("Letters can be issued only once the round's decisions are published in the decision log. "
                 "Publish the decisions first")

ISSUED, SKIPPED, FAILED, ALREADY = "issued", "skipped", "failed", "already"


COMMISSIONERS_ONLY = "Only commissioners can issue outcome letters"


def batch_for(session: Session, *, batch_id: int, by: User) -> LetterBatch:
    """A letter batch, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    batch = session.get(LetterBatch, batch_id)
    if batch is None:
        raise NotFound("There is no batch of letters with this number")
    return batch


def bulk_round(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, for a commissioner about to issue its letters."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def round_by_slug(session: Session, *, slug: str, by: User) -> Round:
    """A round found by its slug (for the command line)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.scalar(select(Round).where(Round.slug == slug))
    if round_ is None:
        raise NotFound(f"There is no round called {slug!r}")
    return round_


def _candidates(session: Session, round_: Round) -> list[Application]:
    """The round's applications that may have a letter: decided ones and ineligible ones."""
    return list(session.scalars(
        select(Application)
        .where(Application.round_id == round_.id, Application.status.in_(letters.LETTER_STATUSES))
        .order_by(Application.reference, Application.id)))


def _needed_ids(session: Session, round_: Round, *, excluding_batch: LetterBatch | None = None) -> list[int]:
    """Ids of the round's applications that still need a letter (and have none in ``excluding_batch``)."""
    in_batch: set[int] = set()
    if excluding_batch is not None:
        in_batch = set(session.scalars(select(Letter.application_id).where(Letter.batch_id == excluding_batch.id)))
    return [a.id for a in _candidates(session, round_)
            if a.id not in in_batch and letters.letter_needed(session, a) is not None]


# Starting and resuming ---------------------------------------------------------------------------------


def start_batch(session: Session, *, round_: Round, by: User, now: datetime | None = None) -> LetterBatch:
    """Record a batch for every letter the round still needs; its tasks are queued when the transaction commits."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if round_.status != RoundStatus.DECISIONS_PUBLISHED:
        raise StateTransitionError(NOT_PUBLISHED)
    now = now or utcnow()
    needed = _needed_ids(session, round_)
    batch = LetterBatch(round_id=round_.id, requested_by_id=by.id, requested_at=now, progress_at=now,
                        total=len(needed), finished_at=None if needed else now)
    session.add(batch)
    session.flush()
    audit.record(session, actor=by, action="letters.bulk_started", entity=batch,
                 after={"round_id": round_.id, "total": len(needed), "application_ids": needed})
    for application_id in needed:
        jobs.enqueue_after_commit(session, jobs.issue_one, batch.id, application_id)
    return batch


def stall_interval() -> timedelta:
    """How long a batch may go without progress before it counts as stopped (PORTAL_LETTER_BATCH_STALL_SECONDS)."""
    if has_app_context() and current_app.config.get("PORTAL_LETTER_BATCH_STALL_SECONDS"):
        return timedelta(seconds=int(current_app.config["PORTAL_LETTER_BATCH_STALL_SECONDS"]))
    return STALLED_AFTER


def in_words(interval: timedelta) -> str:
    """'1 minute', '5 minutes', '90 seconds'."""
    seconds = int(interval.total_seconds())
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def last_progress(session: Session, batch: LetterBatch) -> datetime:
    """When the batch last moved: its heartbeat (started, resumed, or a letter dealt with)."""
    return batch.progress_at or batch.requested_at


def can_resume(session: Session, batch: LetterBatch, *, now: datetime | None = None) -> bool:
    """A batch can be resumed when some letters failed, or when it stopped moving before it finished."""
    if batch.failed:
        return True
    if batch.finished_at is not None:
        return False
    return (now or utcnow()) - last_progress(session, batch) >= stall_interval()


def resume_batch(session: Session, *, batch: LetterBatch, by: User, now: datetime | None = None) -> int:
    """Queue again every letter of the batch not yet issued in it; returns how many were queued."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    now = now or utcnow()
    if not can_resume(session, batch, now=now):
        if batch.finished_at is not None:
            raise StateTransitionError("This batch has finished: every letter in it was issued")
        raise StateTransitionError("This batch is still issuing letters. If it makes no progress for "
                                   f"{in_words(stall_interval())}, the job queue restarts it, and you can "
                                   "resume it yourself")
    batch.progress_at = now
    return _requeue(session, batch=batch, by=by, action="letters.bulk_resumed", now=now)


def _requeue(session: Session, *, batch: LetterBatch, by: User | None, action: str, now: datetime) -> int:
    """Recount the batch from its letters and queue again every letter it still needs; returns how many."""
    before = audit.snapshot(batch, ["issued", "skipped", "failed", "finished_at"])
    missing = _needed_ids(session, batch.round, excluding_batch=batch)
    issued = session.scalar(select(func.count()).where(Letter.batch_id == batch.id)) or 0
    # What is neither issued in the batch nor still needed was skipped (issued elsewhere, or no longer needed).
    batch.issued, batch.failed, batch.last_error = issued, 0, None
    batch.total = max(batch.total, issued + len(missing))
    batch.skipped = batch.total - issued - len(missing)
    batch.finished_at = None if missing else now
    audit.record(session, actor=by, action=action, entity=batch, before=before,
                 after={**audit.snapshot(batch, ["issued", "skipped", "failed", "finished_at"]),
                        "application_ids": missing})
    for application_id in missing:
        jobs.enqueue_after_commit(session, jobs.issue_one, batch.id, application_id)
    return len(missing)


def _stalled(cutoff: datetime):
    """The conditions of a batch the job queue should restart: work left, no progress since ``cutoff``."""
    return (LetterBatch.finished_at.is_(None), LetterBatch.progress_at <= cutoff,
            LetterBatch.auto_resumes < AUTO_RESUME_LIMIT)


def resume_stalled_batches(session: Session, *, now: datetime | None = None) -> dict[int, int]:
    """Restart every unfinished batch with no progress for the stall interval; returns {batch id: letters queued}.

    Each batch is claimed with one UPDATE that moves its heartbeat only if it is still stale (compare-and-set):
    on PostgreSQL a second scheduler's UPDATE waits for the first to commit and then matches nothing, and on
    SQLite the write lock puts them in turn. So the letters are queued once, however many schedulers run.
    """
    now = now or utcnow()
    cutoff = now - stall_interval()
    resumed: dict[int, int] = {}
    for batch_id in session.scalars(select(LetterBatch.id).where(*_stalled(cutoff)).order_by(LetterBatch.id)).all():
        claimed = session.execute(
            update(LetterBatch).where(LetterBatch.id == batch_id, *_stalled(cutoff))
            .values(stalled_at=LetterBatch.progress_at, progress_at=now, auto_resumed_at=now,
                    auto_resumes=LetterBatch.auto_resumes + 1)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue  # another scheduler restarted it, or a worker moved it, since we looked
        batch = session.get(LetterBatch, batch_id)
        session.refresh(batch)
        resumed[batch_id] = _requeue(session, batch=batch, by=None, action="letters.bulk_resumed_automatically",
                                     now=now)
    return resumed


# One letter (run by a worker) ---------------------------------------------------------------------------


def _letter_in_batch(session: Session, *, batch_id: int, application_id: int) -> bool:
    """Whether the batch has already issued this application's letter."""
    return session.scalar(select(Letter.id).where(Letter.batch_id == batch_id,
                                                  Letter.application_id == application_id)) is not None


def _count(session: Session, *, batch_id: int, outcome: str, error: str | None = None,
           now: datetime | None = None) -> None:
    """Add one to a counter in the database itself (safe with many workers), and finish the batch when all are done."""
    column = getattr(LetterBatch, outcome)
    values: dict = {outcome: column + 1, "progress_at": now or utcnow()}  # the heartbeat moves with each letter
    if error is not None:
        values["last_error"] = error[:ERROR_MAX]
    session.execute(update(LetterBatch).where(LetterBatch.id == batch_id).values(values)
                    .execution_options(synchronize_session=False))
    session.execute(
        update(LetterBatch)
        .where(LetterBatch.id == batch_id, LetterBatch.finished_at.is_(None),
               LetterBatch.issued + LetterBatch.skipped + LetterBatch.failed >= LetterBatch.total)
        .values(finished_at=now or utcnow())
        .execution_options(synchronize_session=False))
    batch = session.get(LetterBatch, batch_id)
    if batch is not None:
        session.expire(batch)


def prepare_one(session: Session, *, batch_id: int, application_id: int, public_url: str,
                now: datetime | None = None) -> letters.PreparedLetter | None:
    """Render one application's letter for a batch without writing anything; None when there is nothing to issue.

    Workers call this in a read-only transaction and then ``issue_one`` in a short writing one, so the slow part
    (rendering) never holds a write lock and workers on SQLite do not undo each other's work.
    """
    application = session.get(Application, application_id)
    if application is None or session.get(LetterBatch, batch_id) is None:
        return None
    if _letter_in_batch(session, batch_id=batch_id, application_id=application_id):
        return None
    if letters.letter_needed(session, application) is None:
        return None
    try:
        return letters.prepare_letter(session, application=application, public_url=public_url, now=now)
    except Exception:  # noqa: BLE001 - issue_one renders again and counts the failure where it is kept
        return None


def issue_one(session: Session, *, batch_id: int, application_id: int, public_url: str,
              now: datetime | None = None, prepared: letters.PreparedLetter | None = None) -> str:
    """Issue one application's letter in a batch, unless done already; returns issued, skipped, failed or already."""
    batch = session.get(LetterBatch, batch_id)
    application = session.get(Application, application_id)
    if batch is None or application is None:
        return ALREADY  # nothing to count: the batch or application is gone
    if _letter_in_batch(session, batch_id=batch_id, application_id=application_id):
        return ALREADY  # a repeated task (resumed, or run twice): counted when it was issued
    if letters.letter_needed(session, application) is None:
        _count(session, batch_id=batch_id, outcome=SKIPPED, now=now)
        return SKIPPED
    try:
        with session.begin_nested():
            letters.issue_letter(session, application=application, by=batch.requested_by, public_url=public_url,
                                 batch=batch, now=now, prepared=prepared)
    except OperationalError:
        raise  # the database was busy: the task is tried again as a whole
    except (IntegrityError, StateTransitionError) as error:
        # Another worker or a commissioner issued it at the same moment: count it only if it is not in the batch.
        if _letter_in_batch(session, batch_id=batch_id, application_id=application_id):
            return ALREADY
        if letters.letter_needed(session, application) is None:
            _count(session, batch_id=batch_id, outcome=SKIPPED, now=now)
            return SKIPPED
        return _failed(session, batch_id=batch_id, application=application, error=error, now=now)
    except Exception as error:  # noqa: BLE001 - any other failure is counted and shown, never lost
        return _failed(session, batch_id=batch_id, application=application, error=error, now=now)
    _count(session, batch_id=batch_id, outcome=ISSUED, now=now)
    return ISSUED


def _failed(session: Session, *, batch_id: int, application: Application, error: Exception,
            now: datetime | None) -> str:
    """Count a letter that could not be issued, keeping the error to show."""
    message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    _count(session, batch_id=batch_id, outcome=FAILED, error=f"{application.reference}: {message}", now=now)
    return FAILED


# Progress ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchProgress:
    """What the progress page and its JSON show."""

    batch: LetterBatch
    resumable: bool

    @property
    def done(self) -> int:
        """Letters dealt with so far, however they went."""
        return self.batch.issued + self.batch.skipped + self.batch.failed

    @property
    def finished(self) -> bool:
        """Whether every letter has been dealt with."""
        return self.batch.finished_at is not None

    @property
    def summary(self) -> str:
        """'12 of 40 letters issued, 0 failed', or that there was nothing to do."""
        batch = self.batch
        if batch.total == 0:
            return NOTHING_TO_DO
        text = f"{batch.issued} of {batch.total} letter{'' if batch.total == 1 else 's'} issued, {batch.failed} failed"
        if batch.skipped:
            text += f", {batch.skipped} not needed"
        return text

    @property
    def state(self) -> str:
        """In words: still issuing, finished, finished with failures, or stopped."""
        if self.finished:
            return "Finished, but some letters failed" if self.batch.failed else "Finished"
        return "Stopped: resume it to issue the rest" if self.resumable else "Issuing letters"

    @property
    def restart_note(self) -> str | None:
        """What the job queue did about the batch stopping, if it restarted it; None if it never had to."""
        batch = self.batch
        if not batch.auto_resumes or batch.stalled_at is None or batch.auto_resumed_at is None:
            return None
        stopped, restarted = batch.stalled_at, batch.auto_resumed_at
        if london(stopped).date() == london(restarted).date():
            when = f"stopped being issued at {clock(stopped)} and were restarted automatically at {clock(restarted)}"
        else:
            when = (f"stopped being issued on {date_time(stopped)} and were restarted automatically on "
                    f"{date_time(restarted)}")
        note = f"The letters {when}."
        if batch.auto_resumes > 1:
            note += f" The job queue has restarted this batch {batch.auto_resumes} times."
        if self.resumable and batch.auto_resumes >= AUTO_RESUME_LIMIT:
            note += " It will not restart it again by itself: resume it when the problem is fixed."
        return note

    @property
    def still_to_do(self) -> int:
        """Letters not dealt with yet."""
        return self.batch.total - self.done

    @property
    def succeeded(self) -> bool:
        """Finished with every letter issued (or not needed): the only time the page says "Success"."""
        return self.finished and not self.batch.failed

    @property
    def headline(self) -> str:
        """The page's banner in a sentence: what has happened, or what is happening and what to do."""
        batch = self.batch
        letters = f"letter{'' if batch.total == 1 else 's'}"
        if batch.total == 0:
            return NOTHING_TO_DO
        if self.succeeded:
            if batch.skipped:
                return f"Finished: {batch.issued} issued, {batch.skipped} not needed"
            return f"All {batch.total} {letters} issued"
        if self.finished:
            return (f"Finished, but {batch.failed} letter{'' if batch.failed == 1 else 's'} failed. "
                    "Resume to try again")
        if self.resumable:
            return f"Stopped after {self.done} of {batch.total} {letters}. Resume to issue the rest"
        return (f"Issuing {batch.total} {letters}: {self.done} dealt with so far. You can leave this page: "
                "the letters carry on being issued")

    def as_json(self) -> dict:
        """The progress as the page's script reads it."""
        batch = self.batch
        return {"id": batch.id, "total": batch.total, "issued": batch.issued, "skipped": batch.skipped,
                "failed": batch.failed, "done": self.done, "still_to_do": self.still_to_do,
                "finished": self.finished, "succeeded": self.succeeded, "summary": self.summary,
                "headline": self.headline, "state": self.state, "resumable": self.resumable,
                "last_error": batch.last_error, "auto_resumes": batch.auto_resumes,
                "restart_note": self.restart_note}


def batch_progress(session: Session, *, batch: LetterBatch, by: User, now: datetime | None = None) -> BatchProgress:
    """A batch's progress, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    session.refresh(batch)
    return BatchProgress(batch=batch, resumable=can_resume(session, batch, now=now))


def latest_batch(session: Session, *, round_: Round, by: User) -> BatchProgress | None:
    """The round's most recent batch and its progress, if letters were ever issued in bulk."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    batch = session.scalar(select(LetterBatch).where(LetterBatch.round_id == round_.id)
                           .order_by(LetterBatch.requested_at.desc(), LetterBatch.id.desc()).limit(1))
    return BatchProgress(batch=batch, resumable=can_resume(session, batch)) if batch is not None else None


def operator(session: Session, *, email: str | None = None) -> User:
    """The commissioner a command-line run acts as: the one named, or the first active commissioner."""
    query = select(User).where(User.role.in_((Role.COMMISSIONER, Role.ADMIN)))
    if email is not None:
        user = session.scalar(query.where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise NotFound(f"There is no commissioner with the e-mail address {email}")
        return user
    user = next((u for u in session.scalars(query.order_by(User.id)) if u.is_active_account), None)
    if user is None:
        raise NotFound("There is no commissioner to act as. Give one with --as")
    return user
