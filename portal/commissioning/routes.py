"""Commissioners' pages: their home and the people who run rounds."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, access
from portal.accounts import services as accounts
from portal.accounts.forms import InviteStaffForm
from portal.accounts.routes import account_settings
from portal.commissioning import services
from portal.commissioning.panel_admin_services import consents_by_panellist
from portal.domain import ValidationError
from portal.extensions import db
from portal.models import AgeBand, Role, utcnow

bp = Blueprint("commissioning", __name__, url_prefix="/commissioning")


@bp.route("")
@access(COMMISSIONERS)
def home():
    """What needs doing on each round, with counts and links, then every round with its application counts."""
    home = services.commissioner_home(db.session, by=current_user, now=utcnow())
    return render_template("commissioning/home.html", home=home)


@bp.route("/people")
@access(COMMISSIONERS)
def people():
    """Panellists, commissioners and invitations waiting for a reply."""
    staff, waiting = accounts.staff_directory(db.session, by=current_user)
    return render_template("commissioning/people.html", staff=staff, waiting=waiting,
                           consents=consents_by_panellist(db.session))


@bp.route("/people/invite", methods=["GET", "POST"])
@access(COMMISSIONERS)
def invite_person():
    """Invite a youth panellist or another commissioner by e-mail."""
    form = InviteStaffForm()
    if form.validate_on_submit():
        try:
            accounts.invite_staff(
                db.session, role=Role(form.role.data), name=form.name.data, email=form.email.data,
                age_band=AgeBand(form.age_band.data) if form.age_band.data else None,
                by=current_user, settings=account_settings(),
            )
        except ValidationError as error:
            form.add_domain_error(error, default_field="email")
        else:
            flash(f"Invitation sent to {accounts.normalise_email(form.email.data)}")
            return redirect(url_for("commissioning.people"))
    return render_template("commissioning/invite_person.html", form=form)
