"""Outcome letters: preview, feedback drafts, issuing (stored versions that never change) and downloads.

A letter reports the application's decision once it is published in the decision log (award, decline or
reserve), or that the application was ineligible. Issuing renders the letter, stores the PDF with its SHA-256
as a new version (earlier versions stay as they were: there is no update path), audits it and e-mails the
organisation's members a link to sign in and read it. Bulk issue (portal/letters/bulk.py, by another helper)
calls ``issue_letter`` for each application that ``letter_needed`` says still needs one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, load_only
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.applications.access import is_member
from portal.commissioning import assessment_services
from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.formatting import date_time
from portal.letters import rendering
from portal.letters.rendering import CriterionFeedback, DatedStep, LetterContent, LetterSettings, NextRound
from portal.models import (
    Application,
    ApplicationStatus,
    Decision,
    Letter,
    LetterBatch,
    LetterDraft,
    LetterKind,
    Outcome,
    Role,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from portal.notifications.services import queue_email
from portal.permissions import is_commissioner, require_commissioner

FEEDBACK_MAX_CHARACTERS = 3000
# A grant agreement must be signed within this many days of the award letter.
AGREEMENT_DAYS = 14
KIND_FOR_OUTCOME = {Outcome.AWARD: LetterKind.AWARD, Outcome.DECLINE: LetterKind.DECLINE,
                    Outcome.RESERVE: LetterKind.RESERVE}
# The outcome in one phrase: the only thing about the decision an e-mail may say.
OUTCOME_PHRASES = {
    LetterKind.AWARD: "Good news: you have been awarded a grant",
    LetterKind.DECLINE: "We are sorry: your application was not funded",
    LetterKind.RESERVE: "Your application is on the reserve list",
    LetterKind.INELIGIBLE: "Your application could not go forward",
}
KIND_LABELS = {LetterKind.AWARD: "Award", LetterKind.DECLINE: "Decline", LetterKind.RESERVE: "Reserve list",
               LetterKind.INELIGIBLE: "Ineligible"}
# Applications that may have a letter: sent and then decided, or found ineligible.
LETTER_STATUSES = (ApplicationStatus.INELIGIBLE, ApplicationStatus.AWARDED, ApplicationStatus.DECLINED,
                   ApplicationStatus.RESERVE, ApplicationStatus.UNDER_ASSESSMENT, ApplicationStatus.SHORTLISTED)
AUDITED_LETTER_FIELDS = ["application_id", "kind", "version", "sha256", "issued_at", "issued_by_id", "batch_id",
                         "decision_id"]


# Errors ------------------------------------------------------------------------------------------


class FeedbackConflict(ValidationError):
    """A feedback save started from an older draft: another commissioner saved theirs first."""

    def __init__(self, draft: LetterDraft | None) -> None:
        when = f" on {date_time(draft.updated_at)}" if draft is not None else ""
        super().__init__(
            f"Someone else saved feedback for this letter{when}, after you opened it. We have not saved yours. "
            "Compare the two below; if you save again, yours will replace theirs", field="version")
        self.draft = draft


# Who may act -------------------------------------------------------------------------------------


COMMISSIONERS_ONLY = "Only commissioners can prepare and issue outcome letters"


def letter_application(session: Session, *, letter_application_id: int, by: User) -> Application:
    """A sent application, for a commissioner preparing its letter."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    application = session.get(Application, letter_application_id)
    if application is None or application.reference is None or application.status == ApplicationStatus.DRAFT:
        raise NotFound("There is no sent application with this number")
    return application


def member_application(session: Session, *, letter_application_id: int, by: User) -> Application:
    """A sent application whose letters this person may read: its organisation's members, or a commissioner."""
    application = session.get(Application, letter_application_id)
    if application is None or application.reference is None:
        raise NotFound("There is no sent application with this number")
    if not (is_commissioner(by) or is_member(application, by)):
        raise PermissionDenied("Only members of the organisation that applied can read its letters")
    return application


def letters_round(session: Session, *, round_id: int, by: User) -> Round:
    """Any round, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


# The rules ---------------------------------------------------------------------------------------


def decision_for(session: Session, application: Application) -> Decision | None:
    """The application's decision, if one has been recorded."""
    return session.scalar(select(Decision).where(Decision.application_id == application.id))


def letter_kind_for(application: Application, decision: Decision | None) -> LetterKind | None:
    """The kind of letter the application's state calls for: ineligible, or the decision's outcome."""
    if application.status == ApplicationStatus.INELIGIBLE:
        return LetterKind.INELIGIBLE
    if decision is None:
        return None
    return KIND_FOR_OUTCOME[decision.outcome]


def issue_problem(application: Application, decision: Decision | None) -> str | None:
    """Why no letter can be issued now, in plain words; None when one can."""
    kind = letter_kind_for(application, decision)
    if kind == LetterKind.INELIGIBLE:
        return None
    if kind is None or decision is None:
        if application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.SUBMITTED):
            return "There is no letter for this application: it was withdrawn or has not been screened"
        return "There is no decision on this application yet. Letters are issued once decisions are published"
    if application.round.status != RoundStatus.DECISIONS_PUBLISHED or decision.published_at is None:
        return ("The decision on this application is not published yet. Letters can be issued once it is "
                "published in the decision log")
    return None


def issued_letters(session: Session, application: Application) -> list[Letter]:
    """Every letter issued for the application, newest version first."""
    return list(session.scalars(
        select(Letter).where(Letter.application_id == application.id).order_by(Letter.version.desc())))


def _covers(letter: Letter, *, kind: LetterKind, decision: Decision | None) -> bool:
    """Whether an issued letter already reports the decision as it stands (or the ineligibility)."""
    if letter.kind != kind:
        return False
    if kind == LetterKind.INELIGIBLE:
        return True
    assert decision is not None and decision.published_at is not None
    return letter.decision_id == decision.id and letter.issued_at >= decision.published_at


def letter_needed(session: Session, application: Application) -> LetterKind | None:
    """The kind of letter still to issue for the current decision; None when issued already or not allowed yet."""
    decision = decision_for(session, application)
    kind = letter_kind_for(application, decision)
    if kind is None or issue_problem(application, decision) is not None:
        return None
    if any(_covers(letter, kind=kind, decision=decision) for letter in issued_letters(session, application)):
        return None
    return kind


def still_needed_by_round(session: Session, *, by: User, round_id: int | None = None) -> dict[int, int]:
    """Round id -> how many applications still need a letter (``letter_needed``'s rule), in three queries.

    Only applications a letter can be issued for now are read: ineligible ones, and those of rounds whose
    decisions are published. The letters' PDFs are not read.
    """
    require_commissioner(by, COMMISSIONERS_ONLY)
    issuable = (Application.status == ApplicationStatus.INELIGIBLE) | (
        Application.status.in_(LETTER_STATUSES) & (Round.status == RoundStatus.DECISIONS_PUBLISHED))
    statement = (select(Application).join(Round, Round.id == Application.round_id).where(issuable)
                 .options(load_only(Application.id, Application.round_id, Application.status),
                          contains_eager(Application.round)))
    if round_id is not None:
        statement = statement.where(Application.round_id == round_id)
    applications = session.scalars(statement).all()
    ids = [a.id for a in applications]
    decisions: dict[int, Decision] = {}
    letters: dict[int, list[Letter]] = {}
    if ids:
        decisions = {d.application_id: d for d in session.scalars(select(Decision).where(Decision.application_id.in_(ids)))}
        for letter in session.scalars(
            select(Letter).where(Letter.application_id.in_(ids))
            .options(load_only(Letter.application_id, Letter.kind, Letter.decision_id, Letter.issued_at))
        ):
            letters.setdefault(letter.application_id, []).append(letter)
    needed: dict[int, int] = {}
    for application in applications:
        decision = decisions.get(application.id)
        kind = letter_kind_for(application, decision)
        if kind is None or issue_problem(application, decision) is not None:
            continue
        if not any(_covers(letter, kind=kind, decision=decision) for letter in letters.get(application.id, [])):
            needed[application.round_id] = needed.get(application.round_id, 0) + 1
    return needed


# What a letter says ------------------------------------------------------------------------------


def draft_for(session: Session, application: Application) -> LetterDraft | None:
    """The commissioner's feedback draft for the application's next letter, if any."""
    return session.scalar(select(LetterDraft).where(LetterDraft.application_id == application.id))


@dataclass(frozen=True)
class CriterionDraft:
    """One criterion on the feedback page: the panel's score, the panel's comments joined, and the draft text."""

    criterion_id: int
    name: str
    score: float | None
    panel_comments: str  # the panellists' comments joined, never naming anyone
    text: str  # the draft's text, or the panel's comments when there is no draft yet


def _panel_comments(scores: assessment_services.CriterionScores) -> str:
    """The sent comments for a criterion joined into one text, without saying who wrote which."""
    return "\n\n".join(s.comment.strip() for s in scores.scores if s.comment and s.comment.strip())


def criterion_drafts(session: Session, application: Application) -> list[CriterionDraft]:
    """Each criterion of the round with the panel's mean (moderated where moderated) and its feedback text."""
    draft = draft_for(session, application)
    saved = draft.feedback if draft is not None else {}
    rows = []
    for scores in assessment_services.application_scores(session, application=application).criteria:
        comments = _panel_comments(scores)
        key = str(scores.criterion.id)
        rows.append(CriterionDraft(criterion_id=scores.criterion.id, name=scores.criterion.name, score=scores.used,
                                   panel_comments=comments, text=saved[key] if key in saved else comments))
    return rows


def _signed_by_role(session: Session, application: Application, decision: Decision | None) -> str:
    """The role of whoever decided (or screened) the application: never their name."""
    if decision is not None:
        return decision.decided_by_role.label
    screener = session.get(User, application.screened_by_id) if application.screened_by_id else None
    return screener.role.label if screener is not None else Role.COMMISSIONER.label


def _next_round(session: Session, application: Application, *, now: datetime,
                settings: LetterSettings) -> NextRound | None:
    """The fund's next published or open round still taking applications, if there is one."""
    found = session.scalar(
        select(Round)
        .where(Round.fund_id == application.round.fund_id, Round.id != application.round_id,
               Round.status.in_((RoundStatus.PUBLISHED, RoundStatus.OPEN)), Round.closes_at > now)
        .order_by(Round.opens_at))
    if found is None:
        return None
    return NextRound(title=found.title, url=f"{settings.public_url}/rounds/{found.slug}", opens_at=found.opens_at,
                     closes_at=found.closes_at)


def _award_steps(decision: Decision, *, dated: datetime) -> tuple[list[DatedStep], list[DatedStep]]:
    """The payment schedule and reporting dates: half on signing, half after the six-month report."""
    amount = decision.amount_awarded_pence or 0
    first = amount // 2
    agreement_by = dated + timedelta(days=AGREEMENT_DAYS)
    # The grant runs from the decision; a letter issued long after it counts from the agreement instead,
    # so no report falls due before the grant can have started.
    start = decision.decided_at
    if rendering.add_months(start, 6) <= agreement_by:
        start = agreement_by
    six_months = rendering.add_months(start, 6)
    payments = [DatedStep("When we receive your signed grant agreement", agreement_by, first),
                DatedStep("When we have received your six-month report", six_months, amount - first)]
    reports = [DatedStep("Six-month report: what you have done so far and what you have spent", six_months),
               DatedStep("End-of-grant report: what changed for young people, and the full spending",
                         rendering.add_months(start, 12))]
    return payments, reports


def letter_content(session: Session, *, application: Application, kind: LetterKind, decision: Decision | None,
                   settings: LetterSettings, now: datetime) -> LetterContent:
    """Everything the letter says, from the sent application, the decision, the round and the feedback draft."""
    snapshot = application.submitted_snapshot or {}
    organisation = snapshot.get("organisation") or {}
    declaration = snapshot.get("declaration") or {}
    fields: dict = dict(
        kind=kind, reference=application.reference or "", dated=now,
        project_title=snapshot.get("project_title") or application.project_title,
        round_title=application.round.title, fund_name=application.round.fund.name,
        organisation_name=organisation.get("name") or application.organisation.name,
        address=list(organisation.get("address") or []),
        addressee_name=declaration.get("name") or application.declared_by_name,
        signed_by_role=_signed_by_role(session, application, decision),
        contact=application.round.support_contact.strip() or settings.support_email,
        amount_requested_pence=application.amount_requested_pence,
    )
    if kind == LetterKind.AWARD and decision is not None:
        payments, reports = _award_steps(decision, dated=now)
        fields.update(amount_awarded_pence=decision.amount_awarded_pence, payments=payments, reports=reports,
                      agreement_by=now + timedelta(days=AGREEMENT_DAYS), reason=decision.reason)
    elif kind == LetterKind.DECLINE and decision is not None:
        draft = draft_for(session, application)
        fields.update(
            reason_category=decision.reason_category, reason=decision.reason,
            general_feedback=draft.general_feedback if draft is not None else "",
            criteria=[CriterionFeedback(name=row.name, score=row.score, feedback=row.text)
                      for row in criterion_drafts(session, application)],
            next_round=_next_round(session, application, now=now, settings=settings))
    elif kind == LetterKind.RESERVE and decision is not None:
        published = decision.published_at or now
        fields.update(reason=decision.reason, hear_by=rendering.add_months(published, 3))
    elif kind == LetterKind.INELIGIBLE:
        fields.update(ineligible_reason=application.ineligible_reason or "",
                      next_round=_next_round(session, application, now=now, settings=settings))
    return LetterContent(**fields)


# Preview -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterPage:
    """The commissioner's letter page: the preview (when there is a letter to write) and the issued versions."""

    application: Application
    kind: LetterKind | None
    html: str | None
    problem: str | None  # why it cannot be issued now
    letters: list[Letter]
    needed: LetterKind | None
    has_feedback: bool  # decline letters carry feedback the commissioner can edit


def letter_page(session: Session, *, application: Application, by: User, public_url: str,
                now: datetime | None = None) -> LetterPage:
    """The letter as it would be issued now, with whether it can be, and the versions issued so far."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    decision = decision_for(session, application)
    kind = letter_kind_for(application, decision)
    html = None
    if kind is not None:
        settings = rendering.letter_settings(public_url=public_url)
        content = letter_content(session, application=application, kind=kind, decision=decision,
                                 settings=settings, now=now or utcnow())
        html = rendering.letter_html(content, settings=settings)
    return LetterPage(application=application, kind=kind, html=html, problem=issue_problem(application, decision),
                      letters=issued_letters(session, application), needed=letter_needed(session, application),
                      has_feedback=kind == LetterKind.DECLINE)


def letter_filename(application: Application, *, version: int | None = None) -> str:
    """outcome-letter-YLF-2026-0042-v2.pdf (only safe characters, whatever the reference holds)."""
    reference = re.sub(r"[^A-Za-z0-9-]", "", application.reference or "") or str(application.id)
    suffix = f"-v{version}" if version is not None else "-preview"
    return f"outcome-letter-{reference}{suffix}.pdf"


def preview_pdf(session: Session, *, application: Application, by: User, public_url: str,
                now: datetime | None = None) -> tuple[bytes, str]:
    """The letter as it would be issued now, as a PDF made on the fly (not stored), and its file name."""
    page = letter_page(session, application=application, by=by, public_url=public_url, now=now)
    if page.html is None:
        raise NotFound(page.problem or "There is no letter to preview for this application yet")
    return rendering.letter_pdf(page.html), letter_filename(application)


# Feedback ----------------------------------------------------------------------------------------


def _checked_feedback(feedback: Mapping[int, str], general_feedback: str,
                      criteria: list[CriterionDraft]) -> dict[str, str]:
    """The typed feedback for the round's criteria, refusing any text that is too long."""
    for name, text in (("general_feedback", general_feedback),
                       *((f"feedback_{c.criterion_id}", feedback.get(c.criterion_id, "")) for c in criteria)):
        if len(text or "") > FEEDBACK_MAX_CHARACTERS:
            raise ValidationError(f"Feedback must be {FEEDBACK_MAX_CHARACTERS:,} characters or fewer", field=name)
    return {str(c.criterion_id): (feedback.get(c.criterion_id) or "").strip() for c in criteria}


def save_feedback(session: Session, *, application: Application, feedback: Mapping[int, str],
                  general_feedback: str, version: int | None, by: User) -> LetterDraft:
    """Save the letter's feedback per criterion; refused when someone saved a newer draft since ``version``."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    draft = draft_for(session, application)
    if (draft.version if draft is not None else None) != version:
        raise FeedbackConflict(draft)
    texts = _checked_feedback(feedback, general_feedback, criterion_drafts(session, application))
    fields = ["feedback", "general_feedback", "updated_by_id"]
    before = audit.snapshot(draft, fields) if draft is not None else None
    try:
        with session.begin_nested():
            if draft is None:
                draft = LetterDraft(application_id=application.id, feedback=texts,
                                    general_feedback=general_feedback.strip(), updated_by_id=by.id)
                session.add(draft)
            else:
                draft.feedback = texts
                draft.general_feedback = general_feedback.strip()
                draft.updated_by_id = by.id
            session.flush()
    except (StaleDataError, IntegrityError):
        session.expire_all()
        raise FeedbackConflict(draft_for(session, application)) from None
    audit.record(session, actor=by, action="letter.feedback_saved", entity=draft, before=before,
                 after=audit.snapshot(draft, fields))
    return draft


# Issuing -----------------------------------------------------------------------------------------


def _notify_members(session: Session, *, application: Application, kind: LetterKind, settings: LetterSettings) -> None:
    """E-mail every member of the organisation: the outcome in one phrase and a link to sign in and read it."""
    link = f"{settings.public_url}/sign-in?next=/applications/{application.id}/letters"
    body = (f"{OUTCOME_PHRASES[kind]}.\n\n"
            f"Your letter about application {application.reference} is ready in {settings.portal_name}. "
            f"Sign in to read and download it:\n{link}\n\n"
            f"From {settings.funder_name}\n")
    for email in sorted({m.user.email for m in application.organisation.memberships}):
        queue_email(session, to=email, subject=f"Your letter about {application.reference} is ready", body=body)


@dataclass(frozen=True)
class PreparedLetter:
    """A letter rendered but not yet stored: what it reports (kind, decision and its version) and its HTML and PDF.

    Rendering takes most of a letter's time, so bulk issue renders in one short read-only transaction and
    stores in another; ``issue_letter`` uses a prepared letter only if the decision has not changed since.
    """

    application_id: int
    kind: LetterKind
    decision_id: int | None
    decision_version: int | None
    html: str
    pdf: bytes


def prepare_letter(session: Session, *, application: Application, public_url: str,
                   now: datetime | None = None) -> PreparedLetter:
    """Render the application's letter for its current decision, without storing anything."""
    decision = decision_for(session, application)
    problem = issue_problem(application, decision)
    kind = letter_kind_for(application, decision)
    if problem is not None or kind is None:
        raise StateTransitionError(problem or "There is no letter to issue for this application")
    settings = rendering.letter_settings(public_url=public_url)
    content = letter_content(session, application=application, kind=kind, decision=decision, settings=settings,
                             now=now or utcnow())
    html = rendering.letter_html(content, settings=settings)
    reported = decision if kind != LetterKind.INELIGIBLE else None
    return PreparedLetter(application_id=application.id, kind=kind,
                          decision_id=reported.id if reported is not None else None,
                          decision_version=reported.version if reported is not None else None,
                          html=html, pdf=rendering.letter_pdf(html))


def _still_current(prepared: PreparedLetter | None, application: Application, decision: Decision | None,
                   kind: LetterKind) -> bool:
    """Whether a prepared letter still reports the application's decision exactly as it now stands."""
    if prepared is None or prepared.application_id != application.id or prepared.kind != kind:
        return False
    if kind == LetterKind.INELIGIBLE:
        return prepared.decision_id is None
    return decision is not None and (prepared.decision_id, prepared.decision_version) == (decision.id,
                                                                                         decision.version)


def issue_letter(session: Session, *, application: Application, by: User, public_url: str,
                 batch: LetterBatch | None = None, now: datetime | None = None,
                 prepared: PreparedLetter | None = None) -> Letter:
    """Store and announce a new version of the application's letter for its current decision.

    The letter is rendered now unless ``prepared`` (from ``prepare_letter``) still matches the decision.
    """
    require_commissioner(by, COMMISSIONERS_ONLY)
    decision = decision_for(session, application)
    problem = issue_problem(application, decision)
    kind = letter_kind_for(application, decision)
    if problem is not None or kind is None:
        raise StateTransitionError(problem or "There is no letter to issue for this application")
    now = now or utcnow()
    if not _still_current(prepared, application, decision, kind):
        prepared = prepare_letter(session, application=application, public_url=public_url, now=now)
    settings = rendering.letter_settings(public_url=public_url)
    latest = max((letter.version for letter in issued_letters(session, application)), default=0)
    letter = Letter(application_id=application.id, kind=kind, version=latest + 1, pdf=prepared.pdf,
                    sha256=hashlib.sha256(prepared.pdf).hexdigest(), issued_at=now, issued_by_id=by.id,
                    batch_id=batch.id if batch is not None else None, decision_id=prepared.decision_id,
                    html=prepared.html)
    try:
        with session.begin_nested():
            session.add(letter)
            session.flush()
    except IntegrityError:
        raise StateTransitionError("Another letter for this application was issued at the same moment. "
                                   "Check its letters and try again if it still needs one") from None
    audit.record(session, actor=by, action="letter.issued", entity=letter,
                 after=audit.snapshot(letter, AUDITED_LETTER_FIELDS))
    _notify_members(session, application=application, kind=kind, settings=settings)
    return letter


# Reading issued letters --------------------------------------------------------------------------


def letter_for_download(session: Session, *, letter_id: int, by: User) -> Letter:
    """An issued letter for its organisation's members or a commissioner; every download is audited."""
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFound("There is no letter with this number")
    if not (is_commissioner(by) or is_member(letter.application, by)):
        raise PermissionDenied("Only members of the organisation that applied can download its letters")
    audit.record(session, actor=by, action="letter.downloaded", entity=letter,
                 after={"letter_id": letter.id, "application_id": letter.application_id, "version": letter.version})
    return letter


def download_filename(letter: Letter) -> str:
    """The issued letter's file name, with its version."""
    return letter_filename(letter.application, version=letter.version)


def letters_for_member(session: Session, *, application: Application, by: User) -> list[Letter]:
    """The application's issued letters, newest first, for its members (and commissioners)."""
    if not (is_commissioner(by) or is_member(application, by)):
        raise PermissionDenied("Only members of the organisation that applied can read its letters")
    return issued_letters(session, application)


# A round's letters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundLetterRow:
    """One application on the round's letters page and where its letter stands."""

    application: Application
    kind: LetterKind | None
    latest: Letter | None
    needed: LetterKind | None
    problem: str | None

    @property
    def status(self) -> str:
        """"Not issued", "Issued version 2 on 5 May 2026, 3pm", "Needs a new letter: the decision changed"..."""
        if self.problem is not None:
            return "Not ready: the decision is not published yet"
        if self.latest is None:
            return "Not issued"
        issued = f"Issued version {self.latest.version} on {date_time(self.latest.issued_at)}"
        if self.needed is not None:
            return f"Needs a new letter: the decision changed. {issued}"
        return issued


@dataclass(frozen=True)
class RoundLetters:
    """The round's letters page."""

    round: Round
    rows: list[RoundLetterRow]

    @property
    def published(self) -> bool:
        """Whether the round's decisions are published, so its letters can be issued."""
        return self.round.status == RoundStatus.DECISIONS_PUBLISHED

    @property
    def still_needed(self) -> int:
        """How many applications still need a letter (a first one, or a new one)."""
        return sum(1 for row in self.rows if row.needed is not None)


def round_letters(session: Session, *, round_: Round, by: User) -> RoundLetters:
    """Every application of the round that needs or has a letter, with where its letter stands."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    applications = session.scalars(
        select(Application)
        .where(Application.round_id == round_.id, Application.status.in_(LETTER_STATUSES))
        .order_by(Application.reference))
    rows = []
    for application in applications:
        decision = decision_for(session, application)
        kind = letter_kind_for(application, decision)
        letters = issued_letters(session, application)
        if kind is None and not letters:
            continue
        rows.append(RoundLetterRow(application=application, kind=kind, latest=letters[0] if letters else None,
                                   needed=letter_needed(session, application),
                                   problem=issue_problem(application, decision)))
    return RoundLetters(round=round_, rows=rows)
