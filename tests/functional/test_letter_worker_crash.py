"""A letter worker killed in the middle of a bulk issue: resuming issues every missing letter, and none twice.

This runs the real job queue: the demo's decided round needs its six letters again, "issue all" puts one
task per letter on a SQLite queue file, a real Huey consumer process starts on them and is killed (SIGKILL,
no chance to tidy up) as soon as the first letter is stored. A task the dead worker had taken is gone from
the queue, so the batch stalls; resuming it queues what is missing, and a fresh worker finishes the job.

The second test leaves the resuming to the job queue: with a stall interval of one second
(PORTAL_LETTER_BATCH_STALL_SECONDS), its check for stalled batches restarts the batch and the fresh worker
finishes it. The check runs every minute in a consumer; here it is queued straight away, as the scheduler would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, select

from portal import create_app
from portal.extensions import db
from portal.models import Application, Letter, LetterBatch, Round

pytestmark = pytest.mark.own_database

ROOT = Path(__file__).resolve().parents[2]


def _count_letters(app, batch_id: int) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count(Letter.id)).where(Letter.batch_id == batch_id))
        db.session.remove()
    return count


def _consumer(env: dict[str, str]) -> subprocess.Popen:
    """A real Huey consumer with one worker process, in its own process group so it can be killed whole."""
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "huey_consumer"), "portal.jobs.huey", "-k", "process", "-w", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _portal_python(env: dict[str, str], body: str) -> str:
    """Run some lines inside the portal's app context in a fresh interpreter (so its queue is the file) and
    return what they print."""
    script = "\n".join([
        "from datetime import timedelta",
        "from sqlalchemy import select",
        "from portal import create_app",
        "from portal.extensions import db",
        "from portal.letters import bulk",
        "from portal.models import LetterBatch, Role, Round, User, utcnow",
        "with create_app().app_context():",
        *("    " + line for line in textwrap.dedent(body).strip().splitlines()),
    ])
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _wait_for(condition, *, seconds: float) -> bool:
    """Poll until the condition holds or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _environment(tmp_path, **extra: str) -> tuple[str, str, dict[str, str]]:
    """The database URL, the queue URL and the environment of the portal's processes for this test."""
    database = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    queue = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    env = {**os.environ, "PORTAL_DATABASE_URL": database, "PORTAL_QUEUE_URL": queue,
           "PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_ENV": "development", **extra}
    env.pop("PORTAL_TEST_DATABASE_URL", None)
    return database, queue, env


def test_a_killed_worker_loses_no_letter_and_resuming_duplicates_none(tmp_path):
    database, queue, env = _environment(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "PORTAL_QUEUE_URL": queue,
                      "INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        db.session.execute(delete(Letter))  # the decided round needs all six letters again
        db.session.commit()
        round_id = db.session.scalar(select(Round.id).where(Round.slug == "safer-summers-2026"))
        db.session.remove()
    # Start the batch in a process of its own, as the web page or CLI would: its tasks go on the queue file.
    batch_id, total = (int(n) for n in _portal_python(env, """
        round_ = db.session.scalar(select(Round).where(Round.slug == "safer-summers-2026"))
        commissioner = db.session.scalar(select(User).where(User.role == Role.COMMISSIONER))
        batch = bulk.start_batch(db.session, round_=round_, by=commissioner)
        db.session.commit()
        print(batch.id, batch.total)
    """).split())
    assert total == 6

    worker = _consumer(env)
    try:
        assert _wait_for(lambda: _count_letters(app, batch_id) >= 1, seconds=120), "the worker issued nothing"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    issued_before_resume = _count_letters(app, batch_id)
    assert issued_before_resume < total, "the worker finished before it could be killed: nothing was tested"

    # A stalled batch may be resumed once it has made no progress for a while: pretend that while is over.
    queued = int(_portal_python(env, f"""
        batch = db.session.get(LetterBatch, {batch_id})
        commissioner = db.session.scalar(select(User).where(User.role == Role.COMMISSIONER))
        queued = bulk.resume_batch(db.session, batch=batch, by=commissioner, now=utcnow() + timedelta(minutes=10))
        db.session.commit()
        print(queued)
    """))
    assert queued == total - issued_before_resume

    worker = _consumer(env)
    try:
        assert _wait_for(lambda: _count_letters(app, batch_id) == total, seconds=180), "resuming did not finish"
        time.sleep(1)  # anything still running would show up as a duplicate now
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    with app.app_context():
        per_application = db.session.execute(
            select(Letter.application_id, func.count(Letter.id)).where(Letter.batch_id == batch_id)
            .group_by(Letter.application_id)).all()
        decided = db.session.scalar(select(func.count(Application.id)).where(Application.round_id == round_id))
        batch = db.session.get(LetterBatch, batch_id)
        assert len(per_application) == decided == total and all(count == 1 for _, count in per_application)
        assert batch.issued == total and batch.failed == 0 and batch.finished_at is not None
        db.session.remove()


def test_the_job_queue_restarts_a_batch_its_killed_worker_left_stalled(tmp_path):
    database, queue, env = _environment(tmp_path, PORTAL_LETTER_BATCH_STALL_SECONDS="1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "PORTAL_QUEUE_URL": queue,
                      "INSTANCE_DIR": str(tmp_path)})
    with app.app_context():
        upgrade()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        db.session.execute(delete(Letter))  # the decided round needs all six letters again
        db.session.commit()
        db.session.remove()
    batch_id, total = (int(n) for n in _portal_python(env, """
        round_ = db.session.scalar(select(Round).where(Round.slug == "safer-summers-2026"))
        commissioner = db.session.scalar(select(User).where(User.role == Role.COMMISSIONER))
        batch = bulk.start_batch(db.session, round_=round_, by=commissioner)
        db.session.commit()
        print(batch.id, batch.total)
    """).split())

    worker = _consumer(env)
    try:
        assert _wait_for(lambda: _count_letters(app, batch_id) >= 1, seconds=120), "the worker issued nothing"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert _count_letters(app, batch_id) < total, "the worker finished before it could be killed: nothing was tested"
    # The task the worker had taken died with it; lose the rest of the queue too (a queue that was not kept),
    # so only the job queue's own check can finish the batch.
    _portal_python(env, """
        from portal import jobs
        jobs.huey.flush()
    """)

    worker = _consumer(env)
    try:
        # Queue the check (as the consumer's scheduler does every minute) until it has restarted the batch,
        # then wait for the batch to finish.
        restarts, finished = (int(n) for n in _portal_python(env, f"""
            import time
            from portal import jobs
            for attempt in range(600):
                db.session.rollback()
                batch = db.session.get(LetterBatch, {batch_id})
                db.session.refresh(batch)
                if batch.finished_at is not None:
                    break
                if batch.auto_resumes == 0:
                    jobs.resume_stalled_letter_batches()
                time.sleep(0.2)
            print(batch.auto_resumes, int(batch.finished_at is not None))
        """).split())
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert finished, "the job queue did not restart the batch"
    assert restarts >= 1

    with app.app_context():
        per_application = db.session.execute(
            select(Letter.application_id, func.count(Letter.id)).where(Letter.batch_id == batch_id)
            .group_by(Letter.application_id)).all()
        batch = db.session.get(LetterBatch, batch_id)
        assert len(per_application) == total and all(count == 1 for _, count in per_application)
        assert (batch.issued, batch.failed) == (total, 0)
        assert batch.stalled_at is not None and batch.auto_resumed_at > batch.stalled_at
        db.session.remove()
