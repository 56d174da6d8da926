"""People, organisations and the tokens that let them in."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.enums import AgeBand, IncomeBand, OrganisationType, Role
from portal.models.types import enum_type


class User(UserMixin, Base):
    """A person who can sign in."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Panellists only: safeguarding needs the age band (under-18s need a GuardianConsent).
    age_band: Mapped[AgeBand | None] = mapped_column(enum_type(AgeBand))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]
    # Changing the password changes this, which ends every other signed-in session.
    session_version: Mapped[int] = mapped_column(default=1)
    # When the person proved the address is theirs (a sign-up link, or accepting an invitation).
    # A group cannot send an application until the member sending it has confirmed (see applications).
    email_confirmed_at: Mapped[datetime | None]
    # A second factor (accounts/second_factor.py): the authenticator app's secret, encrypted with
    # Fernet; when it was confirmed with a first code; and the last 30-second time step whose code was
    # accepted, so no code is ever accepted twice. Commissioners and administrators must have one.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        """Flask-Login's session key: the id and the session version together."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sign-in to deactivated accounts."""
        return self.is_active_account

    def has_role(self, *roles: Role) -> bool:
        """Whether this person holds any of these roles (admins hold every staff role)."""
        if self.role == Role.ADMIN and Role.COMMISSIONER in roles:
            return True
        return self.role in roles

    @property
    def email_confirmed(self) -> bool:
        """Whether this person has proved their e-mail address is theirs."""
        return self.email_confirmed_at is not None

    @property
    def has_second_factor(self) -> bool:
        """Whether this person signs in with a code from an authenticator app as well as a password."""
        return self.totp_confirmed_at is not None and self.totp_secret is not None

    @property
    def needs_second_factor(self) -> bool:
        """Commissioners and administrators see personal data and approve payments: a password is not enough."""
        return self.has_role(Role.COMMISSIONER)

    @property
    def organisations(self) -> list[Organisation]:
        """The organisations this person belongs to."""
        return [m.organisation for m in self.memberships]


class Organisation(Base):
    """A community group that applies for funding."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_type: Mapped[OrganisationType] = mapped_column(enum_type(OrganisationType))
    charity_number: Mapped[str | None] = mapped_column(String(20))
    company_number: Mapped[str | None] = mapped_column(String(20))
    income_band: Mapped[IncomeBand] = mapped_column(enum_type(IncomeBand))
    # GSS codes of the London boroughs served (see portal/boroughs.py).
    boroughs: Mapped[list[str]] = mapped_column(JSON, default=list)
    address_line_1: Mapped[str] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(100), default="London")
    postcode: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def members(self) -> list[User]:
        """The people who act for this organisation."""
        return [m.user for m in self.memberships]


class Membership(Base):
    """A person acting for an organisation."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(Base):
    """An e-mailed invitation to join as a colleague, a panellist or a commissioner."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    age_band: Mapped[AgeBand | None] = mapped_column(enum_type(AgeBand))
    # Only a hash is stored: a database leak must not hand out working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship()
    invited_by: Mapped[User] = relationship()


class PasswordResetToken(Base):
    """A single-use token e-mailed to reset a forgotten password."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class EmailConfirmationToken(Base):
    """A single-use token e-mailed to confirm that an address belongs to the person who signed up."""

    __tablename__ = "email_confirmation_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The address the link was sent to: a link confirms that address only.
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # False for the link sent at sign-up; resends are limited per day (accounts.services).
    is_resend: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class SignInAttempt(Base):
    """A failed or successful sign-in, kept to slow down password guessing."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RecoveryCode(Base):
    """A single-use code that signs in instead of the authenticator app (only its SHA-256 is kept)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class GuardianConsent(Base):
    """A guardian's consent for an under-18 panellist, recorded by a commissioner."""

    __tablename__ = "guardian_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    panellist_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    guardian_name: Mapped[str] = mapped_column(String(200))
    guardian_contact: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    panellist: Mapped[User] = relationship(foreign_keys=[panellist_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
