"""Moderation and the ranked list: the panel's recommendation to commissioners."""

from __future__ import annotations

from flask import Blueprint, abort

from portal.access import COMMISSIONERS, access, roles
from portal.models import Role

bp = Blueprint("assessment", __name__)


@bp.route("/panel/rounds/<int:round_id>/moderation")
@access(roles(Role.PANELLIST, Role.COMMISSIONER, Role.ADMIN))
def moderation(round_id: int):
    """Every application's scores, means and flags, for the panel lead. (Placeholder until built.)"""
    abort(404)


@bp.route("/commissioning/rounds/<int:round_id>/ranking")
@access(COMMISSIONERS)
def ranking(round_id: int):
    """The ranked list with the funding line. (Placeholder until built.)"""
    abort(404)
