"""``GET /healthz``: is the portal up, and can it reach its database?"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.access import PUBLIC, access
from portal.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
@access(PUBLIC)
def healthz():
    """JSON status for load balancers and monitoring; 503 when the database cannot be reached."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        log.error("Health check could not reach the database: %s", error)
        reason = str(error.orig if getattr(error, "orig", None) else error).splitlines()[0][:200]
        return jsonify(status="error", database="unreachable", reason=reason), 503
    return jsonify(status="ok", database="ok")
