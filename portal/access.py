"""Who may use each endpoint, declared in one place beside the route.

Every view carries an ``access_rule``; ``tests/functional/test_architecture.py`` fails on any endpoint
without one. Rules here are coarse (by role). Rules about a particular record, such as "a
member of this organisation", are checked again by the service that loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

from portal.models import Role
from portal.pending import keep_pending_form


@dataclass(frozen=True)
class AccessRule:
    """A named rule: public, anyone signed in, or a set of roles."""

    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    signed_in: bool = False

    def allows(self, user: Any) -> bool:
        """Whether this user (possibly anonymous) passes the rule."""
        if not self.signed_in:
            return True
        if not user.is_authenticated:
            return False
        return not self.roles or user.has_role(*self.roles)


PUBLIC = AccessRule("public")
SIGNED_IN = AccessRule("signed in", signed_in=True)


def roles(*allowed: Role) -> AccessRule:
    """A rule that admits only these roles."""
    return AccessRule(
        "only " + ", ".join(r.value for r in allowed), roles=frozenset(allowed), signed_in=True
    )


APPLICANTS = roles(Role.APPLICANT)
PANELLISTS = roles(Role.PANELLIST)
COMMISSIONERS = roles(Role.COMMISSIONER, Role.ADMIN)


def access(rule: AccessRule) -> Callable:
    """Declare and enforce who may use a view."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not rule.allows(current_user):
                if not current_user.is_authenticated:
                    # Keep anything they typed: after signing in they come back to it.
                    if request.method == "POST":
                        keep_pending_form(request.path, request.form)
                    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
                abort(403)
            return view(*args, **kwargs)

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return guarded

    return decorate


def rule_for(view: Callable) -> AccessRule | None:
    """The rule a view declared, if any."""
    return getattr(view, "access_rule", None)
