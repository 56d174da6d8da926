"""Commissioners run the youth panel: settings, allocation, hand-made changes, progress and reminders."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, access
from portal.commissioning import panel_admin_services as services
from portal.commissioning.panel_admin_forms import (
    ActionForm,
    AddPanellistForm,
    GuardianConsentForm,
    PanelSettingsForm,
)
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.models import utcnow

bp = Blueprint("panel_admin", __name__, url_prefix="/commissioning")

EXPIRED = "Your form expired. Try again"


def public_url() -> str:
    """The portal's public address, for links in e-mails."""
    return current_app.config["PUBLIC_URL"].rstrip("/")


def _round_page(round_, *, problem: str | None = None):
    """The round's panel page, with a problem to show if an action was refused."""
    panel = services.round_panel(db.session, round_=round_, by=current_user)
    return render_template("commissioning/panel/round.html", panel=panel, round=round_, action_form=ActionForm(),
                           problem=problem)


@bp.route("/rounds/<int:round_id>/panel")
@access(COMMISSIONERS)
def round_panel(round_id: int):
    """The round's panel: what happens next, settings, allocation and progress."""
    round_ = services.round_for_panel(db.session, round_id=round_id, by=current_user)
    return _round_page(round_)


@bp.route("/rounds/<int:round_id>/panel/start", methods=["POST"])
@access(COMMISSIONERS)
def start_assessment(round_id: int):
    """Move a closed round into assessment."""
    round_ = services.round_for_panel(db.session, round_id=round_id, by=current_user)
    if not ActionForm().validate_on_submit():
        return _round_page(round_, problem=EXPIRED)
    try:
        services.start_assessment(db.session, round_=round_, by=current_user)
    except StateTransitionError as error:
        return _round_page(round_, problem=error.message)
    flash("Assessment has started. Assign the applications to panellists next")
    return redirect(url_for(".round_panel", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/panel/allocate", methods=["POST"])
@access(COMMISSIONERS)
def allocate(round_id: int):
    """Give every assessed application its panellists automatically."""
    round_ = services.round_for_panel(db.session, round_id=round_id, by=current_user)
    if not ActionForm().validate_on_submit():
        return _round_page(round_, problem=EXPIRED)
    try:
        result = services.allocate(db.session, round_=round_, by=current_user, public_url=public_url())
    except StateTransitionError as error:
        return _round_page(round_, problem=error.message)
    flash(services.allocation_message(result))
    return redirect(url_for(".round_panel", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/panel/reminders", methods=["POST"])
@access(COMMISSIONERS)
def send_reminders(round_id: int):
    """E-mail every panellist who has scores outstanding in this round."""
    round_ = services.round_for_panel(db.session, round_id=round_id, by=current_user)
    if not ActionForm().validate_on_submit():
        return _round_page(round_, problem=EXPIRED)
    try:
        count = services.send_reminders(db.session, round_=round_, by=current_user, public_url=public_url(),
                                        now=utcnow())
    except StateTransitionError as error:
        return _round_page(round_, problem=error.message)
    if count:
        flash(f"Reminders sent to {count} panellist{'' if count == 1 else 's'}")
    else:
        flash("Nobody has scores outstanding, so we sent no reminders")
    return redirect(url_for(".round_panel", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/panel/settings", methods=["GET", "POST"])
@access(COMMISSIONERS)
def panel_settings(round_id: int):
    """Change how many panellists read each application, anonymised scoring, weights and the panel lead."""
    round_ = services.round_for_panel(db.session, round_id=round_id, by=current_user)
    form = PanelSettingsForm.for_round(round_, services.lead_choices(db.session, by=current_user))
    if form.validate_on_submit():
        try:
            services.update_settings(db.session, round_=round_, settings=form.settings(), by=current_user)
        except (ValidationError, StateTransitionError) as error:
            form.add_domain_error(error, "panellists_per_application")
        else:
            flash("The panel's settings are saved")
            return redirect(url_for(".round_panel", round_id=round_.id))
    return render_template("commissioning/panel/settings.html", round=round_, form=form)


def _application_page(application, *, form: AddPanellistForm | None = None, problem: str | None = None):
    """An application's panel page, with the add form (as typed) and a problem if a change was refused."""
    panel = services.application_panel(db.session, application=application, by=current_user)
    if form is None:
        form = AddPanellistForm.offering(panel.candidates)
    else:
        form.panellist_id.choices = AddPanellistForm.offering(panel.candidates).panellist_id.choices
    return render_template("commissioning/panel/application.html", panel=panel, application=application,
                           round=application.round, form=form, action_form=ActionForm(), problem=problem)


@bp.route("/applications/<int:panel_application_id>/panel")
@access(COMMISSIONERS)
def application_panel(panel_application_id: int):
    """Who is assessing one application, who stepped back, and adding or taking off panellists."""
    application = services.application_for_panel(db.session, panel_application_id=panel_application_id,
                                                  by=current_user)
    return _application_page(application)


@bp.route("/applications/<int:panel_application_id>/panel/add", methods=["POST"])
@access(COMMISSIONERS)
def add_panellist(panel_application_id: int):
    """Add a panellist to an application by hand, and e-mail them."""
    application = services.application_for_panel(db.session, panel_application_id=panel_application_id,
                                                  by=current_user)
    form = AddPanellistForm()
    if form.validate_on_submit():
        try:
            assignment = services.add_panellist(db.session, application=application, panellist_id=form.chosen(),
                                                by=current_user, public_url=public_url())
        except ValidationError as error:
            form.add_domain_error(error, "panellist_id")
        except StateTransitionError as error:
            return _application_page(application, form=form, problem=error.message)
        else:
            flash(f"{assignment.panellist.name} is now assessing {application.reference}. We have emailed them")
            return redirect(url_for(".application_panel", panel_application_id=application.id))
    return _application_page(application, form=form)


@bp.route("/panel-assignments/<int:panel_assignment_id>/remove", methods=["POST"])
@access(COMMISSIONERS)
def remove_panellist(panel_assignment_id: int):
    """Take a panellist off an application, unless they have sent their scores."""
    assignment = services.assignment_for_commissioner(db.session, panel_assignment_id=panel_assignment_id,
                                                      by=current_user)
    application, name = assignment.application, assignment.panellist.name
    if not ActionForm().validate_on_submit():
        return _application_page(application, problem=EXPIRED)
    try:
        services.remove_panellist(db.session, assignment=assignment, by=current_user)
    except StateTransitionError as error:
        return _application_page(application, problem=error.message)
    flash(f"{name} is no longer assessing {application.reference}")
    return redirect(url_for(".application_panel", panel_application_id=application.id))


@bp.route("/panellists")
@access(COMMISSIONERS)
def panellists():
    """Every youth panellist: age band, guardian's consent for under-18s, and how much work they have."""
    people = services.panellists(db.session, by=current_user)
    return render_template("commissioning/panel/panellists.html", people=people)


@bp.route("/panellists/<int:panellist_id>/guardian-consent", methods=["GET", "POST"])
@access(COMMISSIONERS)
def guardian_consent(panellist_id: int):
    """Record that an under-18 panellist's parent or guardian has consented."""
    panellist = services.panellist_for_commissioner(db.session, panellist_id=panellist_id, by=current_user)
    form = GuardianConsentForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.record_guardian_consent(
                db.session, panellist=panellist, guardian_name=form.guardian_name.data,
                guardian_contact=form.guardian_contact.data, confirmed=form.confirmed.data, by=current_user)
        except ValidationError as error:
            form.add_domain_error(error, "guardian_name")
        except StateTransitionError as error:
            problem = error.message
        else:
            flash(f"Consent recorded. {panellist.name} can now read the applications they are given")
            return redirect(url_for(".panellists"))
    consent = services.consent_for(db.session, panellist=panellist, by=current_user)
    return render_template("commissioning/panel/guardian_consent.html", panellist=panellist, consent=consent,
                           form=form, problem=problem)
