"""Keep what somebody typed when their session ran out, and give it back after sign-in."""

from __future__ import annotations

from collections.abc import Mapping

from flask import session
from werkzeug.datastructures import MultiDict

_KEY = "pending_forms"
# Never kept: secrets, and the token that will be replaced anyway.
_NEVER_KEPT = ("password", "csrf_token")


def kept_fields(form: Mapping) -> list[tuple[str, str]]:
    """The submitted fields worth keeping, as (name, value) pairs."""
    items = form.items(multi=True) if hasattr(form, "items") else form.items()
    return [(k, v) for k, v in items if not any(word in k for word in _NEVER_KEPT)]


def keep_pending_form(path: str, form: Mapping) -> None:
    """Remember the fields posted to ``path`` until the form is shown again."""
    pending = dict(session.get(_KEY, {}))
    pending[path] = kept_fields(form)
    # Only the latest few forms are kept; cookies have a size limit.
    session[_KEY] = dict(list(pending.items())[-3:])


def take_pending_form(path: str) -> MultiDict | None:
    """Give back (once) what was typed into the form at ``path``."""
    pending = dict(session.get(_KEY, {}))
    fields = pending.pop(path, None)
    if fields is None:
        return None
    session[_KEY] = pending
    return MultiDict(fields)
