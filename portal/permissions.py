"""Record-level role checks shared by the services (the views' @access rules are the coarse first line)."""

from __future__ import annotations

from portal.domain import PermissionDenied
from portal.models import Role, User


def is_commissioner(user: User) -> bool:
    """Whether this person is a signed-in commissioner or administrator."""
    return getattr(user, "is_authenticated", True) and user.has_role(Role.COMMISSIONER, Role.ADMIN)


def require_commissioner(by: User, message: str) -> None:
    """Refuse anyone but commissioners and administrators, saying what only they may do."""
    if not is_commissioner(by):
        raise PermissionDenied(message)
