"""Signed checkpoints of the decision log: its Merkle tree's size and root, signed with the portal's Ed25519 key.

The log's entries, in position order, are the leaves of a Merkle tree built the way Certificate Transparency
builds its logs (RFC 9162; ``portal.transparency.merkle``): each leaf is the 32 bytes of an entry's
``entry_hash``. After every publication ``log.append`` calls ``record_checkpoint``, which signs this text
(UTF-8, each line ending in a line feed) and stores it as a ``DecisionLogCheckpoint``::

    safer-futures-decision-log
    <tree size: the number of entries, in decimal>
    <root hash: 64 lower-case hexadecimal characters>
    <signed at: UTC, 2026-07-01T09:00:00Z>

Anyone who saved a checkpoint (from /decisions/checkpoint, the Atom feed or the JSON file) can later ask for
a consistency proof that the log they saw is a prefix of the log now; a removed or rewritten entry cannot
pass, whoever holds the database. Published public keys are the base64 of the raw 32-byte Ed25519 key;
signatures are the base64 of the 64-byte Ed25519 signature. See docs/decision-log.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import NotFound
from portal.models import DecisionLogCheckpoint, DecisionLogEntry, utcnow
from portal.transparency import merkle

LOG_ORIGIN = "safer-futures-decision-log"
KEY_FILE_NAME = "decision-log-signing-key.pem"
EXTENSION = "portal_log_signer"
TREE_DESCRIPTION = ("RFC 9162 Merkle tree, SHA-256; leaf i = the 32 bytes of entry (i + 1)'s entry_hash, "
                    "leaf hash SHA-256(0x00 || leaf), node hash SHA-256(0x01 || left || right)")


# Keys --------------------------------------------------------------------------------------------


class SigningKeyError(ValueError):
    """PORTAL_LOG_SIGNING_KEY holds something that is not an Ed25519 private key."""


def load_private_key(value: str | bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM "PRIVATE KEY" block or the base64 of its 32-byte seed."""
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise SigningKeyError("PORTAL_LOG_SIGNING_KEY is a private key, but not an Ed25519 one")
            return key
        seed = base64.b64decode(text, validate=True)
    except (ValueError, TypeError, binascii.Error) as error:
        if isinstance(error, SigningKeyError):
            raise
        raise SigningKeyError("PORTAL_LOG_SIGNING_KEY must be a PEM Ed25519 private key or the base64 of its "
                              "32-byte seed") from None
    if len(seed) != 32:
        raise SigningKeyError("PORTAL_LOG_SIGNING_KEY's base64 must decode to 32 bytes (an Ed25519 seed)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def new_private_key_pem() -> str:
    """A fresh Ed25519 private key as a PEM block (for ``flask`` operators and the development key file)."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def public_key_from_base64(value: str) -> Ed25519PublicKey:
    """A published public key (base64 of the raw 32 bytes)."""
    raw = base64.b64decode(value, validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class Signer:
    """The portal's checkpoint key: signs checkpoints and says what its public half is."""

    private_key: Ed25519PrivateKey

    @cached_property
    def public_bytes(self) -> bytes:
        """The raw 32-byte public key."""
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)

    @property
    def public_key(self) -> str:
        """The public key as published: base64 of the raw 32 bytes."""
        return base64.b64encode(self.public_bytes).decode("ascii")

    @property
    def key_id(self) -> str:
        """SHA-256 of the raw public key, in hex: names the key a checkpoint was signed with."""
        return hashlib.sha256(self.public_bytes).hexdigest()

    def sign(self, message: bytes) -> str:
        """The base64 Ed25519 signature of the message."""
        return base64.b64encode(self.private_key.sign(message)).decode("ascii")

    def verifies(self, signature: str, message: bytes) -> bool:
        """True when the base64 signature is this key's signature of the message."""
        return verify_signature(public_key=self.public_key, signature=signature, message=message)


def verify_signature(*, public_key: str, signature: str, message: bytes) -> bool:
    """True when ``signature`` (base64) is the Ed25519 signature of ``message`` by ``public_key`` (base64)."""
    try:
        public_key_from_base64(public_key).verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def init_app(app) -> None:
    """Load the signing key once; production must set PORTAL_LOG_SIGNING_KEY, elsewhere one is made if unset."""
    value = app.config.get("PORTAL_LOG_SIGNING_KEY")
    if not value:
        if app.config.get("REQUIRE_LOG_SIGNING_KEY"):
            raise RuntimeError("Set PORTAL_LOG_SIGNING_KEY to an Ed25519 private key before running in production "
                               "(docs/deployment.md says how to make one)")
        value = development_key(Path(app.instance_path))
    app.extensions[EXTENSION] = Signer(load_private_key(value))


def development_key(instance: Path) -> str:
    """The key kept in instance/ for development, made (readable by its owner only) on first use."""
    path = instance / KEY_FILE_NAME
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            return path.read_text()
        with os.fdopen(descriptor, "w") as handle:
            handle.write(new_private_key_pem())
    return path.read_text()


def current_signer() -> Signer:
    """The running app's checkpoint key."""
    from flask import current_app  # only the app holds the key; everything else is given it

    return current_app.extensions[EXTENSION]


# Checkpoints -------------------------------------------------------------------------------------


def instant(moment: datetime) -> str:
    """A UTC moment as the signed text writes it: 2026-07-01T09:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_message(*, tree_size: int, root_hash: str, signed_at: str) -> bytes:
    """Exactly the bytes a checkpoint's signature covers (the format in this module's docstring)."""
    return f"{LOG_ORIGIN}\n{tree_size}\n{root_hash}\n{signed_at}\n".encode("utf-8")


def leaf_hashes(session: Session, *, limit: int | None = None) -> list[str]:
    """Every entry's ``entry_hash`` in position order (the first ``limit`` when given): the tree's leaves."""
    query = select(DecisionLogEntry.entry_hash).order_by(DecisionLogEntry.position)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def tree_of(hashes: Sequence[str]) -> merkle.Tree:
    """The Merkle tree whose leaves are these hex hashes as bytes (a malformed hash becomes its UTF-8 text)."""
    return merkle.Tree([_leaf(value) for value in hashes])


def _leaf(value: str) -> bytes:
    """An entry hash as the tree's leaf: its 32 bytes (anything else, as text, so it still changes the root)."""
    try:
        return bytes.fromhex(value)
    except (ValueError, TypeError):
        return str(value).encode("utf-8")


def latest_checkpoint(session: Session) -> DecisionLogCheckpoint | None:
    """The newest checkpoint (the largest tree signed), or None before anything is published."""
    return session.scalar(select(DecisionLogCheckpoint).order_by(DecisionLogCheckpoint.tree_size.desc()).limit(1))


def record_checkpoint(session: Session, *, signer: Signer | None = None,
                      now: datetime | None = None) -> DecisionLogCheckpoint | None:
    """Sign the log as it stands (after a publication) and store the checkpoint; None for an empty log.

    Nothing new is stored when the newest checkpoint already covers every entry.
    """
    signer = signer or current_signer()
    session.flush()
    hashes = leaf_hashes(session)
    newest = latest_checkpoint(session)
    if not hashes or (newest is not None and newest.tree_size == len(hashes)):
        return newest
    signed_at = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    root_hash = tree_of(hashes).root().hex()
    message = signed_message(tree_size=len(hashes), root_hash=root_hash, signed_at=instant(signed_at))
    checkpoint = DecisionLogCheckpoint(tree_size=len(hashes), root_hash=root_hash, signed_at=signed_at,
                                       signature=signer.sign(message), key_id=signer.key_id)
    session.add(checkpoint)
    session.flush()
    return checkpoint


def checkpoint_document(checkpoint: DecisionLogCheckpoint, *, signer: Signer) -> dict[str, Any]:
    """A checkpoint as published (GET /decisions/checkpoint): keep it to prove later that the log only grew."""
    signed_at = instant(checkpoint.signed_at)
    return {
        "origin": LOG_ORIGIN,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "signed_at": signed_at,
        "signature": checkpoint.signature,
        "signature_algorithm": "Ed25519",
        "public_key": signer.public_key,
        "key_id": checkpoint.key_id,
        "signed_message": signed_message(tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash,
                                         signed_at=signed_at).decode("utf-8"),
        "encodings": {"root_hash": "hex", "signature": "base64", "public_key": "base64 of the raw 32-byte key"},
        "tree": TREE_DESCRIPTION,
    }


@dataclass(frozen=True)
class ClaimedCheckpoint:
    """A checkpoint someone kept, as they give it back: not yet checked."""

    tree_size: int
    root_hash: str
    signed_at: str
    signature: str
    public_key: str | None
    origin: str | None


class CheckpointFormatError(ValueError):
    """The text given is not a checkpoint (a specific message for the person who gave it)."""


def parse_checkpoint(text: str | bytes) -> ClaimedCheckpoint:
    """Read a checkpoint's JSON (as /decisions/checkpoint gives it); CheckpointFormatError says what is wrong."""
    try:
        document = json.loads(text)
    except (ValueError, TypeError):
        raise CheckpointFormatError("The checkpoint is not JSON: paste the whole of what /decisions/checkpoint "
                                    "gave you") from None
    if not isinstance(document, Mapping):
        raise CheckpointFormatError("The checkpoint must be a JSON object with tree_size, root_hash, signed_at "
                                    "and signature")
    missing = [name for name in ("tree_size", "root_hash", "signed_at", "signature") if name not in document]
    if missing:
        raise CheckpointFormatError("The checkpoint has no " + ", ".join(missing))
    size, root_hash = document["tree_size"], document["root_hash"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise CheckpointFormatError("The checkpoint's tree_size must be a whole number from 0")
    if not isinstance(root_hash, str) or len(root_hash) != 64 or any(c not in "0123456789abcdef" for c in root_hash):
        raise CheckpointFormatError("The checkpoint's root_hash must be 64 lower-case hexadecimal characters")
    if not all(isinstance(document[name], str) for name in ("signed_at", "signature")):
        raise CheckpointFormatError("The checkpoint's signed_at and signature must be text")
    public_key = document.get("public_key")
    origin = document.get("origin")
    return ClaimedCheckpoint(tree_size=size, root_hash=root_hash, signed_at=document["signed_at"],
                             signature=document["signature"],
                             public_key=public_key if isinstance(public_key, str) else None,
                             origin=origin if isinstance(origin, str) else None)


def claimed_signature_problem(claimed: ClaimedCheckpoint, *, signer: Signer) -> str | None:
    """Why a kept checkpoint's signature cannot be trusted, or None when this portal's key signed it."""
    if claimed.origin is not None and claimed.origin != LOG_ORIGIN:
        return f"The checkpoint is for another log ({claimed.origin}), not {LOG_ORIGIN}."
    if claimed.public_key is not None and claimed.public_key != signer.public_key:
        return ("The checkpoint was signed with a different key from this portal's, so it cannot be checked "
                "against this log.")
    message = signed_message(tree_size=claimed.tree_size, root_hash=claimed.root_hash, signed_at=claimed.signed_at)
    if not signer.verifies(claimed.signature, message):
        return ("The checkpoint's signature does not match its contents: it was changed after it was signed, or "
                "was not signed by this portal.")
    return None


# Inclusion proofs --------------------------------------------------------------------------------

# The newest checkpoint's tree, kept per worker process: a proof is then a few dozen hashes, not a read and
# hash of every entry. Keyed by the signed size and root, and checked against that root when built.
_TREES: dict[tuple[int, str], merkle.Tree] = {}


class ProofUnavailable(LookupError):
    """No proof can be given for this entry (a message for the person asking)."""


def inclusion_document(session: Session, *, position: int, signer: Signer) -> dict[str, Any]:
    """Proof that entry ``position`` is in the tree the newest checkpoint signed (RFC 9162 2.1.3)."""
    entry_hash = session.scalar(select(DecisionLogEntry.entry_hash).where(DecisionLogEntry.position == position))
    if entry_hash is None:
        raise NotFound("There is no entry with that number in the decision log")
    checkpoint = latest_checkpoint(session)
    if checkpoint is None or checkpoint.tree_size < position:
        raise ProofUnavailable("No signed checkpoint covers this entry yet")
    key = (checkpoint.tree_size, checkpoint.root_hash)
    tree = _TREES.get(key)
    if tree is None:
        tree = tree_of(leaf_hashes(session, limit=checkpoint.tree_size))
        if tree.size != checkpoint.tree_size or tree.root().hex() != checkpoint.root_hash:
            raise ProofUnavailable("The log no longer matches its signed checkpoint: see /decisions/verify")
        _TREES.clear()
        _TREES[key] = tree
    index = position - 1
    leaf = _leaf(entry_hash)
    if tree.levels[0][index] != merkle.leaf_hash(leaf):
        raise ProofUnavailable("This entry no longer matches its signed checkpoint: see /decisions/verify")
    return {
        "position": position,
        "leaf_index": index,
        "entry_hash": entry_hash,
        "leaf_hash": merkle.leaf_hash(leaf).hex(),
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "audit_path": [step.hex() for step in tree.inclusion_proof(index)],
        "checkpoint": checkpoint_document(checkpoint, signer=signer),
        "verification": "RFC 9162 section 2.1.3.2, with hash = SHA-256(0x00 || the 32 bytes of entry_hash)",
    }


def published_checkpoint(session: Session, *, signer: Signer | None = None) -> dict[str, Any] | None:
    """The newest checkpoint as published (for the JSON file and the Atom feed), or None before any."""
    newest = latest_checkpoint(session)
    return None if newest is None else checkpoint_document(newest, signer=signer or current_signer())
