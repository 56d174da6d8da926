"""Commissioners' view of a round's applications: lists, CSV export, eligibility screening, counts over time.

Screening follows the application lifecycle in DESIGN.md: a submitted application is either marked
ineligible (with a reason the applicant reads) or eligible (it goes on to assessment); marking
ineligible can be undone, with a reason kept in the audit trail.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, String, and_, cast, false, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from portal import audit
from portal.application_lifecycle import transition_application
from portal.applications.access import application_for_staff
from portal.boroughs import borough_name
from portal.domain import (
    NotFound,
    ValidationError,
)
from portal.formatting import LONDON, london
from portal.models import (
    Application,
    ApplicationStatus,
    Organisation,
    OrganisationType,
    Round,
    User,
    utcnow,
)
from portal.notifications.services import queue_email
from portal.permissions import require_commissioner

PAGE_SIZE = 50
REASON_MAX_CHARACTERS = 2000
SEARCH_MAX_CHARACTERS = 100
# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

STATUS_LABELS = {
    ApplicationStatus.DRAFT: "Draft",
    ApplicationStatus.SUBMITTED: "Submitted, not yet screened",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
    ApplicationStatus.INELIGIBLE: "Ineligible",
    ApplicationStatus.UNDER_ASSESSMENT: "Eligible, being assessed",
    ApplicationStatus.SHORTLISTED: "Shortlisted for interview",
    ApplicationStatus.AWARDED: "Awarded",
    ApplicationStatus.DECLINED: "Declined",
    ApplicationStatus.RESERVE: "Reserve",
}
# The colour of each status's tag (GOV.UK tag modifiers); a draft's is the default.
STATUS_COLOURS = {
    ApplicationStatus.SUBMITTED: "govuk-tag--blue",
    ApplicationStatus.INELIGIBLE: "govuk-tag--red",
    ApplicationStatus.WITHDRAWN: "govuk-tag--grey",
    ApplicationStatus.UNDER_ASSESSMENT: "govuk-tag--green",
    ApplicationStatus.SHORTLISTED: "govuk-tag--turquoise",
    ApplicationStatus.AWARDED: "govuk-tag--green",
    ApplicationStatus.DECLINED: "govuk-tag--orange",
    ApplicationStatus.RESERVE: "govuk-tag--yellow",
}
# Statuses a listed (sent) application may have: every one but draft.
LISTED_STATUSES = [s for s in ApplicationStatus if s != ApplicationStatus.DRAFT]

AUDIT_FIELDS = ["status", "ineligible_reason", "screened_at", "screened_by_id"]


def status_label(status: ApplicationStatus | str) -> str:
    """An application's status in words."""
    return STATUS_LABELS.get(ApplicationStatus(status), str(status))


def status_colour(status: ApplicationStatus | str) -> str:
    """The GOV.UK tag modifier for an application's status ("" for the default colour)."""
    return STATUS_COLOURS.get(ApplicationStatus(status), "")


@dataclass(frozen=True)
class Settings:
    """What the screening e-mails need to know about the deployment."""

    public_url: str
    portal_name: str


# Who may look ------------------------------------------------------------------------------------


COMMISSIONERS_ONLY = "Only commissioners can see a round's applications"


def round_for_commissioner(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def submission_for_commissioner(session: Session, *, submission_id: int, by: User) -> Application:
    """A sent application; drafts are the applicant's own until they send them."""
    application = application_for_staff(session, application_id=submission_id, by=by)
    if application.submitted_snapshot is None or application.status == ApplicationStatus.DRAFT:
        raise NotFound("There is no sent application with this number")
    return application


# Lists and filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionFilters:
    """What a commissioner narrowed the list to; None means any."""

    status: ApplicationStatus | None = None
    borough: str | None = None
    organisation_type: OrganisationType | None = None
    small_grant: bool | None = None
    search: str | None = None

    def query_args(self) -> dict[str, str]:
        """The filters as URL query arguments (for pagination links and the CSV link)."""
        args = {
            "status": self.status.value if self.status else None,
            "borough": self.borough,
            "organisation_type": self.organisation_type.value if self.organisation_type else None,
            "small_grant": None if self.small_grant is None else ("yes" if self.small_grant else "no"),
            "search": self.search,
        }
        return {k: v for k, v in args.items() if v}


@dataclass(frozen=True)
class SubmissionRow:
    """One sent application as the list and the CSV show it."""

    id: int
    reference: str | None
    organisation: str
    organisation_type: OrganisationType
    boroughs: list[str]
    amount_requested_pence: int | None
    small_grant: bool
    status: ApplicationStatus
    submitted_at: datetime | None
    ineligible_reason: str | None

    @property
    def status_label(self) -> str:
        """The status in words."""
        return status_label(self.status)

    @property
    def status_colour(self) -> str:
        """The status tag's colour."""
        return status_colour(self.status)

    @property
    def borough_names(self) -> list[str]:
        """The boroughs served, by name."""
        return [borough_name(code) for code in self.boroughs]


@dataclass(frozen=True)
class SubmissionPage:
    """One page of the list, with where it sits among the rest."""

    rows: list[SubmissionRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class RoundCounts:
    """How many applications a round has at each stage."""

    drafts: int
    submitted: int
    ineligible: int
    withdrawn: int
    eligible: int
    awaiting_screening: int
    listed: int = 0  # sent and not a draft: what the list shows unfiltered


def _like_escaped(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _small_grant_expression(round_: Round):
    """SQL truth of "the amount asked is under the round's small-grant threshold"."""
    threshold = round_.small_grant_threshold_pence
    if threshold is None:
        return None
    return and_(Application.amount_requested_pence.is_not(None), Application.amount_requested_pence < threshold)


def _conditions(round_: Round, filters: SubmissionFilters) -> tuple[list, bool]:
    """What a sent application in this round must meet to pass the filters, and whether that needs its
    organisation (a count without one reads only the application index)."""
    conditions = [Application.round_id == round_.id, Application.status != ApplicationStatus.DRAFT,
                  Application.submitted_at.is_not(None)]
    if filters.status:
        conditions.append(Application.status == filters.status)
    if filters.organisation_type:
        conditions.append(Organisation.organisation_type == filters.organisation_type)
    if filters.borough:
        # Boroughs are a JSON list of GSS codes; its text holds each one quoted on SQLite and PostgreSQL alike.
        conditions.append(cast(Organisation.boroughs, String).like(f'%"{filters.borough}"%'))
    if filters.small_grant is not None:
        small = _small_grant_expression(round_)
        if small is None:
            if filters.small_grant:  # the round has no small grants at all
                conditions.append(false())
        else:
            conditions.append(small if filters.small_grant else ~small)
    if filters.search:
        pattern = _like_escaped(filters.search)
        conditions.append(or_(func.lower(Organisation.name).like(pattern, escape="\\"),
                              func.lower(Application.reference).like(pattern, escape="\\")))
    needs_organisation = bool(filters.organisation_type or filters.borough or filters.search)
    return conditions, needs_organisation


# What a row shows: only these columns are read (not the sent copy each application keeps).
_ROW_COLUMNS = (Application.id, Application.reference, Application.amount_requested_pence, Application.status,
                Application.submitted_at, Application.ineligible_reason, Organisation.name,
                Organisation.organisation_type, Organisation.boroughs)


def _filtered(round_: Round, filters: SubmissionFilters):
    """The select of the row columns of sent applications in this round that pass the filters."""
    conditions, _ = _conditions(round_, filters)
    return (select(*_ROW_COLUMNS)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .where(*conditions))


def _count(session: Session, round_: Round, filters: SubmissionFilters) -> int:
    """How many sent applications pass the filters (joining organisations only when a filter needs them)."""
    conditions, needs_organisation = _conditions(round_, filters)
    statement = select(func.count()).select_from(Application)
    if needs_organisation:
        statement = statement.join(Organisation, Organisation.id == Application.organisation_id)
    return session.scalar(statement.where(*conditions)) or 0


def _row(round_: Round, columns: Row) -> SubmissionRow:
    """One list row from the columns of ``_ROW_COLUMNS``."""
    threshold = round_.small_grant_threshold_pence
    amount = columns.amount_requested_pence
    return SubmissionRow(
        id=columns.id, reference=columns.reference, organisation=columns.name,
        organisation_type=columns.organisation_type, boroughs=list(columns.boroughs or []),
        amount_requested_pence=amount,
        small_grant=threshold is not None and amount is not None and amount < threshold,
        status=columns.status, submitted_at=columns.submitted_at,
        ineligible_reason=columns.ineligible_reason,
    )


def list_submissions(session: Session, *, round_: Round, filters: SubmissionFilters, page: int = 1,
                     by: User, counts: RoundCounts | None = None) -> SubmissionPage:
    """One page (50 a page) of the round's sent applications that pass the filters, oldest first.

    Unfiltered, the total comes from the round's ``counts`` when given, instead of counting again.
    """
    require_commissioner(by, COMMISSIONERS_ONLY)
    statement = _filtered(round_, filters)
    unfiltered = filters == SubmissionFilters()
    total = counts.listed if counts is not None and unfiltered else _count(session, round_, filters)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    results = session.execute(
        statement.order_by(Application.submitted_at, Application.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return SubmissionPage(rows=[_row(round_, columns) for columns in results], total=total, page=page,
                          pages=pages)


def round_counts(session: Session, *, round_: Round, by: User) -> RoundCounts:
    """Drafts in progress, and applications sent, ineligible, withdrawn, eligible and waiting to be screened."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    rows = session.execute(
        select(Application.status, func.count(), func.count(Application.submitted_at))
        .where(Application.round_id == round_.id)
        .group_by(Application.status)
    ).all()
    return _counts_from(rows)


def counts_by_round(session: Session, *, by: User) -> dict[int, RoundCounts]:
    """Every round's counts (as ``round_counts``), in one query; rounds without applications are left out."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    rows: dict[int, list] = {}
    for round_id, status, count, sent in session.execute(
        select(Application.round_id, Application.status, func.count(), func.count(Application.submitted_at))
        .group_by(Application.round_id, Application.status)
    ):
        rows.setdefault(round_id, []).append((status, count, sent))
    return {round_id: _counts_from(round_rows) for round_id, round_rows in rows.items()}


def _counts_from(rows) -> RoundCounts:
    """A round's counts from its (status, applications, sent applications) rows."""
    by_status = {ApplicationStatus(status): count for status, count, _ in rows}
    submitted = sum(sent for _, _, sent in rows)
    eligible = sum(by_status.get(s, 0) for s in (
        ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.SHORTLISTED, ApplicationStatus.AWARDED,
        ApplicationStatus.DECLINED, ApplicationStatus.RESERVE))
    return RoundCounts(
        drafts=by_status.get(ApplicationStatus.DRAFT, 0), submitted=submitted,
        ineligible=by_status.get(ApplicationStatus.INELIGIBLE, 0),
        withdrawn=by_status.get(ApplicationStatus.WITHDRAWN, 0), eligible=eligible,
        awaiting_screening=by_status.get(ApplicationStatus.SUBMITTED, 0),
        listed=sum(sent for status, _, sent in rows if ApplicationStatus(status) != ApplicationStatus.DRAFT),
    )


# CSV export ---------------------------------------------------------------------------------------


CSV_HEADER = ["Reference", "Organisation", "Organisation type", "Boroughs", "Amount asked (£)", "Small grant",
              "Status", "Submitted at (London time)", "Ineligible reason"]


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def pounds(pence: int | None) -> str:
    """8000 or 8000.50: a number a spreadsheet can add up (no £ sign, no commas)."""
    if pence is None:
        return ""
    whole, rest = divmod(pence, 100)
    return f"{whole}.{rest:02d}" if rest else str(whole)


def london_timestamp(moment: datetime | None) -> str:
    """2026-11-25 17:00 in London time: sortable in a spreadsheet."""
    return london(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def submissions_csv(session: Session, *, round_: Round, filters: SubmissionFilters, by: User) -> str:
    """Every sent application passing the filters, one row each, as CSV (no byte order mark)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    statement = _filtered(round_, filters).order_by(Application.submitted_at, Application.id)
    rows = 0
    for columns in session.execute(statement.execution_options(yield_per=500)):
        row = _row(round_, columns)
        writer.writerow([safe_cell(cell) for cell in (
            row.reference, row.organisation, row.organisation_type.label, "; ".join(row.borough_names),
            pounds(row.amount_requested_pence), "Yes" if row.small_grant else "No", row.status_label,
            london_timestamp(row.submitted_at), row.ineligible_reason,
        )])
        rows += 1
    # The file holds organisations' details: who took a copy is worth knowing.
    audit.record(session, actor=by, action="applications.csv_downloaded", entity=round_,
                 after={"rows": rows, "filters": filters.query_args()})
    return buffer.getvalue()


# Screening ---------------------------------------------------------------------------------------


def clean_reason(reason: str | None, *, field_name: str = "reason", missing: str) -> str:
    """A reason with spaces trimmed; refuse it when blank or too long."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(missing, field=field_name)
    if len(text) > REASON_MAX_CHARACTERS:
        raise ValidationError(
            f"The reason must be {REASON_MAX_CHARACTERS:,} characters or fewer. "
            f"Remove {len(text) - REASON_MAX_CHARACTERS:,} characters", field=field_name)
    return text


def _screened(application: Application, *, by: User, now: datetime) -> None:
    """Note who screened it and when."""
    application.screened_at = now
    application.screened_by_id = by.id


def _email_members(session: Session, *, application: Application, subject: str, body: str) -> int:
    """Send the same e-mail to every member of the applying organisation; returns how many."""
    members = application.organisation.members
    for member in members:
        queue_email(session, to=member.email, subject=subject, body=f"Dear {member.name},\n\n{body}")
    return len(members)


def mark_ineligible(session: Session, *, application: Application, reason: str | None, by: User,
                    settings: Settings, now: datetime | None = None) -> Application:
    """Mark a submitted application as ineligible; the group is e-mailed the reason and sees it in the portal."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    text = clean_reason(reason, missing="Enter the reason the application is not eligible, written to the applicant")
    now = now or utcnow()
    before = audit.snapshot(application, AUDIT_FIELDS)
    transition_application(application, to=ApplicationStatus.INELIGIBLE)
    application.ineligible_reason = text
    _screened(application, by=by, now=now)
    session.flush()
    audit.record(session, actor=by, action="application.marked_ineligible", entity=application,
                 before=before, after=audit.snapshot(application, AUDIT_FIELDS))
    round_ = application.round
    _email_members(
        session, application=application,
        subject=f"Your application {application.reference} to {round_.title} is not eligible",
        body=(
            f"We have checked your application {application.reference} ({application.project_title}) "
            f"to {round_.title}.\n\n"
            "We are sorry, but it cannot go forward to the youth panel, for this reason:\n\n"
            f"{_quoted(text)}\n\n"
            f"Sign in to see your application: {settings.public_url.rstrip('/')}/sign-in\n\n"
            f"If you think we have made a mistake, reply to {round_.support_contact or 'us'} and tell us why.\n\n"
            f"{settings.portal_name}"
        ),
    )
    return application


def mark_eligible(session: Session, *, application: Application, by: User,
                  now: datetime | None = None) -> Application:
    """Mark a submitted application as eligible: it goes on to assessment by the panel."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    now = now or utcnow()
    before = audit.snapshot(application, AUDIT_FIELDS)
    transition_application(application, to=ApplicationStatus.UNDER_ASSESSMENT)
    _screened(application, by=by, now=now)
    session.flush()
    audit.record(session, actor=by, action="application.marked_eligible", entity=application,
                 before=before, after=audit.snapshot(application, AUDIT_FIELDS))
    return application


def undo_ineligible(session: Session, *, application: Application, reason: str | None, by: User,
                    settings: Settings, now: datetime | None = None) -> Application:
    """Put an application marked ineligible back to be screened again; the group is told."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    text = clean_reason(reason, missing="Enter why you are undoing the decision that it is not eligible")
    now = now or utcnow()
    before = audit.snapshot(application, AUDIT_FIELDS)
    transition_application(application, to=ApplicationStatus.SUBMITTED)
    application.ineligible_reason = None
    _screened(application, by=by, now=now)
    session.flush()
    after = audit.snapshot(application, AUDIT_FIELDS)
    after["undo_reason"] = text
    audit.record(session, actor=by, action="application.ineligible_undone", entity=application,
                 before=before, after=after)
    _email_members(
        session, application=application,
        subject=f"Your application {application.reference} is being considered again",
        body=(
            f"We told you that your application {application.reference} to {application.round.title} "
            "was not eligible. We have looked at it again, and it is back with us to be checked.\n\n"
            "We will e-mail you when we have decided whether it can go to the youth panel.\n\n"
            f"Sign in to see your application: {settings.public_url.rstrip('/')}/sign-in\n\n"
            f"{settings.portal_name}"
        ),
    )
    return application


def _quoted(text: str) -> str:
    """Text as an e-mail quotation."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


# Counts over time ----------------------------------------------------------------------------------


class utc_hour(FunctionElement):  # noqa: N801 - named like the SQL function it stands for
    """The UTC hour a timestamp falls in, as text 'YYYY-MM-DD HH', on SQLite and PostgreSQL."""

    type = String()
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _utc_hour_sqlite(element, compiler, **kw) -> str:
    """SQLite stores UTC timestamps as text."""
    return "strftime('%%Y-%%m-%%d %%H', %s)" % compiler.process(element.clauses, **kw)


@compiles(utc_hour)
def _utc_hour_default(element, compiler, **kw) -> str:
    """PostgreSQL: a timestamptz read in UTC whatever the session's time zone."""
    return "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')" % compiler.process(element.clauses, **kw)


@dataclass(frozen=True)
class DayCount:
    """One London day's activity."""

    day: date
    started: int
    submitted: int


@dataclass(frozen=True)
class ActivityOverTime:
    """Drafts started and applications submitted per London day, from opening to now or closing."""

    days: list[DayCount]
    first_day: date | None
    last_day: date | None
    total_started: int = 0
    total_submitted: int = 0
    busiest: int = field(default=0)


def london_days(hourly: list[tuple[str, int]]) -> Counter[date]:
    """Counts per London date from counts per UTC hour ('YYYY-MM-DD HH')."""
    days: Counter[date] = Counter()
    for hour, count in hourly:
        if hour is None:
            continue
        moment = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
        days[moment.astimezone(LONDON).date()] += count
    return days


def _hourly(session: Session, column, round_: Round) -> list[tuple[str, int]]:
    """Counts of applications per UTC hour of this column (grouped in SQL, never loaded one by one)."""
    bucket = utc_hour(column)
    return [(hour, count) for hour, count in session.execute(
        select(bucket, func.count()).where(Application.round_id == round_.id, column.is_not(None)).group_by(bucket)
    )]


def activity_over_time(session: Session, *, round_: Round, by: User, now: datetime | None = None) -> ActivityOverTime:
    """Drafts started and applications submitted per London day, every day from opening to now (or closing)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    now = now or utcnow()
    started = london_days(_hourly(session, Application.created_at, round_))
    submitted = london_days(_hourly(session, Application.submitted_at, round_))
    first = london(round_.opens_at).date()
    last = london(min(now, round_.closes_at)).date()
    seen = list(started) + list(submitted)
    if seen:  # activity outside the dates (a date moved after drafts began) is still shown
        first, last = min(first, *seen), max(last, *seen)
    if last < first:  # not open yet, and nothing started
        return ActivityOverTime(days=[], first_day=None, last_day=None)
    days = [DayCount(day=first + timedelta(days=n), started=started[first + timedelta(days=n)],
                     submitted=submitted[first + timedelta(days=n)])
            for n in range((last - first).days + 1)]
    return ActivityOverTime(
        days=days, first_day=first, last_day=last, total_started=sum(started.values()),
        total_submitted=sum(submitted.values()),
        busiest=max((max(d.started, d.submitted) for d in days), default=0),
    )

