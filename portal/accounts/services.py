"""Accounts: sign-up, sign-in, invitations and password resets. Services flush; requests commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal import audit
from portal.accounts import throttle
from portal.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from portal.domain import NotFound, PermissionDenied, ValidationError
from portal.formatting import date_time
from portal.models import (
    AgeBand,
    EmailConfirmationToken,
    IncomeBand,
    Invitation,
    Membership,
    Organisation,
    OrganisationType,
    PasswordResetToken,
    Role,
    User,
    utcnow,
)
from portal.models.enums import CHARITY_NUMBER_TYPES, COMPANY_NUMBER_TYPES
from portal.notifications.services import queue_email

STAFF_ROLES = (Role.PANELLIST, Role.COMMISSIONER)
# Verifying against this keeps the time taken the same whether or not the e-mail has an account.
_DUMMY_HASH = hash_password("a placeholder nobody can sign in with")


@dataclass(frozen=True)
class Settings:
    """What the account services need to know about the deployment."""

    public_url: str
    portal_name: str
    fast_hashing: bool = False
    reset_lifetime: timedelta = timedelta(hours=1)
    invitation_lifetime: timedelta = timedelta(days=14)
    confirmation_lifetime: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class OrganisationDetails:
    """What a community group tells us about itself."""

    name: str
    organisation_type: OrganisationType
    income_band: IncomeBand
    boroughs: list[str]
    address_line_1: str
    postcode: str
    address_line_2: str | None = None
    town: str = "London"
    charity_number: str | None = None
    company_number: str | None = None


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case or surrounding spaces."""
    return email.strip().lower()


def _new_token() -> tuple[str, str]:
    """A random URL-safe token and the SHA-256 hash that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, _hash_token(token)


def _hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(session: Session, email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def load_user(session: Session, session_key: str) -> User | None:
    """The signed-in user for a session key, if the key is still current."""
    user_id, _, version = session_key.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # With the memberships: every applicant's page checks them (one query, not two).
    user = session.get(User, int(user_id), options=[joinedload(User.memberships)])
    if user is None or user.session_version != int(version):
        return None
    return user


def _check_new_password(password: str, *, email: str, name: str) -> None:
    """Raise a field error if the password breaks the policy."""
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise ValidationError(problem, field="password")


def _ensure_email_free(session: Session, email: str) -> None:
    """Refuse an address that already has an account."""
    if find_user_by_email(session, email) is not None:
        raise ValidationError(
            "An account already uses this email address. Sign in, or reset your password if you "
            "have forgotten it",
            field="email",
        )


def sign_up_organisation(
    session: Session,
    *,
    details: OrganisationDetails,
    name: str,
    email: str,
    password: str,
    settings: Settings,
) -> User:
    """Register a community group with its first member, who can then invite colleagues."""
    email = normalise_email(email)
    _ensure_email_free(session, email)
    _check_new_password(password, email=email, name=name)
    if details.organisation_type == OrganisationType.SCHOOL:
        raise ValidationError("Schools and colleges cannot apply on their own. They can be a partner in a bid led "
                              "by a community group: ask the group to name you as a partner",
                              field="organisation_type")
    if details.organisation_type in CHARITY_NUMBER_TYPES and not details.charity_number:
        raise ValidationError("Enter your charity number", field="charity_number")
    if details.organisation_type in COMPANY_NUMBER_TYPES and not details.company_number:
        raise ValidationError("Enter your company number", field="company_number")
    # A number typed for another type (then the type changed) is ignored: only these types have one.
    charity_number = details.charity_number if details.organisation_type in CHARITY_NUMBER_TYPES else None
    company_number = details.company_number if details.organisation_type in COMPANY_NUMBER_TYPES else None
    organisation = Organisation(
        name=details.name.strip(),
        organisation_type=details.organisation_type,
        income_band=details.income_band,
        boroughs=sorted(set(details.boroughs)),
        address_line_1=details.address_line_1.strip(),
        address_line_2=(details.address_line_2 or "").strip() or None,
        town=details.town.strip() or "London",
        postcode=details.postcode.strip().upper(),
        charity_number=(charity_number or "").strip() or None,
        company_number=(company_number or "").strip().upper() or None,
    )
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password, fast=settings.fast_hashing),
        role=Role.APPLICANT,
    )
    session.add_all([organisation, user])
    session.add(Membership(user=user, organisation=organisation))
    session.flush()
    audit.record(session, actor=user, action="organisation.signed_up", entity=organisation,
                 after=audit.snapshot(organisation))
    audit.record(session, actor=user, action="user.created", entity=user, after=audit.snapshot(user))
    token = _new_confirmation(session, user=user, is_resend=False, now=utcnow(), settings=settings)
    queue_email(
        session,
        to=email,
        subject=f"Confirm your email address for {settings.portal_name}",
        body=(
            f"Hello {user.name},\n\n"
            f"You have created an account for {organisation.name} on {settings.portal_name}.\n\n"
            "Confirm your email address by following this link:\n"
            f"{settings.public_url}/confirm-email/{token}\n\n"
            f"{_confirmation_terms(settings)}\n\n"
            f"Sign in at {settings.public_url}/sign-in to apply for funding and invite colleagues.\n\n"
            "If you did not do this, reply to this email and we will close the account.\n"
        ),
    )
    return user


# E-mail confirmation ---------------------------------------------------------------------------
# A group may draft at once, but the member who sends an application must have proved their address
# (applications.services.submit_application), so receipts, letters and messages reach someone real.

RESEND_GAP = timedelta(minutes=5)
RESENDS_PER_DAY = 5
_DAY = timedelta(days=1)


def _confirmation_terms(settings: Settings) -> str:
    """How long a confirmation link lasts and what it unlocks, for the e-mail."""
    days = settings.confirmation_lifetime.days
    lasts = f"{days} days" if days != 1 else "1 day"
    return (
        f"The link works once and for {lasts}. You can start your application straight away, but you "
        "need to confirm your address before you can send it."
    )


def _new_confirmation(
    session: Session, *, user: User, is_resend: bool, now: datetime, settings: Settings
) -> str:
    """Store a confirmation token for the person's address and return the token for the link."""
    token, token_hash = _new_token()
    confirmation = EmailConfirmationToken(
        user=user, email=user.email, token_hash=token_hash, is_resend=is_resend, created_at=now,
        expires_at=now + settings.confirmation_lifetime,
    )
    session.add(confirmation)
    session.flush()
    audit.record(session, actor=user, action="email_confirmation.resent" if is_resend else "email_confirmation.sent",
                 entity=confirmation, after={"user_id": user.id, "email": user.email})
    return token


@dataclass(frozen=True)
class ResendWait:
    """When a person may next ask for a confirmation link, and whether the daily limit is why."""

    until: datetime
    daily_limit: bool

    @property
    def shown(self) -> datetime:
        """The time to tell the person: rounded up to a whole minute, so asking then works."""
        whole = self.until.replace(second=0, microsecond=0)
        return whole if whole == self.until else whole + timedelta(minutes=1)


def resend_wait(session: Session, *, user: User, now: datetime | None = None) -> ResendWait | None:
    """How long this person must wait to ask for another confirmation link, or None if they may now.

    One link per five minutes (counting the one sent at sign-up) and five resends a day, so the
    button cannot be used to flood someone's inbox.
    """
    now = now or utcnow()
    sent = session.execute(
        select(EmailConfirmationToken.created_at, EmailConfirmationToken.is_resend)
        .where(EmailConfirmationToken.user_id == user.id, EmailConfirmationToken.created_at > now - _DAY)
        .order_by(EmailConfirmationToken.created_at)
    ).all()
    resends = [row.created_at for row in sent if row.is_resend]
    if len(resends) >= RESENDS_PER_DAY and resends[-RESENDS_PER_DAY] + _DAY > now:
        return ResendWait(until=max(resends[-RESENDS_PER_DAY] + _DAY, sent[-1].created_at + RESEND_GAP),
                          daily_limit=True)
    if sent and sent[-1].created_at + RESEND_GAP > now:
        return ResendWait(until=sent[-1].created_at + RESEND_GAP, daily_limit=False)
    return None


def resend_confirmation(
    session: Session, *, by: User, settings: Settings, now: datetime | None = None
) -> None:
    """E-mail the signed-in person a new link to confirm their address, unless asked for too often."""
    now = now or utcnow()
    # Lock the person's row, so two presses at once cannot both pass the limit.
    session.execute(select(User.id).where(User.id == by.id).with_for_update())
    if by.email_confirmed:
        raise ValidationError("Your email address is already confirmed", field="submit")
    wait = resend_wait(session, user=by, now=now)
    if wait is not None:
        raise ValidationError(
            (f"You have asked for {RESENDS_PER_DAY} new links today" if wait.daily_limit
             else "We sent you a link less than 5 minutes ago")
            + ". Check your email, including your spam folder. You can ask for another link from "
            f"{date_time(wait.shown)}",
            field="submit",
        )
    token = _new_confirmation(session, user=by, is_resend=True, now=now, settings=settings)
    queue_email(
        session,
        to=by.email,
        subject=f"Confirm your email address for {settings.portal_name}",
        body=(
            f"Hello {by.name},\n\n"
            f"You asked for a new link to confirm your email address for {settings.portal_name}. "
            "Follow this link:\n"
            f"{settings.public_url}/confirm-email/{token}\n\n"
            f"{_confirmation_terms(settings)}\n\n"
            "If you did not ask for this, you can ignore this email.\n"
        ),
    )


def confirm_email(session: Session, *, token: str, now: datetime | None = None) -> User:
    """Confirm the address a link was sent to; the link then stops working."""
    now = now or utcnow()
    confirmation = session.scalar(
        select(EmailConfirmationToken).where(EmailConfirmationToken.token_hash == _hash_token(token))
        .with_for_update()
    )
    if confirmation is None or confirmation.email != confirmation.user.email:
        raise NotFound("This link to confirm your email address is not valid. Sign in and ask for a new one")
    if confirmation.used_at is not None:
        if confirmation.user.email_confirmed:
            raise NotFound("This link has already been used, and your email address is confirmed. Sign in to "
                           "carry on with your application")
        raise NotFound("This link to confirm your email address has already been used. Sign in and ask for a "
                       "new one")
    if confirmation.expires_at <= now:
        raise NotFound("This link to confirm your email address has expired. Sign in and ask for a new one")
    user = confirmation.user
    confirmation.used_at = now
    if not user.email_confirmed:
        user.email_confirmed_at = now
        audit.record(session, actor=user, action="user.email_confirmed", entity=user,
                     before={"email_confirmed_at": None}, after={"email_confirmed_at": now.isoformat()})
    return user


class SignInRefused(ValidationError):
    """Sign-in did not happen; the message says why and what to do."""


def sign_in(
    session: Session, *, email: str, password: str, address: str, settings: Settings,
    now: datetime | None = None,
) -> User:
    """Check the e-mail and password, slowing down repeated failures; return the user."""
    now = now or utcnow()
    email = normalise_email(email)
    verdict = throttle.check(session, email=email, address=address, now=now)
    if not verdict.allowed:
        raise SignInRefused(
            "You have tried to sign in too many times. Wait "
            f"{throttle.describe_wait(verdict.wait)} and try again, or reset your password",
            field="email",
        )
    user = find_user_by_email(session, email)
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.is_active_account:
        throttle.record(session, email=email, address=address, succeeded=False, now=now)
        raise SignInRefused("Enter a correct email address and password", field="email")
    throttle.record(session, email=email, address=address, succeeded=True, now=now)
    if needs_rehash(user.password_hash, fast=settings.fast_hashing):
        user.password_hash = hash_password(password, fast=settings.fast_hashing)
    user.last_signed_in_at = now
    audit.record(session, actor=user, action="user.signed_in", entity=user)
    return user


def organisation_for_member(
    session: Session, *, organisation_id: int, by: User, members_only: bool = False
) -> Organisation:
    """Load an organisation this person may see: its members and (unless ``members_only``) commissioners."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("There is no such organisation")
    if by.has_role(Role.COMMISSIONER) and not members_only:
        return organisation
    if not any(m.user_id == by.id for m in organisation.memberships):
        raise PermissionDenied("You are not a member of this organisation")
    return organisation


def _pending_invitation(session: Session, email: str, now: datetime) -> Invitation | None:
    """An unexpired, unaccepted invitation to this address."""
    return session.scalar(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.cancelled_at.is_(None),
            Invitation.expires_at > now,
        )
    )


def _send_invitation(
    session: Session, *, invitation_fields: dict, by: User, settings: Settings, what: str
) -> Invitation:
    """Store an invitation and e-mail its link."""
    now = utcnow()
    email = invitation_fields["email"]
    if _pending_invitation(session, email, now) is not None:
        raise ValidationError("This person has already been invited and has not replied yet", field="email")
    token, token_hash = _new_token()
    invitation = Invitation(
        **invitation_fields,
        token_hash=token_hash,
        invited_by=by,
        expires_at=now + settings.invitation_lifetime,
    )
    session.add(invitation)
    session.flush()
    audit.record(session, actor=by, action="invitation.sent", entity=invitation,
                 after=audit.snapshot(invitation))
    days = settings.invitation_lifetime.days
    queue_email(
        session,
        to=email,
        subject=f"You are invited to join {settings.portal_name}",
        body=(
            f"Hello {invitation.name},\n\n"
            f"{by.name} has invited you to join {settings.portal_name} {what}.\n\n"
            f"Accept the invitation and choose a password here:\n"
            f"{settings.public_url}/invitations/{token}\n\n"
            f"The link works once and for {days} days.\n"
        ),
    )
    return invitation


def invite_colleague(
    session: Session, *, organisation: Organisation, name: str, email: str, by: User, settings: Settings
) -> Invitation:
    """A member invites a colleague to act for the same organisation."""
    if not any(m.user_id == by.id for m in organisation.memberships):
        raise PermissionDenied("Only members of this organisation can invite colleagues to it")
    email = normalise_email(email)
    existing = find_user_by_email(session, email)
    if existing is not None and any(m.user_id == existing.id for m in organisation.memberships):
        raise ValidationError(f"{existing.name} is already a member of {organisation.name}", field="email")
    if existing is not None and existing.role != Role.APPLICANT:
        raise ValidationError(
            "This email address belongs to a panellist or commissioner, who cannot also apply for "
            "funding. Ask your colleague for another address",
            field="email",
        )
    return _send_invitation(
        session,
        invitation_fields={"email": email, "name": name.strip(), "role": Role.APPLICANT,
                           "organisation_id": organisation.id},
        by=by, settings=settings, what=f"as a member of {organisation.name}",
    )


def invite_staff(
    session: Session, *, role: Role, name: str, email: str, age_band: AgeBand | None, by: User,
    settings: Settings,
) -> Invitation:
    """A commissioner invites a panellist or another commissioner; nobody signs up for these roles."""
    if not by.has_role(Role.COMMISSIONER):
        raise PermissionDenied("Only commissioners can invite panellists and commissioners")
    if role not in STAFF_ROLES:
        raise ValidationError("Choose whether you are inviting a panellist or a commissioner", field="role")
    if role == Role.PANELLIST and age_band is None:
        raise ValidationError("Select the panellist's age", field="age_band")
    email = normalise_email(email)
    _ensure_email_free(session, email)
    what = "as a youth panellist" if role == Role.PANELLIST else "as a commissioner"
    return _send_invitation(
        session,
        invitation_fields={"email": email, "name": name.strip(), "role": role,
                           "age_band": age_band if role == Role.PANELLIST else None},
        by=by, settings=settings, what=what,
    )


def invitation_for_token(session: Session, token: str, *, now: datetime | None = None) -> Invitation:
    """The open invitation a link points to, or a NotFound saying why it no longer works."""
    now = now or utcnow()
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _hash_token(token)))
    if invitation is None or invitation.cancelled_at is not None:
        raise NotFound("This invitation link is not valid. Ask the person who invited you to send a new one")
    if invitation.accepted_at is not None:
        raise NotFound("This invitation has already been accepted. Sign in with your email address and password")
    if invitation.expires_at <= now:
        raise NotFound("This invitation has expired. Ask the person who invited you to send a new one")
    return invitation


def accept_invitation(
    session: Session, *, token: str, name: str, password: str, settings: Settings
) -> User:
    """Turn an invitation into an account (or add a membership to an existing applicant)."""
    invitation = invitation_for_token(session, token)
    now = utcnow()
    user = find_user_by_email(session, invitation.email)
    if user is None:
        _check_new_password(password, email=invitation.email, name=name)
        user = User(
            email=invitation.email,
            name=name.strip() or invitation.name,
            password_hash=hash_password(password, fast=settings.fast_hashing),
            role=invitation.role,
            age_band=invitation.age_band,
        )
        session.add(user)
        session.flush()
        audit.record(session, actor=user, action="user.created", entity=user, after=audit.snapshot(user))
    elif not verify_password(user.password_hash, password):
        raise ValidationError(
            "You already have an account: enter its password to join this organisation", field="password"
        )
    if invitation.organisation_id is not None:
        membership = Membership(user=user, organisation_id=invitation.organisation_id)
        session.add(membership)
        session.flush()
        audit.record(session, actor=user, action="membership.created", entity=membership,
                     after=audit.snapshot(membership))
    invitation.accepted_at = now
    if not user.email_confirmed:
        # The invitation reached them at this address, so they have proved it is theirs.
        user.email_confirmed_at = now
        audit.record(session, actor=user, action="user.email_confirmed", entity=user,
                     before={"email_confirmed_at": None}, after={"email_confirmed_at": now.isoformat()})
    audit.record(session, actor=user, action="invitation.accepted", entity=invitation,
                 before={"accepted_at": None}, after={"accepted_at": now.isoformat()})
    return user


def request_password_reset(session: Session, *, email: str, settings: Settings) -> None:
    """E-mail a single-use reset link if the address has an account (and say nothing if not)."""
    user = find_user_by_email(session, email)
    if user is None or not user.is_active_account:
        return
    now = utcnow()
    token, token_hash = _new_token()
    reset = PasswordResetToken(user=user, token_hash=token_hash, expires_at=now + settings.reset_lifetime)
    session.add(reset)
    session.flush()
    audit.record(session, actor=None, action="password_reset.requested", entity=reset,
                 after={"user_id": user.id})
    minutes = int(settings.reset_lifetime.total_seconds() // 60)
    queue_email(
        session,
        to=user.email,
        subject=f"Reset your {settings.portal_name} password",
        body=(
            f"Hello {user.name},\n\n"
            "Somebody asked to reset the password for your account. If it was you, choose a new "
            f"password here:\n{settings.public_url}/reset-password/{token}\n\n"
            f"The link works once and for {minutes} minutes. If you did not ask, ignore this email: "
            "your password has not changed.\n"
        ),
    )


def reset_token_valid(session: Session, token: str, *, now: datetime | None = None) -> PasswordResetToken:
    """The unused, unexpired reset a link points to, or a NotFound saying why not."""
    now = now or utcnow()
    reset = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token)))
    if reset is None or reset.used_at is not None:
        raise NotFound("This password reset link has already been used or is not valid. Ask for a new one")
    if reset.expires_at <= now:
        raise NotFound("This password reset link has expired. Ask for a new one")
    return reset


def sign_out(session: Session, *, user: User) -> None:
    """End the person's sessions on the server, so a copy of their session cookie no longer signs in."""
    user.session_version += 1


def reset_password(session: Session, *, token: str, password: str, settings: Settings) -> User:
    """Set a new password with a reset token, which then stops working, and sign out elsewhere."""
    reset = reset_token_valid(session, token)
    user = reset.user
    _check_new_password(password, email=user.email, name=user.name)
    now = utcnow()
    user.password_hash = hash_password(password, fast=settings.fast_hashing)
    user.session_version += 1
    reset.used_at = now
    throttle.clear(session, email=user.email)
    audit.record(session, actor=user, action="user.password_reset", entity=user,
                 before={"session_version": user.session_version - 1},
                 after={"session_version": user.session_version})
    return user


def staff_directory(session: Session, *, by: User) -> tuple[list[User], list[Invitation]]:
    """Panellists and commissioners, and invitations not yet accepted (commissioners only)."""
    if not by.has_role(Role.COMMISSIONER):
        raise PermissionDenied("Only commissioners can see the people who run rounds")
    people = session.scalars(
        select(User).where(User.role.in_([Role.PANELLIST, Role.COMMISSIONER, Role.ADMIN]))
        .order_by(User.role, func.lower(User.name))
    ).all()
    waiting = session.scalars(
        select(Invitation).where(
            Invitation.role.in_(STAFF_ROLES), Invitation.accepted_at.is_(None),
            Invitation.cancelled_at.is_(None),
        ).order_by(Invitation.created_at.desc())
    ).all()
    return list(people), list(waiting)


def organisation_invitations(session: Session, *, organisation: Organisation) -> list[Invitation]:
    """Invitations to an organisation that nobody has accepted yet."""
    return list(session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == organisation.id, Invitation.accepted_at.is_(None),
            Invitation.cancelled_at.is_(None),
        ).order_by(Invitation.created_at.desc())
    ))
