"""The public decision log: append-only entries, chained by SHA-256 so quiet changes can be found.

Publishing a decision appends a ``DecisionLogEntry`` holding everything the public sees about it, frozen
at that moment. Nothing here updates or deletes an entry: a correction is a new entry naming the one it
corrects. Each entry's ``content_hash`` covers a salted hash (commitment) of each public field, so a field
can be lawfully redacted without breaking the chain (``commitments``, docs/decision-log.md), and its
``entry_hash`` covers that and the previous entry's ``entry_hash``; ``verify_chain`` recomputes both for every
entry and reports the first that does not match, so a changed amount, reason or date anywhere in the log is detected.

Declined and reserve decisions are published without naming the group: the entry keeps a description
("A community group in Hackney") and no name, charity or company number or project title, and no free text
but public text a second commissioner approved (``Decision.published_reason``; the feedback goes to the group).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from portal.boroughs import BOROUGHS, borough_name
from portal.models import (
    Application,
    ConflictDeclaration,
    CurrentDecisionEntry,
    Decision,
    DecisionLogEntry,
    OrganisationType,
    Outcome,
    PanelAssignment,
    utcnow,
)
from portal.models.enums import INCOME_BAND_LABELS, ORGANISATION_TYPE_LABELS, IncomeBand
from portal.transparency import checkpoints

GENESIS_HASH = "0" * 64
# Income bands whose top is £100,000 or less: small organisations (see the ranking).
SMALL_INCOME_BANDS = frozenset(
    band for band in IncomeBand if band.upper_limit_pounds is not None and band.upper_limit_pounds <= 100_000
)
# A name for each kind of group that does not identify it, for declined and reserve entries.
GROUP_WORDS = {
    OrganisationType.UNREGISTERED: "A community group",
    OrganisationType.CHARITY: "A registered charity",
    OrganisationType.CIO: "A charitable incorporated organisation",
    OrganisationType.CIC: "A community interest company",
    OrganisationType.COMPANY: "A not-for-profit company",
    OrganisationType.COMMUNITY_BENEFIT_SOCIETY: "A community benefit society",
    OrganisationType.FAITH_GROUP: "A faith group",
    OrganisationType.SCHOOL: "A school or college",
}


# Content and hashes ------------------------------------------------------------------------------


def entry_content(entry: DecisionLogEntry) -> dict[str, Any]:
    """Everything the public sees about an entry, as plain data in a fixed shape (what the hash covers)."""
    return {
        "position": entry.position,
        "round_id": entry.round_id,
        "application_id": entry.application_id,
        "reference": entry.reference,
        "outcome": str(entry.outcome),
        "organisation_name": entry.organisation_name,
        "organisation_description": entry.organisation_description,
        "organisation_type": entry.organisation_type,
        "small_organisation": entry.small_organisation,
        "boroughs": entry.boroughs,
        "charity_number": entry.charity_number,
        "company_number": entry.company_number,
        "project_title": entry.project_title,
        "amount_requested_pence": entry.amount_requested_pence,
        "amount_awarded_pence": entry.amount_awarded_pence,
        # repr() is the shortest text that reads back as the same float, so any stored change shows.
        "panel_score": None if entry.panel_score is None else repr(float(entry.panel_score)),
        "reason_category": entry.reason_category,
        "reason": entry.reason,
        "decided_at": _instant(entry.decided_at),
        "decided_by_role": entry.decided_by_role,
        "panellists_recused": entry.panellists_recused,
        "published_at": _instant(entry.published_at),
        "corrects_position": entry.corrects.position if entry.corrects is not None else None,
        "correction_reason": entry.correction_reason,
    }


# Salted commitments to each field (docs/decision-log.md, "Lawful redaction").
SALT_BYTES = 16
REDACTED = "[redacted]"  # what a redacted field holds in place of its value
# The free-text and identifying fields a commissioner may redact. Position, round, application, reference,
# outcome, amounts, score, dates, type, boroughs and counts are the decision itself and are never redacted.
REDACTABLE_FIELDS = ("organisation_name", "project_title", "charity_number", "company_number",
                     "organisation_description", "reason", "correction_reason")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON as UTF-8 bytes: keys sorted, separators "," and ":", text not escaped."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def new_salts(fields: Iterable[str]) -> dict[str, str]:
    """A fresh random 16-byte salt, in hex, for each field."""
    return {field: secrets.token_hex(SALT_BYTES) for field in fields}


def field_commitment(salt: str, value: Any) -> str:
    """SHA-256 of the salt's bytes followed by the value as canonical JSON, in hex: the field's commitment."""
    return hashlib.sha256(bytes.fromhex(salt) + canonical_json(value)).hexdigest()


def commitments(entry: DecisionLogEntry) -> dict[str, str | None]:
    """Each hashed field's commitment: from its salt and value, or as kept when the field was redacted.

    A field with neither a usable salt nor a kept commitment gets None, so the content hash cannot match.
    """
    salts = entry.field_salts or {}
    redacted = entry.redactions or {}
    result: dict[str, str | None] = {}
    for field, value in entry_content(entry).items():
        if field in redacted:
            result[field] = (redacted[field] or {}).get("commitment")
            continue
        try:
            result[field] = field_commitment(salts[field], value)
        except (KeyError, TypeError, ValueError):
            result[field] = None
    return result


def content_hash(entry: DecisionLogEntry) -> str:
    """SHA-256 of the entry's field commitments as canonical JSON ({field: commitment}, sorted keys, UTF-8)."""
    return hashlib.sha256(canonical_json(commitments(entry))).hexdigest()


def chain_hash(previous_hash: str, this_content_hash: str) -> str:
    """SHA-256 linking an entry's content to the entry before it."""
    return hashlib.sha256(f"{previous_hash}{this_content_hash}".encode("ascii")).hexdigest()


def _instant(moment: datetime) -> str:
    """A UTC timestamp to the second, written the same way whichever database it came from."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Appending ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """What a new entry corrects, and why."""

    entry: DecisionLogEntry
    reason: str


def append(session: Session, decisions: Sequence[Decision], *, now: datetime | None = None,
           correction: Correction | None = None) -> list[DecisionLogEntry]:
    """Publish these decisions as new entries at the end of the chain, in the order given.

    Each decision's ``published_at`` is set. On PostgreSQL a transaction-level advisory lock makes
    concurrent publishers take turns, so positions and hashes stay in one unbroken line; SQLite allows
    one writer at a time anyway, and the unique position catches anything else.
    """
    now = (now or utcnow()).replace(microsecond=0)
    take_turn(session)
    last = session.scalar(select(DecisionLogEntry).order_by(DecisionLogEntry.position.desc()).limit(1))
    position = last.position if last else 0
    previous = last.entry_hash if last else GENESIS_HASH
    entries = []
    carried = redactions_to_carry(session, [decision.application_id for decision in decisions])
    for decision in decisions:
        position += 1
        entry = _entry_for(session, decision, position=position, now=now, correction=correction)
        entry.field_salts, entry.redactions = new_salts(entry_content(entry)), {}
        entry.content_hash = content_hash(entry)
        for field, kept in carried.get(decision.application_id, {}).items():
            if getattr(entry, field) is not None:
                redact(entry, field=field, reason_category=kept["reason_category"], reason=kept.get("reason") or "",
                       at=now)
        entry.previous_hash = previous
        entry.entry_hash = chain_hash(previous, entry.content_hash)
        previous = entry.entry_hash
        session.add(entry)
        decision.published_at = now
        entries.append(entry)
    session.flush()
    mark_current(session, entries)
    checkpoints.record_checkpoint(session, now=now)  # the new tree, signed (docs/decision-log.md)
    return entries


# Fields copied into each entry from the group's own records, not written for the decision: once one is redacted
# in an application's entry, every later entry for that application publishes it redacted too. A reason or a
# correction's reason is new text each time (checked by portal/identifying.py), so it is not carried.
CARRIED_REDACTIONS = ("organisation_name", "project_title", "charity_number", "company_number",
                      "organisation_description")


def redactions_to_carry(session: Session, application_ids: Sequence[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """Application id -> {field: its earliest redaction} for the carried fields redacted in its earlier entries."""
    carried: dict[int, dict[str, dict[str, Any]]] = {}
    rows = session.execute(select(DecisionLogEntry.application_id, DecisionLogEntry.redactions)
                           .where(DecisionLogEntry.application_id.in_(set(application_ids)))
                           .order_by(DecisionLogEntry.position))
    for application_id, redactions in rows:
        for field, kept in (redactions or {}).items():
            if field in CARRIED_REDACTIONS:
                carried.setdefault(application_id, {}).setdefault(field, kept)
    return carried


def redact(entry: DecisionLogEntry, *, field: str, reason_category: str, reason: str, at: datetime) -> None:
    """Redact the field: keep its commitment (worked out before the value goes), drop its salt, mark the value.

    The content hash is untouched, so ``verify_chain`` still passes (docs/decision-log.md).
    """
    if field not in REDACTABLE_FIELDS:
        raise ValueError(f"{field} cannot be redacted")
    commitment = commitments(entry)[field]
    salts = dict(entry.field_salts or {})
    salts.pop(field, None)
    entry.redactions = {**(entry.redactions or {}), field: {
        "commitment": commitment, "redacted_at": at.astimezone(UTC).isoformat(timespec="seconds"),
        "reason_category": reason_category, "reason": reason}}
    entry.field_salts = salts
    setattr(entry, field, REDACTED)


def mark_current(session: Session, entries: Sequence[DecisionLogEntry]) -> None:
    """Point each application's row in ``decision_log_current`` at its newest of these (flushed) entries.

    The table is an index of the log, not part of it: the entries themselves are never changed.
    """
    newest = {entry.application_id: entry for entry in sorted(entries, key=lambda entry: entry.position)}
    if not newest:
        return
    rows = {row.application_id: row for row in session.scalars(
        select(CurrentDecisionEntry).where(CurrentDecisionEntry.application_id.in_(newest)))}
    for application_id, entry in newest.items():
        row = rows.get(application_id)
        if row is None:
            session.add(CurrentDecisionEntry(application_id=application_id, entry_id=entry.id,
                                             decided_at=entry.decided_at, reference=entry.reference))
        elif row.entry_id != entry.id:
            row.entry_id, row.decided_at, row.reference = entry.id, entry.decided_at, entry.reference
    session.flush()


def take_turn(session: Session) -> None:
    """Wait for any other publisher to finish (PostgreSQL); a no-op on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(360360)"))


def _entry_for(session: Session, decision: Decision, *, position: int, now: datetime,
               correction: Correction | None) -> DecisionLogEntry:
    """A new entry describing the decision as it stands, named only if it is an award.

    The organisation is described as it was when the application was sent (its submitted snapshot), so
    renaming it or changing its income, type or boroughs later cannot change what is published.
    """
    application = decision.application
    sent = organisation_as_sent(application)
    named = decision.outcome == Outcome.AWARD
    return DecisionLogEntry(
        position=position, round_id=application.round_id, application_id=application.id, decision_id=decision.id,
        reference=application.reference, outcome=Outcome(decision.outcome),
        organisation_name=sent.name if named else None,
        organisation_description=describe_group(sent.organisation_type, sent.boroughs),
        organisation_type=str(sent.organisation_type),
        small_organisation=sent.income_band in SMALL_INCOME_BANDS,
        boroughs="," + ",".join(sent.boroughs) + "," if sent.boroughs else ",",
        charity_number=sent.charity_number if named else None,
        company_number=sent.company_number if named else None,
        project_title=application.project_title if named else None,
        amount_requested_pence=application.amount_requested_pence or 0,
        amount_awarded_pence=decision.amount_awarded_pence if named else None,
        panel_score=None if decision.panel_score is None else round(decision.panel_score, 1),
        reason_category=decision.reason_category, reason=decision.published_reason,
        decided_at=decision.decided_at.replace(microsecond=0), decided_by_role=str(decision.decided_by_role),
        panellists_recused=recused_count(session, application), published_at=now,
        corrects=correction.entry if correction else None,
        correction_reason=correction.reason if correction else None,
    )


@dataclass(frozen=True)
class SentOrganisation:
    """The organisation as the application described it when it was sent."""

    name: str
    organisation_type: OrganisationType
    income_band: IncomeBand | None
    boroughs: list[str]  # GSS codes
    charity_number: str | None
    company_number: str | None


_TYPES_BY_LABEL = {label: kind for kind, label in ORGANISATION_TYPE_LABELS.items()}
_BANDS_BY_LABEL = {label: band for band, label in INCOME_BAND_LABELS.items()}
_CODES_BY_NAME = {name: code for code, name in BOROUGHS.items()}


def organisation_as_sent(application: Application) -> SentOrganisation:
    """The organisation's name, type, income band, boroughs and numbers from the submitted snapshot.

    The snapshot holds the type and income band as labels and the boroughs as names; they are read back as
    values and GSS codes. Anything the snapshot lacks (or cannot be read back) comes from the organisation
    as it is now.
    """
    live = application.organisation
    sent = (application.submitted_snapshot or {}).get("organisation") or {}
    kind = _TYPES_BY_LABEL.get(sent.get("type") or "", live.organisation_type)
    band = _BANDS_BY_LABEL.get(sent.get("income_band") or "", live.income_band)
    boroughs = list(live.boroughs or [])
    if isinstance(sent.get("boroughs"), list):
        codes = [_CODES_BY_NAME.get(name) for name in sent["boroughs"]]
        if all(codes):
            boroughs = [code for code in codes if code]
    return SentOrganisation(
        name=sent.get("name") or live.name, organisation_type=OrganisationType(kind),
        income_band=band, boroughs=boroughs,
        charity_number=sent["charity_number"] if "charity_number" in sent else live.charity_number,
        company_number=sent["company_number"] if "company_number" in sent else live.company_number,
    )


def describe_group(organisation_type: OrganisationType | str, boroughs: Iterable[str]) -> str:
    """A description that does not name the group: "A community group in Hackney and Lambeth"."""
    words = GROUP_WORDS.get(OrganisationType(organisation_type), "A group")
    names = [borough_name(code) for code in boroughs]
    if not names:
        return f"{words} in London"
    place = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{words} in {place}"


def recused_count(session: Session, application: Application) -> int:
    """How many panellists declared a conflict of interest with this application."""
    declared = session.scalar(
        select(func.count(ConflictDeclaration.id)).where(
            ConflictDeclaration.application_id == application.id, ConflictDeclaration.has_conflict.is_(True))
    ) or 0
    recused = session.scalar(
        select(func.count(PanelAssignment.id)).where(
            PanelAssignment.application_id == application.id, PanelAssignment.recused_at.is_not(None))
    ) or 0
    return max(declared, recused)


# Verifying ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the whole log: how many entries, the head hash, and the first break if any."""

    entries: int
    head_hash: str
    broken_at: int | None = None  # the position of the first entry that does not match
    problem: str | None = None

    @property
    def intact(self) -> bool:
        """True when every entry matches its hashes and follows the one before it."""
        return self.broken_at is None


def verify_chain(session: Session) -> ChainReport:
    """Recompute every entry's hashes in order and report the first entry that does not match."""
    previous = GENESIS_HASH
    count = 0
    expected_position = 1
    for entry in session.scalars(select(DecisionLogEntry).order_by(DecisionLogEntry.position)):
        count += 1
        problem = _problem(entry, previous=previous, expected_position=expected_position)
        if problem:
            return ChainReport(entries=count, head_hash=previous, broken_at=entry.position, problem=problem)
        previous = entry.entry_hash
        expected_position += 1
    return ChainReport(entries=count, head_hash=previous)


def _problem(entry: DecisionLogEntry, *, previous: str, expected_position: int) -> str | None:
    """What is wrong with this entry, in words, or None when it checks out."""
    if entry.position != expected_position:
        return f"Entry {expected_position} is missing: the next entry found is number {entry.position}."
    if entry.previous_hash != previous:
        return f"Entry {entry.position} does not follow on from entry {entry.position - 1}: an entry was changed or removed."
    # A redacted field's value is covered by nothing but this: it must hold the marker, never text.
    if content_hash(entry) != entry.content_hash or any(
            getattr(entry, field, None) != REDACTED for field in (entry.redactions or {})):
        return f"Entry {entry.position} ({entry.reference}) has been changed since it was published."
    if chain_hash(entry.previous_hash, entry.content_hash) != entry.entry_hash:
        return f"Entry {entry.position} ({entry.reference}) has a link hash that does not match its content."
    return None


# Reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    """What the public narrowed the log to; empty values filter nothing."""

    round_id: int | None = None
    outcome: Outcome | None = None
    borough: str | None = None  # a GSS code
    organisation_type: str | None = None
    search: str | None = None  # part of an awarded organisation's name (declined groups are never named)


def _conditions(filters: LogFilters) -> list:
    """What a log entry must meet to pass the filters (none when unfiltered)."""
    conditions = []
    if filters.round_id:
        conditions.append(DecisionLogEntry.round_id == filters.round_id)
    if filters.outcome:
        conditions.append(DecisionLogEntry.outcome == filters.outcome)
    if filters.borough:
        conditions.append(DecisionLogEntry.boroughs.contains(f",{filters.borough},", autoescape=True))
    if filters.organisation_type:
        conditions.append(DecisionLogEntry.organisation_type == filters.organisation_type)
    if filters.search:
        words = filters.search.strip().lower()
        conditions.append(or_(
            func.lower(DecisionLogEntry.organisation_name).contains(words, autoescape=True),
            func.lower(DecisionLogEntry.reference) == words,
        ))
    return conditions


def _latest_in_chain():
    """True for an entry no later entry of the same application replaces: what the chain says stands now.

    Public pages join ``decision_log_current`` (which applications, in what order) to the entry this picks,
    not to the entry the row names, so a row pointed back at a superseded entry can never show it (a probe of
    ``ix_decision_log_entry_application_position`` per entry shown).
    """
    later = aliased(DecisionLogEntry)
    return ~exists().where(later.application_id == DecisionLogEntry.application_id,
                           later.position > DecisionLogEntry.position)


def _standing_entry():
    """The join from a ``decision_log_current`` row to its application's latest entry in the chain."""
    return and_(DecisionLogEntry.application_id == CurrentDecisionEntry.application_id, _latest_in_chain())


def _filtered_current(query: Select, filters: LogFilters) -> Select:
    """``query`` over ``decision_log_current`` narrowed by the filters, joining the entries only when filtered."""
    conditions = _conditions(filters)
    if not conditions:
        return query
    return query.join(DecisionLogEntry, _standing_entry()).where(*conditions)


# The public log's order: newest decision first, then reference (``ix_decision_log_current_order``).
_LOG_ORDER = (CurrentDecisionEntry.decided_at.desc(), CurrentDecisionEntry.reference)


def current_entries(filters: LogFilters = LogFilters()) -> Select:
    """Each application's latest entry (a correction or a later decision replaces the earlier one), filtered.

    Ordered newest decision first, then by reference. ``decision_log_current`` (kept by ``append``) gives the
    applications and their order from its small table and order index; each one's entry is its latest in the
    chain, whatever entry the row names (verification reports any row that differs).
    """
    return (select(DecisionLogEntry).select_from(CurrentDecisionEntry)
            .join(DecisionLogEntry, _standing_entry())
            .where(*_conditions(filters))
            .order_by(*_LOG_ORDER))


def current_page(session: Session, filters: LogFilters = LogFilters(), *, limit: int, offset: int,
                 options: Sequence = ()) -> list[DecisionLogEntry]:
    """One page of ``current_entries(filters)``, in the same order.

    The page's entry ids are found first (unfiltered, from the order index alone, so page 400 costs about
    what page 1 does), then only those entries are read, with ``options`` (eager loads).
    """
    ids = list(session.scalars(_filtered_current(select(CurrentDecisionEntry.entry_id), filters)
                               .order_by(*_LOG_ORDER).limit(limit).offset(offset)))
    if not ids:
        return []
    # Each named entry's application's latest entry in the chain (the same one unless the table was tampered with).
    named = aliased(DecisionLogEntry)
    found = {named_id: entry for entry, named_id in session.execute(
        select(DecisionLogEntry, named.id).join(named, named.application_id == DecisionLogEntry.application_id)
        .where(named.id.in_(ids), _latest_in_chain()).options(*options))}
    return [found[entry_id] for entry_id in ids if entry_id in found]


def count_current(session: Session, filters: LogFilters = LogFilters()) -> int:
    """How many entries ``current_entries(filters)`` finds; unfiltered, one per application in ``decision_log_current``."""
    return session.scalar(_filtered_current(select(func.count(CurrentDecisionEntry.entry_id)), filters)) or 0


def history(session: Session, application_id: int) -> list[DecisionLogEntry]:
    """Every entry ever published for an application, oldest first (to show corrections)."""
    return list(session.scalars(
        select(DecisionLogEntry).where(DecisionLogEntry.application_id == application_id)
        .order_by(DecisionLogEntry.position)
    ))


def head_hash(session: Session) -> str:
    """The newest entry's hash (the genesis hash for an empty log): it changes whenever anything is published.

    Read by the position index, so pages and files kept between requests can check they are still current.
    """
    head = session.scalar(select(DecisionLogEntry.entry_hash).order_by(DecisionLogEntry.position.desc()).limit(1))
    return head or GENESIS_HASH


def last_published_at(session: Session) -> datetime | None:
    """When the log last changed (the newest entry's publication time): for Last-Modified headers.

    Entries are appended in time order, so this reads one row by the position index instead of the whole log.
    """
    return session.scalar(
        select(DecisionLogEntry.published_at).order_by(DecisionLogEntry.position.desc()).limit(1))
