"""A second factor: the code asked for after the password, setting up an authenticator app, recovery codes."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.access import PUBLIC, SIGNED_IN, access
from portal.accounts import second_factor, services
from portal.accounts.routes import PENDING_KEY, _start_session, home_for
from portal.accounts.second_factor_forms import (
    AuthenticatorCodeForm,
    NewRecoveryCodesForm,
    RecoveryCodeForm,
    SetUpAuthenticatorForm,
    TurnOffForm,
)
from portal.domain import ValidationError
from portal.extensions import db
from portal.models import utcnow
from portal.urls import safe_next

bp = Blueprint("second_factor", __name__)

# Between the right password and the code: long enough to find the phone, short enough to be no back door.
PENDING_LIFETIME = timedelta(minutes=10)
# How long a set-up page's secret stays good: scanning and typing a code takes a minute or two.
SETUP_LIFETIME = timedelta(minutes=30)


def factor_settings() -> second_factor.FactorSettings:
    """The second-factor services' settings, from the app's configuration."""
    config = current_app.config
    return second_factor.FactorSettings(
        key=config.get("SECOND_FACTOR_KEY") or config["SECRET_KEY"],
        portal_name=config["PORTAL_NAME"], public_url=config["PUBLIC_URL"].rstrip("/"),
    )


def _address() -> str:
    """The network address, for throttling."""
    return request.remote_addr or "unknown"


def _waiting_user():
    """The person who gave the right password in this session and still owes a code, or None."""
    pending = session.get(PENDING_KEY)
    if not pending:
        return None
    if utcnow() - datetime.fromisoformat(pending["since"]) > PENDING_LIFETIME:
        session.pop(PENDING_KEY, None)
        return None
    user = services.load_user(db.session, pending["user"])
    if user is None or not user.is_active_account or not user.has_second_factor:
        return None
    return user


def _sign_in_with(check, form, template: str):
    """The code pages after the password: check the code, then sign in fully and go where they were going."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    user = _waiting_user()
    if user is None:
        # Too long since the password (or none given): sign in again, and come back here to give the code.
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    if form.validate_on_submit():
        try:
            left = check(user)
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            next_path = safe_next(session[PENDING_KEY].get("next"))
            if next_path and next_path.startswith("/sign-in"):
                next_path = None  # sent to sign in from a code page: go home, not back to it
            _start_session(user, second_factor=True)
            if left is not None:
                flash(f"You have {left} recovery code{'s' if left != 1 else ''} left. Set up your authenticator "
                      "app again or make new recovery codes from Sign-in security")
            return redirect(next_path or home_for(user))
    return render_template(template, form=form)


@bp.route("/sign-in/authenticator-code", methods=["GET", "POST"])
@access(PUBLIC)
def code():
    """After the password: the code from the person's authenticator app."""
    form = AuthenticatorCodeForm()

    def check(user):
        second_factor.check_code(db.session, user=user, code=form.code.data, address=_address(),
                                 settings=factor_settings())

    return _sign_in_with(check, form, "accounts/second_factor_code.html")


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
@access(PUBLIC)
def recovery():
    """After the password, instead of the app: one of the saved recovery codes (each works once)."""
    form = RecoveryCodeForm()

    def check(user):
        return second_factor.use_recovery_code(db.session, user=user, code=form.code.data, address=_address(),
                                               settings=factor_settings())

    return _sign_in_with(check, form, "accounts/recovery_code_sign_in.html")


@bp.route("/account/sign-in-security")
@access(SIGNED_IN, before_second_factor=True)
def overview():
    """How this person signs in: password, and whether an authenticator app and recovery codes are set up."""
    user = current_user._get_current_object()
    left = second_factor.recovery_codes_left(db.session, user=user) if user.has_second_factor else 0
    return render_template("accounts/sign_in_security.html", left=left)


@bp.route("/account/authenticator-app", methods=["GET", "POST"])
@access(SIGNED_IN, before_second_factor=True)
def set_up():
    """Set up (or replace) an authenticator app: scan the QR code or type the key, then enter a first code."""
    user = current_user._get_current_object()
    if user.has_second_factor and user.needs_second_factor and not session.get("second_factor_at"):
        return redirect(url_for("accounts.sign_in"))  # portal.access signs such a session out first
    form = SetUpAuthenticatorForm()
    secret = second_factor.open_setup(form.setup.data, user=user, settings=factor_settings(),
                                       max_age=SETUP_LIFETIME) if request.method == "POST" else None
    if form.validate_on_submit():
        if secret is None:
            form.code.errors = [*form.code.errors, "This set-up page has timed out. Add the new key shown below "
                                "to your app and enter the code it shows"]
        else:
            try:
                codes = second_factor.set_up_authenticator(db.session, user=user, secret=secret,
                                                           code=form.code.data, settings=factor_settings())
            except ValidationError as error:
                form.add_domain_error(error)
            else:
                next_path = safe_next(request.args.get("next"))
                _start_session(user, second_factor=True)  # the session version moved: other sessions end
                return render_template("accounts/recovery_codes.html", codes=codes, next_path=next_path,
                                       title="Save your recovery codes", just_set_up=True)
    secret = secret or second_factor.new_secret()
    form.setup.data = second_factor.seal_setup(secret, user=user, settings=factor_settings())
    uri = second_factor.setup_uri(secret, user=user, settings=factor_settings())
    return render_template("accounts/set_up_authenticator.html", form=form, qr_code=second_factor.qr_code_svg(uri),
                           key=second_factor.format_secret(secret), replacing=user.has_second_factor,
                           required=user.needs_second_factor)


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@access(SIGNED_IN)
def recovery_codes():
    """Make new recovery codes, shown once; the old ones stop working."""
    user = current_user._get_current_object()
    if not user.has_second_factor:
        return redirect(url_for("second_factor.overview"))
    form = NewRecoveryCodesForm()
    if form.validate_on_submit():
        codes = second_factor.replace_recovery_codes(db.session, user=user, settings=factor_settings())
        return render_template("accounts/recovery_codes.html", codes=codes, next_path=None,
                               title="Your new recovery codes", just_set_up=False)
    return render_template("accounts/new_recovery_codes.html", form=form,
                           left=second_factor.recovery_codes_left(db.session, user=user))


@bp.route("/account/authenticator-app/turn-off", methods=["GET", "POST"])
@access(SIGNED_IN)
def turn_off():
    """Stop asking for a code at sign-in: for people who chose an app, never for staff."""
    user = current_user._get_current_object()
    if not user.has_second_factor or user.needs_second_factor:
        return redirect(url_for("second_factor.overview"))
    form = TurnOffForm()
    if form.validate_on_submit():
        try:
            second_factor.turn_off_authenticator(db.session, user=user, code=form.code.data, address=_address(),
                                                 settings=factor_settings())
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            flash("You have turned off your authenticator app. You will sign in with your password alone")
            return redirect(url_for("second_factor.overview"))
    return render_template("accounts/turn_off_authenticator.html", form=form)
