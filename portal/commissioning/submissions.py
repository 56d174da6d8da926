"""Commissioners' view of a round's applications: filters, CSV export, screening, counts over time."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, access
from portal.commissioning import submission_services as services
from portal.commissioning.submission_forms import (
    IneligibleForm,
    MarkEligibleForm,
    SubmissionFilterForm,
    UndoIneligibleForm,
)
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.models import utcnow

bp = Blueprint("submissions", __name__, url_prefix="/commissioning")


@bp.context_processor
def _helpers() -> dict:
    """Status words for this blueprint's pages."""
    return {"status_label": services.status_label}


@bp.app_template_global()
def status_colour(status) -> str:
    """A status tag's colour, wherever the status tag macro is used."""
    return services.status_colour(status)


def screening_settings() -> services.Settings:
    """What the screening e-mails need, from the app's configuration."""
    config = current_app.config
    return services.Settings(public_url=config["PUBLIC_URL"].rstrip("/"), portal_name=config["PORTAL_NAME"])


def _filter_form() -> SubmissionFilterForm:
    """The filters from the query string, checked (a bad value filters nothing and says why)."""
    form = SubmissionFilterForm(request.args)
    if request.args:
        form.validate()
    return form


@bp.route("/rounds/<int:round_id>/applications")
@access(COMMISSIONERS)
def round_applications(round_id: int):
    """Every sent application of a round, filtered and 50 a page, with the round's counts."""
    round_ = services.round_for_commissioner(db.session, round_id=round_id, by=current_user)
    form = _filter_form()
    filters = form.filters()
    counts = services.round_counts(db.session, round_=round_, by=current_user)
    listing = services.list_submissions(db.session, round_=round_, filters=filters,
                                        page=request.args.get("page", 1, type=int), by=current_user, counts=counts)
    return render_template("commissioning/submissions/list.html", round=round_, form=form, filters=filters,
                           listing=listing, counts=counts)


@bp.route("/rounds/<int:round_id>/applications.csv")
@access(COMMISSIONERS)
def applications_csv(round_id: int):
    """The filtered list as a spreadsheet: UTF-8 with a byte order mark so Excel reads it right."""
    round_ = services.round_for_commissioner(db.session, round_id=round_id, by=current_user)
    body = services.submissions_csv(db.session, round_=round_, filters=_filter_form().filters(), by=current_user)
    return Response("\ufeff" + body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{round_.slug}-applications.csv"'})


@bp.route("/rounds/<int:round_id>/applications/over-time")
@access(COMMISSIONERS)
def applications_over_time(round_id: int):
    """Drafts started and applications submitted on each day the round has been open."""
    round_ = services.round_for_commissioner(db.session, round_id=round_id, by=current_user)
    activity = services.activity_over_time(db.session, round_=round_, by=current_user, now=utcnow())
    return render_template("commissioning/submissions/over_time.html", round=round_, activity=activity)


@bp.route("/applications/<int:submission_id>")
@access(COMMISSIONERS)
def submission(submission_id: int):
    """One application exactly as it was sent, and its eligibility screening."""
    application = services.submission_for_commissioner(db.session, submission_id=submission_id, by=current_user)
    return render_template("commissioning/submissions/submission.html", application=application,
                           sent=application.submitted_snapshot, eligible_form=MarkEligibleForm(), problem=None)


@bp.route("/applications/<int:submission_id>/mark-eligible", methods=["POST"])
@access(COMMISSIONERS)
def mark_eligible(submission_id: int):
    """Confirm an application is eligible: it goes on to assessment."""
    application = services.submission_for_commissioner(db.session, submission_id=submission_id, by=current_user)
    form = MarkEligibleForm()
    if form.validate_on_submit():
        try:
            services.mark_eligible(db.session, application=application, by=current_user, now=utcnow())
        except StateTransitionError as error:
            return render_template("commissioning/submissions/submission.html", application=application,
                                   sent=application.submitted_snapshot, eligible_form=form, problem=error.message)
        flash(f"{application.reference} is marked as eligible. It will go to the panel for assessment")
        return redirect(url_for(".submission", submission_id=application.id))
    return render_template("commissioning/submissions/submission.html", application=application,
                           sent=application.submitted_snapshot, eligible_form=form,
                           problem="Your form expired. Mark the application as eligible again")


@bp.route("/applications/<int:submission_id>/mark-ineligible", methods=["GET", "POST"])
@access(COMMISSIONERS)
def mark_ineligible(submission_id: int):
    """Mark an application as ineligible, with a reason written to the applicant."""
    application = services.submission_for_commissioner(db.session, submission_id=submission_id, by=current_user)
    form = IneligibleForm()
    if form.validate_on_submit():
        try:
            services.mark_ineligible(db.session, application=application, reason=form.reason.data, by=current_user,
                                     settings=screening_settings(), now=utcnow())
        except (ValidationError, StateTransitionError) as error:
            form.add_domain_error(error, "reason")
        else:
            flash(f"{application.reference} is marked as ineligible. We have emailed the applicant the reason")
            return redirect(url_for(".submission", submission_id=application.id))
    return render_template("commissioning/submissions/mark_ineligible.html", application=application, form=form)


@bp.route("/applications/<int:submission_id>/undo-ineligible", methods=["GET", "POST"])
@access(COMMISSIONERS)
def undo_ineligible(submission_id: int):
    """Put an application marked ineligible back to be screened again."""
    application = services.submission_for_commissioner(db.session, submission_id=submission_id, by=current_user)
    form = UndoIneligibleForm()
    if form.validate_on_submit():
        try:
            services.undo_ineligible(db.session, application=application, reason=form.reason.data, by=current_user,
                                     settings=screening_settings(), now=utcnow())
        except (ValidationError, StateTransitionError) as error:
            form.add_domain_error(error, "reason")
        else:
            flash(f"{application.reference} is back with you to be screened. We have emailed the applicant")
            return redirect(url_for(".submission", submission_id=application.id))
    return render_template("commissioning/submissions/undo_ineligible.html", application=application, form=form)
