"""Who may see and change an application: the shared checks every applications service starts with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, joinedload

from portal.domain import NotFound, PermissionDenied, ValidationError
from portal.formatting import date_time
from portal.models import Application, ApplicationStatus, Role, User


def is_member(application: Application, user: User) -> bool:
    """Whether this person acts for the applying organisation."""
    return any(m.organisation_id == application.organisation_id for m in user.memberships)


def application_for_member(session: Session, *, application_id: int, by: User) -> Application:
    """An application its organisation's members may see (colleagues share every application)."""
    # Every page of an application needs its round and sections: read them with it.
    application = session.get(Application, application_id,
                              options=[joinedload(Application.round), joinedload(Application.sections)])
    if application is None:
        raise NotFound("There is no such application")
    if not is_member(application, by):
        raise PermissionDenied("Only members of the organisation that made this application can see it")
    return application


def application_for_staff(session: Session, *, application_id: int, by: User) -> Application:
    """An application as commissioners see it (panellists get theirs through the panel, not here)."""
    if not by.has_role(Role.COMMISSIONER):
        raise PermissionDenied("Only commissioners can see every application")
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("There is no such application")
    return application


def ensure_editable(application: Application, *, now: datetime) -> None:
    """Refuse changes once submitted, or once the round's deadline has passed."""
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError("This application has been sent, so it cannot be changed")
    if now >= application.round.closes_at:
        raise ValidationError(
            f"The deadline for this round was {date_time(application.round.closes_at)}. "
            "We could not save your changes. What you typed is shown below so you can keep a copy"
        )
