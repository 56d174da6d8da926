"""``flask --app wsgi issue-letters``: issue a round's letters from the command line, as the button does."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import jobs
from portal.domain import DomainError
from portal.extensions import db
from portal.letters import bulk
from portal.models import LetterBatch


def _fail(error: DomainError) -> None:
    """Stop with the service's message."""
    raise click.ClickException(error.message)


def _wait(batch_id: int, *, interval: float) -> None:
    """Print the batch's progress until it finishes (or stops moving)."""
    last = None
    while True:
        db.session.expire_all()
        batch = db.session.get(LetterBatch, batch_id)
        progress = bulk.BatchProgress(batch=batch, resumable=bulk.can_resume(db.session, batch))
        if progress.summary != last:
            click.echo(progress.summary)
            last = progress.summary
        db.session.rollback()  # end the read, so the next one sees the workers' commits
        if progress.finished or progress.resumable:
            click.echo(progress.state)
            return
        time.sleep(interval)


def _resume_stalled() -> None:
    """Restart the stalled batches now and say which."""
    resumed = bulk.resume_stalled_batches(db.session)
    db.session.commit()  # the tasks are queued once this commits
    jobs.run_ready(db.session)
    if not resumed:
        click.echo("No batch needs restarting.")
    for batch_id, queued in resumed.items():
        click.echo(f"Restarted batch {batch_id}: {queued} letter(s) queued again.")


@click.command("issue-letters")
@click.option("--round", "slug", help="The round's slug, as in its web address.")
@click.option("--resume", "resume_id", type=int, help="Resume the batch with this number instead.")
@click.option("--resume-stalled", "stalled", is_flag=True,
              help="Restart every batch that has stopped making progress, as the job queue does each minute.")
@click.option("--as", "email", help="The commissioner to act as (the first commissioner by default).")
@click.option("--wait", is_flag=True, help="Wait for the workers, printing the progress.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between progress lines with --wait.")
@with_appcontext
def issue_letters_command(slug: str | None, resume_id: int | None, stalled: bool, email: str | None, wait: bool,
                          interval: float) -> None:
    """Issue every letter a round still needs, in the queue's workers; or resume a stopped batch."""
    if stalled:
        if slug is not None or resume_id is not None:
            raise click.UsageError("Give --resume-stalled on its own")
        _resume_stalled()
        return
    if (slug is None) == (resume_id is None):
        raise click.UsageError("Give either --round <slug>, --resume <batch number> or --resume-stalled")
    try:
        by = bulk.operator(db.session, email=email)
        if resume_id is not None:
            batch = bulk.batch_for(db.session, batch_id=resume_id, by=by)
            queued = bulk.resume_batch(db.session, batch=batch, by=by)
            message = f"Resumed batch {batch.id}: {queued} letter(s) queued again."
        else:
            round_ = bulk.round_by_slug(db.session, slug=slug, by=by)
            batch = bulk.start_batch(db.session, round_=round_, by=by)
            message = (f"Batch {batch.id}: {bulk.NOTHING_TO_DO.lower()}." if batch.total == 0 else
                       f"Batch {batch.id}: {batch.total} letter(s) queued for {round_.title}.")
    except DomainError as error:
        db.session.rollback()
        _fail(error)
    batch_id = batch.id
    db.session.commit()  # the tasks are queued once this commits
    jobs.run_ready(db.session)  # with an immediate queue (tests) they run now
    click.echo(message)
    if wait:
        _wait(batch_id, interval=interval)
    else:
        click.echo(f"Follow it at {current_app.config['PUBLIC_URL'].rstrip('/')}/commissioning/letter-batches/"
                   f"{batch_id}. If it stops, resume it with --resume {batch_id}.")
