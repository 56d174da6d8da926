"""Commissioners decide applications from the ranking, and publish the decisions."""

from __future__ import annotations

from flask import Blueprint, abort

from portal.access import COMMISSIONERS, access

bp = Blueprint("decisions", __name__, url_prefix="/commissioning")


@bp.route("/rounds/<int:round_id>/decisions")
@access(COMMISSIONERS)
def round_decisions(round_id: int):
    """The round's decisions. (Placeholder until built.)"""
    abort(404)
