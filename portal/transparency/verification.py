"""The whole check of the decision log, shared by /decisions/verify and ``flask verify-decisions``.

1. The hash chain: every entry's hashes and its link to the entry before (``log.verify_chain``).
2. The signed checkpoints: each one's signature, and that the log's first ``tree_size`` entries still have the
   root it signed. The newest must cover every entry, so removing the newest entry (and its current-entry
   row) is found: the log is then shorter than a tree the portal signed.
3. A checkpoint someone kept (optional): its signature, then a consistency proof (RFC 9162) that the tree it
   describes is a prefix of the log now, so nothing it covered was removed or rewritten.
4. ``decision_log_current``, which is derived from the log and outside its hashes: each application's current
   entry is worked out again from the chain (its entry with the highest position; a correction is always
   later than what it corrects) and every difference is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import CurrentDecisionEntry, DecisionLogCheckpoint, DecisionLogEntry
from portal.transparency import log, merkle
from portal.transparency.checkpoints import (
    CheckpointFormatError,
    ClaimedCheckpoint,
    Signer,
    checkpoint_document,
    claimed_signature_problem,
    instant,
    latest_checkpoint,
    parse_checkpoint,
    signed_message,
    tree_of,
)

MOST_PROBLEMS_LISTED = 20


@dataclass(frozen=True)
class EarlierCheck:
    """What was found about a checkpoint someone kept."""

    claimed: ClaimedCheckpoint
    consistent: bool
    message: str
    proof: list[str] = field(default_factory=list)  # the consistency proof, hex, when one was made


@dataclass(frozen=True)
class LogVerification:
    """Everything the check found: the chain, the tree, the checkpoints, a kept checkpoint, the current entries."""

    chain: log.ChainReport
    tree_size: int
    root_hash: str
    newest_checkpoint: DecisionLogCheckpoint | None
    checkpoints_checked: int
    problems: list[str]
    earlier: EarlierCheck | None = None

    @property
    def intact(self) -> bool:
        """True only when nothing at all was found wrong."""
        return self.chain.intact and not self.problems and (self.earlier is None or self.earlier.consistent)

    @property
    def all_problems(self) -> list[str]:
        """Every problem in words, the chain's first."""
        found = [] if self.chain.intact else [
            f"The hash chain is broken at entry {self.chain.broken_at}: {self.chain.problem}"]
        found += self.problems
        if self.earlier is not None and not self.earlier.consistent:
            found.append(self.earlier.message)
        return found


@dataclass(frozen=True)
class _Row:
    """The few columns of an entry the tree and the current-entry check need."""

    id: int
    position: int
    application_id: int
    reference: str
    entry_hash: str
    decided_at: object


def verify_log(session: Session, *, signer: Signer, earlier: ClaimedCheckpoint | None = None) -> LogVerification:
    """Run every check on the log as it stands now (reads only)."""
    chain = log.verify_chain(session)
    rows = [_Row(*row) for row in session.execute(
        select(DecisionLogEntry.id, DecisionLogEntry.position, DecisionLogEntry.application_id,
               DecisionLogEntry.reference, DecisionLogEntry.entry_hash, DecisionLogEntry.decided_at)
        .order_by(DecisionLogEntry.position))]
    tree = tree_of([row.entry_hash for row in rows])
    stored = list(session.scalars(select(DecisionLogCheckpoint).order_by(DecisionLogCheckpoint.tree_size)))
    problems = checkpoint_problems(stored, tree=tree, signer=signer)
    problems += current_entry_problems(session, rows)
    return LogVerification(
        chain=chain, tree_size=tree.size, root_hash=tree.root().hex(), newest_checkpoint=stored[-1] if stored else None,
        checkpoints_checked=len(stored), problems=_listed(problems),
        earlier=None if earlier is None else check_earlier(earlier, tree=tree, signer=signer))


def _listed(problems: list[str]) -> list[str]:
    """The problems, at most a screenful: the rest counted."""
    if len(problems) <= MOST_PROBLEMS_LISTED:
        return problems
    return problems[:MOST_PROBLEMS_LISTED] + [f"And {len(problems) - MOST_PROBLEMS_LISTED} more problems."]


def checkpoint_problems(stored: Sequence[DecisionLogCheckpoint], *, tree: merkle.Tree, signer: Signer) -> list[str]:
    """What is wrong between the stored checkpoints and the entries (an empty list when nothing is)."""
    problems = []
    for checkpoint in stored:
        when = instant(checkpoint.signed_at)
        message = signed_message(tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash, signed_at=when)
        if checkpoint.key_id != signer.key_id or not signer.verifies(checkpoint.signature, message):
            problems.append(f"The checkpoint of {checkpoint.tree_size} entries signed at {when} does not carry a "
                            "valid signature by this portal's key.")
        elif checkpoint.tree_size > tree.size:
            problems.append(f"The checkpoint signed at {when} covers {checkpoint.tree_size} entries, but the log "
                            f"now has {tree.size}: entries have been removed.")
        elif tree.root(checkpoint.tree_size).hex() != checkpoint.root_hash:
            problems.append(f"The first {checkpoint.tree_size} entries no longer have the root hash signed at "
                            f"{when}: an entry was changed, removed or reordered.")
    newest = stored[-1].tree_size if stored else 0
    if tree.size > newest:
        first = newest + 1
        covered = "entry" if first == tree.size else f"entries {first} to"
        problems.append(f"No signed checkpoint covers {covered} {tree.size}: they were not published by the "
                        "portal, or a checkpoint has been removed.")
    return problems


def check_earlier(claimed: ClaimedCheckpoint, *, tree: merkle.Tree, signer: Signer) -> EarlierCheck:
    """Check a kept checkpoint's signature, then prove (or fail to prove) it describes a prefix of the log now."""
    problem = claimed_signature_problem(claimed, signer=signer)
    if problem:
        return EarlierCheck(claimed=claimed, consistent=False, message=problem)
    if claimed.tree_size > tree.size:
        return EarlierCheck(claimed=claimed, consistent=False, message=(
            f"Your checkpoint, signed at {claimed.signed_at}, covers {claimed.tree_size} entries, but the log now "
            f"has only {tree.size}: entries have been removed since."))
    proof = tree.consistency_proof(claimed.tree_size)
    if merkle.verify_consistency(old_size=claimed.tree_size, new_size=tree.size,
                                 old_root=bytes.fromhex(claimed.root_hash), new_root=tree.root(), proof=proof):
        return EarlierCheck(claimed=claimed, consistent=True, proof=[step.hex() for step in proof], message=(
            f"Your checkpoint, signed at {claimed.signed_at}, is consistent with the log now: its "
            f"{claimed.tree_size} entries are still the first {claimed.tree_size} of {tree.size}, unchanged."))
    return EarlierCheck(claimed=claimed, consistent=False, message=(
        f"Your checkpoint, signed at {claimed.signed_at}, is not consistent with the log now: at least one of its "
        f"{claimed.tree_size} entries has been changed, removed or reordered since."))


def current_entry_problems(session: Session, rows: Sequence[_Row]) -> list[str]:
    """Differences between ``decision_log_current`` and each application's latest entry in the chain."""
    latest: dict[int, _Row] = {}
    for row in rows:  # in position order, so the last seen for an application is its latest
        latest[row.application_id] = row
    by_id = {row.id: row for row in rows}
    problems = []
    seen = set()
    for current in session.scalars(select(CurrentDecisionEntry).order_by(CurrentDecisionEntry.application_id)):
        seen.add(current.application_id)
        expected = latest.get(current.application_id)
        pointed = by_id.get(current.entry_id)
        if expected is None:
            problems.append(f"The current-entry table lists application {current.application_id}, which has no "
                            "entry in the log.")
        elif pointed is None or pointed.id != expected.id:
            where = f"entry {pointed.position}" if pointed else "an entry that is not in the log"
            problems.append(f"The current-entry table shows {where} for {expected.reference}, but its latest entry "
                            f"in the log is entry {expected.position}.")
        elif current.reference != expected.reference or current.decided_at != expected.decided_at:
            problems.append(f"The current-entry table's copy of entry {expected.position}'s reference or decision "
                            "date differs from the entry.")
    for application_id, expected in latest.items():
        if application_id not in seen:
            problems.append(f"The current-entry table has no row for {expected.reference}, whose latest entry is "
                            f"entry {expected.position}.")
    return problems


# The public page ---------------------------------------------------------------------------------

CHECKPOINT_TEXT_LIMIT = 5_000  # a checkpoint is well under 1,000 characters


@dataclass(frozen=True)
class VerifyPage:
    """What /decisions/verify shows: the whole check, the newest signed checkpoint, and any kept one's result."""

    result: LogVerification
    checkpoint: dict | None  # the newest checkpoint as /decisions/checkpoint publishes it
    public_key: str
    pasted: str  # the kept checkpoint as pasted, given back in the form
    error: str | None  # why the pasted text could not be read as a checkpoint
    last_modified: object = None

    @property
    def report(self) -> log.ChainReport:
        """The hash chain's own result."""
        return self.result.chain

    @property
    def intact(self) -> bool:
        """True when every check passed (and anything pasted could be read)."""
        return self.result.intact and self.error is None

    @property
    def problems(self) -> list[str]:
        """Problems beyond the hash chain's (which the page words on its own)."""
        found = list(self.result.problems)
        if self.result.earlier is not None and not self.result.earlier.consistent:
            found.append(self.result.earlier.message)
        return found


def verify_page(session: Session, *, signer: Signer, pasted: str | None) -> VerifyPage:
    """Check the log now; with a pasted checkpoint, check it too (a form problem when it cannot be read)."""
    text = (pasted or "").strip()
    earlier, error = None, None
    if len(text) > CHECKPOINT_TEXT_LIMIT:
        error, text = "The checkpoint is too long: paste only what /decisions/checkpoint gave you", ""
    elif text:
        try:
            earlier = parse_checkpoint(text)
        except CheckpointFormatError as problem:
            error = str(problem)
    result = verify_log(session, signer=signer, earlier=earlier)
    newest = latest_checkpoint(session)
    return VerifyPage(result=result, checkpoint=checkpoint_document(newest, signer=signer) if newest else None,
                      public_key=signer.public_key, pasted=text, error=error,
                      last_modified=log.last_published_at(session))
