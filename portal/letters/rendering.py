"""A letter's content as HTML (from templates/letters/) and then as a tagged PDF.

This module needs no Flask request: the worker processes that issue letters in bulk call it too. It keeps its
own Jinja environment with autoescaping on, so whatever an applicant or panellist typed is only ever text, and
it renders through ``portal.pdf.render_pdf``, whose fetcher reads nothing outside portal/static/.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from config import BASE_DIR, config_for
from portal import formatting
from portal.models import LetterKind
from portal.pdf import render_pdf

TEMPLATES = {
    LetterKind.AWARD: "letters/award.html",
    LetterKind.DECLINE: "letters/decline.html",
    LetterKind.RESERVE: "letters/reserve.html",
    LetterKind.INELIGIBLE: "letters/ineligible.html",
}
# Where else a group can look for help: kept short and general, so it stays true.
OTHER_SUPPORT = (
    "Your local council for voluntary service can help with planning, policies and finding other funders.",
    "Your borough's community grants team can tell you about smaller local grants.",
    "The National Council for Voluntary Organisations (NCVO) publishes free guides on running a group.",
    "360Giving's GrantNav lists grants other funders have made, so you can see who funds work like yours.",
)


@dataclass(frozen=True)
class LetterSettings:
    """Who the letter comes from, and where the portal lives (for links printed in the letter)."""

    portal_name: str
    funder_name: str
    support_email: str
    public_url: str


@dataclass(frozen=True)
class CriterionFeedback:
    """One criterion in a decline letter: the panel's mean score (moderated where moderated) and the feedback."""

    name: str
    score: float | None  # out of 5
    feedback: str


@dataclass(frozen=True)
class DatedStep:
    """A step of the grant with its date and, for payments, its amount."""

    what: str
    when: datetime
    amount_pence: int | None = None


@dataclass(frozen=True)
class NextRound:
    """The fund's next round, to point a declined or ineligible group to."""

    title: str
    url: str
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class LetterContent:
    """Everything a letter says; built by the services from the decision, the draft and the round."""

    kind: LetterKind
    reference: str
    dated: datetime
    project_title: str
    round_title: str
    fund_name: str
    organisation_name: str
    address: list[str]
    addressee_name: str | None
    signed_by_role: str
    contact: str
    amount_requested_pence: int | None = None
    amount_awarded_pence: int | None = None
    agreement_by: datetime | None = None
    payments: list[DatedStep] = field(default_factory=list)
    reports: list[DatedStep] = field(default_factory=list)
    reason_category: str | None = None
    reason: str = ""
    general_feedback: str = ""
    criteria: list[CriterionFeedback] = field(default_factory=list)
    next_round: NextRound | None = None
    hear_by: datetime | None = None
    ineligible_reason: str = ""

    @property
    def salutation(self) -> str:
        """"Dear Grace Mensah" for the person who signed the declaration, else "Dear colleagues"."""
        return f"Dear {self.addressee_name}" if self.addressee_name else "Dear colleagues"

    @property
    def signature(self) -> str:
        """The decision-maker's role, never their name: "Commissioner, Youth Leadership Fund"."""
        return f"{self.signed_by_role}, {self.fund_name}"


def add_months(moment: datetime, months: int) -> datetime:
    """The same London day ``months`` later (the last day of a shorter month), at the same time of day."""
    local = formatting.london(moment)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def score_text(score: float | None) -> str:
    """A mean score out of 5 as a person reads it: "3.5 out of 5", or "Not scored"."""
    if score is None:
        return "Not scored"
    return f"{score:.1f}".removesuffix(".0") + " out of 5"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The letters' own Jinja environment: autoescaped, with the portal's money and date filters."""
    env = Environment(loader=FileSystemLoader(str(BASE_DIR / "templates")), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=formatting.money, date=formatting.date, date_time=formatting.date_time,
                       paragraphs=formatting.paragraphs, score=score_text)
    return env


def letter_settings(*, public_url: str, config: object | None = None) -> LetterSettings:
    """The settings from the running app's config (or the environment's config class outside an app)."""
    if config is None:
        from flask import current_app, has_app_context  # only to read settings when an app is running

        config = current_app.config if has_app_context() else vars_of(config_for())
    get = config.get  # type: ignore[attr-defined]
    return LetterSettings(portal_name=get("PORTAL_NAME"), funder_name=get("FUNDER_NAME"),
                          support_email=get("SUPPORT_EMAIL"), public_url=public_url.rstrip("/"))


def vars_of(config_class: type) -> dict[str, object]:
    """A config class's settings as a mapping."""
    return {name: getattr(config_class, name) for name in dir(config_class) if name.isupper()}


def letter_html(content: LetterContent, *, settings: LetterSettings) -> str:
    """The letter as a complete HTML document (title "<heading>: outcome letter <reference>", lang en-GB)."""
    template = environment().get_template(TEMPLATES[content.kind])
    return template.render(letter=content, settings=settings, other_support=OTHER_SUPPORT, kinds=LetterKind)


def letter_pdf(html: str) -> bytes:
    """The letter's HTML as a tagged PDF/UA-1 document (its print CSS is inside the HTML)."""
    return render_pdf(html)
