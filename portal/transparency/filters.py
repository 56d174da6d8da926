"""Reading the decision log's filters from a query string, shared by the log page and the open-data files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.boroughs import BOROUGHS
from portal.models import DecisionLogEntry, OrganisationType, Outcome, Round
from portal.transparency.log import LogFilters

SEARCH_MAX_LENGTH = 100
NO_SUCH_ROUND = "There is no round with that name: showing every round"
UNUSUAL_SEARCH = "Remove unusual characters from the search"


def unusual(value: str) -> bool:
    """Whether the text holds a control character (a NUL, a line break, DEL...): no name or slug does."""
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)


def published_round(session: Session, slug: str) -> Round | None:
    """The round with this slug, if it has at least one entry in the public log (others stay private)."""
    if not slug or unusual(slug):
        return None
    published = select(DecisionLogEntry.round_id).where(DecisionLogEntry.round_id == Round.id).exists()
    return session.scalar(select(Round).where(Round.slug == slug, published))


@dataclass(frozen=True)
class ParsedFilters:
    """The filters to apply, the round chosen (if any), and a message for each value that was not understood."""

    filters: LogFilters
    round_: Round | None = None
    problems: dict[str, str] = field(default_factory=dict)


def parse_filters(session: Session, args: Mapping[str, str]) -> ParsedFilters:
    """Turn ?round=<slug>&outcome=&borough=<GSS code>&organisation_type=&search= into LogFilters.

    A value that is not recognised filters nothing and gets a message (keyed by the argument's name),
    so a bad or old link still shows the log rather than an error. Only rounds with published decisions
    are recognised, so a draft round's slug reveals nothing, and a value holding control characters is
    never sent to the database (PostgreSQL refuses a NUL in text).
    """
    problems: dict[str, str] = {}
    round_ = None
    slug = (args.get("round") or "").strip()
    if slug:
        round_ = published_round(session, slug)
        if round_ is None:
            problems["round"] = NO_SUCH_ROUND
    outcome = _choice(args, "outcome", {o.value for o in Outcome}, problems, "Choose award, decline or reserve")
    borough = _choice(args, "borough", set(BOROUGHS), problems, "Choose a London borough from the list")
    organisation_type = _choice(args, "organisation_type", {t.value for t in OrganisationType}, problems,
                                "Choose a type of organisation from the list")
    search = (args.get("search") or "").strip()
    if unusual(search):
        problems["search"] = UNUSUAL_SEARCH
        search = ""
    elif len(search) > SEARCH_MAX_LENGTH:
        problems["search"] = f"Search for {SEARCH_MAX_LENGTH} characters or fewer"
        search = search[:SEARCH_MAX_LENGTH]
    return ParsedFilters(
        filters=LogFilters(round_id=round_.id if round_ else None, outcome=Outcome(outcome) if outcome else None,
                           borough=borough, organisation_type=organisation_type, search=search or None),
        round_=round_, problems=problems,
    )


def _choice(args: Mapping[str, str], name: str, allowed: set[str], problems: dict[str, str],
            message: str) -> str | None:
    """One of the allowed values, or None (with a message when something else was given)."""
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        problems[name] = message
        return None
    return value
