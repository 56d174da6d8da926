"""flask backup and flask restore: a restore brings back exactly what was saved, and refuses what is unsafe.

The commands read and write through their own connections, so these tests do not use the shared
rolled-back session: each database here is a database of its own (a SQLite file, or a fresh PostgreSQL
database created beside PORTAL_TEST_DATABASE_URL and dropped afterwards).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, make_url, select, update

from portal import backup, create_app
from portal.applications.uploads import store_file
from portal.demo import seed
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationDocument,
    Base,
    Fund,
    Role,
    Round,
    User,
    utcnow,
)
from tests.conftest import make_fund, make_user

pytestmark = pytest.mark.own_database

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class BackupSite:
    """One portal with its own database and upload folder."""

    app: Flask
    upload_dir: Path

    def cli(self, *args: str):
        """Run a flask command against this portal."""
        return self.app.test_cli_runner().invoke(args=list(args))

    def rows(self) -> dict[str, list[tuple]]:
        """Every row of every table, all columns, in primary key order (with which columns are SQL NULL)."""
        with self.app.app_context(), db.engine.connect() as connection:
            return {
                table.name: [tuple(row) for row in connection.execute(
                    select(table, *(column.is_(None) for column in table.columns))
                    .order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables
            }

    def files(self) -> dict[str, bytes]:
        """Every regular file in the upload folder (links not followed), by path."""
        found = {}
        for folder, _folders, names in os.walk(self.upload_dir, followlinks=False):
            for name in names:
                path = Path(folder) / name
                if not path.is_symlink():
                    found[path.relative_to(self.upload_dir).as_posix()] = path.read_bytes()
        return found

    def revision(self) -> str | None:
        """The Alembic revision the database is at."""
        with self.app.app_context(), db.engine.connect() as connection:
            return backup.database_revision(connection)


class BackupSites:
    """Makes portals with fresh databases, and removes them afterwards."""

    def __init__(self, folder: Path) -> None:
        """Sites live under ``folder``."""
        self.folder = folder
        self.server_url = os.environ.get("PORTAL_TEST_DATABASE_URL")
        self.sites: list[BackupSite] = []
        self.databases: list[str] = []

    def _postgres(self, sql: str) -> None:
        """Run one statement on the PostgreSQL server's maintenance database."""
        import psycopg

        url = make_url(self.server_url)
        with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(sql)

    def new(self, name: str, *, migrate: str | None = "head") -> BackupSite:
        """A portal on a new, empty database; migrated to ``migrate`` unless it is None."""
        instance = self.folder / name
        instance.mkdir()
        if self.server_url:
            database = f"portal_backup_{secrets.token_hex(6)}"
            self._postgres(f"CREATE DATABASE {database}")
            self.databases.append(database)
            url = make_url(self.server_url).set(database=database).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{instance / 'portal.sqlite3'}"
        app = create_app({
            "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(instance),
            "UPLOAD_DIR": str(instance / "uploads"), "OUTBOX_DIR": str(instance / "outbox"),
            "MAIL_BACKEND": "memory", "ARGON2_FAST": True, "PUBLIC_URL": "http://portal.test", "SERVER_NAME": None,
        })
        if migrate:
            with app.app_context():
                upgrade(revision=migrate)
        site = BackupSite(app=app, upload_dir=instance / "uploads")
        self.sites.append(site)
        return site

    def close(self) -> None:
        """Close every connection and drop the PostgreSQL databases."""
        for site in self.sites:
            with site.app.app_context():
                db.engine.dispose()
        for database in self.databases:
            self._postgres(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@dataclass
class SavedBackup:
    """The demo portal, its backup, and what it held when the backup was made."""

    site: BackupSite
    archive: Path
    output: str
    rows: dict[str, list[tuple]]
    files: dict[str, bytes]
    outside_secret: bytes


def revisions(app: Flask) -> list[str]:
    """This code's migrations, first to latest."""
    from portal.backup_cli import _migrations

    with app.app_context():
        return _migrations().revisions


def read_members(archive: Path) -> dict[str, bytes]:
    """Every member of a backup, by name."""
    with tarfile.open(archive, "r:gz") as source:
        return {member.name: source.extractfile(member).read() for member in source if member.isreg()}


def write_members(path: Path, members: dict[str, bytes], *, rehash: bool = False,
                  links: dict[str, str] | None = None) -> Path:
    """Write a backup-shaped archive; ``rehash`` recomputes the manifest's hashes, as a careful forger would."""
    members = dict(members)
    if rehash:
        manifest = json.loads(members.pop(backup.MANIFEST))
        manifest["members"] = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
        members[backup.MANIFEST] = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


@pytest.fixture(scope="module")
def backup_sites(tmp_path_factory) -> Iterator[BackupSites]:
    """Fresh databases for this module's tests, dropped at the end."""
    sites = BackupSites(tmp_path_factory.mktemp("backup-sites"))
    yield sites
    sites.close()


@pytest.fixture(scope="module")
def backup_saved(backup_sites, tmp_path_factory) -> SavedBackup:
    """The demo with an uploaded document and a nested file, backed up to the default place."""
    site = backup_sites.new("source")
    with site.app.app_context():
        seed(db.session)
        application = db.session.scalars(select(Application).order_by(Application.id)).first()
        applicant = db.session.scalar(select(User).where(User.role == Role.APPLICANT).order_by(User.id))
        stored_name = store_file(str(site.upload_dir), PDF_BYTES)
        db.session.add(ApplicationDocument(
            application=application, original_name="safeguarding-policy.pdf", stored_name=stored_name,
            content_type="application/pdf", size_bytes=len(PDF_BYTES), sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
            uploaded_at=utcnow(), uploaded_by_id=applicant.id))
        db.session.commit()
    (site.upload_dir / "letters" / "2026").mkdir(parents=True)
    (site.upload_dir / "letters" / "2026" / "notes.txt").write_bytes("Ünïcode and\x00bytes".encode())
    # Links that point out of the upload folder must never bring what they point at into a backup.
    outside = tmp_path_factory.mktemp("outside")
    secret = b"A private key that is not the portal's"
    (outside / "secret.txt").write_bytes(secret)
    (site.upload_dir / "linked-file").symlink_to(outside / "secret.txt")
    (site.upload_dir / "linked-folder").symlink_to(outside, target_is_directory=True)

    rows, files = site.rows(), site.files()
    result = site.cli("backup")
    assert result.exit_code == 0, result.output
    archives = list((Path(site.app.config["INSTANCE_DIR"]) / "backups").glob("portal-*Z.tar.gz"))
    assert len(archives) == 1, f"Expected one backup in instance/backups/: {result.output}"
    return SavedBackup(site=site, archive=archives[0], output=result.output, rows=rows, files=files,
                       outside_secret=secret)


def test_restore_into_an_empty_database_brings_back_every_row_and_file(backup_saved, backup_sites):
    """Every column of every row, and every file byte for byte, on a database with no tables yet."""
    target = backup_sites.new("restored", migrate=None)

    result = target.cli("restore", str(backup_saved.archive))

    assert result.exit_code == 0, result.output
    assert "its tables were built first" in result.output
    total = sum(len(rows) for rows in backup_saved.rows.values())
    documents = {row[3] for row in backup_saved.rows["application_document"]}  # the demo's and this test's
    assert len(documents) == 2
    assert f"Restored {total:,} rows in {len(backup_saved.rows)} tables and 3 files" in result.output
    assert "  letter: 6" in result.output, "The restore lists each table's rows"
    restored = target.rows()
    for table, rows in backup_saved.rows.items():
        assert restored[table] == rows, f"{table} differs after the restore"
    assert backup_saved.rows["letter"] and backup_saved.rows["decision_log_entry"], "The demo should have these"
    assert target.files() == backup_saved.files
    assert set(target.files()) == {"letters/2026/notes.txt", *documents}

    verified = target.cli("verify-decisions")
    assert verified.exit_code == 0, verified.output
    assert "The decision log is intact" in verified.output
    assert target.revision() == revisions(target.app)[-1]


def test_the_restored_portal_carries_on_where_the_old_one_stopped(backup_saved, backup_sites):
    """New rows get new ids (PostgreSQL's sequences are moved past the restored ones); pages work."""
    target = backup_sites.new("carries-on")
    assert target.cli("restore", str(backup_saved.archive)).exit_code == 0

    with target.app.app_context():
        highest = db.session.scalar(select(func.max(User.id)))
        user = make_user(db.session, email="new.officer@example.org", role=Role.COMMISSIONER)
        fund = make_fund(db.session, slug="a-new-fund")
        db.session.commit()
        assert user.id == highest + 1
        assert fund.id > 1
    response = target.app.test_client().get("/decisions")
    assert response.status_code == 200


def test_the_backup_says_what_it_holds(backup_saved):
    """The manifest: format, revision, time, version, counts and a SHA-256 for every member."""
    members = read_members(backup_saved.archive)
    manifest = json.loads(members.pop(backup.MANIFEST))

    assert manifest["format"] == "portal-backup" and manifest["format_version"] == 1
    assert manifest["alembic_revision"] == backup_saved.site.revision()
    assert manifest["created_at"].endswith("+00:00")
    assert manifest["portal_version"]
    assert list(manifest["tables"]) == [table.name for table in Base.metadata.sorted_tables]
    assert {name: info["rows"] for name, info in manifest["tables"].items()} == {
        name: len(rows) for name, rows in backup_saved.rows.items()}
    assert manifest["members"] == {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    assert f"SHA-256: {backup.file_sha256(backup_saved.archive)}" in backup_saved.output
    assert (backup_saved.archive.stat().st_mode & 0o777) == 0o600, "A backup holds personal data"

    user = json.loads(members["tables/user.jsonl"].splitlines()[0])
    assert user["created_at"].endswith("+00:00"), "Timestamps keep their time zone"
    letter = json.loads(members["tables/letter.jsonl"].splitlines()[0])
    assert backup.base64.b64decode(letter["pdf"]).startswith(b"%PDF"), "Letters are in the database as bytes"


def test_the_backup_never_follows_a_link_out_of_the_upload_folder(backup_saved):
    """A linked file or folder is named in the output, and what it points at is not in the backup."""
    members = read_members(backup_saved.archive)

    assert not any(backup_saved.outside_secret in data for data in members.values())
    assert not any("linked" in name for name in members)
    assert "Not copied: linked-file" in backup_saved.output
    assert "Not copied: linked-folder" in backup_saved.output


def test_a_backup_never_overwrites_a_file(backup_saved):
    """--to an existing file is refused."""
    result = backup_saved.site.cli("backup", "--to", str(backup_saved.archive))

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_a_changed_backup_is_refused_and_nothing_is_restored(backup_saved, backup_sites, tmp_path):
    """A row edited inside the archive, a cut-short file, or the wrong SHA-256: each is refused."""
    target = backup_sites.new("tamper-target")
    members = read_members(backup_saved.archive)
    members["tables/user.jsonl"] = members["tables/user.jsonl"].replace(b"Amara", b"Mallory")
    edited = write_members(tmp_path / "edited.tar.gz", members)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(backup_saved.archive.read_bytes()[:-2000])

    result = target.cli("restore", str(edited))
    assert result.exit_code == 1
    assert "damaged or has been changed" in result.output and "tables/user.jsonl" in result.output
    result = target.cli("restore", str(cut))
    assert result.exit_code == 1
    assert "damaged or has been changed" in result.output
    result = target.cli("restore", str(backup_saved.archive), "--sha256", "0" * 64)
    assert result.exit_code == 1
    assert "not the file you expected" in result.output

    assert all(rows == [] for rows in target.rows().values())
    assert target.files() == {}
    assert target.cli("restore", str(backup_saved.archive), "--sha256",
                      backup.file_sha256(backup_saved.archive)).exit_code == 0


def test_files_are_never_written_outside_the_upload_folder(backup_saved, backup_sites, tmp_path):
    """A path with "..", a link inside the archive, or a link in the upload folder: refused, nothing written."""
    target = backup_sites.new("escape-target")
    members = read_members(backup_saved.archive)
    escaping = write_members(tmp_path / "escaping.tar.gz", {**members, "files/../../escaped.txt": b"x"},
                             rehash=True)
    linking = write_members(tmp_path / "linking.tar.gz", members, links={"files/link": "/etc/passwd"})

    for archive in (escaping, linking):
        result = target.cli("restore", str(archive))
        assert result.exit_code == 1
        assert "not a plain file inside the backup" in result.output
    assert not (target.upload_dir.parent.parent / "escaped.txt").exists()

    # The upload folder's own "letters" is a link elsewhere: restoring through it would write outside.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target.upload_dir.mkdir(parents=True)
    (target.upload_dir / "letters").symlink_to(elsewhere, target_is_directory=True)
    result = target.cli("restore", str(backup_saved.archive))
    assert result.exit_code == 1
    assert "is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []
    assert all(rows == [] for rows in target.rows().values()), "Nothing is restored when a file is refused"


def test_a_database_with_data_is_not_replaced_without_yes(backup_saved):
    """Restoring over a database in use needs --yes; without it nothing changes."""
    site = backup_saved.site
    before = site.rows()

    result = site.cli("restore", str(backup_saved.archive))

    assert result.exit_code == 1
    users = len(before["user"])
    assert f"The database is not empty: it has {users} users, 4 rounds" in result.output
    assert "--yes" in result.output
    assert site.rows() == before


def test_restore_with_yes_replaces_everything_in_the_database(backup_saved, backup_sites):
    """After changes, a restore with --yes brings back exactly the backup, files included: a file the backup does
    not hold (personal data the database no longer knows) is removed, and named in the report."""
    target = backup_sites.new("replace-target")
    assert target.cli("restore", str(backup_saved.archive)).exit_code == 0
    with target.app.app_context():
        make_user(db.session, email="late.arrival@example.org", role=Role.APPLICANT)
        db.session.execute(update(Round).values(title="Renamed after the backup"))
        db.session.commit()
    (target.upload_dir / "letters" / "2026" / "notes.txt").write_bytes(b"changed")
    (target.upload_dir / "stray.txt").write_bytes(b"not in the backup")
    (target.upload_dir / "uploads-after").mkdir()
    (target.upload_dir / "uploads-after" / "late.pdf").write_bytes(b"uploaded after the backup")

    result = target.cli("restore", str(backup_saved.archive), "--yes")

    assert result.exit_code == 0, result.output
    total = sum(len(rows) for rows in backup_saved.rows.values())
    assert f"Deleted the {total + 1:,} rows that were in the database." in result.output
    assert "Removed 2 files that the backup does not hold" in result.output
    assert "  stray.txt\n" in result.output and "  uploads-after/late.pdf\n" in result.output
    assert target.rows() == backup_saved.rows
    assert target.files() == backup_saved.files, "the upload folder holds exactly the backup's files"
    assert not (target.upload_dir / "uploads-after").exists(), "a folder left empty goes too"
    assert not [p for p in target.upload_dir.iterdir() if p.name.startswith(".restore-aside-")]
    assert target.cli("verify-decisions").exit_code == 0


def test_a_restore_that_fails_puts_the_files_it_moved_aside_back(backup_saved, backup_sites, monkeypatch):
    """Files not in the backup are only moved aside until the restore commits; if it fails, they come back."""
    target = backup_sites.new("failing-target")
    assert target.cli("restore", str(backup_saved.archive)).exit_code == 0
    (target.upload_dir / "stray.txt").write_bytes(b"not in the backup")
    before = target.files()

    def fail(*args, **kwargs):
        raise backup.BackupError("The database went away. Nothing was restored.")

    monkeypatch.setattr(backup, "_restore_rows_and_files", fail)
    result = target.cli("restore", str(backup_saved.archive), "--yes")

    assert result.exit_code != 0 and "The database went away" in result.output
    assert target.files() == before
    assert not [p for p in target.upload_dir.iterdir() if p.name.startswith(".restore-aside-")]


def test_an_older_database_is_upgraded_and_a_newer_one_refused(backup_saved, backup_sites, tmp_path):
    """The target is brought up to the backup's version; a backup older than the database is refused."""
    head, previous = revisions(backup_saved.site.app)[-1], revisions(backup_saved.site.app)[-2]
    older = backup_sites.new("older-target", migrate=previous)

    result = older.cli("restore", str(backup_saved.archive))

    assert result.exit_code == 0, result.output
    assert f"first brought from version {previous} to {head}" in result.output
    assert older.rows() == backup_saved.rows

    members = read_members(backup_saved.archive)
    manifest = json.loads(members[backup.MANIFEST])
    newer = backup_sites.new("newer-target")
    for revision, message in ((previous, f"newer version ({head}) than the backup ({previous})"),
                              ("no-such-revision", "does not know")):
        members[backup.MANIFEST] = json.dumps({**manifest, "alembic_revision": revision}).encode()
        result = newer.cli("restore", str(write_members(tmp_path / f"{revision}.tar.gz", members)))
        assert result.exit_code == 1
        assert message in result.output
    assert all(rows == [] for rows in newer.rows().values())


def test_the_backup_is_one_snapshot_even_while_the_portal_is_written_to(backup_sites, monkeypatch, tmp_path):
    """Rows committed while the backup runs are not in it, even in tables it has not read yet."""
    site = backup_sites.new("busy")
    with site.app.app_context():
        make_fund(db.session, slug="the-first-fund")
        make_user(db.session, email="first@example.org", role=Role.COMMISSIONER)
        db.session.commit()
    dump_table = backup._dump_table

    def dump_then_write(connection, table, path):
        """After the first table is read, another connection changes it and a later table."""
        written = dump_table(connection, table, path)
        if table.name == "fund":
            with site.app.app_context(), db.engine.begin() as writer:
                writer.execute(update(Fund).values(name="Renamed during the backup"))
                writer.execute(Fund.__table__.insert().values(name="Second", slug="second", reference_prefix="SEC",
                                                              description="Added during the backup"))
                writer.execute(User.__table__.insert().values(
                    email="second@example.org", name="Second", role=Role.COMMISSIONER, password_hash="x"))
        return written

    monkeypatch.setattr(backup, "_dump_table", dump_then_write)
    result = site.cli("backup", "--to", str(tmp_path))
    assert result.exit_code == 0, result.output

    with site.app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2, "The other connection's write committed"
    manifest = json.loads(read_members(next(tmp_path.glob("*.tar.gz")))[backup.MANIFEST])
    assert manifest["tables"]["fund"]["rows"] == 1
    assert manifest["tables"]["user"]["rows"] == 1
    funds = read_members(next(tmp_path.glob("*.tar.gz")))["tables/fund.jsonl"]
    assert b"Renamed during the backup" not in funds
