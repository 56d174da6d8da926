"""The job queue: which Huey a queue URL gives, tasks queued only after commit, one transaction per task."""

from __future__ import annotations

import pytest
from huey import MemoryHuey, SqliteHuey
from sqlalchemy import select

from portal import jobs
from portal.letters import bulk
from portal.models import LetterBatch, OutboxMessage
from portal.notifications.services import queue_email


def test_queue_urls(tmp_path):
    sqlite = jobs.make_huey(f"sqlite:///{tmp_path / 'queue' / 'q.sqlite3'}")
    assert isinstance(sqlite, SqliteHuey) and (tmp_path / "queue" / "q.sqlite3").exists()
    memory = jobs.make_huey("memory://")
    assert isinstance(memory, MemoryHuey) and memory.immediate
    with pytest.raises(RuntimeError, match="PORTAL_QUEUE_URL"):
        jobs.make_huey("postgresql://db/portal")


def test_the_test_app_runs_tasks_immediately(app):
    assert jobs.huey.immediate


def test_a_task_is_queued_only_when_the_transaction_commits(session):
    ran = []
    jobs.enqueue_after_commit(session, ran.append, "first")
    session.flush()
    assert jobs.run_ready(session) == 0 and ran == []
    session.rollback()  # the transaction that asked for it rolled back: never queued
    session.commit()
    assert jobs.run_ready(session) == 0 and ran == []

    jobs.enqueue_after_commit(session, ran.append, "second")
    session.commit()
    assert jobs.run_ready(session) == 1 and ran == ["second"]


def test_each_task_commits_on_success_and_rolls_back_on_error(session):
    def work(session):
        queue_email(session, to="ok@example.org", subject="Kept", body="")
        return "done"

    def broken(session):
        queue_email(session, to="lost@example.org", subject="Lost", body="")
        raise RuntimeError("stopped half way")

    assert jobs.run_in_app(work) == "done"
    with pytest.raises(RuntimeError):
        jobs.run_in_app(broken)
    addresses = session.scalars(select(OutboxMessage.to_address)).all()
    assert "ok@example.org" in addresses and "lost@example.org" not in addresses


def test_counters_add_up_in_the_database_and_finish_the_batch(session, bulk_batch):
    bulk_batch.total = 3
    bulk_batch.finished_at = None
    session.flush()
    bulk._count(session, batch_id=bulk_batch.id, outcome=bulk.ISSUED)
    bulk._count(session, batch_id=bulk_batch.id, outcome=bulk.SKIPPED)
    assert session.get(LetterBatch, bulk_batch.id).finished_at is None
    bulk._count(session, batch_id=bulk_batch.id, outcome=bulk.FAILED, error="YLF-1: it broke")
    batch = session.get(LetterBatch, bulk_batch.id)
    assert (batch.issued, batch.skipped, batch.failed, batch.last_error) == (1, 1, 1, "YLF-1: it broke")
    assert batch.finished_at is not None
