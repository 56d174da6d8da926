"""flask verify-decisions: check the decision log's hash chain from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.transparency.log import verify_chain


@click.command("verify-decisions")
@with_appcontext
def verify_decisions_command() -> None:
    """Check every published decision against its hashes; exit 1 and name the first break if any."""
    report = verify_chain(db.session)
    if report.intact:
        click.echo(f"The decision log is intact: {report.entries} entries checked.")
        click.echo(f"Latest hash: {report.head_hash}")
        return
    click.echo(f"The decision log is broken at entry {report.broken_at}: {report.problem}", err=True)
    raise SystemExit(1)
