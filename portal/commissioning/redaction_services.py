"""Redacting a field of a published decision log entry: one commissioner asks, a different one approves.

Redaction is for a leak (a declined group's name in a public reason, say) or for erasure under data protection
law. Until a second commissioner approves, nothing public changes. Approving replaces the field's value with a
marker and keeps its salted commitment, so the chain still verifies (``portal.transparency.redaction``). Both
steps are audited; the audit trail never copies the value being removed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal import audit
from portal.commissioning.decision_services import identifying_terms, naming_found
from portal.domain import NotFound, StateTransitionError, ValidationError
from portal.models import DecisionLogEntry, DecisionLogRedaction, Role, User, utcnow
from portal.notifications.services import queue_email
from portal.permissions import require_commissioner
from portal.transparency import log, redaction

COMMISSIONERS_ONLY = "Only commissioners can redact the decision log"
REASON_MAX_CHARACTERS = 200


@dataclass(frozen=True)
class RedactionInput:
    """A redaction request as typed: which field, the reason category and a short public reason."""

    field: str | None = None
    reason_category: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class FieldChoice:
    """A field of the entry that can be redacted now, with its label and value as published."""

    field: str
    label: str
    value: str


def redaction_entry(session: Session, *, log_entry_id: int, by: User) -> DecisionLogEntry:
    """A published entry, for a commissioner who may redact it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    entry = session.get(DecisionLogEntry, log_entry_id)
    if entry is None:
        raise NotFound("There is no entry with this number in the decision log")
    return entry


def requests_for(session: Session, entry: DecisionLogEntry) -> list[DecisionLogRedaction]:
    """Every redaction asked for on this entry, oldest first (pending and approved)."""
    return list(session.scalars(select(DecisionLogRedaction).where(DecisionLogRedaction.entry_id == entry.id)
                                .options(selectinload(DecisionLogRedaction.requested_by),
                                         selectinload(DecisionLogRedaction.approved_by))
                                .order_by(DecisionLogRedaction.id)))


def other_entries(session: Session, entry: DecisionLogEntry) -> list[DecisionLogEntry]:
    """The application's other published entries (a corrected entry, its corrections): each is redacted on its own."""
    return [other for other in log.history(session, entry.application_id) if other.id != entry.id]


def field_choices(session: Session, entry: DecisionLogEntry) -> list[FieldChoice]:
    """The entry's fields that can be redacted now: free text and identifying, holding a value, not yet asked."""
    asked = {request.field for request in requests_for(session, entry)}
    choices = []
    for field in log.REDACTABLE_FIELDS:
        value = getattr(entry, field)
        if value and field not in asked and not redaction.is_redacted(entry, field):
            choices.append(FieldChoice(field=field, label=redaction.FIELD_LABELS[field], value=str(value)))
    return choices


def check_request(session: Session, entry: DecisionLogEntry, typed: RedactionInput) -> tuple[str, dict[str, str]]:
    """Apply the rules to a request: the public reason, and a message for each field at fault."""
    problems: dict[str, str] = {}
    choices = {choice.field: choice for choice in field_choices(session, entry)}
    if not typed.field:
        problems["field"] = "Select the field to redact"
    elif typed.field not in choices:
        problems["field"] = "Select a field that holds a value and has not already been asked for"
    if typed.reason_category not in redaction.REASON_CATEGORIES:
        problems["reason_category"] = "Select why the field must be redacted"
    reason = " ".join((typed.reason or "").split())
    if not reason:
        problems["reason"] = "Enter a short public reason: it is published in place of the field"
    elif len(reason) > REASON_MAX_CHARACTERS:
        problems["reason"] = f"The public reason must be {REASON_MAX_CHARACTERS} characters or fewer"
    elif naming_found(reason, identifying_terms(entry.application)) or (
            typed.field in choices and _repeats(reason, choices[typed.field].value)):
        problems["reason"] = ("The public reason must not identify anyone or repeat what is redacted. Remove any "
                              "name, number, address, project title or words from the field")
    return reason, problems


def _folded(text: str) -> str:
    """Letters and digits only, case folded after NFKC: what is left of a text however it is disguised."""
    return "".join(char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum())


def _repeats(reason: str, value: str) -> bool:
    """Whether the reason repeats the value being redacted (or, for a long text, any 24-character run of it)."""
    folded_reason, folded_value = _folded(reason), _folded(value)
    if len(folded_value) < 3:
        return False
    if len(folded_value) <= 24:
        return folded_value in folded_reason
    return any(folded_value[start:start + 24] in folded_reason for start in range(len(folded_value) - 23))


def request_redaction(session: Session, *, entry: DecisionLogEntry, typed: RedactionInput, by: User,
                      now: datetime | None = None, public_url: str | None = None) -> DecisionLogRedaction:
    """Ask for a field to be redacted; nothing public changes until another commissioner approves.

    With ``public_url``, every other commissioner is e-mailed a link to approve it (never the value).
    """
    require_commissioner(by, COMMISSIONERS_ONLY)
    reason, problems = check_request(session, entry, typed)
    if problems:
        name, message = next(iter(problems.items()))
        raise ValidationError(message, field=name)
    request = DecisionLogRedaction(entry_id=entry.id, field=typed.field, reason_category=typed.reason_category,
                                   reason=reason, requested_by_id=by.id, requested_at=now or utcnow())
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        raise ValidationError("Another commissioner asked for this field to be redacted a moment ago",
                              field="field") from None
    audit.record(session, actor=by, action="decision_log.redaction_requested", entity=request,
                 after={"entry": entry.position, "reference": entry.reference, "field": request.field,
                        "reason_category": request.reason_category, "reason": reason})
    if public_url is not None:
        _ask_for_approval(session, request=request, entry=entry, by=by, public_url=public_url)
    return request


def _ask_for_approval(session: Session, *, request: DecisionLogRedaction, entry: DecisionLogEntry, by: User,
                      public_url: str) -> None:
    """E-mail every other active commissioner that a redaction waits for their approval."""
    others = session.scalars(select(User).where(User.role.in_([Role.COMMISSIONER, Role.ADMIN]),
                                                User.is_active_account.is_(True), User.id != by.id))
    label = redaction.FIELD_LABELS[request.field].lower()
    for other in others:
        queue_email(session, to=other.email, subject="A redaction of the decision log is waiting for your approval",
                    body=(f"Hello {other.name},\n\n{by.name} asked for the {label} of entry {entry.position} "
                          f"({entry.reference}) in the decision log to be redacted: {request.reason_category}."
                          f"\n\nCheck it and approve it here: {public_url.rstrip('/')}/commissioning/decision-log/"
                          f"redactions/{request.id}/approve\n\nNothing public changes until a commissioner other "
                          f"than {by.name} approves it.\n"))


def redaction_request(session: Session, *, redaction_id: int, by: User) -> DecisionLogRedaction:
    """A redaction request, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    request = session.get(DecisionLogRedaction, redaction_id)
    if request is None:
        raise NotFound("There is no such redaction request")
    return request


def approval_problem(request: DecisionLogRedaction, *, by: User) -> str | None:
    """Why this person cannot approve the request now, or None when they can."""
    if request.approved_at is not None:
        return "This redaction has already been approved"
    if request.requested_by_id == by.id:
        return "You asked for this redaction, so a different commissioner must approve it"
    return None


def approve_redaction(session: Session, *, request: DecisionLogRedaction, by: User,
                      now: datetime | None = None) -> DecisionLogEntry:
    """Approve a request made by another commissioner: redact the field now. The chain still verifies."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    # Read the request and its entry for update, so two approvals at once cannot both apply.
    request = session.scalar(select(DecisionLogRedaction).where(DecisionLogRedaction.id == request.id)
                             .with_for_update().execution_options(populate_existing=True))
    problem = approval_problem(request, by=by)
    if problem:
        raise StateTransitionError(problem)
    entry = session.scalar(select(DecisionLogEntry).where(DecisionLogEntry.id == request.entry_id)
                           .with_for_update().execution_options(populate_existing=True))
    if log.content_hash(entry) != entry.content_hash:
        raise StateTransitionError(f"Entry {entry.position} does not match its hashes, so it cannot be redacted. "
                                   "Check the decision log first")
    now = now or utcnow()
    redaction.apply(entry, field=request.field, reason_category=request.reason_category, reason=request.reason,
                    at=now)
    request.approved_by_id, request.approved_at = by.id, now
    session.flush()
    audit.record(session, actor=by, action="decision_log.redaction_approved", entity=request,
                 after={"entry": entry.position, "reference": entry.reference, "field": request.field,
                        "reason_category": request.reason_category, "reason": request.reason,
                        "requested_by": request.requested_by_id})
    return entry


def pending_requests(session: Session, *, by: User) -> list[DecisionLogRedaction]:
    """Requests waiting for a second commissioner, oldest first."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    return list(session.scalars(select(DecisionLogRedaction).where(DecisionLogRedaction.approved_at.is_(None))
                                .options(selectinload(DecisionLogRedaction.entry),
                                         selectinload(DecisionLogRedaction.requested_by))
                                .order_by(DecisionLogRedaction.id)))
