"""Commissioners issue every letter of a round at once and watch the workers' progress."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user

from portal import jobs
from portal.access import COMMISSIONERS, access
from portal.domain import StateTransitionError
from portal.extensions import db
from portal.forms import PortalForm
from portal.letters import bulk

bp = Blueprint("bulk_letters", __name__, url_prefix="/commissioning")
bp.record_once(lambda state: jobs.init_app(state.app))

EXPIRED = "Your form expired. Try again"


class BulkActionForm(PortalForm):
    """A button that starts or resumes a batch: only the CSRF token."""


def _round_page(round_, *, problem: str):
    """The batch page without a batch, saying why letters could not be issued."""
    return render_template("letters/batch.html", round=round_, progress=None, problem=problem,
                           form=BulkActionForm())


def _batch_page(progress: bulk.BatchProgress, *, problem: str | None = None):
    """The batch's progress page."""
    return render_template("letters/batch.html", round=progress.batch.round, progress=progress, problem=problem,
                           form=BulkActionForm(), stall_interval=bulk.in_words(bulk.stall_interval()))


@bp.route("/rounds/<int:round_id>/letters/issue-all", methods=["POST"])
@access(COMMISSIONERS)
def start(round_id: int):
    """Start issuing every letter the round still needs, in the workers."""
    round_ = bulk.bulk_round(db.session, round_id=round_id, by=current_user)
    if not BulkActionForm().validate_on_submit():
        return _round_page(round_, problem=EXPIRED)
    try:
        batch = bulk.start_batch(db.session, round_=round_, by=current_user)
    except StateTransitionError as error:
        return _round_page(round_, problem=error.message)
    # No flashed message: the batch page's own banner says what is happening, and "Success" only once it has.
    return redirect(url_for(".batch", batch_id=batch.id))


@bp.route("/letter-batches/<int:batch_id>")
@access(COMMISSIONERS)
def batch(batch_id: int):
    """A batch's progress: letters issued, failed and still to do."""
    batch = bulk.batch_for(db.session, batch_id=batch_id, by=current_user)
    return _batch_page(bulk.batch_progress(db.session, batch=batch, by=current_user))


@bp.route("/letter-batches/<int:batch_id>.json")
@access(COMMISSIONERS)
def batch_status(batch_id: int):
    """A batch's progress as JSON, for the page's script."""
    batch = bulk.batch_for(db.session, batch_id=batch_id, by=current_user)
    response = jsonify(bulk.batch_progress(db.session, batch=batch, by=current_user).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/letter-batches/<int:batch_id>/resume", methods=["POST"])
@access(COMMISSIONERS)
def resume(batch_id: int):
    """Queue again the letters of a stopped batch (or its failed ones)."""
    batch = bulk.batch_for(db.session, batch_id=batch_id, by=current_user)
    if not BulkActionForm().validate_on_submit():
        return _batch_page(bulk.batch_progress(db.session, batch=batch, by=current_user), problem=EXPIRED)
    try:
        bulk.resume_batch(db.session, batch=batch, by=current_user)
    except StateTransitionError as error:
        return _batch_page(bulk.batch_progress(db.session, batch=batch, by=current_user), problem=error.message)
    return redirect(url_for(".batch", batch_id=batch.id))
