"""Interviews: the question bank, the round's questions, shortlisting, slots and panellists' interview scores."""

from __future__ import annotations

from flask import Blueprint, abort

from portal.access import COMMISSIONERS, PANELLISTS, access

bp = Blueprint("interviews", __name__)


@bp.route("/panel/interviews")
@access(PANELLISTS)
def my_interviews():
    """The panellist's interviews to score. (Placeholder until built.)"""
    abort(404)


@bp.route("/commissioning/rounds/<int:round_id>/interviews")
@access(COMMISSIONERS)
def round_interviews(round_id: int):
    """The round's interviews: questions, shortlist and slots. (Placeholder until built.)"""
    abort(404)
