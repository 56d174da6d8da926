"""Panellists' pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from portal.access import PANELLISTS, access
from portal.extensions import db
from portal.panel import services

bp = Blueprint("panel", __name__, url_prefix="/panel")


@bp.route("")
@access(PANELLISTS)
def home():
    """The panellist's applications to assess."""
    assignments = services.my_assignments(db.session, by=current_user)
    waiting_for_consent = services.needs_guardian_consent(db.session, panellist=current_user)
    return render_template("panel/home.html", assignments=assignments,
                           waiting_for_consent=waiting_for_consent)
