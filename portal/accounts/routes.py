"""Sign up, sign in and out, invitations, password resets and the organisation's members."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from portal.access import PUBLIC, SIGNED_IN, access
from portal.accounts import services
from portal.accounts.forms import (
    AcceptInvitationForm,
    ForgotPasswordForm,
    InviteColleagueForm,
    NewPasswordForm,
    ResendConfirmationForm,
    SignInForm,
    SignUpForm,
)
from portal.applications.services import applications_for_dashboard
from portal.domain import NotFound, ValidationError
from portal.extensions import db
from portal.models import IncomeBand, OrganisationType, Role, utcnow
from portal.prospectus.eligibility import SESSION_KEY as ELIGIBILITY_KEY
from portal.urls import safe_next

bp = Blueprint("accounts", __name__)


def account_settings() -> services.Settings:
    """The account services' settings, from the app's configuration."""
    config = current_app.config
    return services.Settings(
        public_url=config["PUBLIC_URL"].rstrip("/"),
        portal_name=config["PORTAL_NAME"],
        fast_hashing=config.get("ARGON2_FAST", False),
        reset_lifetime=timedelta(hours=config["PASSWORD_RESET_HOURS"]),
        invitation_lifetime=timedelta(days=config["INVITATION_DAYS"]),
        confirmation_lifetime=timedelta(days=config["EMAIL_CONFIRMATION_DAYS"]),
    )


def _fresh_session() -> None:
    """Clear the session, so an identifier planted before sign-in is worthless, keeping only kept form text."""
    kept = session.get("kept_forms")
    session.clear()
    if kept:
        session["kept_forms"] = kept
    session.permanent = True


def _start_session(user, *, second_factor: bool = False) -> None:
    """Sign in with a fresh session; ``second_factor`` when the person has just proved it as well."""
    _fresh_session()
    login_user(user)
    if second_factor:
        # portal.access lets staff onto staff pages only in a session marked so.
        session["second_factor_at"] = utcnow().isoformat()


PENDING_KEY = "second_factor_pending"


def _finish_sign_in(user, *, next_path: str | None):
    """Sign in, or, for someone with an authenticator app, first ask for its code (second_factor_routes)."""
    if not user.has_second_factor:
        _start_session(user)
        return redirect(next_path or home_for(user))
    _fresh_session()
    session[PENDING_KEY] = {"user": user.get_id(), "since": utcnow().isoformat(), "next": next_path}
    return redirect(url_for("second_factor.code"))


def home_for(user) -> str:
    """Where a person lands after signing in."""
    if user.has_role(Role.COMMISSIONER):
        return url_for("commissioning.home")
    if user.role == Role.PANELLIST:
        return url_for("panel.home")
    return url_for("accounts.dashboard")


@bp.route("/sign-up", methods=["GET", "POST"])
@access(PUBLIC)
def sign_up():
    """A community group creates an account for itself and its first member."""
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or home_for(current_user))
    form = SignUpForm()
    checked = session.get(ELIGIBILITY_KEY)
    if request.method == "GET" and checked and not form.restored:
        # The eligibility checker's answers save the group typing them again.
        if checked["organisation_type"] in {choice.value for choice in form.organisation_type.choices}:
            form.organisation_type.data = checked["organisation_type"]  # a school's answer is not offered here
        form.income_band.data = checked["income_band"]
        form.boroughs.data = checked["boroughs"]
    if form.validate_on_submit():
        details = services.OrganisationDetails(
            name=form.organisation_name.data,
            organisation_type=OrganisationType(form.organisation_type.data),
            income_band=IncomeBand(form.income_band.data),
            boroughs=form.boroughs.data,
            address_line_1=form.address_line_1.data,
            address_line_2=form.address_line_2.data,
            town=form.town.data,
            postcode=form.postcode.data,
            charity_number=form.number("charity_number"),
            company_number=form.number("company_number"),
        )
        try:
            user = services.sign_up_organisation(
                db.session, details=details, name=form.name.data, email=form.email.data,
                password=form.password.data, settings=account_settings(),
            )
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            _start_session(user)
            flash(f"Your account for {details.name} has been created")
            return redirect(next_path or url_for("accounts.dashboard"))
    return render_template("accounts/sign_up.html", form=form, from_checker=bool(checked), next_path=next_path)


@bp.route("/sign-in", methods=["GET", "POST"])
@access(PUBLIC)
def sign_in():
    """Sign in with e-mail address and password."""
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in(
                db.session, email=form.email.data, password=form.password.data,
                address=request.remote_addr or "unknown", settings=account_settings(),
            )
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            return _finish_sign_in(user, next_path=next_path)
    return render_template("accounts/sign_in.html", form=form, next_path=next_path)


@bp.route("/sign-out", methods=["POST"])
@access(PUBLIC)
def sign_out():
    """End the session."""
    if current_user.is_authenticated:
        services.sign_out(db.session, user=current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out")
    return redirect(url_for("prospectus.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@access(PUBLIC)
def forgot_password():
    """Ask for a reset link by e-mail."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, email=form.email.data, settings=account_settings())
        return render_template("accounts/reset_link_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def reset_password(token: str):
    """Choose a new password from a single-use link."""
    try:
        services.reset_token_valid(db.session, token)
    except NotFound as error:
        return render_template("accounts/link_not_valid.html", message=error.message,
                               title="Password reset link not valid"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(db.session, token=token, password=form.password.data,
                                           settings=account_settings())
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            response = _finish_sign_in(user, next_path=None)
            flash("Your password has been changed. You have been signed out everywhere else")
            return response
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def accept_invitation(token: str):
    """Accept an invitation and choose a password."""
    try:
        invitation = services.invitation_for_token(db.session, token)
    except NotFound as error:
        return render_template("accounts/link_not_valid.html", message=error.message,
                               title="Invitation link not valid"), 404
    form = AcceptInvitationForm()
    if request.method == "GET" and not form.restored:
        form.name.data = invitation.name
    has_account = services.find_user_by_email(db.session, invitation.email) is not None
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(db.session, token=token, name=form.name.data,
                                              password=form.password.data, settings=account_settings())
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            response = _finish_sign_in(user, next_path=None)
            flash("Welcome. You have accepted the invitation")
            return response
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation,
                           has_account=has_account)


@bp.route("/confirm-email/<token>")
@access(PUBLIC)
def confirm_email(token: str):
    """Confirm an e-mail address from the single-use link sent at sign-up (or a new one asked for)."""
    try:
        user = services.confirm_email(db.session, token=token)
    except NotFound as error:
        return render_template("accounts/link_not_valid.html", message=error.message,
                               title="Email confirmation link not valid", new_link="confirmation"), 404
    return render_template("accounts/email_confirmed.html", confirmed=user)


@bp.route("/confirm-email", methods=["GET", "POST"])
@access(SIGNED_IN)
def confirm_email_notice():
    """Why the address needs confirming, and a button to send a new link (not too often)."""
    user = current_user._get_current_object()
    if user.email_confirmed:
        flash("Your email address is confirmed")
        return redirect(home_for(user))
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        try:
            services.resend_confirmation(db.session, by=user, settings=account_settings())
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            flash(f"We have sent a new link to {user.email}")
            return redirect(url_for("accounts.confirm_email_notice"))
    return render_template("accounts/confirm_email.html", form=form, days=account_settings().confirmation_lifetime.days,
                           wait=services.resend_wait(db.session, user=user))


@bp.route("/account")
@access(SIGNED_IN)
def dashboard():
    """The signed-in person's home: their organisations, or a link to their role's home."""
    if current_user.role != Role.APPLICANT:
        return redirect(home_for(current_user))
    return render_template("accounts/dashboard.html", organisations=current_user.organisations,
                           applications=applications_for_dashboard(db.session, by=current_user))


@bp.route("/organisations/<int:organisation_id>")
@access(SIGNED_IN)
def organisation(organisation_id: int):
    """An organisation's details, members and open invitations."""
    org = services.organisation_for_member(db.session, organisation_id=organisation_id, by=current_user)
    invitations = services.organisation_invitations(db.session, organisation=org)
    return render_template("accounts/organisation.html", organisation=org, invitations=invitations)


@bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
@access(SIGNED_IN)
def invite_colleague(organisation_id: int):
    """A member invites a colleague to the organisation."""
    org = services.organisation_for_member(
        db.session, organisation_id=organisation_id, by=current_user, members_only=True
    )
    form = InviteColleagueForm()
    if form.validate_on_submit():
        try:
            services.invite_colleague(db.session, organisation=org, name=form.name.data,
                                      email=form.email.data, by=current_user, settings=account_settings())
        except ValidationError as error:
            form.add_domain_error(error, default_field="email")
        else:
            flash(f"Invitation sent to {services.normalise_email(form.email.data)}")
            return redirect(url_for("accounts.organisation", organisation_id=org.id))
    return render_template("accounts/invite_colleague.html", form=form, organisation=org)
