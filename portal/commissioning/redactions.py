"""Commissioners redact a field of a published decision log entry: one asks, a different one approves."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, access
from portal.commissioning import redaction_services as services
from portal.commissioning.redaction_forms import ApproveRedactionForm, RedactionRequestForm
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.transparency.redaction import FIELD_LABELS, notice

bp = Blueprint("redactions", __name__, url_prefix="/commissioning/decision-log")


@bp.route("/entries/<int:log_entry_id>/redact", methods=["GET", "POST"])
@access(COMMISSIONERS)
def request_redaction(log_entry_id: int):
    """Ask for one field of a published entry to be redacted; a second commissioner must approve."""
    entry = services.redaction_entry(db.session, log_entry_id=log_entry_id, by=current_user)
    choices = services.field_choices(db.session, entry)
    form = RedactionRequestForm().setup(session=db.session, entry=entry, choices=choices)
    if choices and form.validate_on_submit():
        try:
            request = services.request_redaction(db.session, entry=entry, typed=form.typed(), by=current_user,
                                                 public_url=current_app.config["PUBLIC_URL"])
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            flash(f"You asked for the {FIELD_LABELS[request.field].lower()} of entry {entry.position} to be "
                  "redacted. A different commissioner must approve it before anything changes")
            return redirect(url_for(".request_redaction", log_entry_id=entry.id))
    return render_template("redactions/request.html", entry=entry, form=form, choices=choices,
                           requests=services.requests_for(db.session, entry), labels=FIELD_LABELS,
                           others=services.other_entries(db.session, entry),
                           max_characters=services.REASON_MAX_CHARACTERS, notice=notice)


@bp.route("/redactions")
@access(COMMISSIONERS)
def pending():
    """Redactions waiting for a second commissioner's approval."""
    requests = services.pending_requests(db.session, by=current_user)
    return render_template("redactions/pending.html", requests=requests, labels=FIELD_LABELS)


@bp.route("/redactions/<int:redaction_id>/approve", methods=["GET", "POST"])
@access(COMMISSIONERS)
def approve(redaction_id: int):
    """Show a redaction request beside the value it removes, and approve it (not by the person who asked)."""
    request = services.redaction_request(db.session, redaction_id=redaction_id, by=current_user)
    form = ApproveRedactionForm()
    problem = services.approval_problem(request, by=current_user)
    if problem is None and form.validate_on_submit():
        try:
            entry = services.approve_redaction(db.session, request=request, by=current_user)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"The {FIELD_LABELS[request.field].lower()} of entry {entry.position} is redacted. "
                  "The decision log still verifies")
            return redirect(url_for(".request_redaction", log_entry_id=entry.id))
    return render_template("redactions/approve.html", asked=request, entry=request.entry, form=form,
                           problem=problem, labels=FIELD_LABELS, notice=notice)
