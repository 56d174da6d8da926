"""Many people writing at once on the embedded SQLite database: everyone waits their turn, nobody sees an error.

A SQLite transaction that reads and then writes fails at once with "database is locked" when another
connection committed in between, whatever the busy timeout. So transactions read without the write lock and,
at their first write, start again holding it (BEGIN IMMEDIATE), waiting under the busy timeout; requests
queue for it on a lock file (portal.sqlite_writers), asleep rather than in SQLite's busy loop.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal import create_app, sqlite_writers
from portal.extensions import db
from portal.models import SignInAttempt
from portal.sqlite_writers import SQLITE_BUSY_TIMEOUT_MS

pytestmark = pytest.mark.own_database

PEOPLE = 8
POSTS_EACH = 5  # below the per-account throttle, so every attempt is recorded


def test_concurrent_form_posts_never_meet_a_locked_database(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'busy.sqlite3'}"})
    with app.app_context():
        upgrade()

    def sign_in_attempts(person: int) -> list[int]:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{person + 1}"  # each from their own address
        return [client.post("/sign-in", data={"email": f"person{person}@example.org",
                                              "password": f"wrong password {n}"}).status_code
                for n in range(POSTS_EACH)]

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        statuses = [status for result in pool.map(sign_in_attempts, range(PEOPLE)) for status in result]

    assert all(status < 500 for status in statuses), statuses
    with app.app_context():
        stored = db.session.scalar(select(func.count(SignInAttempt.id)))
        db.session.remove()
    assert stored == PEOPLE * POSTS_EACH, "every failed sign-in is recorded (for throttling), none lost"


def _app_with_file_database(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'busy.sqlite3'}"})
    with app.app_context():
        upgrade()
    return app


def test_a_writer_waiting_for_the_lock_gets_it_when_the_holder_commits(tmp_path):
    app = _app_with_file_database(tmp_path)
    holder = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.2, holder.execute, args=("COMMIT",))
    released.start()
    try:
        response = app.test_client().post("/sign-in", data={"email": "waiting@example.org", "password": "wrong"})
    finally:
        released.join()
        holder.close()
    assert response.status_code < 500
    with app.app_context():
        assert db.session.scalar(select(func.count(SignInAttempt.id))) == 1, "the attempt was recorded"
        busy_timeout = db.session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
        db.session.remove()
    assert busy_timeout == SQLITE_BUSY_TIMEOUT_MS, "the connection waits for locks as usual afterwards"


def test_a_lock_held_past_the_busy_timeout_is_reported_as_locked(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "SQLITE_BUSY_TIMEOUT_MS", 50)
    app = _app_with_file_database(tmp_path)
    holder = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with app.app_context(), pytest.raises(OperationalError, match="locked"):
            db.session.connection(execution_options={"sqlite_immediate": True})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with app.app_context():
        db.session.remove()
        db.session.connection(execution_options={"sqlite_immediate": True})  # free again: no error
        db.session.rollback()


def test_a_form_post_waits_its_turn_behind_another_post_on_the_machine(tmp_path):
    app = _app_with_file_database(tmp_path)
    database = str(tmp_path / "busy.sqlite3")
    other_post = os.open(sqlite_writers.lock_path(database), os.O_RDWR | os.O_CREAT)
    fcntl.flock(other_post, fcntl.LOCK_EX)  # as a post in another worker holds it
    statuses: list[int] = []
    waiting = threading.Thread(target=lambda: statuses.append(app.test_client().post(
        "/sign-in", data={"email": "queued@example.org", "password": "wrong"}).status_code))
    waiting.start()
    waiting.join(timeout=0.3)
    assert waiting.is_alive() and not statuses, "the post waits while another post is writing"
    fcntl.flock(other_post, fcntl.LOCK_UN)
    os.close(other_post)
    waiting.join()
    assert statuses and statuses[0] < 500
    with app.app_context():
        assert db.session.scalar(select(func.count(SignInAttempt.id))) == 1
        db.session.remove()
    # The post gave the lock back when it ended: the next one can take it at once.
    again = os.open(sqlite_writers.lock_path(database), os.O_RDWR)
    fcntl.flock(again, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(again)


def _other_writer_can_start(database) -> bool:
    """Whether another connection could take the write lock now."""
    other = sqlite3.connect(database, isolation_level=None, timeout=0.05)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
    return True


def test_a_transaction_reads_without_the_write_lock_and_takes_it_to_write(tmp_path):
    app = _app_with_file_database(tmp_path)
    database = tmp_path / "busy.sqlite3"
    with app.app_context():
        db.session.scalar(select(func.count(SignInAttempt.id)))
        assert db.session().in_transaction()
        assert _other_writer_can_start(database), "reading leaves others free to write"
        db.session.add(SignInAttempt(email="reader@example.org", address="10.0.0.1", succeeded=False))
        db.session.flush()
        assert not _other_writer_can_start(database), "writing holds the lock until the commit"
        db.session.commit()
        assert _other_writer_can_start(database)
        db.session.remove()


def test_a_write_after_another_connection_committed_does_not_fail(tmp_path):
    """What a deferred SQLite transaction cannot do: write after reading an older state of the database."""
    app = _app_with_file_database(tmp_path)
    with app.app_context():
        assert db.session.scalar(select(func.count(SignInAttempt.id))) == 0  # read: the snapshot starts
        other = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
        other.execute("INSERT INTO sign_in_attempt (email, address, succeeded, attempted_at) "
                      "VALUES ('other@example.org', '10.0.0.2', 0, '2026-11-25 10:00:00')")
        other.close()
        db.session.add(SignInAttempt(email="reader@example.org", address="10.0.0.1", succeeded=False))
        db.session.commit()  # no "database is locked"
        emails = set(db.session.scalars(select(SignInAttempt.email)))
        db.session.remove()
    assert emails == {"other@example.org", "reader@example.org"}


def test_reading_a_page_does_not_wait_for_a_post_that_is_writing(tmp_path):
    app = _app_with_file_database(tmp_path)
    database = str(tmp_path / "busy.sqlite3")
    other_post = os.open(sqlite_writers.lock_path(database), os.O_RDWR | os.O_CREAT)
    fcntl.flock(other_post, fcntl.LOCK_EX)
    try:
        assert app.test_client().get("/").status_code == 200
    finally:
        fcntl.flock(other_post, fcntl.LOCK_UN)
        os.close(other_post)


def test_no_write_lock_is_held_while_an_smtp_server_answers(tmp_path):
    """A slow or silent SMTP server must not keep every form post waiting for the database."""
    from portal.notifications.services import deliver_pending, queue_email

    app = _app_with_file_database(tmp_path)
    free_while_sending: list[bool] = []

    class SlowSmtpServer:
        def send(self, message):
            free_while_sending.append(_other_writer_can_start(tmp_path / "busy.sqlite3"))

    with app.app_context():
        queue_email(db.session, to="grace@example.org", subject="Hello", body="Body")
        db.session.commit()
        assert deliver_pending(db.session, sender=SlowSmtpServer()) == (1, 0)
        db.session.remove()
    assert free_while_sending == [True]
