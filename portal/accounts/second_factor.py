"""A second factor: codes from an authenticator app (TOTP, RFC 6238) and single-use recovery codes.

Commissioners and administrators must have one before any staff page opens (``portal.access``); anyone
else may choose one. Codes are accepted within one 30-second step either side of now, and never twice:
the last accepted step is kept per person, and only a later step is accepted after it. The app's secret
is stored encrypted (Fernet, with a key derived from ``SECOND_FACTOR_KEY``, or ``SECRET_KEY`` when that
is not set); recovery codes are random (50 bits) and only their SHA-256 is kept. Wrong codes are
throttled like passwords (``accounts.throttle``), under a key of their own so a correct password does not
wipe them. Every change is audited and e-mailed to the person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from markupsafe import Markup
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal import audit
from portal.accounts import throttle
from portal.domain import PermissionDenied, ValidationError
from portal.models import RecoveryCode, User, utcnow
from portal.notifications.services import queue_email

RECOVERY_CODES = 10
# No 0/O, 1/l/i: recovery codes are copied from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
_STEP_WINDOW = (0, 1, -1)  # now first, then one step either side (a clock a little fast or slow)


@dataclass(frozen=True)
class FactorSettings:
    """What the second-factor services need to know about the deployment."""

    key: str
    portal_name: str
    public_url: str


class CodeRefused(ValidationError):
    """A code was not accepted; the message says why and what to do."""


# Secrets ----------------------------------------------------------------------------------------


def _fernet(key: str) -> Fernet:
    """The cipher for stored secrets, derived from the configured key."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"portal second factor secret").derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def new_secret() -> str:
    """A fresh random authenticator secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def encrypt_secret(secret: str, *, settings: FactorSettings) -> str:
    """The stored form of an authenticator secret."""
    return _fernet(settings.key).encrypt(secret.encode()).decode()


def secret_for(user: User, *, settings: FactorSettings) -> str:
    """The person's authenticator secret, decrypted."""
    if user.totp_secret is None:
        raise ValueError("This person has no authenticator app")
    try:
        return _fernet(settings.key).decrypt(user.totp_secret.encode()).decode()
    except InvalidToken as error:  # the key changed: recovery codes still work
        raise ValueError("The authenticator secret cannot be read with the configured key") from error


def seal_setup(secret: str, *, user: User, settings: FactorSettings) -> str:
    """A set-up page's secret for its form to carry back: encrypted, naming the person, dated."""
    return _fernet(settings.key).encrypt(f"{user.id}:{secret}".encode()).decode()


def open_setup(token: str | None, *, user: User, settings: FactorSettings, max_age: timedelta,
               now: datetime | None = None) -> str | None:
    """The secret a set-up form carried back, if it is this person's and no older than ``max_age``."""
    now = now or utcnow()
    try:
        plain = _fernet(settings.key).decrypt_at_time(
            (token or "").encode(), ttl=int(max_age.total_seconds()), current_time=int(now.timestamp())).decode()
    except (InvalidToken, ValueError):
        return None
    user_id, _, secret = plain.partition(":")
    return secret if user_id == str(user.id) else None


def setup_uri(secret: str, *, user: User, settings: FactorSettings) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.portal_name)


def qr_code_svg(uri: str) -> Markup:
    """The set-up link as an inline SVG QR code (no script, no image request, works under the CSP)."""
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=5, border=4, dark="#0b0c0c", light="#ffffff", omitsize=True,
                        svgclass="portal-qr-code")
    # The SVG is made here from our own link, never from what someone typed.
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1))


def format_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# Checking codes ----------------------------------------------------------------------------------


def _digits(code: str) -> str:
    """What was typed, without spaces or dashes (apps show '123 456')."""
    return "".join(code.split()).replace("-", "")


def _accepted_step(secret: str, code: str, *, last_step: int | None, now: datetime) -> int | None:
    """The time step whose code this is, within the window and later than the last accepted, or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in _STEP_WINDOW:
        step = current + offset
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _throttle_key(user: User) -> str:
    """Failed codes are counted apart from failed passwords, so a right password does not clear them."""
    return f"second-factor:{user.email}"


def _check_throttle(session: Session, *, user: User, address: str, now: datetime, field: str) -> None:
    """Refuse to check a code while this person or address must wait."""
    verdict = throttle.check(session, email=_throttle_key(user), address=address, now=now)
    if not verdict.allowed:
        raise CodeRefused(
            f"You have entered too many wrong codes. Wait {throttle.describe_wait(verdict.wait)} and try again",
            field=field,
        )


def _lock(session: Session, user: User) -> None:
    """Lock the person's row, so one code cannot be used by two requests at once."""
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    session.refresh(user)


def check_code(
    session: Session, *, user: User, code: str, address: str, settings: FactorSettings, now: datetime | None = None
) -> None:
    """Accept a code from the person's authenticator app once, or raise CodeRefused."""
    now = now or utcnow()
    _check_throttle(session, user=user, address=address, now=now, field="code")
    typed = _digits(code)
    if not typed:
        raise CodeRefused("Enter the 6-digit code from your authenticator app", field="code")
    if not (typed.isdigit() and len(typed) == 6):
        raise CodeRefused("The code must be 6 digits, like 123456", field="code")
    _lock(session, user)
    step = _accepted_step(secret_for(user, settings=settings), typed, last_step=user.totp_last_step, now=now)
    if step is None:
        throttle.record(session, email=_throttle_key(user), address=address, succeeded=False, now=now)
        raise CodeRefused("That code is not right or has been used already. Wait for a new code in your "
                          "authenticator app and enter it", field="code")
    throttle.record(session, email=_throttle_key(user), address=address, succeeded=True, now=now)
    user.totp_last_step = step
    audit.record(session, actor=user, action="user.second_factor_passed", entity=user,
                 after={"method": "authenticator app"})


# Recovery codes ----------------------------------------------------------------------------------


def _hash_recovery_code(code: str) -> str:
    """The stored form of a recovery code: SHA-256 of its letters and digits in lower case."""
    return hashlib.sha256(_digits(code).lower().encode()).hexdigest()


def _new_recovery_codes(session: Session, *, user: User, now: datetime) -> list[str]:
    """Replace the person's recovery codes with ten new ones; return them to show once."""
    session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=now))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(c), created_at=now) for c in codes)
    session.flush()
    return codes


def recovery_codes_left(session: Session, *, user: User) -> int:
    """How many unused recovery codes the person has."""
    return session.scalar(select(func.count(RecoveryCode.id))
                          .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def use_recovery_code(
    session: Session, *, user: User, code: str, address: str, settings: FactorSettings, now: datetime | None = None
) -> int:
    """Accept an unused recovery code once (instead of an app code); return how many are left."""
    now = now or utcnow()
    _check_throttle(session, user=user, address=address, now=now, field="code")
    if not _digits(code):
        raise CodeRefused("Enter one of your recovery codes", field="code")
    _lock(session, user)
    row = session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery_code(code),
        RecoveryCode.used_at.is_(None)).with_for_update())
    if row is None:
        throttle.record(session, email=_throttle_key(user), address=address, succeeded=False, now=now)
        raise CodeRefused("That recovery code is not right or has been used already. Each code works once",
                          field="code")
    throttle.record(session, email=_throttle_key(user), address=address, succeeded=True, now=now)
    row.used_at = now
    left = recovery_codes_left(session, user=user)
    audit.record(session, actor=user, action="user.recovery_code_used", entity=user, after={"codes_left": left})
    _tell(session, user=user, settings=settings, subject="A recovery code was used to sign in",
          what=f"Somebody signed in to your account with one of your recovery codes. You have {left} left.",
          advice="If this was you, set up your authenticator app again or make new recovery codes from "
                 f"{settings.public_url}/account/sign-in-security.")
    return left


# Changes ----------------------------------------------------------------------------------------


def _tell(session: Session, *, user: User, settings: FactorSettings, subject: str, what: str,
          advice: str = "") -> None:
    """E-mail the person about a change to how they sign in."""
    queue_email(
        session, to=user.email, subject=f"{subject} – {settings.portal_name}",
        body=(f"Hello {user.name},\n\n{what}\n\n" + (f"{advice}\n\n" if advice else "")
              + "If you did not do this, reset your password now and tell the grants team: "
              f"{settings.public_url}/forgot-password\n"),
    )


def set_up_authenticator(
    session: Session, *, user: User, secret: str, code: str, settings: FactorSettings, now: datetime | None = None
) -> list[str]:
    """Start using (or replace) an authenticator app once a first code proves it works; new recovery codes."""
    now = now or utcnow()
    typed = _digits(code)
    if not typed:
        raise ValidationError("Enter the 6-digit code from your authenticator app", field="code")
    if not (typed.isdigit() and len(typed) == 6):
        raise ValidationError("The code must be 6 digits, like 123456", field="code")
    step = _accepted_step(secret, typed, last_step=None, now=now)
    if step is None:
        raise ValidationError("That code is not right. Check the app shows a code for this portal, wait for a "
                              "new code and enter it", field="code")
    _lock(session, user)
    replacing = user.has_second_factor
    before = {"totp_confirmed_at": user.totp_confirmed_at.isoformat() if user.totp_confirmed_at else None}
    user.totp_secret = encrypt_secret(secret, settings=settings)
    user.totp_confirmed_at = now
    user.totp_last_step = step
    # A new way in ends every other session: whoever had this account open elsewhere signs in again.
    user.session_version += 1
    codes = _new_recovery_codes(session, user=user, now=now)
    audit.record(session, actor=user, action="user.authenticator_replaced" if replacing else "user.authenticator_set_up",
                 entity=user, before=before,
                 after={"totp_confirmed_at": now.isoformat(), "recovery_codes": RECOVERY_CODES})
    _tell(session, user=user, settings=settings,
          subject="Your authenticator app was changed" if replacing else "You set up an authenticator app",
          what=("You set up a new authenticator app for signing in. The old one no longer works."
                if replacing else "You set up an authenticator app. From now on you will enter a code from it "
                "after your password when you sign in."),
          advice=f"We also made {RECOVERY_CODES} new recovery codes; any earlier ones no longer work.")
    return codes


def replace_recovery_codes(
    session: Session, *, user: User, settings: FactorSettings, now: datetime | None = None
) -> list[str]:
    """Ten new recovery codes for someone with an authenticator app; the old ones stop working."""
    now = now or utcnow()
    if not user.has_second_factor:
        raise PermissionDenied("Set up an authenticator app first")
    _lock(session, user)
    codes = _new_recovery_codes(session, user=user, now=now)
    audit.record(session, actor=user, action="user.recovery_codes_replaced", entity=user,
                 after={"recovery_codes": RECOVERY_CODES})
    _tell(session, user=user, settings=settings, subject="You made new recovery codes",
          what=f"You made {RECOVERY_CODES} new recovery codes. Your earlier codes no longer work.")
    return codes


def turn_off_authenticator(
    session: Session, *, user: User, code: str, address: str, settings: FactorSettings, now: datetime | None = None
) -> None:
    """Stop asking for a code at sign-in (people who chose it; never staff), proved by a current code."""
    now = now or utcnow()
    if user.needs_second_factor:
        raise PermissionDenied("Commissioners and administrators must keep a second factor. You can set up a "
                               "new authenticator app instead")
    if not user.has_second_factor:
        raise PermissionDenied("You have not set up an authenticator app")
    check_code(session, user=user, code=code, address=address, settings=settings, now=now)
    user.totp_secret = None
    user.totp_confirmed_at = None
    session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=now))
    audit.record(session, actor=user, action="user.authenticator_removed", entity=user,
                 after={"totp_confirmed_at": None})
    _tell(session, user=user, settings=settings, subject="You turned off your authenticator app",
          what="You will now sign in with your password alone. Your recovery codes no longer work.",
          advice=f"You can set it up again at {settings.public_url}/account/sign-in-security.")


def enrol_known_secret(session: Session, *, user: User, secret: str, settings: FactorSettings,
                       recovery_codes: Sequence[str] = (), now: datetime | None = None) -> None:
    """Give someone an authenticator secret directly (the demo's staff and the tests; never a page)."""
    now = now or utcnow()
    user.totp_secret = encrypt_secret(secret, settings=settings)
    user.totp_confirmed_at = now
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(c), created_at=now)
                    for c in recovery_codes)
    session.flush()
