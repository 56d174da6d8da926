"""The applicant's journey: start, save each section, check answers, submit and withdraw.

Services take the session first and the actor as ``by=``; they check the actor through
``portal.applications.access``, validate everything before changing anything, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from portal import audit
from portal.accounts.services import OrganisationDetails
from portal.application_lifecycle import transition_application
from portal.applications.access import application_for_member, ensure_editable
from portal.applications.snapshot import build_snapshot, questions_for
from portal.applications.uploads import documents_needed
from portal.domain import PermissionDenied, StateTransitionError, ValidationError
from portal.formatting import date_time, london, money, money_message, parse_pounds
from portal.models import (
    Answer,
    Application,
    ApplicationSection,
    ApplicationStatus,
    BudgetLine,
    Letter,
    Organisation,
    OrganisationType,
    Partner,
    Question,
    ReferenceCounter,
    Round,
    RoundStatus,
    SectionStatus,
    User,
    utcnow,
)
from portal.notifications.services import queue_email

# The task list, in order. Documents are added when the application needs them (see sections_for).
SECTION_TITLES = {
    "organisation": "About your organisation",
    "project": "Your project",
    "budget": "Budget",
    "partners": "Partners",
    "declarations": "Declarations",
    "documents": "Supporting documents",
}
REQUIRED_SECTIONS = ("organisation", "project", "budget", "partners", "declarations")
WITHDRAWABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.SHORTLISTED)
DECLARATIONS = {
    "true": "The information in this application is true and complete, as far as I know",
    "authorised": "I am allowed to apply for this money on behalf of the organisation",
    "tell_changes": "We will tell you if anything changes that affects this application",
}
STATUS_LABELS = {
    ApplicationStatus.DRAFT: "Draft",
    ApplicationStatus.SUBMITTED: "Sent",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
    ApplicationStatus.INELIGIBLE: "Not eligible",
    ApplicationStatus.UNDER_ASSESSMENT: "Being assessed",
    ApplicationStatus.SHORTLISTED: "Invited to interview",
    ApplicationStatus.AWARDED: "Awarded",
    ApplicationStatus.DECLINED: "Not funded",
    ApplicationStatus.RESERVE: "On the reserve list",
}


class SectionConflict(ValidationError):
    """A save based on an older version of a section: somebody else saved it first."""

    def __init__(self, section: ApplicationSection) -> None:
        who = section.updated_by.name if section.updated_by else "Somebody"
        super().__init__(
            f"{who} saved this section on {date_time(section.updated_at)}, after you opened it. "
            "We have not saved your changes. Compare the two versions below; if you save again, "
            "yours will replace theirs",
            field="version",
        )
        self.section = section


# Small rules ------------------------------------------------------------------------------------


def word_count(text: str | None) -> int:
    """Words as the limit counts them: anything between whitespace."""
    return len((text or "").split())


def word_limit_problem(text: str | None, limit: int) -> str | None:
    """The message for an answer over its word limit, or None."""
    words = word_count(text)
    if words <= limit:
        return None
    extra = words - limit
    return (f"Your answer is {words} words. Remove {extra} word{'s' if extra != 1 else ''} "
            f"so it is no more than {limit} words")


def time_left(closes_at: datetime, now: datetime) -> str:
    """'Closes 4 January 2027, 5pm (39 days left)', '(3 hours left)' on the last day, or 'Closed ...'."""
    remaining = closes_at - now
    if remaining <= timedelta(0):
        return f"Closed {date_time(closes_at)}"
    if remaining >= timedelta(days=1):
        days = remaining.days
        left = f"{days} day{'s' if days != 1 else ''} left"
    elif remaining >= timedelta(hours=1):
        hours = int(remaining.total_seconds() // 3600)
        left = f"{hours} hour{'s' if hours != 1 else ''} left"
    else:
        left = "less than an hour left"
    return f"Closes {date_time(closes_at)} ({left})"


def accepting_applications(round_: Round, now: datetime) -> bool:
    """Open by the dates and published (the same rule as the prospectus)."""
    return round_.opens_at <= now < round_.closes_at and round_.status in (RoundStatus.PUBLISHED, RoundStatus.OPEN)


def sections_for(application: Application) -> list[str]:
    """The task list's sections for this application, every one needed before it can be sent.

    Supporting documents are one of them when ``uploads.documents_rule`` says the application needs them.
    """
    keys = list(REQUIRED_SECTIONS)
    if documents_needed(application):
        keys.append("documents")
    return keys


def section(application: Application, key: str) -> ApplicationSection:
    """The section's row, created (not started, version 0) the first time it is needed."""
    for row in application.sections:
        if row.key == key:
            return row
    row = ApplicationSection(key=key, status=SectionStatus.NOT_STARTED, version=0)
    application.sections.append(row)
    return row


def section_status(application: Application, key: str) -> SectionStatus:
    """A section's status without creating its row."""
    for row in application.sections:
        if row.key == key:
            return row.status
    return SectionStatus.NOT_STARTED


def section_version(application: Application, key: str) -> int:
    """A section's version without creating its row."""
    for row in application.sections:
        if row.key == key:
            return row.version
    return 0


# Loading ----------------------------------------------------------------------------------------


def application_for(session: Session, *, application_id: int, by: User) -> Application:
    """An application its organisation's members may see."""
    return application_for_member(session, application_id=application_id, by=by)


def _editable(session: Session, *, application_id: int, by: User, now: datetime) -> Application:
    """An application the actor may change now: theirs, still a draft, before the deadline."""
    application = application_for_member(session, application_id=application_id, by=by)
    ensure_editable(application, now=now)
    return application


def _save_section(session: Session, application: Application, key: str, *, version: int, by: User,
                  completed: bool, now: datetime) -> ApplicationSection:
    """Check the version the form started from, then mark the section saved and write the whole save at once.

    Saves read and check everything first and write at their end (budget and partners flush the rows they
    replace just before), so on SQLite the write lock is held only from there to the commit. A colleague's save
    of this application committed since it was read makes the flush fail (the application's version has
    moved); ``applications.routes._save`` then runs the save again.
    """
    row = section(application, key)
    if version != row.version:
        raise SectionConflict(row)
    before = audit.snapshot(row, ["status", "version"])
    row.status = SectionStatus.COMPLETED if completed else SectionStatus.IN_PROGRESS
    row.version += 1
    row.updated_at = now
    row.updated_by_id = by.id
    row.updated_by = by
    application.updated_at = now
    audit.record(session, actor=by, action=f"application.section_saved.{key}", entity=application,
                 before=before, after=audit.snapshot(row, ["status", "version"]))
    session.flush()
    return row


def check_version(application: Application, key: str, version: int) -> None:
    """Refuse a save started from an older version before any other check (and before anything is written)."""
    if version != section_version(application, key):
        raise SectionConflict(section(application, key))


# Starting ---------------------------------------------------------------------------------------


def round_to_apply_to(session: Session, *, slug: str, now: datetime | None = None) -> Round:
    """The public round with this address."""
    from portal.prospectus.services import public_round

    return public_round(session, slug=slug, now=now)


def existing_application(session: Session, *, round_: Round, organisation: Organisation) -> Application | None:
    """The organisation's application to this round, if it has one (one each)."""
    return session.scalar(select(Application).where(Application.round_id == round_.id,
                                                    Application.organisation_id == organisation.id))


def start_application(session: Session, *, round_: Round, organisation_id: int | None, by: User,
                      now: datetime | None = None) -> Application:
    """Start a draft for one of the actor's organisations; a second start goes to the existing one."""
    now = now or utcnow()
    organisations = by.organisations
    if not organisations:
        raise PermissionDenied("Your account is not linked to an organisation, so you cannot apply")
    if organisation_id is None:
        if len(organisations) > 1:
            raise ValidationError("Select the organisation you are applying for", field="organisation_id")
        organisation = organisations[0]
    else:
        organisation = next((o for o in organisations if o.id == organisation_id), None)
        if organisation is None:
            raise ValidationError("Select the organisation you are applying for", field="organisation_id")
    existing = existing_application(session, round_=round_, organisation=organisation)
    if existing is not None:
        return existing
    if not accepting_applications(round_, now):
        raise ValidationError(f"{round_.title} is not taking applications now", field="organisation_id")
    application = Application(round=round_, organisation=organisation, created_by=by, created_at=now,
                              updated_at=now, status=ApplicationStatus.DRAFT)
    session.add(application)
    session.flush()
    audit.record(session, actor=by, action="application.started", entity=application,
                 after={"round_id": round_.id, "organisation_id": organisation.id})
    return application


# Sections ---------------------------------------------------------------------------------------


def save_organisation(session: Session, *, application_id: int, by: User, version: int,
                      details: OrganisationDetails, completed: bool, now: datetime | None = None) -> Application:
    """Confirm or correct the applying organisation's details (they change the Organisation itself)."""
    now = now or utcnow()
    application = _editable(session, application_id=application_id, by=by, now=now)
    check_version(application, "organisation", version)
    if details.organisation_type in (OrganisationType.CHARITY, OrganisationType.CIO) and not details.charity_number:
        raise ValidationError("Enter your charity number", field="charity_number")
    if details.organisation_type in (OrganisationType.COMPANY, OrganisationType.CIC) and not details.company_number:
        raise ValidationError("Enter your company number", field="company_number")
    if not details.boroughs:
        raise ValidationError("Select at least one London borough you work in", field="boroughs")
    organisation = application.organisation
    before = audit.snapshot(organisation)
    organisation.name = details.name.strip()
    organisation.organisation_type = details.organisation_type
    organisation.income_band = details.income_band
    organisation.boroughs = sorted(set(details.boroughs))
    organisation.address_line_1 = details.address_line_1.strip()
    organisation.address_line_2 = (details.address_line_2 or "").strip() or None
    organisation.town = details.town.strip() or "London"
    organisation.postcode = details.postcode.strip().upper()
    organisation.charity_number = (details.charity_number or "").strip() or None
    organisation.company_number = (details.company_number or "").strip().upper() or None
    old, new = audit.changed(before, audit.snapshot(organisation))
    if new:
        audit.record(session, actor=by, action="organisation.updated", entity=organisation, before=old, after=new)
    _save_section(session, application, "organisation", version=version, by=by, completed=completed, now=now)
    return application


def questions_for_amount(application: Application, amount_text: str | None) -> list[Question]:
    """The questions asked for the amount typed (if it is money), else for the amount saved."""
    threshold = application.round.small_grant_threshold_pence
    amount = application.amount_requested_pence
    if amount_text:
        try:
            amount = parse_pounds(amount_text)
        except ValueError:
            pass
    small = threshold is not None and amount is not None and amount < threshold
    return [q for q in application.round.questions if q.asked_of_small_grants or not small]


def save_project(session: Session, *, application_id: int, by: User, version: int, project_title: str,
                 amount: str, answers: dict[int, str], completed: bool,
                 now: datetime | None = None) -> Application:
    """Save the project title, amount and answers; each answer within its word limit."""
    now = now or utcnow()
    application = _editable(session, application_id=application_id, by=by, now=now)
    check_version(application, "project", version)
    round_ = application.round
    title = (project_title or "").strip()
    if len(title) > 200:
        raise ValidationError("Project title must be 200 characters or fewer", field="project_title")
    amount_pence = None
    if amount and amount.strip():
        try:
            amount_pence = parse_pounds(amount)
        except ValueError as error:
            raise ValidationError(money_message(error, "Enter the amount in pounds, like 8,000"),
                                  field="amount") from None
        if not round_.min_grant_pence <= amount_pence <= round_.max_grant_pence:
            raise ValidationError(
                f"Enter an amount between {money(round_.min_grant_pence)} and {money(round_.max_grant_pence)}",
                field="amount")
    threshold = round_.small_grant_threshold_pence
    small = threshold is not None and amount_pence is not None and amount_pence < threshold
    asked = [q for q in round_.questions if q.asked_of_small_grants or not small]
    for question in asked:
        problem = word_limit_problem(answers.get(question.id), question.word_limit)
        if problem:
            raise ValidationError(problem, field=f"answer_{question.id}")
    if completed:
        if not title:
            raise ValidationError("Enter your project title", field="project_title")
        if amount_pence is None:
            raise ValidationError("Enter how much you are asking for", field="amount")
        for question in asked:
            if question.required and not (answers.get(question.id) or "").strip():
                raise ValidationError(f"Answer the question: {question.text}", field=f"answer_{question.id}")
    current = {a.question_id: a for a in application.answers}
    before = {"project_title": application.project_title,
              "amount_requested_pence": application.amount_requested_pence}
    application.project_title = title
    application.amount_requested_pence = amount_pence
    for question in asked:
        if question.id not in answers:
            continue
        text = (answers[question.id] or "").strip()
        answer = current.get(question.id)
        if answer is None:
            application.answers.append(Answer(question_id=question.id, text=text, updated_at=now,
                                              updated_by_id=by.id))
        elif answer.text != text:
            answer.text, answer.updated_at, answer.updated_by_id = text, now, by.id
    audit.record(session, actor=by, action="application.project_saved", entity=application, before=before,
                 after={"project_title": title, "amount_requested_pence": amount_pence})
    _save_section(session, application, "project", version=version, by=by, completed=completed, now=now)
    return application


def budget_problem(application: Application, total_pence: int) -> str | None:
    """Why the budget does not match the amount requested, saying the difference."""
    amount = application.amount_requested_pence
    if amount is None:
        return "Say how much you are asking for in 'Your project' before you complete the budget"
    if total_pence == amount:
        return None
    difference = abs(total_pence - amount)
    side = "less" if total_pence < amount else "more"
    return (f"Your budget adds up to {money(total_pence)}, which is {money(difference)} {side} than the "
            f"{money(amount)} you are asking for. Change the costs, or the amount in 'Your project'")


# Budget lines and partners an application can list: more than any community project needs, and a bound on
# how many rows a posted form can make the server build.
MAX_LIST_ROWS = 50


def save_budget(session: Session, *, application_id: int, by: User, version: int,
                lines: list[tuple[str, str]], completed: bool, now: datetime | None = None) -> Application:
    """Replace the budget lines (item and cost); to complete it, the total must equal the amount asked for."""
    now = now or utcnow()
    application = _editable(session, application_id=application_id, by=by, now=now)
    check_version(application, "budget", version)
    parsed: list[tuple[str, int]] = []
    for index, (item, cost) in enumerate(lines):
        item, cost = (item or "").strip(), (cost or "").strip()
        if not item and not cost:
            continue
        if not item:
            raise ValidationError(f"Enter what item {index + 1} is for", field=f"item_{index}")
        if len(item) > 200:
            raise ValidationError(f"Item {index + 1} must be 200 characters or fewer", field=f"item_{index}")
        if not cost:
            raise ValidationError(f"Enter the cost of {item}", field=f"cost_{index}")
        try:
            pence = parse_pounds(cost)
        except ValueError as error:
            raise ValidationError(money_message(error, f"Enter the cost of {item} in pounds, like 1,500"),
                                  field=f"cost_{index}") from None
        parsed.append((item, pence))
    if len(parsed) > MAX_LIST_ROWS:
        raise ValidationError(f"List up to {MAX_LIST_ROWS} budget lines: put smaller items together, like "
                              "\"Food and drinks for 40 sessions\"", field=f"item_{MAX_LIST_ROWS}")
    total = sum(p for _, p in parsed)
    if completed:
        if not parsed:
            raise ValidationError("Add at least one item to your budget", field="item_0")
        problem = budget_problem(application, total)
        if problem:
            raise ValidationError(problem, field="item_0")
    before = [{"item": b.item, "cost_pence": b.cost_pence} for b in application.budget_lines]
    application.budget_lines.clear()
    session.flush()
    for position, (item, pence) in enumerate(parsed, start=1):
        application.budget_lines.append(BudgetLine(position=position, item=item, cost_pence=pence))
    session.flush()
    audit.record(session, actor=by, action="application.budget_saved", entity=application,
                 before={"budget": before}, after={"budget": [{"item": i, "cost_pence": p} for i, p in parsed]})
    _save_section(session, application, "budget", version=version, by=by, completed=completed, now=now)
    return application


def save_partners(session: Session, *, application_id: int, by: User, version: int, partnership: bool | None,
                  partners: list[tuple[str, str]], completed: bool, now: datetime | None = None) -> Application:
    """Say whether this is a partnership bid and, if so, each partner and its role (the applicant leads)."""
    now = now or utcnow()
    application = _editable(session, application_id=application_id, by=by, now=now)
    check_version(application, "partners", version)
    if completed and partnership is None:
        raise ValidationError("Select yes if this is a partnership bid", field="partnership")
    rows: list[tuple[str, str]] = []
    if partnership:
        for index, (name, role) in enumerate(partners):
            name, role = (name or "").strip(), (role or "").strip()
            if not name and not role:
                continue
            if not name:
                raise ValidationError(f"Enter the name of partner {index + 1}", field=f"name_{index}")
            if len(name) > 200:
                raise ValidationError(f"Partner {index + 1}'s name must be 200 characters or fewer",
                                      field=f"name_{index}")
            if not role:
                raise ValidationError(f"Describe what {name} will do in the project", field=f"role_{index}")
            rows.append((name, role))
        if len(rows) > MAX_LIST_ROWS:
            raise ValidationError(f"List up to {MAX_LIST_ROWS} partners: name the main ones, and describe the rest "
                                  "in your project answers", field=f"name_{MAX_LIST_ROWS}")
        if completed and not rows:
            raise ValidationError("Add at least one partner organisation, or answer no", field="name_0")
    before = [{"name": p.organisation_name, "role": p.role_description} for p in application.partners]
    application.partners.clear()
    session.flush()
    for name, role in rows:
        application.partners.append(Partner(organisation_name=name, role_description=role))
    session.flush()
    audit.record(session, actor=by, action="application.partners_saved", entity=application,
                 before={"partners": before}, after={"partners": [{"name": n, "role": r} for n, r in rows]})
    _save_section(session, application, "partners", version=version, by=by, completed=completed, now=now)
    return application


def save_declarations(session: Session, *, application_id: int, by: User, version: int, name: str, role: str,
                      confirmed: list[str], completed: bool, now: datetime | None = None) -> Application:
    """Who declares the application true and that they may apply; every declaration must be ticked."""
    now = now or utcnow()
    application = _editable(session, application_id=application_id, by=by, now=now)
    check_version(application, "declarations", version)
    name, role = (name or "").strip(), (role or "").strip()
    if len(name) > 200:
        raise ValidationError("Your name must be 200 characters or fewer", field="name")
    if len(role) > 200:
        raise ValidationError("Your role must be 200 characters or fewer", field="role")
    all_ticked = set(DECLARATIONS) <= set(confirmed)
    if completed:
        if not name:
            raise ValidationError("Enter your full name", field="name")
        if not role:
            raise ValidationError("Enter your role in the organisation", field="role")
        if not all_ticked:
            raise ValidationError("Tick every declaration to confirm it", field="confirmed")
    before = audit.snapshot(application, ["declared_by_name", "declared_by_role", "declared_at"])
    application.declared_by_name = name or None
    application.declared_by_role = role or None
    application.declared_at = now if all_ticked else None
    audit.record(session, actor=by, action="application.declared", entity=application, before=before,
                 after=audit.snapshot(application, ["declared_by_name", "declared_by_role", "declared_at"]))
    _save_section(session, application, "declarations", version=version, by=by, completed=completed, now=now)
    return application


# Check answers, submit, withdraw ---------------------------------------------------------------


def submission_problems(application: Application) -> list[tuple[str, str]]:
    """What stops this application being sent, as (section key, message)."""
    problems = []
    for key in sections_for(application):
        if section_status(application, key) != SectionStatus.COMPLETED:
            problems.append((key, f"Complete '{SECTION_TITLES[key]}'"))
    if section_status(application, "budget") == SectionStatus.COMPLETED:
        problem = budget_problem(application, sum(b.cost_pence for b in application.budget_lines))
        if problem:
            problems.append(("budget", problem))
    if section_status(application, "project") == SectionStatus.COMPLETED:
        answers = {a.question_id: a.text for a in application.answers}
        for question in questions_for(application):
            text = answers.get(question.id, "")
            if question.required and not text.strip():
                problems.append(("project", f"Answer the question: {question.text}"))
            elif word_limit_problem(text, question.word_limit):
                problems.append(("project", f"{question.text}: {word_limit_problem(text, question.word_limit)}"))
    return problems


def next_reference(session: Session, *, application: Application, now: datetime) -> str:
    """The next reference for the fund and year, e.g. YLF-2026-0042 (the counter row is locked)."""
    fund = application.round.fund
    year = london(now).year
    counter_row = (select(ReferenceCounter)
                   .where(ReferenceCounter.fund_id == fund.id, ReferenceCounter.year == year).with_for_update())
    counter = session.scalar(counter_row)
    if counter is None:
        # The year's first submission. Another may be creating the counter at this moment: insert it unless it
        # exists (waiting for the other to commit), then lock whichever row is there, so both get a number.
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(ReferenceCounter).values(fund_id=fund.id, year=year, last_number=0)
                        .on_conflict_do_nothing(index_elements=["fund_id", "year"]))
        counter = session.scalar(counter_row.execution_options(populate_existing=True))
    counter.last_number += 1
    session.flush()
    return f"{fund.reference_prefix}-{year}-{counter.last_number:04d}"


def submit_application(session: Session, *, application_id: int, by: User, public_url: str = "",
                       now: datetime | None = None) -> Application:
    """Send a complete application: a reference, a frozen copy, an audit event and an e-mail receipt."""
    now = now or utcnow()
    application = _editable(session, application_id=application_id, by=by, now=now)
    if not by.email_confirmed:
        # The sender must have proved their address (accounts: the link e-mailed at sign-up), so the
        # receipt and everything after it reach a real person who speaks for the group.
        raise ValidationError(
            "Confirm your email address before you can send an application. Follow the link we emailed to "
            f"{by.email}, or ask for a new one", field="confirm",
        )
    problems = submission_problems(application)
    if problems:
        raise ValidationError("; ".join(message for _, message in problems), field="confirm")
    application.reference = next_reference(session, application=application, now=now)
    transition_application(application, to=ApplicationStatus.SUBMITTED)
    application.submitted_at = now
    application.submitted_snapshot = build_snapshot(application, submitted_at=now)
    session.flush()
    audit.record(session, actor=by, action="application.submitted", entity=application,
                 before={"status": "draft"},
                 after={"status": "submitted", "reference": application.reference})
    round_ = application.round
    for member in application.organisation.members:
        queue_email(
            session, to=member.email,
            subject=f"Application {application.reference} received",
            body=(
                f"Hello {member.name},\n\n"
                f"We have received {application.organisation.name}'s application to {round_.title} "
                f"({round_.fund.name}).\n\n"
                f"Your reference is {application.reference}. Quote it if you contact us.\n"
                f"Sent on {date_time(now)} by {by.name}.\n\n"
                "What happens next:\n"
                f"- Applications close on {date_time(round_.closes_at)}. We then check every application "
                "is eligible.\n"
                + (f"- A youth panel starts scoring from {date_time(round_.scoring_starts_at)}.\n"
                   if round_.scoring_starts_at else "")
                + (f"- We will tell you our decision by {date_time(round_.decisions_by)}.\n"
                   if round_.decisions_by else "")
                + f"\nSee your application and download a copy at {public_url}/applications/{application.id}\n"
            ),
        )
    return application


def withdrawal_problem(application: Application) -> str | None:
    """Why this application cannot be withdrawn, or None."""
    if application.status in WITHDRAWABLE:
        return None
    if application.status == ApplicationStatus.DRAFT:
        return "This application has not been sent, so there is nothing to withdraw"
    if application.status == ApplicationStatus.WITHDRAWN:
        return "This application has already been withdrawn"
    return "A decision has been made on this application, so it can no longer be withdrawn"


def withdraw_application(session: Session, *, application_id: int, by: User,
                         now: datetime | None = None) -> Application:
    """Withdraw a sent application before a decision."""
    now = now or utcnow()
    application = application_for_member(session, application_id=application_id, by=by)
    problem = withdrawal_problem(application)
    if problem:
        raise StateTransitionError(problem)
    before = application.status.value
    transition_application(application, to=ApplicationStatus.WITHDRAWN)
    application.withdrawn_at = now
    session.flush()
    audit.record(session, actor=by, action="application.withdrawn", entity=application,
                 before={"status": before}, after={"status": "withdrawn"})
    return application


# Dashboard --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardItem:
    """One application as the organisation's dashboard lists it."""

    application: Application
    status_label: str
    next_step: str
    deadline: str | None
    can_edit: bool
    can_withdraw: bool
    # The letters issued about it, newest first: the dashboard links to the latest.
    letters: tuple[IssuedLetter, ...] = ()


@dataclass(frozen=True)
class IssuedLetter:
    """What the dashboard shows of an issued letter (the PDF itself stays in the database)."""

    id: int
    version: int
    issued_at: datetime


def next_step(application: Application, now: datetime, *, letter_issued: bool = False) -> str:
    """What happens next and when, in a sentence."""
    round_ = application.round
    status = application.status
    if status == ApplicationStatus.DRAFT:
        if now >= round_.closes_at:
            return "The deadline passed before this application was sent"
        return f"Complete every section and send it by {date_time(round_.closes_at)}"
    if status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_ASSESSMENT):
        if round_.decisions_by:
            return f"The youth panel will score it. We will tell you our decision by {date_time(round_.decisions_by)}"
        return "The youth panel will score it. We will tell you our decision"
    if status == ApplicationStatus.SHORTLISTED:
        when = f" on {date_time(round_.interviews_at)}" if round_.interviews_at else ""
        return f"You are invited to an interview with the youth panel{when}"
    if status == ApplicationStatus.INELIGIBLE:
        return f"This application was not eligible: {application.ineligible_reason or 'we will write to explain'}"
    if status == ApplicationStatus.WITHDRAWN:
        return "You withdrew this application. Nothing more will happen to it"
    if letter_issued:
        return "A decision has been made. Your letter explaining it is ready"
    return "A decision has been made. We will send you a letter explaining it"


def latest_letter(session: Session, *, application: Application) -> IssuedLetter | None:
    """The newest letter issued about a sent application, if any (without its PDF)."""
    if application.reference is None:
        return None
    row = session.execute(
        select(Letter.id, Letter.version, Letter.issued_at).where(Letter.application_id == application.id)
        .order_by(Letter.version.desc()).limit(1)).first()
    return IssuedLetter(*row) if row else None


def applications_for_dashboard(session: Session, *, by: User, now: datetime | None = None) -> list[DashboardItem]:
    """Every application of every organisation the actor belongs to, newest first, with its issued letters.

    Three queries however many applications: the applications, their rounds, and every issued letter.
    """
    now = now or utcnow()
    organisation_ids = [o.id for o in by.organisations]
    if not organisation_ids:
        return []
    applications = session.scalars(
        select(Application).where(Application.organisation_id.in_(organisation_ids))
        .options(selectinload(Application.round))
        .order_by(Application.created_at.desc(), Application.id.desc())
    ).all()
    letters: dict[int, list[IssuedLetter]] = {}
    sent_ids = [a.id for a in applications if a.reference is not None]
    if sent_ids:
        rows = session.execute(
            select(Letter.application_id, Letter.id, Letter.version, Letter.issued_at)
            .where(Letter.application_id.in_(sent_ids)).order_by(Letter.application_id, Letter.version.desc()))
        for application_id, letter_id, version, issued_at in rows:
            letters.setdefault(application_id, []).append(IssuedLetter(letter_id, version, issued_at))
    items = []
    for application in applications:
        draft = application.status == ApplicationStatus.DRAFT
        issued = tuple(letters.get(application.id, ()))
        items.append(DashboardItem(
            application=application,
            status_label=STATUS_LABELS[application.status],
            next_step=next_step(application, now, letter_issued=bool(issued)),
            deadline=time_left(application.round.closes_at, now) if draft else None,
            can_edit=draft and now < application.round.closes_at,
            can_withdraw=application.status in WITHDRAWABLE,
            letters=issued,
        ))
    return items


def answers_snapshot(application: Application, *, now: datetime | None = None) -> dict[str, Any]:
    """What the application says now (the submitted copy once sent), in the frozen copy's shape."""
    if application.submitted_snapshot is not None:
        return application.submitted_snapshot
    return build_snapshot(application, submitted_at=now or utcnow())
