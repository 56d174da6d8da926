"""Commissioners decide applications from the ranking, and publish the decisions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, access
from portal.commissioning import decision_services as services
from portal.commissioning.decision_forms import (
    PUBLIC_NOTE_FIELDS,
    REASON_FIELDS,
    ActionForm,
    CorrectionForm,
    DecisionForm,
    ExceptionForm,
    PublicNoteApprovalForm,
)
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.models import Application, Decision, DecisionLogEntry, Outcome, Round

bp = Blueprint("decisions", __name__, url_prefix="/commissioning")


def pounds_text(pence: int | None) -> str:
    """Pence as a person would type pounds: 7,500 or 7,500.50."""
    if pence is None:
        return ""
    return f"{pence / 100:,.2f}".removesuffix(".00")


def _round_page(round_: Round, *, problems: list[str] | None = None, problem_title: str | None = None):
    """Render the round's decisions page, with any refusal listed in an error summary."""
    overview = services.round_decisions(db.session, round_=round_, by=current_user)
    return render_template("decisions/round.html", overview=overview, round=round_, action_form=ActionForm(),
                           problems=problems or [], problem_title=problem_title,
                           readiness=services.readiness_problems(overview))


@bp.route("/rounds/<int:round_id>/decisions")
@access(COMMISSIONERS)
def round_decisions(round_id: int):
    """The ranked list with each application's decision, totals against the budget, and the round's actions."""
    round_ = services.decisions_round(db.session, round_id=round_id, by=current_user)
    return _round_page(round_)


@bp.route("/rounds/<int:round_id>/decisions/accept-recommendation", methods=["POST"])
@access(COMMISSIONERS)
def accept_recommendation(round_id: int):
    """Decide every ranked, undecided application as the panel recommends."""
    round_ = services.decisions_round(db.session, round_id=round_id, by=current_user)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".round_decisions", round_id=round_.id))
    try:
        result = services.accept_recommendation(db.session, round_=round_, by=current_user)
    except StateTransitionError as error:
        return _round_page(round_, problems=[error.message], problem_title="The recommendation was not accepted")
    flash(_accepted_message(result))
    return redirect(url_for(".round_decisions", round_id=round_.id))


def _accepted_message(result: services.RecommendationResult) -> str:
    """The confirmation after accepting the panel's recommendation, saying how many it left undecided."""
    made = len(result.awarded) + len(result.declined)
    if made == 0 and result.waiting:
        message = "Nothing was decided"
    elif made == 0:
        message = "Nothing changed: every ranked application already has a decision"
    else:
        message = (f"The panel's recommendation is accepted: {len(result.awarded)} to award and "
                   f"{len(result.declined)} to decline")
    if result.waiting:
        references = ", ".join(a.reference or "" for a in result.waiting)
        count = "1 application is" if result.skipped == 1 else f"{result.skipped} applications are"
        message += f". {count} still waiting for scores, so not decided: {references}"
    return message


@bp.route("/applications/<int:decision_application_id>/decision", methods=["GET", "POST"])
@access(COMMISSIONERS)
def decide(decision_application_id: int):
    """Record or change one application's decision."""
    application = services.decision_application(db.session, decision_application_id=decision_application_id,
                                                 by=current_user)
    page = services.decision_page(db.session, application=application, by=current_user)
    form = _decision_form(page)
    problem = conflict = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.record_decision(db.session, application=application, entry=form.entry(), by=current_user)
        except services.DecisionConflict as error:
            conflict = error.decision
            form.version.data = str(conflict.version)
            form.version.errors = [error.message]
        except ValidationError as error:
            form.add_domain_error(error)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"Decision saved for {application.reference}")
            return redirect(url_for(".round_decisions", round_id=application.round_id) + f"#{application.reference}")
    return render_template("decisions/decide.html", page=page, form=form, problem=problem, conflict=conflict,
                           application=application, public_note_max=services.PUBLIC_NOTE_MAX_CHARACTERS)


def _decision_form(page: services.DecisionPage) -> DecisionForm:
    """The decision form, showing the decision so far when first opened."""
    data = None
    if request.method == "GET":
        decision: Decision | None = page.decision
        data = {"version": ""}
        if decision is not None:
            fresh = page.late and decision.outcome == Outcome.RESERVE  # a late decision starts afresh
            data = {"outcome": None if fresh else decision.outcome.value,
                    "amount": pounds_text(decision.amount_awarded_pence),
                    "reason_category": decision.reason_category,
                    REASON_FIELDS[decision.outcome.value]: "" if fresh else decision.reason,
                    "version": str(decision.version)}
            if decision.outcome.value in PUBLIC_NOTE_FIELDS and not fresh:
                data[PUBLIC_NOTE_FIELDS[decision.outcome.value]] = decision.public_note
    form = DecisionForm(data=data)
    return form.setup(asked_pence=page.application.amount_requested_pence or 0, allowed=page.outcomes,
                      identifying=services.identifying_terms(page.application))


@bp.route("/applications/<int:decision_application_id>/decision/fewer-scores", methods=["GET", "POST"])
@access(COMMISSIONERS)
def record_exception(decision_application_id: int):
    """Record why an application may be decided without its full set of sent scores (a panellist left, say)."""
    application = services.decision_application(db.session, decision_application_id=decision_application_id,
                                                 by=current_user)
    page = services.exception_page(db.session, application=application, by=current_user)
    form = ExceptionForm(data={"reason": page.exception.reason} if page.exception and request.method == "GET"
                         else None)
    problem = None
    if request.method == "POST" and page.why_not is None and form.validate_on_submit():
        try:
            services.record_exception(db.session, application=application, reason=form.reason.data,
                                      by=current_user)
        except ValidationError as error:
            form.add_domain_error(error)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"The reason for deciding {application.reference} with fewer scores than planned is recorded")
            return redirect(url_for(".round_decisions", round_id=application.round_id) + f"#{application.reference}")
    elif request.method == "POST" and page.why_not is not None:
        problem = page.why_not
    return render_template("decisions/fewer_scores.html", page=page, form=form, problem=problem,
                           application=application, max_characters=services.EXCEPTION_MAX_CHARACTERS)


@bp.route("/rounds/<int:round_id>/decisions/complete", methods=["POST"])
@access(COMMISSIONERS)
def mark_decided(round_id: int):
    """Mark the round as decided, once every application has a decision within the budget."""
    round_ = services.decisions_round(db.session, round_id=round_id, by=current_user)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".round_decisions", round_id=round_.id))
    try:
        services.mark_decided(db.session, round_=round_, by=current_user)
    except services.RoundNotReady as error:
        return _round_page(round_, problems=error.problems, problem_title=error.message)
    except StateTransitionError as error:
        return _round_page(round_, problems=[error.message], problem_title="The round was not marked as decided")
    flash(f"{round_.title} is marked as decided. Check the decisions, then publish them")
    return redirect(url_for(".round_decisions", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/decisions/publish", methods=["GET", "POST"])
@access(COMMISSIONERS)
def publish(round_id: int):
    """Show exactly what the public will see, then publish the round's decisions together."""
    round_ = services.decisions_round(db.session, round_id=round_id, by=current_user)
    form = ActionForm()
    try:
        if form.validate_on_submit():
            entries = services.publish_decisions(db.session, round_=round_, by=current_user)
            flash(f"{len(entries)} decisions are published in the decision log")
            return redirect(url_for(".round_decisions", round_id=round_.id))
        previews = services.publication_preview(db.session, round_=round_, by=current_user)
    except services.RoundNotReady as error:
        return _round_page(round_, problems=error.problems, problem_title=error.message)
    except StateTransitionError as error:
        return _round_page(round_, problems=[error.message], problem_title="The decisions were not published")
    return render_template("decisions/publish.html", round=round_, previews=previews, action_form=form,
                           outcome=Outcome)


@bp.route("/applications/<int:decision_application_id>/decision/publish", methods=["POST"])
@access(COMMISSIONERS)
def publish_one(decision_application_id: int):
    """Publish one late decision on its own."""
    application: Application = services.decision_application(
        db.session, decision_application_id=decision_application_id, by=current_user)
    if ActionForm().validate_on_submit():
        try:
            entry = services.publish_one(db.session, application=application, by=current_user)
        except StateTransitionError as error:
            return _round_page(application.round, problems=[error.message],
                               problem_title="The decision was not published")
        flash(f"The decision for {application.reference} is published as entry {entry.position}")
    return redirect(url_for(".round_decisions", round_id=application.round_id))


@bp.route("/applications/<int:decision_application_id>/decision/public-note", methods=["GET", "POST"])
@access(COMMISSIONERS)
def public_note(decision_application_id: int):
    """A second commissioner reads a declined or reserve decision's public text and approves it for publication."""
    application: Application = services.decision_application(
        db.session, decision_application_id=decision_application_id, by=current_user)
    page = services.public_note_page(db.session, application=application, by=current_user)
    form = PublicNoteApprovalForm(data={"version": str(page.decision.version)} if page.decision else None)
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.approve_public_note(db.session, application=application, version=form.started_from(),
                                         by=current_user)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"The public note for {application.reference} is approved. It will be published with the decision")
            return redirect(url_for(".round_decisions", round_id=application.round_id) + f"#{application.reference}")
    return render_template("decisions/public_note.html", page=page, form=form, problem=problem,
                           application=application)


@bp.route("/log-entries/<int:log_entry_id>/correct", methods=["GET", "POST"])
@access(COMMISSIONERS)
def correct(log_entry_id: int):
    """Correct a published entry with a new entry that names it and says why."""
    entry: DecisionLogEntry = services.log_entry(db.session, log_entry_id=log_entry_id, by=current_user)
    refusal = services.correction_problem(db.session, entry)
    form = _correction_form(entry)
    problem = refusal.message if refusal else None
    if refusal is None and request.method == "POST" and form.validate_on_submit():
        try:
            new_entry = services.correct_entry(db.session, entry=entry, typed=form.typed(), by=current_user)
        except ValidationError as error:
            form.add_domain_error(error)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"Entry {entry.position} is corrected by entry {new_entry.position} in the decision log")
            return redirect(url_for(".round_decisions", round_id=entry.round_id))
    elif refusal is not None and request.method == "POST":
        form.validate()  # keep what was typed on show beside the refusal
    latest = services.latest_entry(db.session, entry)
    return render_template("decisions/correct.html", entry=entry, form=form, problem=problem, latest=latest,
                           outcome=Outcome)


def _correction_form(entry: DecisionLogEntry) -> CorrectionForm:
    """The correction form, filled in with the entry as published when first opened."""
    data = None
    if request.method == "GET":
        data = {"amount": pounds_text(entry.amount_awarded_pence), "reason_category": entry.reason_category,
                "reason": services.correction_reason_text(entry)}
    form = CorrectionForm(data=data)
    form.entry = entry
    return form
