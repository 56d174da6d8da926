"""Interviews: the question bank, the round's questions, shortlisting, slots and panellists' interview scores."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, PANELLISTS, access
from portal.commissioning.submission_services import Settings, status_label
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.models import utcnow
from portal.panel import interview_services as services
from portal.panel.interview_forms import (
    BankQuestionForm,
    ConfirmForm,
    RoundQuestionForm,
    SlotForm,
    interview_score_form,
)

bp = Blueprint("interviews", __name__)


@bp.context_processor
def _helpers() -> dict:
    """Status words and score labels for this blueprint's pages."""
    return {"status_label": status_label, "score_labels": services.SCORE_LABELS}


def _email_settings() -> Settings:
    """What the interview e-mails need, from the app's configuration."""
    config = current_app.config
    return Settings(public_url=config["PUBLIC_URL"].rstrip("/"), portal_name=config["PORTAL_NAME"])


# The question bank ---------------------------------------------------------------------------------


@bp.route("/commissioning/interview-questions")
@access(COMMISSIONERS)
def question_bank():
    """Every interview question in the bank, with how many rounds ask it."""
    questions = services.question_bank(db.session, by=current_user)
    return render_template("interviews/question_bank.html", questions=questions)


@bp.route("/commissioning/interview-questions/new", methods=["GET", "POST"])
@access(COMMISSIONERS)
def add_bank_question():
    """Add a question to the bank."""
    form = BankQuestionForm()
    if form.validate_on_submit():
        try:
            services.add_bank_question(db.session, text=form.text.data, guidance=form.guidance.data, by=current_user)
        except ValidationError as error:
            form.add_domain_error(error, "text")
        else:
            flash("Question added to the bank. You can now choose it for a round's interviews")
            return redirect(url_for(".question_bank"))
    return render_template("interviews/add_bank_question.html", form=form)


@bp.route("/commissioning/interview-questions/<int:interview_question_id>/retire", methods=["POST"])
@access(COMMISSIONERS)
def retire_bank_question(interview_question_id: int):
    """Stop offering a question for new rounds (rounds that ask it keep it)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        question = services.retire_bank_question(db.session, interview_question_id=interview_question_id,
                                                 by=current_user)
        flash(f"“{question.text}” is retired. Rounds that already ask it keep it")
    return redirect(url_for(".question_bank"))


# A round's interviews ------------------------------------------------------------------------------


def _round_page(round_id: int, *, form: RoundQuestionForm | None = None, problem: str | None = None):
    """The round's interviews page, with the add-a-question form and any problem to show."""
    round_ = services.round_for_interviews(db.session, round_id=round_id, by=current_user)
    interviews = services.round_interviews(db.session, round_=round_, by=current_user)
    form = (form or RoundQuestionForm()).offer(interviews.offered)
    return render_template("interviews/round_interviews.html", round=round_, interviews=interviews, form=form,
                           problem=problem)


@bp.route("/commissioning/rounds/<int:round_id>/interviews")
@access(COMMISSIONERS)
def round_interviews(round_id: int):
    """The round's interviews: questions, shortlist and slots."""
    return _round_page(round_id)


@bp.route("/commissioning/rounds/<int:round_id>/interviews/questions", methods=["POST"])
@access(COMMISSIONERS)
def add_round_question(round_id: int):
    """Add a question from the bank to the end of the round's interview questions."""
    round_ = services.round_for_interviews(db.session, round_id=round_id, by=current_user)
    form = RoundQuestionForm()
    if form.validate_on_submit():
        try:
            services.add_round_question(db.session, round_=round_,
                                        interview_question_id=form.interview_question_id.data, by=current_user)
        except (ValidationError, StateTransitionError) as error:
            form.add_domain_error(error, "interview_question_id")
        else:
            flash("Question added to the round's interviews")
            return redirect(url_for(".round_interviews", round_id=round_.id))
    return _round_page(round_id, form=form)


@bp.route("/commissioning/rounds/<int:round_id>/interviews/questions/<int:interview_question_id>/remove",
          methods=["POST"])
@access(COMMISSIONERS)
def remove_round_question(round_id: int, interview_question_id: int):
    """Take a question off the round's interviews."""
    round_ = services.round_for_interviews(db.session, round_id=round_id, by=current_user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _round_page(round_id, problem="Your form expired. Remove the question again")
    try:
        services.remove_round_question(db.session, round_=round_, interview_question_id=interview_question_id,
                                       by=current_user)
    except StateTransitionError as error:
        return _round_page(round_id, problem=error.message)
    flash("Question removed from the round's interviews")
    return redirect(url_for(".round_interviews", round_id=round_.id))


# Shortlisting and slots ---------------------------------------------------------------------------


@bp.route("/commissioning/applications/<int:shortlist_application_id>/shortlist", methods=["GET", "POST"])
@access(COMMISSIONERS)
def shortlist(shortlist_application_id: int):
    """Confirm, then shortlist an application for interview."""
    application = services.application_for_interview(db.session, shortlist_application_id=shortlist_application_id,
                                                     by=current_user)
    form = ConfirmForm()
    problem = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.shortlist(db.session, application=application, by=current_user)
            except StateTransitionError as error:
                problem = error.message
            else:
                flash(f"{application.reference} is shortlisted for interview. Now book its interview")
                return redirect(url_for(".schedule", shortlist_application_id=application.id))
        else:
            problem = "Your form expired. Shortlist the application again"
    return render_template("interviews/shortlist.html", application=application, confirm_form=form,
                           problem=problem)


@bp.route("/commissioning/applications/<int:shortlist_application_id>/interview", methods=["GET", "POST"])
@access(COMMISSIONERS)
def schedule(shortlist_application_id: int):
    """Book or change a shortlisted application's interview; the group is e-mailed."""
    application = services.application_for_interview(db.session, shortlist_application_id=shortlist_application_id,
                                                     by=current_user)
    slot = services.slot_for(db.session, application)
    form = SlotForm.for_slot(slot)
    if form.validate_on_submit():
        try:
            slot, changed = services.schedule_interview(db.session, application=application, details=form.details(),
                                                        by=current_user, settings=_email_settings(), now=utcnow())
        except (ValidationError, StateTransitionError) as error:
            form.add_domain_error(error, "starts_at")
        else:
            if changed:
                flash(f"Interview for {application.reference} saved. We have e-mailed the group the details")
            else:
                flash(f"Nothing changed: the interview for {application.reference} is as it was")
            return redirect(url_for(".round_interviews", round_id=application.round_id))
    return render_template("interviews/schedule.html", application=application, slot=slot, form=form)


# Panellists ---------------------------------------------------------------------------------------


@bp.route("/panel/interviews")
@access(PANELLISTS)
def my_interviews():
    """The panellist's interviews to score."""
    interviews = services.my_interviews(db.session, by=current_user)
    return render_template("interviews/my_interviews.html", interviews=interviews)


@bp.route("/panel/interviews/<int:interview_assignment_id>", methods=["GET", "POST"])
@access(PANELLISTS)
def score_interview(interview_assignment_id: int):
    """Score each interview answer 1 to 5 with a comment; save and come back, then send."""
    sheet = services.interview_for_panellist(db.session, interview_assignment_id=interview_assignment_id,
                                             by=current_user)
    form = interview_score_form(sheet.questions, sheet.scores)
    problem = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.save_interview_scores(db.session, sheet=sheet, answers=form.answers(),
                                               send=bool(form.send.data), by=current_user, now=utcnow())
            except services.IncompleteScores as error:
                for name, message in error.problems.items():
                    form[name].errors = [*form[name].errors, message]
            except StateTransitionError as error:
                problem = error.message
            else:
                if form.send.data:
                    flash("Your interview scores are sent. Thank you")
                    return redirect(url_for(".my_interviews"))
                flash("Your interview scores are saved. You can come back and finish them later")
                return redirect(url_for(".score_interview", interview_assignment_id=interview_assignment_id))
    return render_template("interviews/score_interview.html", sheet=sheet, form=form, problem=problem)
