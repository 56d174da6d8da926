"""``flask --app wsgi backup`` and ``flask --app wsgi restore``: the operator's side of portal/backup.py."""

from __future__ import annotations

import tempfile
from datetime import datetime
from importlib import metadata
from pathlib import Path

import click
import flask_migrate
from flask import current_app
from flask.cli import with_appcontext

from portal import backup
from portal.extensions import db
from portal.formatting import date_time
from portal.models import utcnow


def portal_version() -> str:
    """The installed portal's version, recorded in every backup."""
    try:
        return metadata.version("portal")
    except metadata.PackageNotFoundError:
        return "unknown"


def _migrations() -> backup.Migrations:
    """This code's migrations, first to latest, and Flask-Migrate's upgrade."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    revisions = [revision.revision for revision in script.walk_revisions()][::-1]
    return backup.Migrations(revisions=revisions, upgrade=lambda revision: flask_migrate.upgrade(revision=revision))


def _megabytes(size: int) -> str:
    """A size for people: "3.2 MB"."""
    return f"{size / 1_000_000:,.1f} MB"


def _count(number: int, noun: str) -> str:
    """A count with its noun: "1 file", "2 files"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


@click.command("backup")
@click.option("--to", "target", type=click.Path(path_type=Path),
              help="The file to write, or a folder to write it in (default: instance/backups/).")
@with_appcontext
def backup_command(target: Path | None) -> None:
    """Write one file holding a consistent snapshot of the database and the uploaded documents."""
    now = utcnow()
    default_folder = Path(current_app.config.get("BACKUP_DIR")
                          or Path(current_app.config["INSTANCE_DIR"]) / "backups")
    try:
        destination = backup.backup_destination(target, default_folder=default_folder, now=now)
        report = backup.write_backup(db.engine, upload_dir=current_app.config["UPLOAD_DIR"],
                                     destination=destination, portal_version=portal_version(), now=now)
    except backup.BackupError as error:
        raise click.ClickException(error.message) from None
    rows = sum(report.tables.values())
    click.echo(f"Backup written to {report.path}")
    click.echo(f"Database: {rows:,} rows in {len(report.tables)} tables, at version {report.revision}.")
    upload_dir = current_app.config["UPLOAD_DIR"]
    click.echo(f"Files: {_count(report.files, 'file')} ({_megabytes(report.file_bytes)}) from {upload_dir}.")
    for name in report.skipped:
        click.echo(f"Not copied: {name} is a symbolic link or not a regular file.", err=True)
    for name in report.missing_files:
        click.echo(f"Warning: the document stored as {name} is in the database but its file was not found.",
                   err=True)
    click.echo(f"SHA-256: {report.sha256}")
    click.echo("Keep the SHA-256 apart from the copy; `restore --sha256` checks it.")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm that everything now in the database may be deleted and replaced.")
@click.option("--sha256", "expected_sha256", help="Refuse the file unless its SHA-256 is this one.")
@with_appcontext
def restore_command(path: Path, yes: bool, expected_sha256: str | None) -> None:
    """Bring back a backup: every row into the database, every document into the upload folder."""
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    # Unpack beside the upload folder, so restored files are moved into place rather than copied.
    work_parent = upload_dir.resolve().parent
    migrations = _migrations()
    try:
        with tempfile.TemporaryDirectory(prefix="portal-restore-",
                                         dir=work_parent if work_parent.is_dir() else None) as work:
            archive = backup.unpack_archive(path, Path(work), expected_sha256=expected_sha256)
            report = backup.restore_backup(db.engine, archive=archive, upload_dir=upload_dir, replace=yes,
                                           migrations=migrations)
    except backup.BackupError as error:
        raise click.ClickException(error.message) from None
    manifest = report.manifest
    made = date_time(datetime.fromisoformat(manifest["created_at"]))
    click.echo(f"Restored {path}, made {made} by portal {manifest['portal_version']}.")
    if report.migrated and report.upgraded_from is None:
        click.echo(f"The database was empty: its tables were built first, at version {report.revision}.")
    elif report.migrated:
        click.echo(f"The database was first brought from version {report.upgraded_from} to {report.revision}.")
    if report.deleted_rows:
        click.echo(f"Deleted the {report.deleted_rows:,} rows that were in the database.")
    for name, rows in report.tables.items():
        click.echo(f"  {name}: {rows:,}")
    click.echo(f"Restored {sum(report.tables.values()):,} rows in {len(report.tables)} tables "
               f"and {_count(report.files, 'file')} into {upload_dir}.")
    if report.removed_files:
        click.echo(f"Removed {_count(len(report.removed_files), 'file')} that the backup does not hold, so the upload "
                   "folder holds exactly the backup's files:")
        for name in report.removed_files:
            click.echo(f"  {name}")
    if migrations.revisions and report.revision != migrations.revisions[-1]:
        flask_migrate.upgrade()
        click.echo(f"Then upgraded the database to the latest version, {migrations.revisions[-1]}.")
    click.echo("Check the public decision log with `flask --app wsgi verify-decisions`.")
