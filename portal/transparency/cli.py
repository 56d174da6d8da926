"""flask verify-decisions: check the decision log (chain, signed checkpoints, current entries) from the command line.

flask checkpoint-decisions: sign a checkpoint for a log published before checkpoints existed.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.transparency.checkpoints import (
    CheckpointFormatError,
    checkpoint_document,
    current_signer,
    parse_checkpoint,
    record_checkpoint,
)
from portal.transparency.verification import verify_log


@click.command("verify-decisions")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint you kept from /decisions/checkpoint (JSON): prove the log only grew since.")
@with_appcontext
def verify_decisions_command(checkpoint_file: Path | None) -> None:
    """Check every entry, every signed checkpoint and the current entries; exit 1 on any problem."""
    earlier = None
    if checkpoint_file is not None:
        try:
            earlier = parse_checkpoint(checkpoint_file.read_bytes())
        except CheckpointFormatError as error:
            click.echo(f"{checkpoint_file}: {error}", err=True)
            raise SystemExit(1) from None
    result = verify_log(db.session, signer=current_signer(), earlier=earlier)
    if result.earlier is not None and result.earlier.consistent:
        click.echo(result.earlier.message)
    if result.intact:
        click.echo(f"The decision log is intact: {result.chain.entries} entries checked.")
        click.echo(f"Latest hash: {result.chain.head_hash}")
        click.echo(f"Merkle tree: {result.tree_size} entries, root hash {result.root_hash}, "
                   f"{result.checkpoints_checked} signed checkpoints checked.")
        return
    click.echo("The decision log failed its check:", err=True)
    for problem in result.all_problems:
        click.echo(f"- {problem}", err=True)
    raise SystemExit(1)


@click.command("checkpoint-decisions")
@with_appcontext
def checkpoint_decisions_command() -> None:
    """Sign a checkpoint of the log as it stands, once its chain checks out (for logs from before checkpoints)."""
    result = verify_log(db.session, signer=current_signer())
    if not result.chain.intact:
        click.echo(f"Not signed: the hash chain is broken at entry {result.chain.broken_at}.", err=True)
        raise SystemExit(1)
    checkpoint = record_checkpoint(db.session, signer=current_signer())
    db.session.commit()
    if checkpoint is None:
        click.echo("Nothing to sign: the log is empty.")
        return
    document = checkpoint_document(checkpoint, signer=current_signer())
    click.echo(f"Checkpoint: {document['tree_size']} entries, root hash {document['root_hash']}, "
               f"signed at {document['signed_at']}.")
