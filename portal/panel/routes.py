"""Panellists' pages: their work, declaring conflicts of interest, scoring and sending scores."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import PANELLISTS, access
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.panel import services
from portal.panel.access import Recused
from portal.panel.forms import DeclarationForm, SendForm, scoring_form

bp = Blueprint("panel", __name__, url_prefix="/panel")


def _public_url() -> str:
    """The portal's address for links in e-mails."""
    return current_app.config["PUBLIC_URL"].rstrip("/")


@bp.route("")
@access(PANELLISTS)
def home():
    """The panellist's applications to assess, grouped by round, with what to do next."""
    rounds = services.panel_home(db.session, by=current_user)
    waiting_for_consent = services.needs_guardian_consent(db.session, panellist=current_user)
    return render_template("panel/home.html", rounds=rounds, waiting_for_consent=waiting_for_consent)


@bp.route("/assessments/<int:assignment_id>", methods=["GET", "POST"])
@access(PANELLISTS)
def declare(assignment_id: int):
    """Before reading an application: say whether you have a conflict of interest with the group."""
    try:
        page = services.declaration_page(db.session, assignment_id=assignment_id, by=current_user)
    except Recused:
        if request.method != "POST":
            raise
        # The form sent twice (a double click): the first declared the conflict, so say it is done.
        flash("You have already declared a conflict of interest with this application")
        return redirect(url_for(".home"))
    if page.declaration is not None:
        return redirect(url_for(".score", assignment_id=assignment_id))
    form = DeclarationForm()
    if form.validate_on_submit():
        try:
            declaration = services.declare_conflict(
                db.session, assignment_id=assignment_id, has_conflict=form.conflict(), reason=form.reason.data,
                by=current_user, public_url=_public_url())
        except (ValidationError, StateTransitionError) as error:
            form.add_domain_error(error, "has_conflict")
        else:
            if declaration.has_conflict:
                flash(f"Thank you for telling us. You will not assess {page.assignment.application.reference}: "
                      "we have asked another panellist to assess it instead")
                return redirect(url_for(".home"))
            return redirect(url_for(".score", assignment_id=assignment_id))
    return render_template("panel/declare.html", page=page, form=form)


@bp.route("/assessments/<int:assignment_id>/scores", methods=["GET", "POST"])
@access(PANELLISTS)
def score(assignment_id: int):
    """The application beside the criteria: a score and a comment for each, saved as often as you like."""
    try:
        sheet = services.scoring_sheet(db.session, assignment_id=assignment_id, by=current_user)
    except services.DeclarationNeeded:
        return redirect(url_for(".declare", assignment_id=assignment_id))
    if request.method == "GET":
        form = scoring_form(sheet.criteria, data=_saved(sheet))
        return render_template("panel/score.html", sheet=sheet, form=form, problem=None, changed=None)
    form = scoring_form(sheet.criteria)
    problem, changed = None, None
    if form.validate_on_submit():
        complete = request.form.get("action") == "continue"
        try:
            services.save_scores(db.session, assignment_id=assignment_id, entries=form.entries(),
                                 fingerprint=form.fingerprint.data or None, complete=complete, by=current_user)
        except services.ScoreProblems as error:
            form.show_problems(error.problems)
            form.fingerprint.data = error.fingerprint
        except services.ScoresChangedElsewhere as error:
            changed = error
            form.fingerprint.data = error.fingerprint
        except StateTransitionError as error:
            problem = error.message
        else:
            if complete:
                return redirect(url_for(".send", assignment_id=assignment_id))
            flash("Your scores are saved. You can come back and finish them at any time before scoring closes")
            return redirect(url_for(".score", assignment_id=assignment_id))
    return render_template("panel/score.html", sheet=sheet, form=form, problem=problem, changed=changed)


def _saved(sheet: services.ScoringSheet) -> dict[str, str]:
    """The form's starting values: what the panellist saved last time."""
    data = {"fingerprint": sheet.fingerprint}
    for criterion in sheet.criteria:
        value = sheet.value(criterion)
        data[services.score_field(criterion.id)] = str(value) if value is not None else None
        data[services.comment_field(criterion.id)] = sheet.comment(criterion)
    return data


@bp.route("/assessments/<int:assignment_id>/send", methods=["GET", "POST"])
@access(PANELLISTS)
def send(assignment_id: int):
    """Check your scores, see the total, and send them to the panel."""
    try:
        sheet = services.scoring_sheet(db.session, assignment_id=assignment_id, by=current_user)
    except services.DeclarationNeeded:
        return redirect(url_for(".declare", assignment_id=assignment_id))
    if sheet.sent_at is not None:
        return redirect(url_for(".score", assignment_id=assignment_id))
    form = SendForm()
    problems, problem = sheet.problems(), sheet.closed_reason
    if form.validate_on_submit():
        try:
            services.send_scores(db.session, assignment_id=assignment_id, by=current_user)
        except services.ScoreProblems as error:
            problems = error.problems
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"Your scores for {sheet.assignment.application.reference} are sent. Thank you")
            return redirect(url_for(".score", assignment_id=assignment_id))
    return render_template("panel/send.html", sheet=sheet, form=form, problems=problems, problem=problem,
                           failed=request.method == "POST")


# Its own argument name: the access matrix opens it with an assignment whose scores are sent (until then: 403).
@bp.route("/assessments/<int:sent_assignment_id>/panel-scores")
@access(PANELLISTS)
def panel_scores(sent_assignment_id: int):
    """Every panellist's scores for the application, without names, once you have sent your own."""
    scores = services.panel_scores_for(db.session, assignment_id=sent_assignment_id, by=current_user)
    return render_template("panel/panel_scores.html", scores=scores)
