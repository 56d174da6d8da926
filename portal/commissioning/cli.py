"""``flask --app wsgi follow-round-dates``: open and close rounds whose dates have come."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.models import utcnow
from portal.round_lifecycle import follow_round_dates


@click.command("follow-round-dates")
@with_appcontext
def follow_round_dates_command() -> None:
    """Open rounds past their opening time and close rounds past their deadline (run it every minute)."""
    changed = follow_round_dates(db.session, now=utcnow())
    db.session.commit()
    for round_ in changed:
        click.echo(f"{round_.title}: now {round_.status.value}")
    if not changed:
        click.echo("No round needed opening or closing.")
