"""The decision log's signed checkpoints and inclusion proofs, as JSON for anyone to check (no sign-in)."""

from __future__ import annotations

import json

from flask import Blueprint, Response

from portal.access import PUBLIC, access
from portal.extensions import db
from portal.transparency.caching import conditional
from portal.transparency.checkpoints import (
    ProofUnavailable,
    checkpoint_document,
    current_signer,
    inclusion_document,
    latest_checkpoint,
)

bp = Blueprint("checkpoints", __name__)


def _json(document: dict, status: int = 200) -> Response:
    """A JSON response; successful ones answer conditional requests (they change only on publication)."""
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if status != 200:
        return Response(body, status=status, mimetype="application/json")
    return conditional(body.encode("utf-8"), mimetype="application/json", last_modified=None)


@bp.route("/decisions/checkpoint")
@access(PUBLIC)
def checkpoint():
    """The newest signed checkpoint: tree size, root hash, signature and public key (404 before any publication)."""
    newest = latest_checkpoint(db.session)
    signer = current_signer()
    if newest is None:
        return _json({"error": "Nothing has been published yet", "tree_size": 0, "public_key": signer.public_key},
                     status=404)
    return _json(checkpoint_document(newest, signer=signer))


@bp.route("/decisions/entries/<int:position>/proof.json")
@access(PUBLIC)
def entry_proof(position: int):
    """Proof that one entry is in the tree the newest checkpoint signed (its audit path)."""
    try:
        return _json(inclusion_document(db.session, position=position, signer=current_signer()))
    except ProofUnavailable as problem:
        return _json({"error": str(problem), "position": position}, status=409)
