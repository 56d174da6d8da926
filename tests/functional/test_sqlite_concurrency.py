"""Many people writing at once on the embedded SQLite database: everyone waits their turn, nobody sees an error.

A deferred SQLite transaction that reads and then writes fails at once with "database is locked" when
another connection committed in between, whatever the busy timeout. Form posts therefore take the write
lock as their transaction starts (BEGIN IMMEDIATE), and wait under the busy timeout instead; before that they
queue behind each other on a lock file (portal.sqlite_writers), asleep rather than in SQLite's busy loop.
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

import portal
from portal import SQLITE_BUSY_TIMEOUT_MS, create_app, sqlite_writers
from portal.extensions import db
from portal.models import SignInAttempt

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
    monkeypatch.setattr(portal, "SQLITE_BUSY_TIMEOUT_MS", 50)
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
