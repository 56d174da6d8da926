"""Keep what somebody typed when their session ran out, and give it back after sign-in.

The text is stored in the database (cookies are too small for long answers); the session holds
only a random token for it, so only the browser that typed it can get it back.

Anyone can post to a signed-in page without signing in, so what is kept is bounded (issue 21):

- only the fields of the form that was posted: every PortalForm carries, beside its CSRF token, the names of
  its fields signed with the secret key (``field_list_token``); a post without a valid list keeps nothing, and
  fields not on the list are dropped;
- at most ``MAX_KEPT_BYTES`` of text per form (far more than the longest application form, far less than the
  request limit, ``FORM_MAX_BYTES``, which is checked before any form is read: portal/limits.py);
- at most ``MAX_PER_SESSION`` forms per browser (older ones are deleted, not just forgotten) and
  ``MAX_PER_ADDRESS`` per network address an hour (kept by a salted hash of the address, never the address);
- everything goes after ``KEEP_FOR``.

``keep_pending_form`` says what happened, so the person is told plainly when their text could not be kept.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum

from flask import current_app, request, session
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import delete, func, select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.models import KeptForm, utcnow

_KEY = "kept_forms"
# The hidden field every PortalForm sends: the names of its fields, signed.
FIELDS_FIELD = "kept_fields"
# Never kept: secrets, and the token that will be replaced anyway.
_NEVER_KEPT = ("password", "csrf_token", FIELDS_FIELD)
KEEP_FOR = timedelta(days=7)
MAX_KEPT_BYTES = 256 * 1024
MAX_PER_SESSION = 5
MAX_PER_ADDRESS = 10
ADDRESS_WINDOW = timedelta(hours=1)


class Kept(StrEnum):
    """What became of a form posted after the session ended."""

    KEPT = "kept"
    NOTHING_TYPED = "nothing typed"
    UNKNOWN_FORM = "unknown form"
    TOO_LONG = "too long"
    TOO_MANY = "too many"


# What to tell the person when their text was not kept (shown on the sign-in page).
NOT_KEPT_MESSAGES = {
    Kept.TOO_LONG: ("What you typed was too long for us to keep while you sign in (more than "
                    f"{MAX_KEPT_BYTES // 1024} KB). Go back in your browser and copy your text somewhere safe "
                    "before you sign in."),
    Kept.TOO_MANY: ("We could not keep what you typed, because too many forms have been sent from your "
                    "connection in the last hour. Go back in your browser and copy your text somewhere safe "
                    "before you sign in."),
    Kept.UNKNOWN_FORM: ("We could not keep what you typed, because the form was not one we recognised (it may "
                        "have been opened before the service was updated). Go back in your browser and copy your "
                        "text somewhere safe before you sign in."),
}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="kept-form-fields")


def field_list_token(names: list[str]) -> str:
    """The signed list of a form's field names, sent with the form (PortalForm adds it beside the CSRF token)."""
    return _serializer().dumps(sorted(name for name in names if not any(word in name for word in _NEVER_KEPT)))


def _posted_field_names(form: Mapping) -> set[str] | None:
    """The names the posted form's signed list allows, or None when it has no valid list."""
    try:
        names = _serializer().loads(form.get(FIELDS_FIELD) or "")
    except BadData:
        return None
    return set(names) if isinstance(names, list) else None


def kept_fields(form: Mapping) -> list[tuple[str, str]]:
    """The submitted fields worth keeping, as (name, value) pairs."""
    items = form.items(multi=True) if hasattr(form, "items") else form.items()
    return [(k, v) for k, v in items if not any(word in k for word in _NEVER_KEPT)]


def _address_hash() -> str:
    """A salted hash of the network address the form came from (the address itself is never stored)."""
    address = (request.remote_addr or "").encode("utf-8")
    return hashlib.sha256(str(current_app.secret_key).encode("utf-8") + b"\0" + address).hexdigest()


def keep_pending_form(path: str, form: Mapping) -> Kept:
    """Remember the fields posted to ``path`` until the form is shown again in this browser, within the bounds."""
    typed = [value for _, value in kept_fields(form) if isinstance(value, str) and value.strip()]
    if not typed:
        return Kept.NOTHING_TYPED
    names = _posted_field_names(form)
    if names is None:
        # A button's form (no field list, only short values like "save") has nothing typed worth a warning.
        looks_typed = FIELDS_FIELD in form or any(" " in value.strip() or len(value) > 20 for value in typed)
        return Kept.UNKNOWN_FORM if looks_typed else Kept.NOTHING_TYPED
    fields = [(name, value) for name, value in kept_fields(form) if name in names and isinstance(value, str)]
    if sum(len(name.encode("utf-8")) + len(value.encode("utf-8")) for name, value in fields) > MAX_KEPT_BYTES:
        return Kept.TOO_LONG
    now = utcnow()
    db.session.execute(delete(KeptForm).where(KeptForm.created_at < now - KEEP_FOR))
    address = _address_hash()
    recent = db.session.scalar(select(func.count(KeptForm.id)).where(
        KeptForm.address_hash == address, KeptForm.created_at >= now - ADDRESS_WINDOW))
    if recent >= MAX_PER_ADDRESS:
        return Kept.TOO_MANY
    token = secrets.token_urlsafe(32)
    db.session.add(KeptForm(token=token, path=path, fields=[list(f) for f in fields], created_at=now,
                            address_hash=address))
    pending = dict(session.get(_KEY, {}))
    replaced = pending.pop(path, None)
    pending[path] = token
    kept = dict(list(pending.items())[-MAX_PER_SESSION:])
    dropped = [old for old in (replaced, *(t for p, t in pending.items() if p not in kept)) if old]
    if dropped:
        db.session.execute(delete(KeptForm).where(KeptForm.token.in_(dropped)))
    session[_KEY] = kept
    return Kept.KEPT


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
