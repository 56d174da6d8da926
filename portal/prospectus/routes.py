"""Public pages about rounds."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import PUBLIC, access
from portal.extensions import db
from portal.prospectus import services

bp = Blueprint("prospectus", __name__)


@bp.route("/")
@access(PUBLIC)
def home():
    """Open, upcoming and recently decided rounds."""
    return render_template("prospectus/home.html", rounds=services.home_rounds(db.session))
