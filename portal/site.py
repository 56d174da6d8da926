"""Pages about the service itself: accessibility and privacy."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import PUBLIC, access

bp = Blueprint("site", __name__)


@bp.route("/accessibility")
@access(PUBLIC)
def accessibility():
    """The accessibility statement."""
    return render_template("site/accessibility.html")


@bp.route("/privacy")
@access(PUBLIC)
def privacy():
    """How the portal uses personal information."""
    return render_template("site/privacy.html")
