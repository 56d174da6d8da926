"""A letter batch that stops making progress is restarted by the job queue itself, and its page says so (issue 15).

The clock is injected: the batch is started at a fixed moment and the stall check is run at chosen moments after
it, so nothing here waits for real time to pass. "Tasks lost" is simulated by dropping the tasks a batch asked
for before they reach the queue, which is what a killed worker or a lost queue leaves behind: a batch with letters
still to do, an old heartbeat, and nothing queued (test_letter_worker_crash.py does it with a real worker).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal import jobs
from portal.letters import bulk
from portal.models import AuditEvent, Letter, LetterBatch

# 10:42 in January: London time is UTC, so the page's times read as these do.
STARTED = datetime(2026, 1, 5, 10, 42, 10, tzinfo=UTC)
STALL = timedelta(seconds=60)


@pytest.fixture(autouse=True)
def stall_after_a_minute(app, monkeypatch):
    """The configured stall interval, whatever the environment says."""
    monkeypatch.setitem(app.config, "PORTAL_LETTER_BATCH_STALL_SECONDS", int(STALL.total_seconds()))


def _lost_batch(session, round_, by, *, now=STARTED) -> LetterBatch:
    """A batch started at ``now`` whose tasks never reached a worker."""
    batch = bulk.start_batch(session, round_=round_, by=by, now=now)
    session.info.pop(jobs._PENDING, None)  # the queue lost every task
    session.commit()
    return batch


def _run(session, batch) -> None:
    """Commit (a savepoint in tests), so the tasks queued run at once."""
    session.commit()
    jobs.run_ready(session)
    session.refresh(batch)


def _letters(session, batch) -> list[Letter]:
    """The letters the batch issued."""
    return list(session.scalars(select(Letter).where(Letter.batch_id == batch.id)))


def _frozen(monkeypatch, moment: datetime) -> None:
    """The job queue's idea of now (the periodic task takes no arguments, so its clock is patched)."""
    monkeypatch.setattr(bulk, "utcnow", lambda: moment)


def test_a_stalled_batch_is_restarted_by_the_periodic_task_and_finishes(commissioner_client, session, bulk_round,
                                                                         commissioner, monkeypatch):
    batch = _lost_batch(session, bulk_round, commissioner)
    assert (batch.total, batch.issued, batch.finished_at) == (5, 0, None)

    restarted_at = STARTED + STALL + timedelta(seconds=30)  # 10:43:40
    _frozen(monkeypatch, restarted_at)
    jobs.resume_stalled_letter_batches()  # queued (run at once in tests) as the consumer's scheduler does each minute
    session.refresh(batch)

    assert (batch.issued, batch.failed, batch.skipped) == (5, 0, 0) and batch.finished_at is not None
    assert len({letter.application_id for letter in _letters(session, batch)}) == len(_letters(session, batch)) == 5
    assert (batch.auto_resumes, batch.stalled_at, batch.auto_resumed_at) == (1, STARTED, restarted_at)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "letters.bulk_resumed_automatically"))
    assert event is not None and event.actor_id is None and len(event.after["application_ids"]) == 5

    page = commissioner_client.page(f"/commissioning/letter-batches/{batch.id}")
    assert page.soup.select_one("#batch-restarted").get_text(" ", strip=True) == (
        "The letters stopped being issued at 10:42am and were restarted automatically at 10:43am.")
    assert "All 5 letters issued" in page.soup.select_one("#batch-headline").get_text()
    status = commissioner_client.get(f"/commissioning/letter-batches/{batch.id}.json").get_json()
    assert status["auto_resumes"] == 1 and status["restart_note"].startswith("The letters stopped being issued")


def test_a_fresh_batch_is_not_touched(session, bulk_round, commissioner, monkeypatch):
    batch = _lost_batch(session, bulk_round, commissioner)
    queued = []
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda session, task, *args: queued.append(args))

    assert bulk.resume_stalled_batches(session, now=STARTED + STALL - timedelta(seconds=1)) == {}
    _frozen(monkeypatch, STARTED + timedelta(seconds=10))
    assert jobs.resume_stalled_letter_batches.call_local() == "none stalled"

    session.refresh(batch)
    assert queued == [] and batch.auto_resumes == 0 and batch.progress_at == STARTED and batch.stalled_at is None


def test_a_batch_still_issuing_letters_is_not_touched(session, bulk_round, commissioner, decision_published):
    """Started long ago, but a letter was dealt with a moment ago: its heartbeat is fresh."""
    batch = _lost_batch(session, bulk_round, commissioner)
    moved = STARTED + timedelta(minutes=10)
    assert bulk.issue_one(session, batch_id=batch.id, application_id=decision_published.top.id,
                          public_url="http://portal.test", now=moved) == bulk.ISSUED
    session.commit()
    session.refresh(batch)
    assert batch.progress_at == moved

    assert bulk.resume_stalled_batches(session, now=moved + STALL - timedelta(seconds=1)) == {}
    assert bulk.resume_stalled_batches(session, now=moved + STALL) == {batch.id: 4}


def test_a_finished_batch_is_not_touched(session, bulk_round, commissioner):
    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner, now=STARTED)
    _run(session, batch)
    assert batch.finished_at is not None
    assert bulk.resume_stalled_batches(session, now=STARTED + timedelta(days=1)) == {}


def test_two_schedulers_queue_the_letters_once(session, bulk_round, commissioner, monkeypatch):
    batch = _lost_batch(session, bulk_round, commissioner)
    queued = []
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda session, task, *args: queued.append(args))
    first = STARTED + STALL * 2

    # The second scheduler looked before the first claimed the batch: its claim finds the heartbeat moved.
    candidates = list(session.scalars(select(LetterBatch.id).where(*bulk._stalled(first - STALL))))
    assert bulk.resume_stalled_batches(session, now=first) == {batch.id: 5}
    assert candidates == [batch.id]
    assert bulk.resume_stalled_batches(session, now=first + timedelta(seconds=1)) == {}
    assert bulk.resume_stalled_batches(session, now=first) == {}
    assert len(queued) == 5 and {batch_id for batch_id, _ in queued} == {batch.id}
    assert len({application_id for _, application_id in queued}) == 5, "each letter is queued once"


def test_restarted_but_stopped_again_the_page_says_both_and_offers_resume(commissioner_client, session, bulk_round,
                                                                          commissioner, monkeypatch):
    batch = _lost_batch(session, bulk_round, commissioner)
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda session, task, *args: None)  # lost again
    assert bulk.resume_stalled_batches(session, now=STARTED + STALL) == {batch.id: 5}
    session.commit()

    page = commissioner_client.page(f"/commissioning/letter-batches/{batch.id}")  # long after: stopped again
    assert page.soup.select_one("#batch-restarted").get_text(" ", strip=True) == (
        "The letters stopped being issued at 10:42am and were restarted automatically at 10:43am.")
    assert "made no progress for 1 minute" in page.text()
    assert page.soup.find("button", string="Resume issuing letters") is not None, "a person can still resume it"


def test_a_batch_that_keeps_stopping_is_left_for_a_person(commissioner_client, session, bulk_round, commissioner,
                                                          monkeypatch):
    batch = _lost_batch(session, bulk_round, commissioner)
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda session, task, *args: None)  # every restart lost
    now = STARTED
    for _ in range(bulk.AUTO_RESUME_LIMIT):
        now += STALL
        assert bulk.resume_stalled_batches(session, now=now) == {batch.id: 5}
    assert bulk.resume_stalled_batches(session, now=now + STALL * 10) == {}
    session.commit()
    session.refresh(batch)
    assert batch.auto_resumes == bulk.AUTO_RESUME_LIMIT

    page = commissioner_client.page(f"/commissioning/letter-batches/{batch.id}")
    note = page.soup.select_one("#batch-restarted").get_text(" ", strip=True)
    assert f"restarted this batch {bulk.AUTO_RESUME_LIMIT} times" in note
    assert "will not restart it again by itself" in note
    monkeypatch.undo()
    page = commissioner_client.submit(
        page.soup.find("button", string="Resume issuing letters").find_parent("form")["action"],
        token_from=f"/commissioning/letter-batches/{batch.id}", follow=True)
    assert "5 of 5 letters issued, 0 failed" in page.text()


def test_a_manual_resume_moves_the_heartbeat(session, bulk_round, commissioner, monkeypatch):
    batch = _lost_batch(session, bulk_round, commissioner)
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda session, task, *args: None)
    resumed = STARTED + STALL
    assert bulk.resume_batch(session, batch=batch, by=commissioner, now=resumed) == 5
    assert batch.progress_at == resumed
    assert bulk.resume_stalled_batches(session, now=resumed + STALL - timedelta(seconds=1)) == {}


def test_cli_restarts_stalled_batches(app, session, bulk_round, commissioner):
    batch = _lost_batch(session, bulk_round, commissioner)  # started in January: long stalled by now
    runner = app.test_cli_runner()
    result = runner.invoke(args=["issue-letters", "--resume-stalled"])
    assert result.exit_code == 0, result.output
    assert f"Restarted batch {batch.id}: 5 letter(s) queued again." in result.output
    session.refresh(batch)
    assert (batch.issued, batch.auto_resumes, batch.finished_at is not None) == (5, 1, True)
    again = runner.invoke(args=["issue-letters", "--resume-stalled"])
    assert again.exit_code == 0 and "No batch needs restarting." in again.output
