"""The public decision log's pages: one page of entries, an entry's history, a round's results, the chain check.

Everything here reads published ``DecisionLogEntry`` rows only, never ``Decision`` rows, so drafts and
decisions not yet published stay private. Declined and reserve groups are never named: the entries hold
no name for them. Application counts per round are counts only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.boroughs import BOROUGHS, borough_name
from portal.domain import NotFound
from portal.formatting import date, london
from portal.models import (
    Application,
    ApplicationStatus,
    DecisionException,
    DecisionLogEntry,
    DecisionLogRedaction,
    OrganisationType,
    Outcome,
    Round,
)
from portal.transparency import log
from portal.transparency.filters import ParsedFilters, parse_filters, unusual
from portal.transparency.redaction import shown

PAGE_SIZE = 20
# Sent applications that screening has not found eligible (yet), or that left the round.
NOT_ELIGIBLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.INELIGIBLE,
                          ApplicationStatus.WITHDRAWN})
OUTCOME_LABELS = {Outcome.AWARD: "Awarded", Outcome.DECLINE: "Declined", Outcome.RESERVE: "Reserve list"}
OUTCOME_TAG_COLOURS = {Outcome.AWARD: "green", Outcome.DECLINE: "grey", Outcome.RESERVE: "yellow"}


def outcome_label(outcome: Outcome | str) -> str:
    """The outcome as a person reads it."""
    return OUTCOME_LABELS[Outcome(outcome)]


def outcome_colour(outcome: Outcome | str) -> str:
    """The GOV.UK tag colour for an outcome."""
    return OUTCOME_TAG_COLOURS[Outcome(outcome)]


def organisation_type_label(value: str) -> str:
    """An organisation type as a person reads it."""
    try:
        return OrganisationType(value).label
    except ValueError:
        return value


def entry_boroughs(entry: DecisionLogEntry) -> list[str]:
    """The GSS codes of the boroughs an entry's group works in."""
    return split_boroughs(entry.boroughs)


def split_boroughs(stored: str) -> list[str]:
    """",E09000012,E09000028," as a list of codes."""
    return [code for code in stored.split(",") if code]


def public_name(entry: DecisionLogEntry) -> str:
    """Who the entry is about: the name for an award, a description for anything else (never the name)."""
    if entry.outcome == Outcome.AWARD and entry.organisation_name:
        return shown(entry, "organisation_name")
    return shown(entry, "organisation_description")


# When a page last changed ------------------------------------------------------------------------


def last_changed(session: Session, *, round_ids: Iterable[int] | None = None) -> datetime | None:
    """When what a public page shows last changed: the log's latest publication, or a later change to a round
    it shows (its title, budget or promised date), for Last-Modified.

    Without ``round_ids``, every round with published entries counts (the log lists them all by name). A
    redaction changes what every page and file shows without changing the chain's head, so the latest one
    counts too: pages and files kept between requests are keyed by this, and are made again after it.
    """
    rounds = select(func.max(Round.updated_at))
    if round_ids is None:
        # Rounds with entries are exactly those whose decisions were published (late ones come after that).
        rounds = rounds.where(Round.decisions_published_at.is_not(None))
    else:
        rounds = rounds.where(Round.id.in_(list(round_ids)))
    moments = [log.last_published_at(session), session.scalar(rounds),
               session.scalar(select(func.max(DecisionLogRedaction.approved_at)))]
    return max((moment for moment in moments if moment is not None), default=None)


# Pages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageNumber:
    """The page to show and, when the one asked for could not be shown, why."""

    number: int
    problem: str | None = None


def parse_page(value: str | None) -> PageNumber:
    """Read ?page=: a whole number from 1; anything else shows page 1 with a message."""
    text = (value or "").strip()
    if not text:
        return PageNumber(1)
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        return PageNumber(1, "Page numbers are whole numbers from 1: showing the first page")
    return PageNumber(int(text))


def fit_page(requested: PageNumber, *, total: int, page_size: int = PAGE_SIZE) -> tuple[PageNumber, int]:
    """The page to show within the results, and how many pages there are; past the end shows the last page."""
    pages = max(1, math.ceil(total / page_size))
    if requested.number > pages:
        words = "is 1 page" if pages == 1 else f"are {pages} pages"
        return PageNumber(pages, f"There {words} of entries: showing page {pages}"), pages
    return requested, pages


# The log -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogPage:
    """One page of the current log, the filters that made it, and what could not be understood."""

    entries: list[DecisionLogEntry]
    total: int
    page: int
    pages: int
    parsed: ParsedFilters
    problems: dict[str, str]
    rounds: list[Round]
    query: dict[str, str]
    last_modified: datetime | None

    @property
    def filtered(self) -> bool:
        """True when any filter narrows the log."""
        return bool(self.query)


def log_state(session: Session) -> tuple[str, datetime | None]:
    """What the public log pages show depends on: the log's head hash and when the rounds shown last changed.

    Two reads by index; when both are unchanged, a page rendered earlier is still right.
    """
    return log.head_hash(session), last_changed(session)


def decision_log_page(session: Session, *, args: Mapping[str, str], page: str | None = None) -> LogPage:
    """One page (20 a page) of each application's latest published entry, filtered as the query string says."""
    parsed = parse_filters(session, args)
    total = log.count_current(session, parsed.filters)
    shown, pages = fit_page(parse_page(page), total=total)
    entries = log.current_page(session, parsed.filters, limit=PAGE_SIZE, offset=(shown.number - 1) * PAGE_SIZE,
                               options=(selectinload(DecisionLogEntry.round),
                                        selectinload(DecisionLogEntry.corrects)))
    problems = dict(parsed.problems)
    if shown.problem:
        problems["page"] = shown.problem
    return LogPage(entries=entries, total=total, page=shown.number, pages=pages, parsed=parsed, problems=problems,
                   rounds=rounds_with_entries(session), query=query_args(parsed),
                   last_modified=last_changed(session))


def query_args(parsed: ParsedFilters) -> dict[str, str]:
    """The understood filters as query-string arguments, for links to other pages and formats of the same view."""
    filters = parsed.filters
    values = {
        "round": parsed.round_.slug if parsed.round_ else None,
        "outcome": str(filters.outcome) if filters.outcome else None,
        "borough": filters.borough,
        "organisation_type": filters.organisation_type,
        "search": filters.search,
    }
    return {name: value for name, value in values.items() if value}


def rounds_with_entries(session: Session) -> list[Round]:
    """Rounds with at least one published entry, newest first: the choices for the round filter."""
    # One probe of the log's round index per round, rather than reading the round of every entry.
    published = select(DecisionLogEntry.id).where(DecisionLogEntry.round_id == Round.id).exists()
    return list(session.scalars(select(Round).where(published).order_by(Round.opens_at.desc())))


def borough_choices() -> list[tuple[str, str]]:
    """Every London borough as (GSS code, name), by name."""
    return sorted(BOROUGHS.items(), key=lambda item: item[1])


def organisation_type_choices() -> list[tuple[str, str]]:
    """Every type of organisation as (value, label)."""
    return [(str(kind), kind.label) for kind in OrganisationType]


# One entry ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryItem:
    """An entry in an application's history and what later replaced it, if anything."""

    entry: DecisionLogEntry
    replaced_by: DecisionLogEntry | None = None

    @property
    def current(self) -> bool:
        """True for the entry that stands now."""
        return self.replaced_by is None


@dataclass(frozen=True)
class EntryPage:
    """One entry and every entry ever published for the same application."""

    entry: DecisionLogEntry
    history: list[HistoryItem]
    last_modified: datetime | None

    @property
    def current(self) -> HistoryItem:
        """The entry that stands now."""
        return self.history[-1]


def entry_page(session: Session, *, position: int) -> EntryPage:
    """The entry at this position with its application's whole history; NotFound when there is none."""
    entry = session.scalar(select(DecisionLogEntry).where(DecisionLogEntry.position == position)
                           .options(selectinload(DecisionLogEntry.round)))
    if entry is None:
        raise NotFound("There is no entry with that number in the decision log")
    entries = log.history(session, entry.application_id)
    return EntryPage(entry=entry, history=history_items(entries),
                     last_modified=last_changed(session, round_ids={item.round_id for item in entries}))


def history_items(entries: Sequence[DecisionLogEntry]) -> list[HistoryItem]:
    """Each entry (oldest first) paired with the entry published after it, which replaced it."""
    return [HistoryItem(entry=entry, replaced_by=entries[i + 1] if i + 1 < len(entries) else None)
            for i, entry in enumerate(entries)]


# A round's results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoroughTally:
    """Awards to groups working in one borough, and the money they were given."""

    code: str
    name: str
    awards: int
    awarded_pence: int


@dataclass(frozen=True)
class Deadline:
    """Whether decisions were published by the date the prospectus promised, in words."""

    met: bool | None  # None when no date was promised or nothing is published yet
    wording: str


@dataclass(frozen=True)
class RoundResults:
    """A round's numbers, from its applications (counts only) and its published log entries."""

    round_: Round
    received: int
    eligible: int
    awarded: int
    declined: int
    reserve: int
    awarded_pence: int
    small_awarded_pence: int
    small_awards: int
    boroughs: list[BoroughTally]
    deadline: Deadline
    last_modified: datetime | None
    notes: list[str] = field(default_factory=list)
    fewer_scores: int = 0  # decided with fewer panel scores than planned, for a reason recorded (a count only)

    @property
    def success_rate(self) -> float | None:
        """Awards as a percentage of eligible applications."""
        return percentage(self.awarded, self.eligible)

    @property
    def budget_used(self) -> float | None:
        """Money awarded as a percentage of the round's budget."""
        return percentage(self.awarded_pence, self.round_.budget_pence)

    @property
    def small_share(self) -> float | None:
        """The share of the money awarded that went to small organisations, as a percentage."""
        return percentage(self.small_awarded_pence, self.awarded_pence)


def percentage(part: int, whole: int) -> float | None:
    """part / whole as a percentage, or None when there is no whole to divide by."""
    if whole <= 0:
        return None
    return 100 * part / whole


def format_percentage(value: float | None) -> str:
    """"45%" or "33.3%" (one decimal place only when needed); "not applicable" for no value."""
    if value is None:
        return "not applicable"
    rounded = round(value, 1)
    return f"{rounded:.0f}%" if rounded == int(rounded) else f"{rounded:.1f}%"


def round_results(session: Session, *, round_slug: str) -> RoundResults:
    """The published results of a round; NotFound unless the round has entries in the log."""
    round_ = None if unusual(round_slug) else session.scalar(select(Round).where(Round.slug == round_slug))
    if round_ is None:
        raise NotFound("There is no round with that name")
    entries = list(session.scalars(log.current_entries(log.LogFilters(round_id=round_.id))))
    if not entries:
        raise NotFound("No decisions have been published for this round yet")
    received, eligible = application_counts(session, round_=round_)
    awards = [entry for entry in entries if entry.outcome == Outcome.AWARD]
    small = [entry for entry in awards if entry.small_organisation]
    first_published = min(entry.published_at for entry in entries)
    return RoundResults(
        round_=round_, received=received, eligible=eligible, awarded=len(awards),
        declined=sum(1 for entry in entries if entry.outcome == Outcome.DECLINE),
        reserve=sum(1 for entry in entries if entry.outcome == Outcome.RESERVE),
        awarded_pence=sum(entry.amount_awarded_pence or 0 for entry in awards),
        small_awarded_pence=sum(entry.amount_awarded_pence or 0 for entry in small), small_awards=len(small),
        boroughs=tally_boroughs((entry.boroughs, entry.amount_awarded_pence or 0) for entry in awards),
        deadline=deadline(promised=round_.decisions_by,
                          published=round_.decisions_published_at or first_published),
        last_modified=last_changed(session, round_ids=[round_.id]),
        fewer_scores=fewer_scores_count(session, application_ids=[entry.application_id for entry in entries]),
    )


def fewer_scores_count(session: Session, *, application_ids: list[int]) -> int:
    """How many of these published applications were decided with fewer panel scores than planned.

    Only the count is public: the reasons stay with commissioners, and no application is singled out.
    """
    if not application_ids:
        return 0
    return session.scalar(select(func.count(DecisionException.id))
                          .where(DecisionException.application_id.in_(application_ids))) or 0


def application_counts(session: Session, *, round_: Round) -> tuple[int, int]:
    """How many applications the round received (sent, not drafts) and how many screening found eligible."""
    rows = session.execute(
        select(Application.status, func.count(Application.id)).where(Application.round_id == round_.id)
        .group_by(Application.status)
    ).all()
    counts = {ApplicationStatus(status): count for status, count in rows}
    received = sum(count for status, count in counts.items() if status != ApplicationStatus.DRAFT)
    eligible = sum(count for status, count in counts.items() if status not in NOT_ELIGIBLE)
    return received, eligible


def tally_boroughs(awards: Iterable[tuple[str, int]]) -> list[BoroughTally]:
    """Awards and money per borough from (stored boroughs, amount) pairs; a group in two boroughs counts in each.

    Most awards first, then by name.
    """
    counts: dict[str, int] = {}
    money: dict[str, int] = {}
    for stored, amount in awards:
        for code in dict.fromkeys(split_boroughs(stored)):
            counts[code] = counts.get(code, 0) + 1
            money[code] = money.get(code, 0) + amount
    tallies = [BoroughTally(code=code, name=borough_name(code), awards=counts[code], awarded_pence=money[code])
               for code in counts]
    return sorted(tallies, key=lambda tally: (-tally.awards, tally.name))


def deadline(*, promised: datetime | None, published: datetime | None) -> Deadline:
    """Compare the London date decisions were published with the date the prospectus promised."""
    if promised is None:
        return Deadline(met=None, wording="The prospectus did not promise a date for decisions.")
    if published is None:
        return Deadline(met=None, wording=f"Decisions were promised by {date(promised)}.")
    late_days = (london(published).date() - london(promised).date()).days
    if late_days <= 0:
        return Deadline(met=True, wording=f"Published on {date(published)}, on time: the prospectus promised "
                                          f"decisions by {date(promised)}.")
    days = "1 day" if late_days == 1 else f"{late_days} days"
    return Deadline(met=False, wording=f"Published on {date(published)}, {days} after the promised date of "
                                       f"{date(promised)}.")
