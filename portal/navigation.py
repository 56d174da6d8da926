"""The service navigation each kind of user sees."""

from __future__ import annotations

from typing import Any

from flask import url_for

from portal.models import Role


def navigation_for(user: Any, path: str) -> list[dict[str, Any]]:
    """Links for the GOV.UK service navigation, with the current one marked."""
    items: list[tuple[str, str]] = [("Funding rounds", url_for("prospectus.home")),
                                    ("Events", url_for("events.upcoming_events")),
                                    ("Decisions", url_for("transparency.decision_log"))]
    if user.is_authenticated:
        if user.has_role(Role.COMMISSIONER):
            items += [("Rounds to manage", url_for("commissioning.home")),
                      ("Manage events", url_for("events.manage_events")),
                      ("People", url_for("commissioning.people"))]
        elif user.role == Role.PANELLIST:
            items += [("Your panel work", url_for("panel.home"))]
        else:
            items += [("Your applications", url_for("accounts.dashboard"))]
        items += [("Sign-in security", url_for("second_factor.overview"))]
    else:
        items += [("Sign in", url_for("accounts.sign_in")), ("Create an account", url_for("accounts.sign_up"))]
    best = max((href for _, href in items if path == href or (href != "/" and path.startswith(href + "/"))),
               key=len, default=None)
    return [{"text": text, "href": href, "active": href == best} for text, href in items]
