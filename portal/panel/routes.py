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
    """The panellist's applications to assess, grouped by round with what is left to do; finished rounds last."""
    home = services.panel_home(db.session, by=current_user)
    waiting_for_consent = services.needs_guardian_consent(db.session, panellist=current_user)
    return render_template("panel/home.html", home=home, waiting_for_consent=waiting_for_consent)


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


def _sheet_or_declare(assignment_id: int):
    """The scoring sheet, or a redirect to the declaration when no conflict has been declared yet."""
    try:
        return services.scoring_sheet(db.session, assignment_id=assignment_id, by=current_user), None
    except services.DeclarationNeeded:
        return None, redirect(url_for(".declare", assignment_id=assignment_id))


@bp.route("/assessments/<int:assignment_id>/scores", methods=["GET", "POST"])
@access(PANELLISTS)
def score(assignment_id: int):
    """Your scores: each criterion with what is saved, a way into each, and the whole application.

    A form posted here is the whole-application form (pages opened before scoring went one criterion per
    page post here too), so it is saved as it always was.
    """
    if request.method == "POST":
        return _whole_application(assignment_id)
    sheet, declare_first = _sheet_or_declare(assignment_id)
    if sheet is None:
        return declare_first
    return render_template("panel/score.html", sheet=sheet)


@bp.route("/assessments/<int:assignment_id>/scores/<int:criterion_number>", methods=["GET", "POST"])
@access(PANELLISTS)
def score_criterion(assignment_id: int, criterion_number: int):
    """One criterion on its own page: what the group wrote for it, then its score and comment (issue 14)."""
    sheet, declare_first = _sheet_or_declare(assignment_id)
    if sheet is None:
        return declare_first
    criterion = sheet.criterion_number(criterion_number)
    if request.method == "GET":
        form = scoring_form([criterion], data=_saved(sheet, [criterion]))
        return render_template("panel/criterion.html", sheet=sheet, criterion=criterion, form=form,
                               problem=None, changed=None)
    form = scoring_form([criterion])
    problem, changed = None, None
    if form.validate_on_submit():
        action = request.form.get("action")
        try:
            services.save_scores(db.session, assignment_id=assignment_id, entries=form.entries(),
                                 fingerprint=form.fingerprint.data or None, complete=action == "next",
                                 only={criterion.id}, by=current_user)
        except services.ScoreProblems as error:
            form.show_problems(error.problems)
            form.fingerprint.data = error.fingerprint
        except services.ScoresChangedElsewhere as error:
            changed = error
            form.fingerprint.data = error.fingerprint
        except StateTransitionError as error:
            problem = error.message
        else:
            if action == "next" and criterion_number < len(sheet.criteria):
                return redirect(url_for(".score_criterion", assignment_id=assignment_id,
                                        criterion_number=criterion_number + 1))
            if action == "next":
                return redirect(url_for(".send", assignment_id=assignment_id))
            if action == "previous" and criterion_number > 1:
                return redirect(url_for(".score_criterion", assignment_id=assignment_id,
                                        criterion_number=criterion_number - 1))
            elsewhere = _criterion_asked_for(action, count=len(sheet.criteria))
            if elsewhere is not None:
                return redirect(url_for(".score_criterion", assignment_id=assignment_id, criterion_number=elsewhere))
            flash(f"Your score for {criterion.name} is saved. You can come back and finish at any time before "
                  "scoring closes")
            return redirect(url_for(".score", assignment_id=assignment_id))
    return render_template("panel/criterion.html", sheet=sheet, criterion=criterion, form=form, problem=problem,
                           changed=changed)


def _criterion_asked_for(action: str | None, *, count: int) -> int | None:
    """The criterion a "go-N" button in the criteria list asks for (saved first), or None."""
    number = (action or "").removeprefix("go-")
    if action and action.startswith("go-") and number.isdigit() and 1 <= int(number) <= count:
        return int(number)
    return None


@bp.route("/assessments/<int:assignment_id>/application", methods=["GET", "POST"])
@access(PANELLISTS)
def whole_application(assignment_id: int):
    """The whole application beside every criterion on one page, scored in one form."""
    return _whole_application(assignment_id)


def _whole_application(assignment_id: int):
    """The whole application and a score and comment for every criterion, saved as often as you like."""
    sheet, declare_first = _sheet_or_declare(assignment_id)
    if sheet is None:
        return declare_first
    if request.method == "GET":
        form = scoring_form(sheet.criteria, data=_saved(sheet, sheet.criteria))
        return render_template("panel/application.html", sheet=sheet, form=form, problem=None, changed=None)
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
            return redirect(url_for(".whole_application", assignment_id=assignment_id))
    return render_template("panel/application.html", sheet=sheet, form=form, problem=problem, changed=changed)


def _saved(sheet: services.ScoringSheet, criteria: list) -> dict[str, str | None]:
    """The form's starting values: what the panellist saved last time for these criteria."""
    data: dict[str, str | None] = {"fingerprint": sheet.fingerprint_of(criteria)}
    for criterion in criteria:
        value = sheet.value(criterion)
        data[services.score_field(criterion.id)] = str(value) if value is not None else None
        data[services.comment_field(criterion.id)] = sheet.comment(criterion)
    return data


@bp.route("/assessments/<int:assignment_id>/send", methods=["GET", "POST"])
@access(PANELLISTS)
def send(assignment_id: int):
    """Check your scores, see the total, and send them to the panel."""
    sheet, declare_first = _sheet_or_declare(assignment_id)
    if sheet is None:
        return declare_first
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
