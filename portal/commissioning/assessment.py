"""Moderation and the ranked list: the panel's recommendation to commissioners."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, access, roles
from portal.commissioning import assessment_services as services
from portal.commissioning.assessment_forms import moderation_form
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.models import Role
from portal.panel.forms import DeclarationForm

bp = Blueprint("assessment", __name__)


@bp.route("/panel/rounds/<int:round_id>/moderation")
@access(roles(Role.PANELLIST, Role.COMMISSIONER, Role.ADMIN))
def moderation(round_id: int):
    """Every assessed application of a round with its scores sent, flags and moderation, for the panel lead."""
    round_ = services.moderation_round(db.session, round_id=round_id, by=current_user)
    overview = services.moderation_overview(db.session, round_=round_, by=current_user)
    return render_template("assessment/moderation.html", overview=overview, round=round_)


@bp.route("/panel/applications/<int:assessed_application_id>/moderation", methods=["GET", "POST"])
@access(roles(Role.PANELLIST, Role.COMMISSIONER, Role.ADMIN))
def moderate_application(assessed_application_id: int):
    """One application's sent scores, means and flags, and the form to record moderated scores."""
    try:
        application = services.application_for_moderator(
            db.session, assessed_application_id=assessed_application_id, by=current_user)
    except services.LeadDeclarationNeeded:
        return redirect(url_for(".declare_for_moderation", assessed_application_id=assessed_application_id))
    page = services.moderation_page(db.session, application=application, by=current_user)
    current = {c.criterion.id: c.moderated for c in page.scores.criteria if c.moderated is not None}
    form = moderation_form(list(page.round.criteria), current=current)
    problem = None
    if form.validate_on_submit():
        try:
            changed = services.moderate(db.session, application=application, entries=form.entries(),
                                        by=current_user)
        except ValidationError as error:
            form.add_domain_error(error)
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(_saved_message(len(changed), application.reference))
            return redirect(url_for(".moderate_application", assessed_application_id=application.id))
    return render_template("assessment/moderate_application.html", page=page, form=form, problem=problem,
                           application=application)


@bp.route("/panel/applications/<int:assessed_application_id>/moderation/declare", methods=["GET", "POST"])
@access(roles(Role.PANELLIST, Role.COMMISSIONER, Role.ADMIN))
def declare_for_moderation(assessed_application_id: int):
    """Before the panel lead first reads an application's scores: say whether they know the group."""
    page = services.lead_declaration_page(db.session, assessed_application_id=assessed_application_id,
                                          by=current_user)
    if page.declared:
        return redirect(url_for(".moderate_application", assessed_application_id=assessed_application_id))
    form = DeclarationForm()
    if form.validate_on_submit():
        try:
            declaration = services.declare_lead_conflict(
                db.session, application=page.application, has_conflict=form.conflict(), reason=form.reason.data,
                by=current_user, public_url=current_app.config["PUBLIC_URL"].rstrip("/"))
        except (ValidationError, StateTransitionError) as error:
            form.add_domain_error(error, "has_conflict")
        else:
            if declaration.has_conflict:
                flash(f"Thank you for telling us. You will not moderate {page.application.reference}. "
                      "A commissioner will moderate this one")
                return redirect(url_for(".moderation", round_id=page.application.round_id))
            return redirect(url_for(".moderate_application", assessed_application_id=assessed_application_id))
    return render_template("assessment/declare.html", page=page, form=form)


def _saved_message(changed: int, reference: str | None) -> str:
    """The confirmation after saving moderated scores."""
    if changed == 0:
        return f"Nothing changed: the moderated scores for {reference} were already as you entered them"
    what = "1 moderated score" if changed == 1 else f"{changed} moderated scores"
    return f"{what.capitalize()} saved for {reference}"


@bp.route("/commissioning/rounds/<int:round_id>/ranking")
@access(COMMISSIONERS)
def ranking(round_id: int):
    """The ranked list with the funding line: the panel's recommendation."""
    round_ = services.ranking_round(db.session, round_id=round_id, by=current_user)
    result = services.round_ranking(db.session, round_=round_, by=current_user)
    return render_template("assessment/ranking.html", result=result, round=round_)


@bp.route("/commissioning/rounds/<int:round_id>/ranking.csv")
@access(COMMISSIONERS)
def ranking_csv(round_id: int):
    """The ranked list as a spreadsheet: UTF-8 with a byte order mark so Excel reads it right."""
    round_ = services.ranking_round(db.session, round_id=round_id, by=current_user)
    body = services.ranking_csv(db.session, round_=round_, by=current_user)
    return Response("\ufeff" + body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{round_.slug}-ranking.csv"'})
