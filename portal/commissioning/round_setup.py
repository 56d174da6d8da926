"""Commissioners set up funds and rounds: details, criteria, questions, FAQs, preview and publish."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, access
from portal.commissioning import round_services as services
from portal.commissioning.round_forms import (
    CriterionForm,
    FaqForm,
    FundForm,
    QuestionForm,
    RoundForm,
    show_problems,
)
from portal.commissioning.services import round_page
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.models import utcnow

bp = Blueprint("round_setup", __name__, url_prefix="/commissioning")


def _direction() -> services.Direction | None:
    """'up' or 'down' from the button pressed (anything else moves nothing)."""
    value = request.form.get("direction")
    return value if value in ("up", "down") else None  # type: ignore[return-value]


# Funds ------------------------------------------------------------------------------------------


@bp.route("/funds")
@access(COMMISSIONERS)
def funds():
    """Every fund, with links to change them."""
    return render_template("commissioning/rounds/funds.html", funds=services.list_funds(db.session, by=current_user))


@bp.route("/funds/new", methods=["GET", "POST"])
@access(COMMISSIONERS)
def create_fund():
    """Start a new fund."""
    form = FundForm()
    if form.validate_on_submit():
        try:
            fund = services.create_fund(db.session, details=form.details(), by=current_user)
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(f"{fund.name} created")
            return redirect(url_for(".funds"))
    return render_template("commissioning/rounds/fund_form.html", form=form, fund=None)


@bp.route("/funds/<int:fund_id>/edit", methods=["GET", "POST"])
@access(COMMISSIONERS)
def edit_fund(fund_id: int):
    """Change a fund's name, web address, description or reference prefix."""
    fund = services.get_fund(db.session, fund_id=fund_id, by=current_user)
    form = FundForm.for_fund(fund)
    if form.validate_on_submit():
        try:
            services.update_fund(db.session, fund=fund, details=form.details(), by=current_user)
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(f"{fund.name} saved")
            return redirect(url_for(".funds"))
    return render_template("commissioning/rounds/fund_form.html", form=form, fund=fund)


# Rounds -----------------------------------------------------------------------------------------


@bp.route("/rounds/new", methods=["GET", "POST"])
@access(COMMISSIONERS)
def create_round():
    """Start a draft round in a fund."""
    funds = services.list_funds(db.session, by=current_user)
    form = RoundForm.for_new_round(funds, request.args.get("fund", type=int))
    if form.validate_on_submit():
        try:
            round_ = services.create_round(db.session, fund_id=form.fund_id.data, details=form.details(),
                                           by=current_user)
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(f"{round_.title} created as a draft. Nobody else can see it until you publish it")
            return redirect(url_for(".round_overview", round_id=round_.id))
    return render_template("commissioning/rounds/round_form.html", form=form, round=None, funds=funds)


@bp.route("/rounds/<int:round_id>")
@access(COMMISSIONERS)
def round_overview(round_id: int):
    """The round's stages with their states, its set-up task list, status and change log."""
    page = round_page(db.session, round_id=round_id, by=current_user, now=utcnow())
    return render_template("commissioning/rounds/overview.html", overview=page.overview, round=page.round,
                           stages=page.stages, problems=[])


@bp.route("/rounds/<int:round_id>/details", methods=["GET", "POST"])
@access(COMMISSIONERS)
def edit_round(round_id: int):
    """Change the round's details: about, who can apply, money, dates, what applicants need, help."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    form = RoundForm.for_round(round_)
    if form.validate_on_submit():
        try:
            services.update_round(db.session, round_=round_, details=form.details(), by=current_user, now=utcnow())
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash("Round details saved")
            return redirect(url_for(".round_overview", round_id=round_.id))
    return render_template("commissioning/rounds/round_form.html", form=form, round=round_)


@bp.route("/rounds/<int:round_id>/publish", methods=["POST"])
@access(COMMISSIONERS)
def publish_round(round_id: int):
    """Publish the round, or list every problem that stops it."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    now = utcnow()
    try:
        services.publish_round(db.session, round_=round_, by=current_user, now=now)
    except services.RoundProblems as error:
        problems = error.problems
    except StateTransitionError as error:
        problems = [services.Problem(error.message, task="publish")]
    else:
        flash(f"{round_.title} is published. Anyone can now read its prospectus")
        return redirect(url_for(".round_overview", round_id=round_.id))
    page = round_page(db.session, round_id=round_.id, by=current_user, now=now)
    return render_template("commissioning/rounds/overview.html", overview=page.overview, round=page.round,
                           stages=page.stages, problems=problems)


@bp.route("/rounds/<int:round_id>/preview")
@access(COMMISSIONERS)
def preview_round(round_id: int):
    """The prospectus exactly as the public will see it, marked as a preview."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    prospectus = services.preview_prospectus(db.session, round_=round_, by=current_user, now=utcnow())
    return render_template("prospectus/round.html", prospectus=prospectus, preview=True)


# Assessment criteria ----------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/criteria")
@access(COMMISSIONERS)
def criteria(round_id: int):
    """The round's criteria with the running total of their weights."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    return render_template("commissioning/rounds/criteria.html", round=round_,
                           fixed=services.criteria_fixed_reason(round_))


@bp.route("/rounds/<int:round_id>/criteria/new", methods=["GET", "POST"])
@access(COMMISSIONERS)
def add_criterion(round_id: int):
    """Add an assessment criterion."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            criterion = services.add_criterion(db.session, round_=round_, details=form.details(), by=current_user,
                                               now=utcnow())
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(f"Criterion “{criterion.name}” added")
            return redirect(url_for(".criteria", round_id=round_.id))
    return render_template("commissioning/rounds/criterion_form.html", form=form, round=round_, criterion=None,
                           fixed=services.criteria_fixed_reason(round_))


@bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@access(COMMISSIONERS)
def edit_criterion(criterion_id: int):
    """Change a criterion."""
    criterion = services.get_criterion(db.session, criterion_id=criterion_id, by=current_user)
    form = CriterionForm.for_criterion(criterion)
    if form.validate_on_submit():
        try:
            services.update_criterion(db.session, criterion=criterion, details=form.details(), by=current_user,
                                      now=utcnow())
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(f"Criterion “{criterion.name}” saved")
            return redirect(url_for(".criteria", round_id=criterion.round_id))
    return render_template("commissioning/rounds/criterion_form.html", form=form, round=criterion.round,
                           criterion=criterion, fixed=services.criteria_fixed_reason(criterion.round))


@bp.route("/criteria/<int:criterion_id>/remove", methods=["GET", "POST"])
@access(COMMISSIONERS)
def remove_criterion(criterion_id: int):
    """Confirm, then remove a criterion (refused once the round has opened)."""
    criterion = services.get_criterion(db.session, criterion_id=criterion_id, by=current_user)
    now = utcnow()
    problem = services.criterion_removal_problem(criterion, now=now)
    if request.method == "POST" and not problem:
        round_ = services.remove_criterion(db.session, criterion=criterion, by=current_user, now=now)
        flash(f"Criterion “{criterion.name}” removed")
        return redirect(url_for(".criteria", round_id=round_.id))
    return render_template("commissioning/rounds/remove.html", round=criterion.round, problem=problem,
                           what="criterion", name=criterion.name,
                           back=url_for(".criteria", round_id=criterion.round_id))


@bp.route("/criteria/<int:criterion_id>/move", methods=["POST"])
@access(COMMISSIONERS)
def move_criterion(criterion_id: int):
    """Move a criterion up or down the list."""
    criterion = services.get_criterion(db.session, criterion_id=criterion_id, by=current_user)
    direction = _direction()
    if direction:
        services.move_criterion(db.session, criterion=criterion, direction=direction, by=current_user)
    return redirect(url_for(".criteria", round_id=criterion.round_id, _anchor=f"criterion-{criterion.id}"))


# Application questions --------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/application-questions")
@access(COMMISSIONERS)
def questions(round_id: int):
    """The application form's questions, in order."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    return render_template("commissioning/rounds/questions.html", round=round_)


@bp.route("/rounds/<int:round_id>/application-questions/new", methods=["GET", "POST"])
@access(COMMISSIONERS)
def add_question(round_id: int):
    """Add a question at the end of the application form."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    form = QuestionForm.for_round(round_)
    if form.validate_on_submit():
        try:
            question = services.add_question(db.session, round_=round_, details=form.details(), by=current_user,
                                             now=utcnow())
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(f"Question {question.position} added")
            return redirect(url_for(".questions", round_id=round_.id))
    return render_template("commissioning/rounds/question_form.html", form=form, round=round_, question=None)


@bp.route("/application-questions/<int:application_question_id>/edit", methods=["GET", "POST"])
@access(COMMISSIONERS)
def edit_question(application_question_id: int):
    """Change an application question."""
    question = services.get_question(db.session, question_id=application_question_id, by=current_user)
    form = QuestionForm.for_round(question.round, data=vars(services.QuestionDetails.of(question)))
    if form.validate_on_submit():
        try:
            services.update_question(db.session, question=question, details=form.details(), by=current_user,
                                     now=utcnow())
        except ValidationError as error:
            show_problems(form, error)
        else:
            flash(f"Question {question.position} saved")
            return redirect(url_for(".questions", round_id=question.round_id))
    return render_template("commissioning/rounds/question_form.html", form=form, round=question.round,
                           question=question)


@bp.route("/application-questions/<int:application_question_id>/remove", methods=["GET", "POST"])
@access(COMMISSIONERS)
def remove_question(application_question_id: int):
    """Confirm, then remove a question (refused once the round has opened)."""
    question = services.get_question(db.session, question_id=application_question_id, by=current_user)
    now = utcnow()
    problem = services.question_removal_problem(question, now=now)
    if request.method == "POST" and not problem:
        round_ = services.remove_question(db.session, question=question, by=current_user, now=now)
        flash(f"Question “{question.text}” removed")
        return redirect(url_for(".questions", round_id=round_.id))
    return render_template("commissioning/rounds/remove.html", round=question.round, problem=problem,
                           what="question", name=question.text,
                           back=url_for(".questions", round_id=question.round_id))


@bp.route("/application-questions/<int:application_question_id>/move", methods=["POST"])
@access(COMMISSIONERS)
def move_question(application_question_id: int):
    """Move a question up or down the form."""
    question = services.get_question(db.session, question_id=application_question_id, by=current_user)
    direction = _direction()
    if direction:
        services.move_question(db.session, question=question, direction=direction, by=current_user, now=utcnow())
    return redirect(url_for(".questions", round_id=question.round_id, _anchor=f"question-{question.id}"))


# Frequently asked questions ---------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/faqs")
@access(COMMISSIONERS)
def faqs(round_id: int):
    """The round's frequently asked questions, in order."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    return render_template("commissioning/rounds/faqs.html", round=round_)


@bp.route("/rounds/<int:round_id>/faqs/new", methods=["GET", "POST"])
@access(COMMISSIONERS)
def add_faq(round_id: int):
    """Add a frequently asked question."""
    round_ = services.get_round(db.session, round_id=round_id, by=current_user)
    form = FaqForm()
    if form.validate_on_submit():
        services.add_faq(db.session, round_=round_, details=form.details(), by=current_user)
        flash("Question and answer added")
        return redirect(url_for(".faqs", round_id=round_.id))
    return render_template("commissioning/rounds/faq_form.html", form=form, round=round_, faq=None)


@bp.route("/faqs/<int:faq_id>/edit", methods=["GET", "POST"])
@access(COMMISSIONERS)
def edit_faq(faq_id: int):
    """Change a frequently asked question or its answer."""
    faq = services.get_faq(db.session, faq_id=faq_id, by=current_user)
    form = FaqForm(data={"question": faq.question, "answer": faq.answer})
    if form.validate_on_submit():
        services.update_faq(db.session, faq=faq, details=form.details(), by=current_user)
        flash("Question and answer saved")
        return redirect(url_for(".faqs", round_id=faq.round_id))
    return render_template("commissioning/rounds/faq_form.html", form=form, round=faq.round, faq=faq)


@bp.route("/faqs/<int:faq_id>/remove", methods=["GET", "POST"])
@access(COMMISSIONERS)
def remove_faq(faq_id: int):
    """Confirm, then remove a frequently asked question."""
    faq = services.get_faq(db.session, faq_id=faq_id, by=current_user)
    if request.method == "POST":
        round_ = services.remove_faq(db.session, faq=faq, by=current_user)
        flash("Question and answer removed")
        return redirect(url_for(".faqs", round_id=round_.id))
    return render_template("commissioning/rounds/remove.html", round=faq.round, problem=None,
                           what="frequently asked question", name=faq.question,
                           back=url_for(".faqs", round_id=faq.round_id))


@bp.route("/faqs/<int:faq_id>/move", methods=["POST"])
@access(COMMISSIONERS)
def move_faq(faq_id: int):
    """Move a frequently asked question up or down."""
    faq = services.get_faq(db.session, faq_id=faq_id, by=current_user)
    direction = _direction()
    if direction:
        services.move_faq(db.session, faq=faq, direction=direction, by=current_user)
    return redirect(url_for(".faqs", round_id=faq.round_id, _anchor=f"faq-{faq.id}"))
