"""Asking questions about a round, and commissioners answering and merging them."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.access import COMMISSIONERS, PUBLIC, access
from portal.clarifications import services
from portal.clarifications.forms import AnswerForm, AskQuestionForm, MergeForm
from portal.domain import DomainError
from portal.extensions import db
from portal.prospectus.services import public_round

bp = Blueprint("clarifications", __name__)


def clarification_settings() -> services.Settings:
    """What the clarification e-mails need, from the app's configuration."""
    config = current_app.config
    return services.Settings(public_url=config["PUBLIC_URL"].rstrip("/"), portal_name=config["PORTAL_NAME"])


def prospectus_path(round_) -> str:
    """The round's public page: a stable address in the public contract (GET /rounds/<slug>)."""
    return f"{request.script_root}/rounds/{round_.slug}"


# The public ---------------------------------------------------------------------------------------


@bp.route("/rounds/<slug>/ask-a-question", methods=["GET", "POST"])
@access(PUBLIC)
def ask_question(slug: str):
    """Anyone asks a question about a published round until its question deadline."""
    round_ = public_round(db.session, slug=slug)
    is_open = services.questions_open(round_)
    if request.method == "GET" and not is_open:
        return render_template("clarifications/questions_closed.html", round=round_,
                               deadline=services.question_deadline(round_), prospectus=prospectus_path(round_))
    form = AskQuestionForm()
    if form.validate_on_submit():
        try:
            services.ask_question(db.session, round_=round_, name=form.name.data, email=form.email.data,
                                  question=form.question.data)
        except DomainError as error:
            form.add_domain_error(error, default_field="question")
        else:
            return redirect(url_for("clarifications.question_sent", slug=round_.slug))
    return render_template("clarifications/ask_question.html", form=form, round=round_, is_open=is_open,
                           word_limit=services.WORD_LIMIT,
                           deadline=services.question_deadline(round_), prospectus=prospectus_path(round_))


@bp.route("/rounds/<slug>/ask-a-question/question-sent")
@access(PUBLIC)
def question_sent(slug: str):
    """Confirmation: what happens to the question next."""
    round_ = public_round(db.session, slug=slug)
    return render_template("clarifications/question_sent.html", round=round_, prospectus=prospectus_path(round_))


# Commissioners -----------------------------------------------------------------------------------


@bp.route("/commissioning/rounds/<int:round_id>/questions")
@access(COMMISSIONERS)
def round_questions(round_id: int):
    """A round's questions: waiting for an answer, answered, merged."""
    round_ = services.round_for_commissioner(db.session, round_id=round_id, by=current_user)
    questions = services.round_questions(db.session, round_=round_, by=current_user)
    return render_template("clarifications/round_questions.html", round=round_, questions=questions,
                           deadline=services.question_deadline(round_), prospectus=prospectus_path(round_))


@bp.route("/commissioning/rounds/<int:round_id>/questions/<int:question_id>/answer", methods=["GET", "POST"])
@access(COMMISSIONERS)
def answer_question(round_id: int, question_id: int):
    """Publish the answer to a question (with wording that does not identify the asker), or change it."""
    question = services.question_for_commissioner(db.session, round_id=round_id, question_id=question_id,
                                                  by=current_user)
    already_answered = question.answered_at is not None
    form = AnswerForm()
    if request.method == "GET" and not form.restored:
        form.published_question.data = question.published_question or question.question
        form.answer.data = question.answer or ""
    if form.validate_on_submit():
        try:
            services.publish_answer(db.session, question=question, published_question=form.published_question.data,
                                    answer=form.answer.data, by=current_user, settings=clarification_settings())
        except DomainError as error:
            form.add_domain_error(error, default_field="answer")
        else:
            if already_answered:
                flash("The published answer has been changed")
            else:
                flash("Answer published. We have emailed everyone who asked this question")
            return redirect(url_for("clarifications.round_questions", round_id=round_id))
    return render_template("clarifications/answer_question.html", form=form, question=question,
                           round=question.round, already_answered=already_answered,
                           numbers=services.question_numbers(db.session, round_id=round_id),
                           prospectus=prospectus_path(question.round))


@bp.route("/commissioning/rounds/<int:round_id>/questions/<int:question_id>/merge", methods=["GET", "POST"])
@access(COMMISSIONERS)
def merge_question(round_id: int, question_id: int):
    """Merge a duplicate into the question whose answer covers it."""
    question = services.question_for_commissioner(db.session, round_id=round_id, question_id=question_id,
                                                  by=current_user)
    numbers = services.question_numbers(db.session, round_id=round_id)
    targets = services.merge_targets(db.session, question=question, by=current_user)
    form = MergeForm()
    form.into.choices = [SelectChoice(str(t.id), f"Question {numbers[t.id]}") for t in targets]
    reason = services.cannot_merge_reason(question)
    if reason is None and form.validate_on_submit():
        into_id = int(form.into.data) if form.into.data.isdigit() else None
        try:
            target = services.merge_question(db.session, question=question, into_id=into_id, by=current_user,
                                             settings=clarification_settings())
        except DomainError as error:
            form.add_domain_error(error, default_field="into")
        else:
            target_number = numbers[target.id]
            if target.answered_at is not None:
                flash(f"Question {numbers[question.id]} merged into question {target_number}. "
                      "Its answer is already published, so we have emailed the person who asked")
            else:
                flash(f"Question {numbers[question.id]} merged into question {target_number}. "
                      "We will email the person who asked when question "
                      f"{target_number} is answered")
            return redirect(url_for("clarifications.round_questions", round_id=round_id))
    return render_template("clarifications/merge_question.html", form=form, question=question,
                           round=question.round, targets=targets, numbers=numbers, reason=reason)

