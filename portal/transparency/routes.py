"""The public decision log: /decisions, each entry's history, each round's results, and the chain check.

No sign-in. Anonymous visitors get ETag and Last-Modified and a 304 when their copy is current; signed-in
visitors get an ordinary response, because their page carries their name and a sign-out form token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, make_response, render_template, request
from flask_login import current_user
from markupsafe import Markup

from portal.access import PUBLIC, access
from portal.extensions import db
from portal.transparency import redaction, services, verification
from portal.transparency.caching import conditional, kept
from portal.transparency.chart import bar_chart
from portal.transparency.checkpoints import current_signer

bp = Blueprint("transparency", __name__)


@bp.context_processor
def _helpers() -> dict:
    """Words for outcomes, organisation types and boroughs on this blueprint's pages."""
    return {"outcome_label": services.outcome_label, "outcome_colour": services.outcome_colour,
            "organisation_type_label": services.organisation_type_label, "public_name": services.public_name,
            "entry_boroughs": services.entry_boroughs, "percent": services.format_percentage,
            "shown": redaction.shown, "redaction_notice": redaction.notice}


def _public_page(template: str, *, last_modified: datetime | None, **context):
    """Render a public page; anonymous visitors get validators and a 304 when nothing has changed."""
    body = render_template(template, **context)
    if current_user.is_authenticated:
        response = make_response(body)
        response.cache_control.private = True  # it carries their name and a form token: no shared cache
        response.cache_control.no_store = True
        return response
    response = conditional(body, mimetype="text/html", last_modified=last_modified)
    response.vary.add("Cookie")  # a shared cache must not hand this copy to someone signed in, or theirs to others
    return response


@dataclass(frozen=True)
class RenderedLog:
    """A decision log page's content as rendered, its title and when what it shows last changed."""

    content: Markup
    page_title: str
    last_modified: datetime | None


@bp.route("/decisions")
@access(PUBLIC)
def decision_log():
    """The decision log: each application's latest entry, filterable and 20 a page.

    The same for every reader until something is published or a round shown changes, so each worker renders a
    page once per state of the log and query string and keeps it (``caching.kept``).
    """
    state = services.log_state(db.session)
    key = ("decision_log", state, tuple(request.args.items(multi=True)))
    rendered = kept(key, _render_decision_log)
    return _public_page("transparency/decision_log.html", last_modified=rendered.last_modified,
                        content=rendered.content, page_title=rendered.page_title)


def _render_decision_log() -> RenderedLog:
    """The decision log's content for the query string, read and rendered now."""
    listing = services.decision_log_page(db.session, args=request.args, page=request.args.get("page"))
    content = render_template("transparency/_decision_log_content.html", listing=listing,
                              boroughs=services.borough_choices(),
                              organisation_types=services.organisation_type_choices())
    title = ("Error: " if listing.problems else "") + "Decision log"
    if listing.pages > 1:
        title += f" (page {listing.page} of {listing.pages})"
    return RenderedLog(content=Markup(content), page_title=title, last_modified=listing.last_modified)


@bp.route("/decisions/entries/<int:position>")
@access(PUBLIC)
def entry(position: int):
    """One entry in full, with every entry published for the same application (corrections included)."""
    page = services.entry_page(db.session, position=position)
    return _public_page("transparency/entry.html", last_modified=page.last_modified, page=page,
                        entry=page.entry)


@bp.route("/decisions/rounds/<round_slug>")
@access(PUBLIC)
def round_results(round_slug: str):
    """A round's results: applications, awards, money, small organisations, boroughs and the promised date."""
    results = services.round_results(db.session, round_slug=round_slug)
    chart = bar_chart([(tally.name, tally.awards) for tally in results.boroughs], chart_id="awards-by-borough",
                      title=f"Awards by borough, {results.round_.title}",
                      description=", ".join(f"{tally.name}: {tally.awards}" for tally in results.boroughs)
                      or "No awards")
    return _public_page("transparency/round_results.html", last_modified=results.last_modified,
                        results=results, round=results.round_, chart=chart)


@bp.route("/decisions/verify")
@access(PUBLIC)
def verify():
    """Check the decision log now (chain, signed checkpoints, current entries), and a checkpoint someone kept."""
    status = verification.verify_page(db.session, signer=current_signer(), pasted=request.args.get("checkpoint"))
    # No Last-Modified: a quiet change to a stored entry does not move the last publication date, so a
    # client asking only "modified since?" could be told nothing changed. The ETag follows the result.
    return _public_page("transparency/verify.html", last_modified=None, status=status, report=status.report)
