"""Open data: the decision log as CSV, JSON and Atom, and awarded grants as a 360Giving data package.

All public, no sign-in. Each file answers conditional requests (ETag, Last-Modified, 304) so feed readers
and data pipelines can check back often at little cost.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from portal.access import PUBLIC, access
from portal.domain import NotFound
from portal.extensions import db
from portal.transparency import open_data as services
from portal.transparency.caching import conditional

bp = Blueprint("open_data", __name__)


def _publisher() -> services.Publisher:
    """The funder and the portal's public address, from the settings."""
    config = current_app.config
    return services.Publisher(funder_name=config["FUNDER_NAME"], funder_org_id=config["FUNDER_ORG_ID"],
                              grant_id_prefix=config["GRANT_ID_PREFIX"], public_url=config["PUBLIC_URL"],
                              portal_name=config["PORTAL_NAME"])


@bp.route("/decisions.csv")
@access(PUBLIC)
def decisions_csv():
    """The current decisions as a spreadsheet, filtered like /decisions."""
    data = services.decisions_csv(db.session, args=request.args)
    return conditional(data.body, mimetype="text/csv", last_modified=data.last_modified,
                       headers={"Content-Disposition": 'attachment; filename="decisions.csv"'})


@bp.route("/decisions.json")
@access(PUBLIC)
def decisions_json():
    """The current decisions as JSON, filtered like /decisions, with any filter not understood listed."""
    data = services.decisions_json(db.session, args=request.args, publisher=_publisher())
    return conditional(data.data, mimetype="application/json", last_modified=data.last_modified, etag=data.etag)


@bp.route("/decisions.atom")
@access(PUBLIC)
def decisions_atom():
    """The latest decisions as an Atom feed, filtered like /decisions."""
    data = services.decisions_atom(db.session, args=request.args, publisher=_publisher())
    return conditional(data.body, mimetype="application/atom+xml", last_modified=data.last_modified)


@bp.route("/open-data/360giving.json")
@access(PUBLIC)
def threesixtygiving():
    """Awarded grants as a 360Giving data package (a JSON 404 until the first award is published)."""
    try:
        data = services.threesixtygiving(db.session, publisher=_publisher())
    except NotFound as error:
        body = json.dumps({"error": str(error), "grants_published": 0})
        return Response(body, status=404, mimetype="application/json")
    return conditional(data.data, mimetype="application/json", last_modified=data.last_modified, etag=data.etag)
