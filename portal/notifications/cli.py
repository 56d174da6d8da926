"""``flask --app wsgi deliver-email``: send what is waiting in the outbox."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.notifications.senders import sender_from_config
from portal.notifications.services import deliver_pending


@click.command("deliver-email")
@click.option("--watch", is_flag=True, help="Keep running, checking the outbox every few seconds.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between checks with --watch.")
@with_appcontext
def deliver_email_command(watch: bool, interval: float) -> None:
    """Deliver the e-mails waiting in the outbox, retrying failures later."""
    sender = sender_from_config(current_app.config)
    while True:
        sent, failed = deliver_pending(db.session, sender=sender)
        if sent or failed or not watch:
            click.echo(f"Sent {sent} e-mail(s); {failed} failed and will be retried.")
        db.session.remove()
        if not watch:
            return
        time.sleep(interval)


@click.command("send-reminders")
@click.option("--as", "email", help="The commissioner event reminders are sent as (the first one by default).")
@with_appcontext
def send_reminders_command(email: str | None) -> None:
    """Send today's reminders: scores outstanding, events in the next 24 hours, drafts near their deadline."""
    from portal.letters.bulk import operator
    from portal.notifications.reminders import send_reminders

    actor = operator(db.session, email=email) if email else None
    result = send_reminders(db.session, public_url=current_app.config["PUBLIC_URL"],
                            portal_name=current_app.config["PORTAL_NAME"], actor=actor)
    db.session.commit()
    click.echo(str(result))
