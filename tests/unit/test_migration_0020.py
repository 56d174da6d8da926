"""Migration 0020 moves an existing log to salted field commitments: new salts, every hash recomputed in order."""

import hashlib
import json

import pytest


@pytest.mark.own_database
def test_existing_entries_are_salted_and_rehashed_so_the_chain_still_verifies(tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.demo import seed
    from portal.extensions import db
    from portal.transparency import log

    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'log.sqlite3'}"})
    with app.app_context():
        upgrade()
        seed(db.session)
        db.session.commit()
        downgrade(revision="0019")
        # Before 0020 each content hash covered the content itself; the demo's entries are such a log.
        before = db.session.execute(text("SELECT position, content_hash, entry_hash FROM decision_log_entry "
                                         "ORDER BY position")).all()
        db.session.commit()
        assert before, "the demo publishes decisions"
        upgrade()
        db.session.expire_all()
        report = log.verify_chain(db.session)
        assert report.intact and report.entries == len(before), report.problem
        rows = db.session.execute(text("SELECT position, content_hash, entry_hash, field_salts "
                                       "FROM decision_log_entry ORDER BY position")).all()
        for old, new in zip(before, rows, strict=True):
            assert new.content_hash != old.content_hash and new.entry_hash != old.entry_hash, new.position
            salts = json.loads(new.field_salts) if isinstance(new.field_salts, str) else new.field_salts
            assert len(salts) == 24 and all(len(bytes.fromhex(salt)) == 16 for salt in salts.values())
        first = db.session.execute(text("SELECT previous_hash FROM decision_log_entry WHERE position = 1")).scalar()
        assert first == "0" * 64
        assert hashlib.sha256(("0" * 64 + rows[0].content_hash).encode()).hexdigest() == rows[0].entry_hash
