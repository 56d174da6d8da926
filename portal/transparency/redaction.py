"""Lawful redaction of a published entry's field: what the public sees in its place, and applying it.

A redacted field's value is replaced by ``log.REDACTED``; its salt is dropped and its commitment kept in the
entry's ``redactions``, so the content hash and the chain still verify (docs/decision-log.md). Every public
page and file shows "Redacted on <date>: <reason>" in the field's place, never the value. Who asked and who
approved is in ``decision_log_redaction`` and the audit trail (``portal.commissioning.redaction_services``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.formatting import date
from portal.models import DecisionLogEntry
from portal.transparency import log

REASON_CATEGORIES = (
    "Identifying details published by mistake",
    "Erasure under data protection law",
)
FIELD_LABELS = {
    "organisation_name": "Organisation name",
    "project_title": "Project title",
    "charity_number": "Charity number",
    "company_number": "Company number",
    "organisation_description": "Description of the organisation",
    "reason": "Reason for the decision",
    "correction_reason": "Reason for the correction",
}
assert set(FIELD_LABELS) == set(log.REDACTABLE_FIELDS)


def is_redacted(entry: DecisionLogEntry, field: str) -> bool:
    """Whether this field of the entry has been redacted."""
    return field in (entry.redactions or {})


def redacted_on(entry: DecisionLogEntry, field: str) -> datetime | None:
    """When the field was redacted (None when it was not)."""
    kept = (entry.redactions or {}).get(field)
    return datetime.fromisoformat(kept["redacted_at"]) if kept else None


def notice(entry: DecisionLogEntry, field: str) -> str | None:
    """ "Redacted on 3 December 2026: Erasure under data protection law. <reason>", or None when not redacted."""
    kept = (entry.redactions or {}).get(field)
    if not kept:
        return None
    words = f"Redacted on {date(datetime.fromisoformat(kept['redacted_at']))}: {kept['reason_category']}"
    reason = (kept.get("reason") or "").strip()
    return f"{words}. {reason}" if reason else words


def shown(entry: DecisionLogEntry, field: str) -> Any:
    """What the public sees for a field: the redaction notice in place of a redacted value, else the value."""
    return notice(entry, field) if is_redacted(entry, field) else getattr(entry, field)


def apply(entry: DecisionLogEntry, *, field: str, reason_category: str, reason: str, at: datetime) -> None:
    """Redact the field now (``log.redact``): its commitment kept, its salt dropped, its value marked.

    Later entries for the same application publish the group's own details redacted too (``log.append``).
    """
    log.redact(entry, field=field, reason_category=reason_category, reason=reason, at=at)


def public_redactions(entry: DecisionLogEntry) -> list[dict[str, Any]]:
    """The entry's redactions as published in the files: field, when, why and the commitment kept."""
    return [{"field": field, "redacted_at": kept["redacted_at"], "reason_category": kept["reason_category"],
             "reason": kept.get("reason") or "", "commitment": kept["commitment"], "notice": notice(entry, field)}
            for field, kept in sorted((entry.redactions or {}).items())]
