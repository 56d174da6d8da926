"""Backups: one archive holding a consistent snapshot of the database and the stored files, and its restore.

The archive is a gzipped tar file:

- ``tables/<table>.jsonl``: every row of each table, one JSON object a line, in dependency order. Bytes are
  base64, timestamps ISO 8601 with their time zone, dates and times ISO 8601, JSON columns as they are.
- ``files/<path>``: every regular file under UPLOAD_DIR, at its path relative to that folder.
- ``manifest.json`` (last): the format version, the Alembic revision of the database, when it was made, the
  portal's version, each table's columns and row count, and the SHA-256 of every other member.

The database is read inside one read-only transaction (REPEATABLE READ on PostgreSQL; on SQLite one
transaction, which the write-ahead log keeps as a snapshot), so the rows agree with each other even while
the portal is in use. Nothing here uses Flask: the command-line layer (``backup_cli.py``) passes in the
engine, the folders and, for restores, the migration helpers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    TypeDecorator,
    bindparam,
    func,
    inspect,
    null,
    select,
    text,
)
from sqlalchemy import Date as DateType
from sqlalchemy import DateTime as DateTimeType
from sqlalchemy import Enum as EnumType
from sqlalchemy import Time as TimeType

from portal.domain import DomainError
from portal.models import ApplicationDocument, Base, Round, User

FORMAT = "portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_FOLDER = "tables"
FILES_FOLDER = "files"
BATCH_ROWS = 500
CHUNK_BYTES = 1024 * 1024
# A row key that lists the JSON columns holding SQL NULL (as opposed to the JSON value null).
SQL_NULL_KEY = "_sql_null"
_TABLE_MEMBER = re.compile(r"^tables/([a-z_][a-z0-9_]*)\.jsonl$")


class BackupError(DomainError):
    """A backup could not be made or restored; the message says why and what to do."""


@dataclass
class BackupReport:
    """What a backup wrote."""

    path: Path
    sha256: str
    revision: str | None
    tables: dict[str, int]
    files: int
    file_bytes: int
    skipped: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    """What a restore brought back."""

    revision: str
    tables: dict[str, int]
    files: int
    deleted_rows: int
    upgraded_from: str | None
    migrated: bool
    # Files that were in the upload folder but not in the backup: removed once the restore committed, so the
    # folder holds exactly the backup's files (relative paths, for the report; never their contents).
    removed_files: list[str]
    manifest: dict[str, Any]


# Writing ----------------------------------------------------------------------------------------


def default_backup_name(now: datetime) -> str:
    """``portal-2026-11-25T1630Z.tar.gz``: sortable, in UTC, safe in any file system."""
    return f"portal-{now.astimezone(UTC):%Y-%m-%dT%H%MZ}.tar.gz"


def backup_destination(target: Path | None, *, default_folder: Path, now: datetime) -> Path:
    """The file to write: ``target`` itself, a new name inside it when it is a folder, or one in the default folder."""
    folder = default_folder if target is None else target if target.is_dir() else None
    if folder is None:
        path = target
    else:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / default_backup_name(now)
        counter = 2
        while path.exists():  # two backups in the same minute
            path = folder / default_backup_name(now).replace(".tar.gz", f"-{counter}.tar.gz")
            counter += 1
    if path.exists():
        raise BackupError(f"{path} already exists. Choose another name; a backup never overwrites a file.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    return path


def write_backup(engine: Engine, *, upload_dir: str | Path, destination: Path, portal_version: str,
                 now: datetime) -> BackupReport:
    """Write the archive to ``destination`` (via a temporary name, so a failed backup leaves no file)."""
    partial = destination.with_name(destination.name + ".partial")
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="portal-backup-", dir=destination.parent) as work:
        revision, dialect, tables, stored_names = _dump_database(engine, Path(work))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds personal data
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                for name in tables:
                    member = f"{TABLES_FOLDER}/{name}.jsonl"
                    path = Path(work) / f"{name}.jsonl"
                    with open(path, "rb") as source:
                        hashes[member] = _add_member(archive, member, source, path.stat().st_size, now)
                files, file_bytes, skipped = _add_upload_files(archive, Path(upload_dir), hashes, now)
                missing = sorted(name for name in stored_names if f"{FILES_FOLDER}/{name}" not in hashes)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": now.astimezone(UTC).isoformat(),
                    "portal_version": portal_version,
                    "alembic_revision": revision,
                    "database": dialect,
                    "tables": {name: tables[name] for name in tables},
                    "files": {"count": files, "bytes": file_bytes, "missing": missing, "skipped": skipped},
                    "members": hashes,
                }
                body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                _add_member(archive, MANIFEST, _BytesReader(body), len(body), now)
            os.replace(partial, destination)
        finally:
            if partial.exists():
                partial.unlink()
    return BackupReport(path=destination, sha256=file_sha256(destination), revision=revision,
                        tables={name: info["rows"] for name, info in tables.items()}, files=files,
                        file_bytes=file_bytes, skipped=skipped, missing_files=missing)


def _snapshot_connection(engine: Engine) -> Connection:
    """A connection whose next transaction sees one unchanging snapshot of the database."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return connection


def _dump_database(engine: Engine, work: Path) -> tuple[str | None, str, dict[str, dict], set[str]]:
    """Write each table to ``work/<table>.jsonl`` inside one read transaction; return what was written."""
    tables: dict[str, dict] = {}
    stored_names: set[str] = set()
    with _snapshot_connection(engine) as connection, connection.begin():
        # The first statement fixes the snapshot, so the revision and every table come from the same moment.
        revision = database_revision(connection)
        for table in Base.metadata.sorted_tables:
            tables[table.name] = _dump_table(connection, table, work / f"{table.name}.jsonl")
        document = ApplicationDocument.__table__
        stored_names = set(connection.scalars(select(document.c.stored_name)))
    return revision, engine.dialect.name, tables, stored_names


def _dump_table(connection: Connection, table: Table, path: Path) -> dict[str, Any]:
    """Write one table's rows, ordered by id, as JSON Lines; return its columns and row count."""
    json_columns = [column for column in table.columns if _kind(column) == "json"]
    flags = [column.is_(None).label(f"_null_{column.name}") for column in json_columns]
    statement = select(table, *flags).order_by(*table.primary_key.columns)
    rows = 0
    with open(path, "w", encoding="utf-8") as out:
        result = connection.execute(statement, execution_options={"yield_per": 1000})
        for row in result:
            values = row._mapping
            record = {column.name: _encode(values[column]) for column in table.columns}
            sql_nulls = [column.name for column in json_columns if values[f"_null_{column.name}"]]
            if sql_nulls:
                record[SQL_NULL_KEY] = sql_nulls
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            rows += 1
    return {"rows": rows, "columns": [column.name for column in table.columns]}


def _encode(value: Any) -> Any:
    """A database value as JSON: bytes as base64, dates and times as ISO 8601, enums as their value."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _add_upload_files(archive: tarfile.TarFile, upload_dir: Path, hashes: dict[str, str],
                      now: datetime) -> tuple[int, int, list[str]]:
    """Add every regular file under the upload folder; symbolic links are never followed, only noted."""
    count = size = 0
    skipped: list[str] = []
    if not upload_dir.is_dir():
        return count, size, skipped
    for folder, folders, names in os.walk(upload_dir, followlinks=False):
        relative_folder = Path(folder).relative_to(upload_dir)
        for name in sorted(folders):
            if (Path(folder) / name).is_symlink():
                skipped.append((relative_folder / name).as_posix())
        folders.sort()
        for name in sorted(names):
            relative = (relative_folder / name).as_posix()
            try:
                fd = os.open(Path(folder) / name, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:  # a symbolic link (O_NOFOLLOW refuses it) or a file removed meanwhile
                skipped.append(relative)
                continue
            with os.fdopen(fd, "rb") as source:
                info = os.fstat(source.fileno())
                if not stat.S_ISREG(info.st_mode):
                    skipped.append(relative)
                    continue
                member = f"{FILES_FOLDER}/{relative}"
                hashes[member] = _add_member(archive, member, source, info.st_size, now)
                count += 1
                size += info.st_size
    return count, size, skipped


def _add_member(archive: tarfile.TarFile, name: str, source: IO[bytes], size: int, now: datetime) -> str:
    """Add one regular file to the archive and return the SHA-256 of what was written."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(now.timestamp())
    reader = _HashingReader(source)
    archive.addfile(info, reader)
    if reader.read_bytes != size:
        raise BackupError(f"{name} changed while it was being copied. Run the backup again.")
    return reader.digest.hexdigest()


class _HashingReader:
    """Reads from a file and hashes exactly what was read."""

    def __init__(self, source: IO[bytes]) -> None:
        """Wrap ``source``."""
        self.source = source
        self.digest = hashlib.sha256()
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        """Read and hash."""
        data = self.source.read(size)
        self.digest.update(data)
        self.read_bytes += len(data)
        return data


class _BytesReader:
    """Bytes in memory as a readable file."""

    def __init__(self, data: bytes) -> None:
        """Hold ``data``."""
        self.data = data
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        """The next ``size`` bytes (all that is left when ``size`` is negative)."""
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset:end]
        self.offset += len(chunk)
        return chunk


def file_sha256(path: Path) -> str:
    """The SHA-256 of a whole file, for the operator to keep beside the copy."""
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def database_revision(connection: Connection) -> str | None:
    """The Alembic revision the database is at, or None when it has never been migrated."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


# Reading and checking an archive ----------------------------------------------------------------


@dataclass
class CheckedArchive:
    """An archive unpacked into a private folder, every member matching the manifest."""

    folder: Path
    manifest: dict[str, Any]

    def table_rows(self, name: str) -> Iterator[dict[str, Any]]:
        """Each row of one table, as written."""
        with open(self.folder / TABLES_FOLDER / f"{name}.jsonl", encoding="utf-8") as source:
            for line in source:
                yield json.loads(line)

    def files(self) -> list[str]:
        """The stored files' paths, relative to the upload folder."""
        return sorted(member.removeprefix(f"{FILES_FOLDER}/") for member in self.manifest["members"]
                      if member.startswith(f"{FILES_FOLDER}/"))


def unpack_archive(path: Path, work: Path, *, expected_sha256: str | None = None) -> CheckedArchive:
    """Unpack into ``work`` and check every member against the manifest; refuse anything unsafe or changed."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    if expected_sha256 and file_sha256(path) != expected_sha256.strip().lower():
        raise BackupError(f"{path} is not the file you expected: its SHA-256 differs from the one you gave. "
                          "Do not restore from it; find the copy whose SHA-256 matches.")
    damaged = (f"{path} is damaged or has been changed since it was made, so nothing was restored. "
               "Use another copy of the backup.")
    found: dict[str, str] = {}
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            for member in archive:
                name = _safe_member_name(member)
                if name in found:
                    raise BackupError(f"{damaged} ({name} appears twice.)")
                target = work / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                digest = hashlib.sha256()
                with open(target, "xb") as out:
                    while chunk := source.read(CHUNK_BYTES):
                        digest.update(chunk)
                        out.write(chunk)
                found[name] = digest.hexdigest()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{damaged} ({error})") from None
    if MANIFEST not in found:
        raise BackupError(f"{path} is not a portal backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except ValueError:
        raise BackupError(f"{damaged} (The manifest cannot be read.)") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is not a backup this version of the portal can read "
                          f"(format {manifest.get('format')!r} version {manifest.get('format_version')!r}).")
    expected = manifest.get("members") or {}
    del found[MANIFEST]
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            raise BackupError(f"{damaged} ({name} is missing.)")
        if name not in expected:
            raise BackupError(f"{damaged} ({name} is not listed in the manifest.)")
        if found[name] != expected[name]:
            raise BackupError(f"{damaged} ({name} does not match its SHA-256 in the manifest.)")
    for name in manifest.get("tables", {}):
        if f"{TABLES_FOLDER}/{name}.jsonl" not in found:
            raise BackupError(f"{damaged} (The rows of {name} are missing.)")
    return CheckedArchive(folder=work, manifest=manifest)


def _safe_member_name(member: tarfile.TarInfo) -> str:
    """The member's name if it is a regular file at a plain relative path we could have written."""
    name = member.name
    path = PurePosixPath(name)
    unsafe = (not member.isreg() or not name or name.startswith("/") or "\\" in name or "\x00" in name
              or any(part in {"", ".", ".."} for part in name.split("/")))
    if unsafe:
        raise BackupError(f"The backup holds {name!r}, which is not a plain file inside the backup "
                          "(a link, a device, or a path that leaves its folder). Nothing was restored.")
    if name != MANIFEST and not _TABLE_MEMBER.fullmatch(name) and path.parts[0] != FILES_FOLDER:
        raise BackupError(f"The backup holds {name!r}, which a portal backup never contains. Nothing was restored.")
    if path.parts[0] == FILES_FOLDER and len(path.parts) < 2:
        raise BackupError(f"The backup holds {name!r}, which is not a file path. Nothing was restored.")
    return name


# Restoring --------------------------------------------------------------------------------------


@dataclass
class Migrations:
    """What a restore needs from Alembic: the revisions from first to latest, and a way to upgrade."""

    revisions: list[str]
    upgrade: Callable[[str], None]


def restore_backup(engine: Engine, *, archive: CheckedArchive, upload_dir: str | Path, replace: bool,
                   migrations: Migrations) -> RestoreReport:
    """Put the archive's rows into the database and its files into the upload folder.

    Refuses a database with data unless ``replace``; brings an older (or empty) database up to the
    backup's revision first, and refuses a newer one. Rows are deleted and inserted in one transaction.
    """
    manifest = archive.manifest
    revision = manifest.get("alembic_revision")
    if revision not in migrations.revisions:
        raise BackupError(f"The backup was made at database version {revision}, which this version of the portal "
                          "does not know. Install the portal version that made it "
                          f"({manifest.get('portal_version')}) and restore with that.")
    with engine.connect() as connection:
        current = database_revision(connection)
        existing_tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        rows_now = _row_counts(connection, existing_tables) if current else {}
    if current is None and existing_tables:
        raise BackupError("The database has tables but no migration version, so the portal cannot tell what they "
                          "are. Restore into a new, empty database.")
    if current is not None and current not in migrations.revisions:
        raise BackupError(f"The database is at version {current}, which this version of the portal does not know.")
    if current is not None and migrations.revisions.index(current) > migrations.revisions.index(revision):
        raise BackupError(f"The database is at a newer version ({current}) than the backup ({revision}). "
                          "Restore into a new, empty database (restore builds the tables itself), or run "
                          f"`flask --app wsgi db downgrade {revision}` first.")
    if any(rows_now.values()) and not replace:
        users, rounds = rows_now.get(User.__tablename__, 0), rows_now.get(Round.__tablename__, 0)
        raise BackupError(f"The database is not empty: it has {users} users, {rounds} rounds and "
                          f"{sum(rows_now.values())} rows in all. Restoring would delete all of them. "
                          "Run again with --yes to replace everything in it with the backup.")
    upload_root = Path(upload_dir).resolve()  # the folder itself may be a link to shared storage
    file_targets = [_file_target(upload_root, name) for name in archive.files()]
    if current != revision:
        migrations.upgrade(revision)

    tables = _restore_tables(archive)
    counts: dict[str, int] = {}
    aside = _move_strays_aside(upload_root, set(file_targets))
    try:
        counts, deleted = _restore_rows_and_files(engine, archive=archive, tables=tables, replace=replace,
                                                  upload_root=upload_root, file_targets=file_targets)
    except BaseException:
        aside.put_back()
        raise
    removed = aside.remove()
    return RestoreReport(revision=revision, tables=counts, files=len(file_targets), deleted_rows=deleted,
                         upgraded_from=current, migrated=current != revision, removed_files=removed,
                         manifest=manifest)


def _restore_rows_and_files(engine: Engine, *, archive: CheckedArchive, tables: list[tuple[Table, list[Column]]],
                            replace: bool, upload_root: Path, file_targets: list[Path]) -> tuple[dict[str, int], int]:
    """In one transaction: delete what is there (with ``replace``), insert the backup's rows, put its files in."""
    manifest = archive.manifest
    counts: dict[str, int] = {}
    with engine.connect() as connection, connection.begin():
        deleted = 0
        if replace:
            present = set(inspect(connection).get_table_names())
            for table in reversed(Base.metadata.sorted_tables):
                if table.name in present:
                    deleted += connection.execute(table.delete()).rowcount or 0
        for table, columns in tables:
            counts[table.name] = _insert_rows(connection, table, columns, archive.table_rows(table.name))
            expected = manifest["tables"][table.name]["rows"]
            if counts[table.name] != expected:
                raise BackupError(f"The backup's {table.name} has {counts[table.name]} rows, not {expected}.")
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection, [table for table, _ in tables])
        _restore_files(archive, upload_root, file_targets)
    return counts, deleted


@dataclass
class StraysAside:
    """Files of the upload folder that the backup does not hold, moved into a hidden folder beside them (on the
    same file system, so each move is a rename) until the restore has committed or failed."""

    upload_root: Path
    folder: Path
    moved: list[str]  # relative paths, in the order they were moved

    def put_back(self) -> None:
        """The restore failed: every file goes back where it was."""
        for relative in self.moved:
            target = self.upload_root / relative
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.replace(self.folder / relative, target)
        shutil.rmtree(self.folder, ignore_errors=True)

    def remove(self) -> list[str]:
        """The restore committed: delete them, and any folder they leave empty. Returns what was removed."""
        shutil.rmtree(self.folder, ignore_errors=True)
        for relative in self.moved:
            parent = (self.upload_root / relative).parent
            while parent != self.upload_root and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        return sorted(self.moved)


def _move_strays_aside(upload_root: Path, keep: set[Path]) -> StraysAside:
    """Move every file (or link) under the upload folder that is not one of the backup's into a hidden folder."""
    folder = upload_root / f".restore-aside-{secrets.token_hex(8)}"
    moved: list[str] = []
    if not upload_root.is_dir():
        return StraysAside(upload_root=upload_root, folder=folder, moved=moved)
    strays = []
    for current, folders, names in os.walk(upload_root, followlinks=False):
        folders[:] = [name for name in folders if not name.startswith(".restore-aside-")]
        for name in [*names, *(f for f in folders if (Path(current) / f).is_symlink())]:
            path = Path(current) / name
            if path not in keep:
                strays.append(path)
    aside = StraysAside(upload_root=upload_root, folder=folder, moved=moved)
    try:
        for path in strays:
            relative = path.relative_to(upload_root).as_posix()
            destination = folder / relative
            destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.replace(path, destination)
            moved.append(relative)
    except BaseException:
        aside.put_back()
        raise
    return aside


def _row_counts(connection: Connection, names: set[str]) -> dict[str, int]:
    """Rows in each of the portal's tables that exist in the database."""
    return {table.name: connection.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables if table.name in names}


def _restore_tables(archive: CheckedArchive) -> list[tuple[Table, list[Column]]]:
    """The tables to fill, in dependency order, each with the columns the backup has for it."""
    known = {table.name: table for table in Base.metadata.sorted_tables}
    saved = archive.manifest["tables"]
    unknown = sorted(set(saved) - set(known))
    if unknown:
        raise BackupError(f"The backup has tables this version of the portal does not know: {', '.join(unknown)}.")
    result = []
    for table in Base.metadata.sorted_tables:
        if table.name not in saved:
            continue
        columns = saved[table.name]["columns"]
        missing = [name for name in columns if name not in table.columns]
        if missing:
            raise BackupError(f"The backup's {table.name} has columns this version does not know: {missing}.")
        result.append((table, [table.columns[name] for name in columns]))
    return result


def _insert_rows(connection: Connection, table: Table, columns: list[Column],
                 rows: Iterator[dict[str, Any]]) -> int:
    """Insert the rows in batches; links to rows of the same table are set afterwards, in case they point ahead."""
    # A plain table with only the backup's columns: no defaults for columns an older schema lacks.
    target = Table(table.name, MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key) for c in columns))
    self_links = [c.name for c in columns if any(fk.column.table is table for fk in c.foreign_keys)]
    decoders = {c.name: _decoder(c) for c in columns}
    links: dict[str, list[dict[str, Any]]] = {name: [] for name in self_links}
    sql_nulls: dict[str, list[Any]] = {}
    count = 0
    batch: list[dict[str, Any]] = []
    for record in rows:
        values = {name: decoders[name](record.get(name)) for name in decoders}
        for name in self_links:
            if values[name] is not None:
                links[name].append({"_id": values["id"], "_value": values[name]})
                values[name] = None
        for name in record.get(SQL_NULL_KEY, ()):
            sql_nulls.setdefault(name, []).append(values["id"])
        batch.append(values)
        count += 1
        if len(batch) >= BATCH_ROWS:
            connection.execute(target.insert(), batch)
            batch = []
    if batch:
        connection.execute(target.insert(), batch)
    for name, pairs in links.items():
        if pairs:
            statement = (target.update().where(target.c.id == bindparam("_id"))
                         .values({name: bindparam("_value")}))
            connection.execute(statement, pairs)
    for name, ids in sql_nulls.items():
        for start in range(0, len(ids), BATCH_ROWS):
            connection.execute(target.update().where(target.c.id.in_(ids[start:start + BATCH_ROWS]))
                               .values({name: null()}))
    return count


def _kind(column: Column) -> str:
    """How a column's values are written to JSON."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, LargeBinary):
        return "bytes"
    if isinstance(column_type, DateTimeType):
        return "datetime"
    if isinstance(column_type, DateType):
        return "date"
    if isinstance(column_type, TimeType):
        return "time"
    if isinstance(column_type, EnumType) and column_type.enum_class is not None:
        return "enum"
    if isinstance(column_type, Float):
        return "plain"
    if isinstance(column_type, Numeric) and column_type.asdecimal:
        return "decimal"
    return "plain"


def _decoder(column: Column) -> Callable[[Any], Any]:
    """A function turning a JSON value back into what the column stores."""
    kind = _kind(column)
    converters: dict[str, Callable[[Any], Any]] = {
        "bytes": base64.b64decode,
        "datetime": datetime.fromisoformat,
        "date": date.fromisoformat,
        "time": time.fromisoformat,
        "decimal": Decimal,
    }
    if kind == "enum":
        enum_class = (column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type).enum_class
        converters["enum"] = enum_class
    convert = converters.get(kind)
    if convert is None:
        return lambda value: value
    return lambda value: None if value is None else convert(value)


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Make PostgreSQL hand out ids after the restored ones (inserting explicit ids does not move a sequence)."""
    for table in tables:
        id_column = table.columns.get("id")
        if id_column is None or not isinstance(id_column.type, Integer):
            continue
        quoted = connection.dialect.identifier_preparer.quote(table.name)
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                 f"COALESCE((SELECT MAX(id) FROM {quoted}), 0) + 1, false)"),
            {"table": quoted},
        )


def _file_target(upload_root: Path, relative: str) -> Path:
    """Where a stored file goes: inside the upload folder, through no symbolic link."""
    parts = PurePosixPath(relative).parts
    if not parts or any(part in {"", ".", ".."} for part in parts) or PurePosixPath(relative).is_absolute():
        raise BackupError(f"The backup's file {relative!r} would be written outside the upload folder. "
                          "Nothing was restored.")
    path = upload_root
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise BackupError(f"{path} is a symbolic link; restore never writes through links. "
                              "Remove it and run the restore again. Nothing was restored.")
    if path.exists() and not path.is_file():
        raise BackupError(f"{path} is in the way of a restored file. Nothing was restored.")
    return path


def _restore_files(archive: CheckedArchive, upload_root: Path, targets: list[Path]) -> None:
    """Move the unpacked files into place (each replaced whole)."""
    upload_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    for relative, target in zip(archive.files(), targets, strict=True):
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        source = archive.folder / FILES_FOLDER / relative
        os.chmod(source, 0o600)
        try:
            os.replace(source, target)  # replaces a file, never follows a link
        except OSError:  # another file system: copy beside the target, then swap
            partial = target.with_name(target.name + ".restoring")
            shutil.copyfile(source, partial)
            os.replace(partial, target)
