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

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from portal.models import Role
from portal.pending import NOT_KEPT_MESSAGES, keep_pending_form


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


def second_factor_detour(user: Any) -> Any | None:
    """Where staff go instead of a signed-in page until their session has passed a second factor, or None.

    Commissioners and administrators see personal data and approve payments (issue 21): without an
    authenticator app they are sent to set one up; a session that somehow skipped the code (one from before
    the app was set up) is ended and they sign in again.
    """
    if not user.is_authenticated or not user.needs_second_factor or session.get("second_factor_at"):
        return None
    if user.has_second_factor:
        logout_user()
        session.clear()
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    flash("Set up an authenticator app before you use staff pages. It keeps the personal data here safe")
    wanted = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("second_factor.set_up", next=wanted) if wanted else url_for("second_factor.set_up"))


def access(rule: AccessRule, *, before_second_factor: bool = False) -> Callable:
    """Declare and enforce who may use a view (``before_second_factor``: staff may use it before theirs)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not rule.allows(current_user):
                if not current_user.is_authenticated:
                    # Keep anything they typed: after signing in they come back to it.
                    if request.method == "POST":
                        kept = keep_pending_form(request.path, request.form)
                        if kept in NOT_KEPT_MESSAGES:
                            flash(NOT_KEPT_MESSAGES[kept], "not-kept")
                    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
                abort(403)
            if rule.signed_in and not before_second_factor:
                detour = second_factor_detour(current_user)
                if detour is not None:
                    return detour
            return view(*args, **kwargs)

        guarded.access_rule = rule  # type: ignore[attr-defined]
        guarded.before_second_factor = before_second_factor  # type: ignore[attr-defined]
        return guarded

    return decorate


def rule_for(view: Callable) -> AccessRule | None:
    """The rule a view declared, if any."""
    return getattr(view, "access_rule", None)
