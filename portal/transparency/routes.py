"""The public decision log: /decisions, each round's results, and the chain check. No sign-in."""

from __future__ import annotations

from flask import Blueprint, abort

from portal.access import PUBLIC, access

bp = Blueprint("transparency", __name__)


@bp.route("/decisions")
@access(PUBLIC)
def decision_log():
    """The decision log, filterable and paginated. (Placeholder until built.)"""
    abort(404)
