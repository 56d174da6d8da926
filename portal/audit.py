"""Record every change of state: who, what, when, and the values before and after."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEvent, User

# Never copied into the trail.
_SECRET_COLUMNS = {"password_hash", "token_hash", "cancel_token_hash", "token", "pdf", "totp_secret", "code_hash"}


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def snapshot(entity: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """The entity's column values (or just ``fields``), without secrets."""
    names = fields or [c.key for c in entity.__table__.columns]
    return {n: _plain(getattr(entity, n)) for n in names if n not in _SECRET_COLUMNS}


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction, so it commits or rolls back with the change."""
    if entity.id is None:
        session.flush()
    event = AuditEvent(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        before=before,
        after=after,
    )
    session.add(event)
    return event


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, from each side."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
