"""Many people writing at once on the embedded SQLite database: everyone waits their turn, nobody sees an error.

A deferred SQLite transaction that reads and then writes fails at once with "database is locked" when
another connection committed in between, whatever the busy timeout. Form posts therefore take the write
lock as their transaction starts (BEGIN IMMEDIATE), and wait under the busy timeout instead.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
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
