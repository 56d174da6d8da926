"""Keep what somebody typed when their session ran out, and give it back after sign-in.

The text is stored in the database (cookies are too small for long answers); the session holds
only a random token for it, so only the browser that typed it can get it back.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta

from flask import session
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.models import KeptForm, utcnow

_KEY = "kept_forms"
# Never kept: secrets, and the token that will be replaced anyway.
_NEVER_KEPT = ("password", "csrf_token")
KEEP_FOR = timedelta(days=7)


def kept_fields(form: Mapping) -> list[tuple[str, str]]:
    """The submitted fields worth keeping, as (name, value) pairs."""
    items = form.items(multi=True) if hasattr(form, "items") else form.items()
    return [(k, v) for k, v in items if not any(word in k for word in _NEVER_KEPT)]


def keep_pending_form(path: str, form: Mapping) -> None:
    """Remember the fields posted to ``path`` until the form is shown again in this browser."""
    now = utcnow()
    db.session.execute(delete(KeptForm).where(KeptForm.created_at < now - KEEP_FOR))
    token = secrets.token_urlsafe(32)
    db.session.add(KeptForm(token=token, path=path, fields=[list(f) for f in kept_fields(form)], created_at=now))
    pending = dict(session.get(_KEY, {}))
    pending[path] = token
    session[_KEY] = dict(list(pending.items())[-5:])


def take_pending_form(path: str) -> MultiDict | None:
    """Give back (once) what was typed into the form at ``path`` in this browser."""
    pending = dict(session.get(_KEY, {}))
    token = pending.pop(path, None)
    if token is None:
        return None
    session[_KEY] = pending
    kept = db.session.scalar(select(KeptForm).where(KeptForm.token == token, KeptForm.path == path))
    if kept is None:
        return None
    fields = [tuple(f) for f in kept.fields]
    db.session.delete(kept)
    return MultiDict(fields)
