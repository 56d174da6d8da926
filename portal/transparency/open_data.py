"""Open data: the decision log as CSV, JSON and Atom, and awarded grants as a 360Giving data package.

Everything here reads published decision log entries only (``log.current_entries``), never applications
or organisations, so a declined or reserve group cannot be named: its entry holds no name, charity or
company number or project title to leak.

Every timestamp in a file comes from the log, not the clock, so the same log gives the same bytes and the
same ETag until something new is published; clients that ask again get a cheap 304.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.boroughs import borough_name
from portal.commissioning.submission_services import london_timestamp, safe_cell
from portal.domain import NotFound
from portal.formatting import london, money
from portal.models import Application, DecisionLogEntry, OrganisationType, Outcome
from portal.transparency import checkpoints, log
from portal.transparency.caching import etag_for
from portal.transparency.filters import ParsedFilters, parse_filters
from portal.transparency.redaction import is_redacted, public_redactions, shown
from portal.transparency.services import last_changed

LICENCE_NAME = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ATOM_NS = "http://www.w3.org/2005/Atom"
# The Atom feed's extension element for the decision log's signed checkpoint (portal/transparency/checkpoints.py).
CHECKPOINT_NS = "urn:x-safer-futures:decision-log-checkpoint:1"
FEED_LIMIT = 100  # the Atom feed carries the latest entries only; the CSV and JSON carry them all
THREESIXTYGIVING_VERSION = "1.4"
# An Atom feed must say when it was updated; a log with nothing in it has never been.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

OUTCOME_LABELS = {Outcome.AWARD: "Awarded", Outcome.DECLINE: "Declined", Outcome.RESERVE: "Reserve"}

CSV_HEADER = [
    "Entry", "Reference", "Round", "Round slug", "Outcome", "Organisation", "Project title", "Organisation type",
    "Boroughs", "Borough GSS codes", "Small organisation", "Charity number", "Company number",
    "Amount requested (pounds)", "Amount awarded (pounds)", "Panel score (out of 100)", "Reason category",
    "Reason", "Decided at", "Decided (London time)", "Published at", "Published (London time)",
    "Panellists recused", "Corrects entry", "Correction reason", "Content hash", "Previous hash", "Entry hash",
]


@dataclass(frozen=True)
class Publisher:
    """Who publishes the data and where the portal lives (from the app's settings)."""

    funder_name: str
    funder_org_id: str
    grant_id_prefix: str
    public_url: str
    portal_name: str

    def url(self, path: str) -> str:
        """An absolute address on the public site."""
        return self.public_url.rstrip("/") + path

    def entry_url(self, position: int) -> str:
        """The public page of one log entry (also the entry's stable identifier)."""
        return self.url(f"/decisions/entries/{position}")


@dataclass(frozen=True)
class OpenDataFile:
    """A file's text and when the data in it last changed (for Last-Modified)."""

    body: str
    last_modified: datetime | None

    @cached_property
    def data(self) -> bytes:
        """The text as sent: UTF-8 (worked out once, so a kept file is not encoded again)."""
        return self.body.encode("utf-8")

    @cached_property
    def etag(self) -> str:
        """The file's ETag (worked out once, so a kept file is not hashed on every request)."""
        return etag_for(self.data)


@dataclass(frozen=True)
class Selection:
    """The current entries that pass the filters, the filters as understood, and when the log last changed.

    ``last_modified`` (the log's latest publication) is written into the files; ``changed_at`` also counts
    later changes to the rounds they name, for the Last-Modified header.
    """

    entries: list[DecisionLogEntry]
    parsed: ParsedFilters
    last_modified: datetime | None
    changed_at: datetime | None = None


# Services ----------------------------------------------------------------------------------------


def select_decisions(session: Session, *, args: Mapping[str, str], limit: int | None = None,
                     newest_published_first: bool = False) -> Selection:
    """The current entries filtered as /decisions filters them (values not understood filter nothing)."""
    parsed = parse_filters(session, args)
    query = log.current_entries(parsed.filters).options(
        selectinload(DecisionLogEntry.round), selectinload(DecisionLogEntry.corrects))
    if newest_published_first:
        query = query.order_by(None).order_by(DecisionLogEntry.position.desc())
    if limit is not None:
        query = query.limit(limit)
    return Selection(entries=list(session.scalars(query)), parsed=parsed,
                     last_modified=log.last_published_at(session), changed_at=last_changed(session))


def decisions_csv(session: Session, *, args: Mapping[str, str]) -> OpenDataFile:
    """The current decisions as CSV, one row each."""
    selection = select_decisions(session, args=args)
    return OpenDataFile(body=csv_text(selection.entries), last_modified=selection.changed_at)


def decisions_json(session: Session, *, args: Mapping[str, str], publisher: Publisher) -> OpenDataFile:
    """The current decisions as JSON, with the licence, the chain's head and the filters applied."""
    selection = select_decisions(session, args=args)
    document = json_document(selection.entries, parsed=selection.parsed, chain=chain_summary(session),
                             generated_at=selection.last_modified, publisher=publisher)
    document["log"] = log_summary(session, filtered=bool(selection.parsed.filters != log.LogFilters()),
                                  publisher=publisher)
    return OpenDataFile(body=dumps(document), last_modified=selection.changed_at)


def log_summary(session: Session, *, filtered: bool, publisher: Publisher) -> dict[str, Any]:
    """The whole log's Merkle tree leaves (every entry's hash, in position order) and its newest checkpoint.

    With these anyone can recompute the signed root (scripts/verify-decision-log) and check the current
    decisions above are the entries it covers. Leaves are left out of a filtered file (they are the whole log's).
    """
    return {
        "tree": checkpoints.TREE_DESCRIPTION,
        "checkpoint": checkpoints.published_checkpoint(session),
        "checkpoint_url": publisher.url("/decisions/checkpoint"),
        "entry_hashes": None if filtered else checkpoints.leaf_hashes(session),
    }


def decisions_atom(session: Session, *, args: Mapping[str, str], publisher: Publisher) -> OpenDataFile:
    """The latest current decisions as an Atom feed, newest published first."""
    selection = select_decisions(session, args=args, limit=FEED_LIMIT, newest_published_first=True)
    body = atom_feed(selection.entries, parsed=selection.parsed, publisher=publisher,
                     log_updated=selection.last_modified, checkpoint=checkpoints.published_checkpoint(session))
    return OpenDataFile(body=body, last_modified=selection.changed_at)


# The 360Giving file covers every award ever published, so it is built once per state of the log (its head hash,
# and when the rounds it names last changed) and kept in each worker process; a few states are plenty.
_PACKAGE_CACHE: dict[tuple, OpenDataFile] = {}
_PACKAGE_CACHE_SIZE = 4


def threesixtygiving(session: Session, *, publisher: Publisher) -> OpenDataFile:
    """Awarded grants as a 360Giving data package; NotFound until the first award is published.

    The 360Giving package schema needs at least one grant, so there is no valid empty file to give.
    """
    key = (log.head_hash(session), last_changed(session), publisher)
    if key not in _PACKAGE_CACHE:
        package = _build_threesixtygiving(session, publisher=publisher)
        while len(_PACKAGE_CACHE) >= _PACKAGE_CACHE_SIZE:
            _PACKAGE_CACHE.pop(next(iter(_PACKAGE_CACHE)))
        _PACKAGE_CACHE[key] = package
    return _PACKAGE_CACHE[key]


def _build_threesixtygiving(session: Session, *, publisher: Publisher) -> OpenDataFile:
    """The 360Giving package as it stands now (see ``threesixtygiving``)."""
    selection = select_decisions(session, args={"outcome": Outcome.AWARD.value})
    if not selection.entries:
        raise NotFound("No grants have been published yet")
    document = grants_package(selection.entries, publisher=publisher, modified=selection.last_modified,
                              organisation_ids=organisation_ids(session, selection.entries))
    return OpenDataFile(body=dumps(document), last_modified=selection.changed_at)


def organisation_ids(session: Session, entries: Sequence[DecisionLogEntry]) -> dict[int, int]:
    """Application id -> the id of the organisation that sent it, for the entries given (one query)."""
    ids = {entry.application_id for entry in entries}
    if not ids:
        return {}
    rows = session.execute(select(Application.id, Application.organisation_id).where(Application.id.in_(ids)))
    return {application_id: organisation_id for application_id, organisation_id in rows}


def chain_summary(session: Session) -> dict[str, Any]:
    """How many entries the whole log holds and the last one's hash, so a copy can be checked later."""
    count = session.scalar(select(func.count(DecisionLogEntry.id))) or 0
    return {"entries": count, "head_hash": log.head_hash(session)}


# Pieces shared by every format -------------------------------------------------------------------


def dumps(document: Mapping[str, Any]) -> str:
    """JSON as the files send it: UTF-8 text, keys in a fixed order, indented for people reading it."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def instant(moment: datetime | None) -> str | None:
    """An ISO 8601 timestamp in UTC with its offset: 2026-07-01T09:00:00+00:00."""
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def pounds_text(pence: int | None) -> str:
    """8000.00: pounds with two decimals, for a spreadsheet to add up (empty for no amount)."""
    if pence is None:
        return ""
    whole, rest = divmod(pence, 100)
    return f"{whole}.{rest:02d}"


def pounds_number(pence: int | None) -> int | float | None:
    """8000 or 8000.5: pounds as a JSON number."""
    if pence is None:
        return None
    return pence // 100 if pence % 100 == 0 else pence / 100


def borough_codes(entry: DecisionLogEntry) -> list[str]:
    """The GSS codes of the boroughs an entry's group works in (stored as ",E09000012,E09000022,")."""
    return [code for code in entry.boroughs.split(",") if code]


def organisation_label(entry: DecisionLogEntry) -> str:
    """The organisation's name for an award, otherwise the description that does not name the group."""
    if entry.outcome == Outcome.AWARD and entry.organisation_name:
        return shown(entry, "organisation_name")
    return shown(entry, "organisation_description")


def if_award(entry: DecisionLogEntry, value: str | None) -> str | None:
    """A value that identifies the group (number, project title), shown for awards only.

    The log already stores none for other outcomes; this keeps the files safe even if one ever did.
    """
    return value if entry.outcome == Outcome.AWARD else None


def organisation_type_label(value: str) -> str:
    """The organisation type as a person reads it."""
    try:
        return OrganisationType(value).label
    except ValueError:
        return value


def canonical_query(parsed: ParsedFilters) -> str:
    """The filters that were understood, as a query string in a fixed order ("" when none)."""
    filters = parsed.filters
    pairs = [
        ("round", parsed.round_.slug if parsed.round_ else None),
        ("outcome", filters.outcome.value if filters.outcome else None),
        ("borough", filters.borough),
        ("organisation_type", filters.organisation_type),
        ("search", filters.search),
    ]
    query = urlencode([(name, value) for name, value in pairs if value])
    return f"?{query}" if query else ""


# CSV ---------------------------------------------------------------------------------------------


def csv_text(entries: Sequence[DecisionLogEntry]) -> str:
    """A header row and one row per entry; every text cell guarded so a spreadsheet never runs it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for entry in entries:
        writer.writerow(csv_row(entry))
    return buffer.getvalue()


def csv_row(entry: DecisionLogEntry) -> list[str | int]:
    """One entry as a CSV row: numbers as plain numbers, text passed through safe_cell."""
    codes = borough_codes(entry)
    text = [
        entry.reference, entry.round.title, entry.round.slug, OUTCOME_LABELS[Outcome(entry.outcome)],
        organisation_label(entry), if_award(entry, shown(entry, "project_title")),
        organisation_type_label(entry.organisation_type), "; ".join(borough_name(code) for code in codes),
        "; ".join(codes), "Yes" if entry.small_organisation else "No",
        if_award(entry, shown(entry, "charity_number")), if_award(entry, shown(entry, "company_number")),
    ]
    after = [entry.reason_category, shown(entry, "reason"), instant(entry.decided_at), london_timestamp(entry.decided_at),
             instant(entry.published_at), london_timestamp(entry.published_at)]
    return [
        entry.position, *(safe_cell(value) for value in text),
        pounds_text(entry.amount_requested_pence), pounds_text(entry.amount_awarded_pence),
        "" if entry.panel_score is None else f"{entry.panel_score:.1f}",
        *(safe_cell(value) for value in after),
        entry.panellists_recused, entry.corrects.position if entry.corrects else "",
        safe_cell(shown(entry, "correction_reason")), entry.content_hash, entry.previous_hash, entry.entry_hash,
    ]


# JSON --------------------------------------------------------------------------------------------


def json_document(entries: Sequence[DecisionLogEntry], *, parsed: ParsedFilters, chain: Mapping[str, Any],
                  generated_at: datetime | None, publisher: Publisher) -> dict[str, Any]:
    """The whole JSON file: licence, chain head, filters (with any values not understood) and decisions.

    ``generated_at`` is when the log last changed, so the file (and its ETag) stay the same until then.
    """
    filters = parsed.filters
    return {
        "generated_at": instant(generated_at),
        "publisher": {"name": publisher.funder_name, "identifier": publisher.funder_org_id,
                      "website": publisher.url("/")},
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "chain": {**chain, "verify_url": publisher.url("/decisions/verify")},
        "filters": {
            "round": parsed.round_.slug if parsed.round_ else None,
            "outcome": filters.outcome.value if filters.outcome else None,
            "borough": filters.borough,
            "organisation_type": filters.organisation_type,
            "search": filters.search,
        },
        "problems": dict(parsed.problems),
        "decisions": [decision_record(entry, publisher=publisher) for entry in entries],
    }


def decision_record(entry: DecisionLogEntry, *, publisher: Publisher) -> dict[str, Any]:
    """One current entry as JSON: amounts in pence and in pounds, times in ISO 8601 with the offset.

    ``hashed_content`` is exactly what the entry's content hash covers, so anyone can recompute it:
    SHA-256 of that object as canonical JSON (keys sorted, separators "," and ":", UTF-8 not escaped), and
    entry_hash = SHA-256 of previous_hash followed by content_hash (see /decisions/verify).
    """
    return {
        "position": entry.position,
        "url": publisher.entry_url(entry.position),
        "reference": entry.reference,
        "round_id": entry.round_id,
        "application_id": entry.application_id,
        "round": {"title": entry.round.title, "slug": entry.round.slug},
        "outcome": Outcome(entry.outcome).value,
        "organisation": organisation_label(entry),
        "organisation_named": entry.outcome == Outcome.AWARD,
        "organisation_name": if_award(entry, shown(entry, "organisation_name")),
        "organisation_description": shown(entry, "organisation_description"),
        "project_title": if_award(entry, shown(entry, "project_title")),
        "organisation_type": entry.organisation_type,
        "organisation_type_label": organisation_type_label(entry.organisation_type),
        "charity_number": if_award(entry, shown(entry, "charity_number")),
        "company_number": if_award(entry, shown(entry, "company_number")),
        "boroughs": [{"name": borough_name(code), "gss_code": code} for code in borough_codes(entry)],
        "small_organisation": entry.small_organisation,
        "amount_requested_pence": entry.amount_requested_pence,
        "amount_requested_pounds": pounds_number(entry.amount_requested_pence),
        "amount_awarded_pence": entry.amount_awarded_pence,
        "amount_awarded_pounds": pounds_number(entry.amount_awarded_pence),
        "panel_score": None if entry.panel_score is None else round(entry.panel_score, 1),
        "reason_category": entry.reason_category,
        "reason": shown(entry, "reason"),
        "decided_at": instant(entry.decided_at),
        "decided_by_role": entry.decided_by_role,
        "published_at": instant(entry.published_at),
        "panellists_recused": entry.panellists_recused,
        "corrects_position": entry.corrects.position if entry.corrects else None,
        "correction_reason": shown(entry, "correction_reason"),
        "redactions": public_redactions(entry),
        "hashed_content": hashed_content(entry),
        "field_openings": field_openings(entry),
        "content_hash": entry.content_hash,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }


# Fields that name the group: published for awards only.
NAMING_FIELDS = ("organisation_name", "charity_number", "company_number", "project_title")


def hashed_content(entry: DecisionLogEntry) -> dict[str, Any]:
    """Exactly what the entry's content hash covers: each field's salted commitment (``log.commitments``).

    Commitments reveal nothing about the values (each has a random 16-byte salt), so they are published for
    every field, redacted or not; ``field_openings`` lets anyone check each one against its value.
    """
    return log.commitments(entry)


def field_openings(entry: DecisionLogEntry) -> dict[str, dict[str, Any]]:
    """Each field's salt and value as hashed, so anyone can recompute its commitment.

    Left out: redacted fields (their salt is gone; the commitment stands alone) and, for an entry that is not
    an award, any name, number or project title it should never have held (the check at /decisions/verify
    still covers it).
    """
    salts = entry.field_salts or {}
    withheld = set(entry.redactions or {})
    if entry.outcome != Outcome.AWARD:
        withheld |= {field for field in NAMING_FIELDS if getattr(entry, field) is not None}
    return {field: {"salt": salts[field], "value": value} for field, value in log.entry_content(entry).items()
            if field in salts and field not in withheld}


# Atom --------------------------------------------------------------------------------------------


def atom_title(entry: DecisionLogEntry) -> str:
    """ "Awarded £8,000 to Hackney Youth Voices", "Declined: a community group in Hackney"."""
    if entry.outcome == Outcome.AWARD:
        return f"Awarded {money(entry.amount_awarded_pence or 0)} to {organisation_label(entry)}"
    description = shown(entry, "organisation_description")
    described = description[:1].lower() + description[1:]
    if entry.outcome == Outcome.RESERVE:
        return f"On the reserve list: {described}"
    return f"Declined: {described}"


def atom_summary(entry: DecisionLogEntry) -> str:
    """What was asked, given and scored, and why, in plain sentences."""
    sentences = [f"{entry.reference}, {entry.round.title}."]
    sentences.append(f"Asked for {money(entry.amount_requested_pence)}.")
    if entry.outcome == Outcome.AWARD:
        sentences.append(f"Awarded {money(entry.amount_awarded_pence or 0)}.")
    if entry.panel_score is not None:
        sentences.append(f"Panel score {entry.panel_score:.1f} out of 100.")
    reason = shown(entry, "reason").strip()
    if entry.reason_category:
        sentences.append(f"Reason: {entry.reason_category}." + (f" {reason}" if reason else ""))
    elif reason:
        sentences.append(f"Reason: {reason}")
    if entry.corrects is not None:
        sentences.append(f"This corrects entry {entry.corrects.position}: {shown(entry, 'correction_reason') or ''}"
                         .strip())
    return " ".join(sentences)


def atom_feed(entries: Sequence[DecisionLogEntry], *, parsed: ParsedFilters, publisher: Publisher,
              log_updated: datetime | None, checkpoint: Mapping[str, Any] | None = None) -> str:
    """An Atom 1.0 feed, one <entry> per log entry, built with ElementTree so every value is escaped.

    The newest signed checkpoint goes in a foreign element (``CHECKPOINT_NS``) and a link to its JSON, so
    feed readers keep a copy of every checkpoint as it is published.
    """
    query = canonical_query(parsed)
    self_url = publisher.url("/decisions.atom" + query)
    newest = max((entry.published_at for entry in entries), default=None)
    # Plain tag names under an xmlns attribute: every element is in the Atom namespace, and ElementTree's
    # global prefix table (which other modules may change) plays no part.
    feed = ET.Element("feed", xmlns=ATOM_NS)
    title = f"{publisher.portal_name}: decisions"
    if parsed.round_ is not None:
        title += f" in {parsed.round_.title}"
    _text(feed, "title", title)
    _text(feed, "subtitle", f"Grant decisions published by {publisher.funder_name}.")
    _text(feed, "id", self_url)
    _text(feed, "updated", _atom_time(newest or log_updated or NEVER))
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=publisher.url("/decisions" + query))
    author = ET.SubElement(feed, "author")
    _text(author, "name", publisher.funder_name)
    _text(feed, "rights", f"{LICENCE_NAME}: {LICENCE_URL}")
    if checkpoint is not None:
        ET.SubElement(feed, "link", rel="related", type="application/json", title="Signed checkpoint of the log",
                      href=publisher.url("/decisions/checkpoint"))
        element = ET.SubElement(feed, "checkpoint", xmlns=CHECKPOINT_NS)
        for name in ("origin", "tree_size", "root_hash", "signed_at", "signature", "public_key", "key_id"):
            _text(element, name.replace("_", "-"), str(checkpoint[name]))
    for entry in entries:
        feed.append(atom_entry(entry, publisher=publisher))
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def atom_entry(entry: DecisionLogEntry, *, publisher: Publisher) -> ET.Element:
    """One log entry as an Atom <entry>: its id is the entry's public address, which never changes."""
    element = ET.Element("entry")
    url = publisher.entry_url(entry.position)
    _text(element, "id", url)
    _text(element, "title", atom_title(entry))
    _text(element, "updated", _atom_time(entry.published_at))
    _text(element, "published", _atom_time(entry.published_at))
    ET.SubElement(element, "link", rel="alternate", type="text/html", href=url)
    ET.SubElement(element, "category", term=Outcome(entry.outcome).value,
                  label=OUTCOME_LABELS[Outcome(entry.outcome)])
    _text(element, "summary", atom_summary(entry))
    return element


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    """Add a child element holding text (ElementTree escapes it)."""
    child = ET.SubElement(parent, tag)
    child.text = value
    return child


def _atom_time(moment: datetime) -> str:
    """An RFC 3339 timestamp in UTC, as Atom wants: 2026-07-01T09:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# 360Giving ---------------------------------------------------------------------------------------


def organisation_identifier(*, organisation_id: int, charity_number: str | None, company_number: str | None,
                            grant_id_prefix: str) -> str:
    """An org-id.guide identifier: GB-CHC-<charity number>, GB-COH-<company number>, else one of our own.

    A registered charity (including a CIO, and a charitable company) is known by its charity number; a
    company or community interest company without one by its company number. An unregistered group has
    neither, so it gets an identifier under the funder's 360Giving prefix made from the portal's number for
    it, which stays the same when the group changes its name and is never shared by two groups.
    """
    if charity_number and charity_number.strip():
        return f"GB-CHC-{charity_number.strip()}"
    if company_number and company_number.strip():
        return f"GB-COH-{company_number.strip().upper()}"
    return f"{grant_id_prefix}-org-{organisation_id}"


def geo_code_type(code: str) -> str:
    """The 360Giving geoCodeType for a GSS code: LONB for a London borough (E09), LA for another council."""
    return "LONB" if code.startswith("E09") else "LA"


def recipient_organisation(entry: DecisionLogEntry, *, publisher: Publisher,
                           organisation_id: int | None = None) -> dict[str, Any]:
    """The organisation that received a grant, as 360Giving describes one."""
    name = organisation_label(entry) if entry.organisation_name else shown(entry, "organisation_description")
    if organisation_id is None:
        organisation_id = entry.application.organisation_id
    # A redacted number is not published, not even inside the identifier.
    charity_number = None if is_redacted(entry, "charity_number") else entry.charity_number
    company_number = None if is_redacted(entry, "company_number") else entry.company_number
    organisation: dict[str, Any] = {
        "id": organisation_identifier(organisation_id=organisation_id, charity_number=charity_number,
                                      company_number=company_number, grant_id_prefix=publisher.grant_id_prefix),
        "name": name,
    }
    if charity_number:
        organisation["charityNumber"] = charity_number.strip()
    if company_number:
        organisation["companyNumber"] = company_number.strip().upper()
    organisation["organisationType"] = organisation_type_label(entry.organisation_type)
    organisation["location"] = borough_locations(entry)
    return organisation


def borough_locations(entry: DecisionLogEntry) -> list[dict[str, str]]:
    """The boroughs the group said it works in, as 360Giving locations (GSS code and name).

    Never an address or postcode: an unregistered group's address is often someone's home. The portal asks
    groups which boroughs they work in, not where they are registered, so both the recipient's location and
    the beneficiary location are those boroughs (docs/decision-log.md).
    """
    return [{"name": borough_name(code), "geoCode": code, "geoCodeType": geo_code_type(code), "countryCode": "GB"}
            for code in borough_codes(entry)]


def planned_dates(entry: DecisionLogEntry) -> list[dict[str, Any]]:
    """When the grant runs: from the London date of the award for the round's length of grants (none if unset)."""
    months = entry.round.grant_months
    if not months:
        return []
    start = london(entry.decided_at).date()
    end = add_months(start, months) - timedelta(days=1)
    return [{"title": "Grant period", "startDate": start.isoformat(), "endDate": end.isoformat(),
             "duration": months}]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day: 31 January + 1 is 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def grant_record(entry: DecisionLogEntry, *, publisher: Publisher, organisation_id: int | None = None
                 ) -> dict[str, Any]:
    """One award as a 360Giving grant: amounts in pounds, award date as the London date it was decided.

    ``organisation_id`` is the portal's number for the recipient (looked up from the entry's application
    when not given).
    """
    round_ = entry.round
    return {
        "id": f"{publisher.grant_id_prefix}-{entry.reference}",
        "title": shown(entry, "project_title") or f"{round_.title}: {entry.reference}",
        "description": shown(entry, "reason").strip() or f"A grant from the {round_.title} round.",
        "currency": "GBP",
        "amountAppliedFor": pounds_number(entry.amount_requested_pence),
        "amountAwarded": pounds_number(entry.amount_awarded_pence or 0),
        "awardDate": london(entry.decided_at).date().isoformat(),
        "dateModified": instant(entry.published_at),
        "url": publisher.entry_url(entry.position),
        "fromOpenCall": "Yes",
        "recipientOrganization": [recipient_organisation(entry, publisher=publisher,
                                                         organisation_id=organisation_id)],
        "fundingOrganization": [{"id": publisher.funder_org_id, "name": publisher.funder_name}],
        "grantProgramme": [{"code": round_.slug, "title": round_.title,
                            "url": publisher.url(f"/rounds/{round_.slug}")}],
        "beneficiaryLocation": borough_locations(entry),
        **({"plannedDates": dates} if (dates := planned_dates(entry)) else {}),
        "dataSource": publisher.url("/open-data/360giving.json"),
    }


def grants_package(entries: Sequence[DecisionLogEntry], *, publisher: Publisher, modified: datetime | None,
                   organisation_ids: Mapping[int, int] | None = None) -> dict[str, Any]:
    """A 360Giving data package holding a grant for each award entry (other outcomes are left out).

    ``organisation_ids`` maps each entry's application id to its organisation's id (see ``organisation_ids``).
    """
    ids = organisation_ids or {}
    grants = [grant_record(entry, publisher=publisher, organisation_id=ids.get(entry.application_id))
              for entry in entries if entry.outcome == Outcome.AWARD]
    package: dict[str, Any] = {
        "version": THREESIXTYGIVING_VERSION,
        "title": f"Grants awarded by {publisher.funder_name} through {publisher.portal_name}",
        "description": ("Every grant awarded and published in the decision log, as it stands now "
                        "(a corrected award appears as corrected)."),
        "identifier": f"{publisher.grant_id_prefix}-grants",
        "publisher": {"name": publisher.funder_name, "identifier": publisher.funder_org_id,
                      "website": publisher.url("/")},
        "license": LICENCE_URL,
        "downloadURL": publisher.url("/open-data/360giving.json"),
        "accessURL": publisher.url("/decisions"),
    }
    if modified is not None:
        package["issued"] = instant(modified)
        package["modified"] = instant(modified)
    package["grants"] = grants
    return package
