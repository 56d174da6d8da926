"""Setting up funds and rounds: details, criteria, questions, FAQs, preview and publication.

Only commissioners (and administrators) use these. Once a round is published, every edit to
something applicants rely on is written to the round's public change log through ``note_change``,
so no edit path can forget it; drafts record no changes. Services flush; the request commits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.domain import (
    NotFound,
    PermissionDenied,
    StateTransitionError,
    ValidationError,
)
from portal.formatting import MAX_PENCE, date, date_time, london, money
from portal.models import (
    Criterion,
    Faq,
    Fund,
    Question,
    Round,
    RoundChange,
    RoundStatus,
    User,
)
from portal.models.enums import ORGANISATION_TYPE_LABELS, OrganisationType
from portal.permissions import require_commissioner
from portal.prospectus.services import Prospectus, prospectus_for
from portal.round_lifecycle import transition_round

# The funder's priority themes; a round picks any of them (stored as written here).
THEMES = (
    "adverse childhood experiences and resilience",
    "school exclusions",
    "online harm",
    "critical thinking",
    "community mediation",
    "all forms of violence",
)

KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REFERENCE_PREFIX = re.compile(r"^[A-Z]{2,6}$")
DESCRIPTOR_FIELDS = tuple(f"descriptor_{score}" for score in range(1, 6))
Direction = Literal["up", "down"]


# Errors and problems ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing that stops a round being published, and where to put it right."""

    message: str
    # The set-up task it belongs to ("details", "criteria" or "questions") and the field, if any.
    task: str = "details"
    field: str | None = None


class RoundProblems(ValidationError):
    """Several problems found at once: publication (and edits to a published round) list them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = list(problems)


# Reading ---------------------------------------------------------------------------------------


COMMISSIONERS_ONLY = "Only commissioners can set up funds and rounds"


def _get(session: Session, model: type, id_: int, by: User, what: str) -> Any:
    """A record by id for a commissioner, or NotFound."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    record = session.get(model, id_)
    if record is None:
        raise NotFound(f"There is no {what} with this number. It may have been removed")
    return record


def list_funds(session: Session, *, by: User) -> list[Fund]:
    """Every fund, by name."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    return list(session.scalars(select(Fund).order_by(Fund.name)))


def get_fund(session: Session, *, fund_id: int, by: User) -> Fund:
    """A fund to edit or add a round to."""
    return _get(session, Fund, fund_id, by, "fund")


def get_round(session: Session, *, round_id: int, by: User) -> Round:
    """A round to set up, whatever its status."""
    return _get(session, Round, round_id, by, "round")


def get_criterion(session: Session, *, criterion_id: int, by: User) -> Criterion:
    """An assessment criterion to edit, move or remove."""
    return _get(session, Criterion, criterion_id, by, "assessment criterion")


def get_question(session: Session, *, question_id: int, by: User) -> Question:
    """An application question to edit, move or remove."""
    return _get(session, Question, question_id, by, "application question")


def get_faq(session: Session, *, faq_id: int, by: User) -> Faq:
    """A frequently asked question to edit, move or remove."""
    return _get(session, Faq, faq_id, by, "frequently asked question")


# Lifecycle -------------------------------------------------------------------------------------


def is_published(round_: Round) -> bool:
    """Whether the public can see the round (and so its edits go in the change log)."""
    return round_.status != RoundStatus.DRAFT


def has_opened(round_: Round, *, now: datetime) -> bool:
    """Whether applicants may have started: open by status, or published and past its opening time."""
    if round_.status in (RoundStatus.DRAFT, RoundStatus.PUBLISHED):
        return round_.status == RoundStatus.PUBLISHED and round_.opens_at <= now
    return True


# The change log ---------------------------------------------------------------------------------


def note_change(session: Session, *, round_: Round, summary: str, by: User, now: datetime) -> RoundChange | None:
    """Tell the public about a change to a published round; drafts record nothing."""
    if not is_published(round_):
        return None
    change = RoundChange(round=round_, summary=summary, changed_by_id=by.id, changed_at=now)
    session.add(change)
    return change


def _note_changes(session: Session, *, round_: Round, summaries: list[str], by: User, now: datetime) -> None:
    """Record each summary (see ``note_change``)."""
    for summary in summaries:
        note_change(session, round_=round_, summary=summary, by=by, now=now)


@dataclass(frozen=True)
class Setting:
    """A round's field that applicants rely on, and how to describe it in the change log."""

    name: str
    label: str
    show: Any  # value -> words


def _pounds(value: int) -> str:
    """Whole pounds as money."""
    return money(value * 100)


def _types(values: list[str]) -> str:
    """Eligible organisation types in words."""
    if not values:
        return "any type of organisation"
    return "; ".join(ORGANISATION_TYPE_LABELS[OrganisationType(v)] for v in values)


# In the prospectus's order. Free-text fields are too long to quote: the change log says they changed.
DATES = (
    Setting("opens_at", "Opening date", date_time),
    Setting("question_deadline", "Deadline for questions", date_time),
    Setting("closes_at", "Closing date", date_time),
    Setting("scoring_starts_at", "Panel scoring start date", date_time),
    Setting("interviews_at", "Interview date", date_time),
    Setting("decisions_by", "Decision date", date_time),
)
RELIED_ON = (
    *DATES,
    Setting("min_grant_pence", "Minimum grant", money),
    Setting("max_grant_pence", "Maximum grant", money),
    Setting("small_grant_threshold_pence", "Small-grant threshold", money),
    Setting("budget_pence", "Total budget", money),
    Setting("grant_months", "Length of grants", lambda months: f"{months} months"),
    Setting("eligible_organisation_types", "Organisations that can apply", _types),
    Setting("max_income_pounds", "Maximum annual income", _pounds),
)
# The dates a round needs before it is published; the interview date is optional.
REQUIRED_DATES = {"opens_at", "question_deadline", "closes_at", "scoring_starts_at", "decisions_by"}
# Each date must be after (True) or on or after (False) the one before it.
STRICTLY_AFTER = {"question_deadline": True, "closes_at": False, "scoring_starts_at": True,
                  "interviews_at": False, "decisions_by": False}


def describe_change(setting: Setting, before: Any, after: Any) -> str | None:
    """'Closing date changed from 4 January 2027, 5pm to 11 January 2027, 5pm', or None if unchanged."""
    if before == after:
        return None
    if before is None:
        return f"{setting.label} set to {setting.show(after)}"
    if after is None:
        return f"{setting.label} removed (it was {setting.show(before)})"
    old, new = setting.show(before), setting.show(after)
    # Times are typed to the minute: seconds dropped on saving are not a change anyone could see.
    return None if old == new else f"{setting.label} changed from {old} to {new}"


def describe_round_changes(before: Any, after: Any) -> list[str]:
    """Plain-English summaries of what changed between two versions of a round's details."""
    summaries = [s for s in (describe_change(setting, getattr(before, setting.name), getattr(after, setting.name))
                             for setting in RELIED_ON) if s]
    if before.must_serve_london != after.must_serve_london:
        summaries.append("Groups must now work with young people in at least one London borough"
                         if after.must_serve_london else "Groups no longer need to work in a London borough")
    if before.who_cannot_apply.strip() != after.who_cannot_apply.strip():
        summaries.append("“Who cannot apply” was updated")
    if before.what_you_need.strip() != after.what_you_need.strip():
        summaries.append("“What you will need” was updated")
    if before.asks_for_documents != after.asks_for_documents:
        summaries.append("Applicants for larger grants now upload supporting documents"
                         if after.asks_for_documents else "Applicants no longer upload supporting documents")
    elif after.asks_for_documents and before.document_guidance.strip() != after.document_guidance.strip():
        summaries.append("The guidance on supporting documents was updated")
    return summaries


def _scores(numbers: list[int]) -> str:
    """'score 3' or 'scores 2 and 4'."""
    if len(numbers) == 1:
        return f"a score of {numbers[0]}"
    return "scores " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def describe_criterion_changes(before: CriterionDetails, after: CriterionDetails) -> list[str]:
    """What changed in a criterion, in the words applicants read."""
    name = f"Criterion “{before.name}”"
    summaries = []
    if before.name != after.name:
        summaries.append(f"{name} renamed “{after.name}”")
        name = f"Criterion “{after.name}”"
    if before.weight != after.weight:
        summaries.append(f"{name} weight changed from {before.weight}% to {after.weight}%")
    if before.what_good_looks_like.strip() != after.what_good_looks_like.strip():
        summaries.append(f"{name}: what good looks like was updated")
    changed = [score for score, (old, new) in enumerate(zip(before.descriptors, after.descriptors), start=1)
               if old.strip() != new.strip()]
    if changed:
        summaries.append(f"{name}: what {_scores(changed)} {'means' if len(changed) == 1 else 'mean'} was changed")
    return summaries


def describe_question_changes(before: QuestionDetails, after: QuestionDetails, *, number: int,
                              criteria: dict[int, str], threshold_pence: int | None) -> list[str]:
    """What changed in an application question, e.g. 'Question 2 word limit changed from 300 to 250 words'."""
    name = f"Question {number}"
    summaries = []
    if before.text.strip() != after.text.strip():
        summaries.append(f"{name} now reads “{after.text.strip()}”")
    if before.guidance.strip() != after.guidance.strip():
        summaries.append(f"{name} guidance was updated")
    if before.word_limit != after.word_limit:
        summaries.append(f"{name} word limit changed from {before.word_limit} to {after.word_limit} words")
    if before.required != after.required:
        summaries.append(f"{name} is now {'required' if after.required else 'optional'}")
    if before.criterion_id != after.criterion_id:
        if after.criterion_id is None:
            summaries.append(f"{name} is no longer scored under “{criteria[before.criterion_id]}”")
        else:
            summaries.append(f"{name} is now scored under “{criteria[after.criterion_id]}”")
    if before.asked_of_small_grants != after.asked_of_small_grants:
        small = f"requests below {money(threshold_pence)}" if threshold_pence else "small grants"
        summaries.append(f"{name} is now asked of {small} too" if after.asked_of_small_grants
                         else f"{name} is no longer asked of {small}")
    return summaries


def _save(session: Session, entity: Any, details: Any, *, by: User, action: str) -> None:
    """Copy a details dataclass onto a record and audit the fields that changed (if any did)."""
    before = audit.snapshot(entity, list(vars(details)))
    for name, value in vars(details).items():
        setattr(entity, name, value)
    session.flush()
    old, new = audit.changed(before, audit.snapshot(entity, list(vars(details))))
    if new:
        audit.record(session, actor=by, action=action, entity=entity, before=old, after=new)


# Funds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundDetails:
    """What a commissioner says about a fund."""

    name: str
    slug: str
    reference_prefix: str
    description: str = ""


def _check_slug(slug: str, *, what: str) -> None:
    """Web addresses are lower-case words joined by hyphens."""
    if not KEBAB_CASE.match(slug):
        raise ValidationError(
            f"The web address of the {what} must be lower-case letters and numbers joined by hyphens, "
            "like staying-in-school", field="slug")


def _check_fund(session: Session, details: FundDetails, fund: Fund | None) -> None:
    """A fund's address and reference prefix are unique, in the right form."""
    _check_slug(details.slug, what="fund")
    if not REFERENCE_PREFIX.match(details.reference_prefix):
        raise ValidationError("The reference prefix must be 2 to 6 capital letters, like YLF",
                              field="reference_prefix")
    others = select(Fund).where(Fund.id != fund.id) if fund is not None else select(Fund)
    if session.scalar(others.where(Fund.slug == details.slug)) is not None:
        raise ValidationError(f"Another fund already uses the web address {details.slug}: choose a different one",
                              field="slug")
    taken = session.scalar(others.where(Fund.reference_prefix == details.reference_prefix))
    if taken is not None:
        raise ValidationError(
            f"{taken.name} already uses the reference prefix {details.reference_prefix}: choose a different one, "
            "so that application references stay unique", field="reference_prefix")
    if fund is not None and details.reference_prefix != fund.reference_prefix and any(
            is_published(r) for r in fund.rounds):
        raise ValidationError(
            f"The reference prefix cannot change now: applicants' references already start with "
            f"{fund.reference_prefix}", field="reference_prefix")


def create_fund(session: Session, *, details: FundDetails, by: User) -> Fund:
    """Start a new funding programme."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _check_fund(session, details, None)
    fund = Fund(name=details.name, slug=details.slug, reference_prefix=details.reference_prefix,
                description=details.description)
    session.add(fund)
    session.flush()
    audit.record(session, actor=by, action="fund.created", entity=fund, after=audit.snapshot(fund))
    return fund


def update_fund(session: Session, *, fund: Fund, details: FundDetails, by: User) -> Fund:
    """Change a fund's name, address, description or reference prefix."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _check_fund(session, details, fund)
    _save(session, fund, details, by=by, action="fund.updated")
    return fund


# Rounds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundDetails:
    """Everything about a round except its criteria, questions and FAQs (money in pence, times aware)."""

    title: str
    slug: str
    opens_at: datetime
    closes_at: datetime
    min_grant_pence: int
    max_grant_pence: int
    budget_pence: int
    summary: str = ""
    aims: str = ""
    themes: list[str] = field(default_factory=list)
    eligible_organisation_types: list[str] = field(default_factory=list)
    max_income_pounds: int | None = None
    must_serve_london: bool = True
    who_cannot_apply: str = ""
    small_grant_threshold_pence: int | None = None
    grant_months: int | None = None
    panellists_per_application: int = 3
    question_deadline: datetime | None = None
    scoring_starts_at: datetime | None = None
    interviews_at: datetime | None = None
    decisions_by: datetime | None = None
    what_you_need: str = ""
    asks_for_documents: bool = False
    document_guidance: str = ""
    support_contact: str = ""

    @classmethod
    def of(cls, round_: Round) -> RoundDetails:
        """A round's current details."""
        return cls(**{name: getattr(round_, name) for name in cls.__dataclass_fields__})


def _check_round_fields(session: Session, details: RoundDetails, round_: Round | None) -> None:
    """Rules every save obeys, draft or not: a unique kebab-case address, known choices and amounts we can store."""
    for name in ("min_grant_pence", "max_grant_pence", "small_grant_threshold_pence", "budget_pence"):
        pence = getattr(details, name)
        if pence is not None and not 0 <= pence <= MAX_PENCE:
            raise ValidationError(f"Enter an amount of {money(MAX_PENCE)} or less", field=name)
    _check_slug(details.slug, what="round")
    if round_ is not None and is_published(round_) and details.slug != round_.slug:
        raise ValidationError(
            f"The web address cannot change once the round is published, because people have links to "
            f"/rounds/{round_.slug}", field="slug")
    others = select(Round.id).where(Round.slug == details.slug)
    if round_ is not None:
        others = others.where(Round.id != round_.id)
    if session.scalar(others) is not None:
        raise ValidationError(f"Another round already uses the web address {details.slug}: choose a different one",
                              field="slug")
    unknown = set(details.themes) - set(THEMES)
    if unknown:
        raise ValidationError(f"Choose themes from the list (not {', '.join(sorted(unknown))})", field="themes")
    types = {t.value for t in OrganisationType}
    if set(details.eligible_organisation_types) - types:
        raise ValidationError("Choose organisation types from the list", field="eligible_organisation_types")


def create_round(session: Session, *, fund_id: int, details: RoundDetails, by: User) -> Round:
    """Start a draft round in a fund."""
    fund = get_fund(session, fund_id=fund_id, by=by)
    _check_round_fields(session, details, None)
    round_ = Round(fund=fund, status=RoundStatus.DRAFT, **vars(details))
    session.add(round_)
    session.flush()
    audit.record(session, actor=by, action="round.created", entity=round_, after=audit.snapshot(round_))
    return round_


def update_round(session: Session, *, round_: Round, details: RoundDetails, by: User, now: datetime) -> Round:
    """Save a round's details; a published round must stay publishable and its changes are logged."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _check_round_fields(session, details, round_)
    problems = scores_due_problems(round_, details)
    if is_published(round_):
        problems += date_problems(details) + money_problems(details) + decided_round_problems(round_, details)
    if problems:
        raise RoundProblems(problems)
    previous = RoundDetails.of(round_)
    _save(session, round_, details, by=by, action="round.updated")
    _note_changes(session, round_=round_, summaries=describe_round_changes(previous, details), by=by, now=now)
    return round_


def scores_due_problem(due: datetime, *, scoring_starts_at: datetime | None,
                       decisions_by: datetime | None) -> Problem | None:
    """Scores are due on a London day after the one panel scoring starts, and before the day decisions are due."""
    day = london(due).date()
    if scoring_starts_at is not None and day <= london(scoring_starts_at).date():
        return Problem(f"The date scores are due must be after panel scoring starts on {date(scoring_starts_at)}",
                       field="scoring_starts_at")
    if decisions_by is not None and day >= london(decisions_by).date():
        return Problem(f"The date scores are due must be before decisions are due on {date(decisions_by)}",
                       field="decisions_by")
    return None


def scores_due_problems(round_: Round, details: RoundDetails) -> list[Problem]:
    """Moving the scoring start or the decision date past the date scores are due (set in the panel settings)."""
    if round_.scores_due_at is None:
        return []
    problem = scores_due_problem(round_.scores_due_at, scoring_starts_at=details.scoring_starts_at,
                                 decisions_by=details.decisions_by)
    if problem is None:
        return []
    return [Problem(f"{problem.message}. Scores are due on {date(round_.scores_due_at)} (in the panel settings): "
                    "change that date first, or choose a date that leaves it in between", field=problem.field)]


def decided_round_problems(round_: Round, details: RoundDetails) -> list[Problem]:
    """Once decisions are made, the budget and the promised decision date are part of the public record."""
    if round_.status not in (RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED):
        return []
    problems = []
    if details.budget_pence != round_.budget_pence:
        problems.append(Problem(
            f"The budget cannot change now that decisions have been made: it stays {money(round_.budget_pence)}, "
            "which the published results compare the awards against", field="budget_pence"))
    if details.grant_months != round_.grant_months:
        problems.append(Problem(
            "The length of grants cannot change now that decisions have been made: it stays "
            f"{round_.grant_months or 'unset'}{' months' if round_.grant_months else ''}, which the grants awarded "
            "were made for", field="grant_months"))
    if details.decisions_by != round_.decisions_by:
        problems.append(Problem(
            f"The date decisions were promised by cannot change now that decisions have been made: it stays "
            f"{date_time(round_.decisions_by)}, which the published results compare against", field="decisions_by"))
    return problems


# Publication rules ------------------------------------------------------------------------------


def date_problems(round_: Any) -> list[Problem]:
    """Missing required dates, and dates out of order (opens < questions <= closes < scoring <= interviews <= decisions)."""
    problems = [Problem(f"Enter the {s.label.lower()}", field=s.name)
                for s in DATES if s.name in REQUIRED_DATES and getattr(round_, s.name) is None]
    previous: Setting | None = None
    strict = False
    for setting in DATES:
        strict = strict or STRICTLY_AFTER.get(setting.name, False)
        moment = getattr(round_, setting.name)
        if moment is None:
            continue
        if previous is not None:
            earlier = getattr(round_, previous.name)
            if moment < earlier or (strict and moment == earlier):
                problems.append(Problem(
                    f"The {setting.label.lower()} ({date_time(moment)}) must be "
                    f"{'after' if strict else 'on or after'} the {previous.label.lower()} ({date_time(earlier)})",
                    field=setting.name))
        previous, strict = setting, False
    return problems


def money_problems(round_: Any) -> list[Problem]:
    """The grant range fits inside the budget, and the small-grant threshold inside the range."""
    low, high, budget = round_.min_grant_pence, round_.max_grant_pence, round_.budget_pence
    threshold = round_.small_grant_threshold_pence
    problems = []
    if low > high:
        problems.append(Problem(f"The minimum grant ({money(low)}) must not be more than the maximum grant "
                                f"({money(high)})", field="min_grant_pence"))
    if high > budget:
        problems.append(Problem(f"The maximum grant ({money(high)}) must not be more than the total budget "
                                f"({money(budget)})", field="max_grant_pence"))
    if threshold is not None and not low < threshold <= high:
        problems.append(Problem(
            f"The small-grant threshold ({money(threshold)}) must be more than the minimum grant ({money(low)}) "
            f"and no more than the maximum grant ({money(high)})", field="small_grant_threshold_pence"))
    return problems


def criteria_problems(criteria: Sequence[Criterion]) -> list[Problem]:
    """At least one criterion, weights summing to 100, and all five descriptors for each."""
    if not criteria:
        return [Problem("Add at least one assessment criterion", task="criteria")]
    problems = []
    total = sum(c.weight for c in criteria)
    if total != 100:
        problems.append(Problem(f"The weights of the assessment criteria add up to {total}%. They must add up "
                                "to 100%", task="criteria"))
    for criterion in criteria:
        missing = [score for score, text in enumerate(criterion.descriptors, start=1) if not (text or "").strip()]
        if missing:
            problems.append(Problem(f"Criterion “{criterion.name}” needs a descriptor for "
                                    f"{_scores(missing)}", task="criteria"))
    return problems


def publication_problems(session: Session, *, round_: Round, now: datetime) -> list[Problem]:
    """Everything that stops this round being published, all at once."""
    problems = []
    with session.no_autoflush:  # compare the address as it stands, without saving it first
        taken = session.scalar(select(func.count(Round.id)).where(Round.slug == round_.slug, Round.id != round_.id))
    if taken:
        problems.append(Problem(f"Another round already uses the web address {round_.slug}: change this "
                                "round's web address", field="slug"))
    if not round_.summary.strip():
        problems.append(Problem("Enter a summary of what the round is for", field="summary"))
    if not round_.support_contact.strip():
        problems.append(Problem("Enter how applicants can contact you for help", field="support_contact"))
    problems += date_problems(round_)
    if not is_published(round_) and round_.closes_at <= now:
        problems.append(Problem(f"The closing date ({date_time(round_.closes_at)}) has already passed: choose a "
                                "later one", field="closes_at"))
    problems += money_problems(round_)
    problems += criteria_problems(round_.criteria)
    if not round_.questions:
        problems.append(Problem("Add at least one application question", task="questions"))
    return problems


def publish_round(session: Session, *, round_: Round, by: User, now: datetime) -> Round:
    """Make a draft round public: published, or open straight away if its opening time has passed."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    if is_published(round_):
        raise StateTransitionError(f"This round was already published on {date(round_.published_at)}"
                                   if round_.published_at else "This round has already been published")
    problems = publication_problems(session, round_=round_, now=now)
    if problems:
        raise RoundProblems(problems)
    transition_round(round_, RoundStatus.OPEN if round_.opens_at <= now else RoundStatus.PUBLISHED)
    round_.published_at = now
    session.flush()
    audit.record(session, actor=by, action="round.published", entity=round_,
                 before={"status": RoundStatus.DRAFT.value},
                 after={"status": round_.status.value, "published_at": now.isoformat()})
    return round_


# The overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """A line of the set-up task list."""

    key: str
    name: str
    status: str  # Completed, Incomplete, Not yet started, Cannot start yet
    hint: str | None = None


@dataclass(frozen=True)
class RoundOverview:
    """A round with its set-up tasks and what still stops publication."""

    round: Round
    tasks: list[Task]
    problems: list[Problem]


def _status(problems: list[Problem], *, started: bool, published: bool = False) -> str:
    """A task's status from its problems; complete once the round is published (publishing checked it)."""
    if published:
        return "Completed"
    if not started:
        return "Not yet started"
    return "Incomplete" if problems else "Completed"


def round_overview(session: Session, *, round_: Round, by: User, now: datetime) -> RoundOverview:
    """The set-up task list: details, criteria, questions, FAQs, preview and publication."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    problems = publication_problems(session, round_=round_, now=now)
    by_task = {task: [p for p in problems if p.task == task] for task in ("details", "criteria", "questions")}
    published = is_published(round_)
    if published:
        publish = Task("publish", "Publish the round", "Completed", hint=f"Published {date(round_.published_at)}")
    else:
        publish = Task("publish", "Publish the round", "Cannot start yet" if problems else "Not yet started")
    tasks = [
        Task("details", "Round details", _status(by_task["details"], started=True, published=published),
             hint="Dates, money, who can apply and how to get help"),
        Task("criteria", "Assessment criteria",
             _status(by_task["criteria"], started=bool(round_.criteria), published=published),
             hint=f"Weights add up to {sum(c.weight for c in round_.criteria)}%"),
        Task("questions", "Application questions",
             _status(by_task["questions"], started=bool(round_.questions), published=published)),
        Task("faqs", "Frequently asked questions", "Completed" if round_.faqs else "Not yet started", hint="Optional"),
        Task("preview", "Preview the prospectus", "Available", hint="Exactly what the public will see"),
        publish,
    ]
    return RoundOverview(round=round_, tasks=tasks, problems=problems)


def preview_prospectus(session: Session, *, round_: Round, by: User, now: datetime) -> Prospectus:
    """The public prospectus of a round in any status, for a commissioner to check."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    return prospectus_for(session, round_=round_, now=now)


# Ordering ---------------------------------------------------------------------------------------


def _renumber(items: Sequence[Criterion | Question | Faq]) -> None:
    """Positions 1, 2, 3... in list order."""
    for position, item in enumerate(items, start=1):
        item.position = position


def _move(session: Session, owner: Round, attribute: str, item: Any, direction: Direction) -> int | None:
    """Swap an item with its neighbour in ``owner.<attribute>``; its new position, or None if already at that end."""
    # Reorder a plain copy: swapping inside the relationship's own list would orphan (delete) an item.
    items = list(getattr(owner, attribute))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return None
    items[index], items[other] = items[other], items[index]
    _renumber(items)
    session.flush()
    session.expire(owner, [attribute])  # read again in the new order
    return item.position


# Criteria ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionDetails:
    """A criterion's name, weight (whole percent) and what each score from 1 to 5 means."""

    name: str
    weight: int
    what_good_looks_like: str = ""
    descriptor_1: str = ""
    descriptor_2: str = ""
    descriptor_3: str = ""
    descriptor_4: str = ""
    descriptor_5: str = ""

    @property
    def descriptors(self) -> list[str]:
        """Descriptors for scores 1 to 5."""
        return [getattr(self, name) for name in DESCRIPTOR_FIELDS]

    @classmethod
    def of(cls, criterion: Criterion) -> CriterionDetails:
        """A criterion's current details."""
        return cls(**{name: getattr(criterion, name) for name in cls.__dataclass_fields__})


def _check_criterion(round_: Round, details: CriterionDetails, criterion: Criterion | None) -> None:
    """Unique names; published rounds need every descriptor at once (the public reads them)."""
    if any(c.name.lower() == details.name.lower() for c in round_.criteria if c is not criterion):
        raise ValidationError(f"This round already has a criterion called “{details.name}”", field="name")
    if is_published(round_):
        missing = [Problem(f"Describe what a score of {score} means: the round is published", field=name)
                   for score, name in enumerate(DESCRIPTOR_FIELDS, start=1) if not getattr(details, name).strip()]
        if missing:
            raise RoundProblems(missing)


# From closing, the youth panel scores against the criteria: a changed weight or a new criterion would make
# scores already given add up wrongly (the weights must total 100), so nothing about them may change.
CRITERIA_FIXED_STATUSES = (RoundStatus.CLOSED, RoundStatus.ASSESSMENT, RoundStatus.DECIDED,
                           RoundStatus.DECISIONS_PUBLISHED)
CRITERIA_FIXED = "Scoring has started, so the criteria can no longer change"


def criteria_fixed(round_: Round) -> bool:
    """Whether the round's criteria can no longer change: it has closed and the panel scores against them."""
    return round_.status in CRITERIA_FIXED_STATUSES


def criteria_fixed_reason(round_: Round) -> str | None:
    """Why the round's criteria are read-only, for the set-up pages, or None while they may still change."""
    return CRITERIA_FIXED if criteria_fixed(round_) else None


def _require_criteria_open(round_: Round) -> None:
    """Refuse any change to the criteria once the round has closed."""
    if criteria_fixed(round_):
        raise ValidationError(CRITERIA_FIXED)


def add_criterion(session: Session, *, round_: Round, details: CriterionDetails, by: User, now: datetime) -> Criterion:
    """Add an assessment criterion at the end of the list."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _require_criteria_open(round_)
    _check_criterion(round_, details, None)
    criterion = Criterion(round=round_, position=len(round_.criteria) + 1, **vars(details))
    session.add(criterion)
    session.flush()
    audit.record(session, actor=by, action="criterion.added", entity=criterion, after=audit.snapshot(criterion))
    note_change(session, round_=round_, by=by, now=now,
                summary=f"Criterion “{details.name}” added, worth {details.weight}% of the score")
    return criterion


def update_criterion(session: Session, *, criterion: Criterion, details: CriterionDetails, by: User,
                     now: datetime) -> Criterion:
    """Change a criterion's name, weight, what good looks like or descriptors."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = criterion.round
    _require_criteria_open(round_)
    _check_criterion(round_, details, criterion)
    previous = CriterionDetails.of(criterion)
    _save(session, criterion, details, by=by, action="criterion.updated")
    _note_changes(session, round_=round_, summaries=describe_criterion_changes(previous, details), by=by, now=now)
    return criterion


def criterion_removal_problem(criterion: Criterion, *, now: datetime) -> str | None:
    """Why this criterion cannot be removed, if it cannot: removing one after opening is unfair."""
    if criteria_fixed(criterion.round):
        return CRITERIA_FIXED
    if has_opened(criterion.round, now=now):
        return ("You cannot remove a criterion once the round has opened: applicants may already be writing "
                "their answers to it. You can change its wording or weight instead")
    return None


def remove_criterion(session: Session, *, criterion: Criterion, by: User, now: datetime) -> Round:
    """Remove a criterion, unless applicants may already be writing to it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = criterion.round
    problem = criterion_removal_problem(criterion, now=now)
    if problem:
        raise ValidationError(problem)
    audit.record(session, actor=by, action="criterion.removed", entity=criterion, before=audit.snapshot(criterion))
    for question in round_.questions:
        if question.criterion is criterion:
            question.criterion = None
    round_.criteria.remove(criterion)
    _renumber(round_.criteria)
    session.flush()
    note_change(session, round_=round_, summary=f"Criterion “{criterion.name}” removed", by=by, now=now)
    return round_


def move_criterion(session: Session, *, criterion: Criterion, direction: Direction, by: User) -> Criterion:
    """Move a criterion up or down the list (the order does not change any score).

    Refused once the round has closed, like every other change to the criteria. The page offers no buttons
    then, so only a page loaded before closing can ask: it gets a 403 page with the reason.
    """
    require_commissioner(by, COMMISSIONERS_ONLY)
    if criteria_fixed(criterion.round):
        raise PermissionDenied(CRITERIA_FIXED)
    before = criterion.position
    if _move(session, criterion.round, "criteria", criterion, direction) is not None:
        audit.record(session, actor=by, action="criterion.moved", entity=criterion,
                     before={"position": before}, after={"position": criterion.position})
    return criterion


# Application questions --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionDetails:
    """An application question as the commissioner writes it."""

    text: str
    word_limit: int
    guidance: str = ""
    required: bool = True
    criterion_id: int | None = None
    asked_of_small_grants: bool = True

    @classmethod
    def of(cls, question: Question) -> QuestionDetails:
        """A question's current details."""
        return cls(**{name: getattr(question, name) for name in cls.__dataclass_fields__})


def _check_question(round_: Round, details: QuestionDetails) -> None:
    """The criterion it informs must be one of this round's."""
    if details.criterion_id is not None and details.criterion_id not in {c.id for c in round_.criteria}:
        raise ValidationError("Choose one of this round's criteria, or none", field="criterion_id")


def _criterion_names(round_: Round) -> dict[int, str]:
    """Criterion id -> name."""
    return {c.id: c.name for c in round_.criteria}


def add_question(session: Session, *, round_: Round, details: QuestionDetails, by: User, now: datetime) -> Question:
    """Add an application question at the end of the form."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _check_question(round_, details)
    question = Question(round=round_, position=len(round_.questions) + 1, **vars(details))
    session.add(question)
    session.flush()
    audit.record(session, actor=by, action="question.added", entity=question, after=audit.snapshot(question))
    note_change(session, round_=round_, by=by, now=now,
                summary=f"Question {question.position} added: “{details.text}” (up to {details.word_limit} words)")
    return question


def update_question(session: Session, *, question: Question, details: QuestionDetails, by: User,
                    now: datetime) -> Question:
    """Change a question's wording, guidance, word limit, criterion or who is asked it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = question.round
    _check_question(round_, details)
    previous = QuestionDetails.of(question)
    _save(session, question, details, by=by, action="question.updated")
    summaries = describe_question_changes(previous, details, number=question.position,
                                          criteria=_criterion_names(round_),
                                          threshold_pence=round_.small_grant_threshold_pence)
    _note_changes(session, round_=round_, summaries=summaries, by=by, now=now)
    return question


def question_removal_problem(question: Question, *, now: datetime) -> str | None:
    """Why this question cannot be removed, if it cannot: applicants may have answered it."""
    if has_opened(question.round, now=now):
        return ("You cannot remove a question once the round has opened: applicants may already have answered "
                "it. You can make it optional instead")
    return None


def remove_question(session: Session, *, question: Question, by: User, now: datetime) -> Round:
    """Remove a question, unless applicants may already have answered it."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = question.round
    problem = question_removal_problem(question, now=now)
    if problem:
        raise ValidationError(problem)
    number = question.position
    audit.record(session, actor=by, action="question.removed", entity=question, before=audit.snapshot(question))
    round_.questions.remove(question)
    _renumber(round_.questions)
    session.flush()
    note_change(session, round_=round_, summary=f"Question {number} removed: “{question.text}”", by=by, now=now)
    return round_


def move_question(session: Session, *, question: Question, direction: Direction, by: User, now: datetime) -> Question:
    """Move a question up or down the form (its number changes, so a published round logs it)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    before = question.position
    if _move(session, question.round, "questions", question, direction) is not None:
        audit.record(session, actor=by, action="question.moved", entity=question,
                     before={"position": before}, after={"position": question.position})
        note_change(session, round_=question.round, by=by, now=now,
                    summary=f"Question {before} (“{question.text}”) is now question {question.position}")
    return question


# Frequently asked questions ---------------------------------------------------------------------


@dataclass(frozen=True)
class FaqDetails:
    """A frequently asked question and its answer."""

    question: str
    answer: str


def add_faq(session: Session, *, round_: Round, details: FaqDetails, by: User) -> Faq:
    """Add a frequently asked question at the end of the list."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    faq = Faq(round=round_, position=len(round_.faqs) + 1, question=details.question, answer=details.answer)
    session.add(faq)
    session.flush()
    audit.record(session, actor=by, action="faq.added", entity=faq, after=audit.snapshot(faq))
    return faq


def update_faq(session: Session, *, faq: Faq, details: FaqDetails, by: User) -> Faq:
    """Change a frequently asked question or its answer."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    _save(session, faq, details, by=by, action="faq.updated")
    return faq


def remove_faq(session: Session, *, faq: Faq, by: User) -> Round:
    """Remove a frequently asked question."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = faq.round
    audit.record(session, actor=by, action="faq.removed", entity=faq, before=audit.snapshot(faq))
    round_.faqs.remove(faq)
    _renumber(round_.faqs)
    session.flush()
    return round_


def move_faq(session: Session, *, faq: Faq, direction: Direction, by: User) -> Faq:
    """Move a frequently asked question up or down."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    before = faq.position
    if _move(session, faq.round, "faqs", faq, direction) is not None:
        audit.record(session, actor=by, action="faq.moved", entity=faq,
                     before={"position": before}, after={"position": faq.position})
    return faq
