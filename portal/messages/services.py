"""Messages about a sent application, between the funder's commissioners and the group's members.

Messages are plain text, kept with the application and read oldest first. Each one e-mails the other
side a notice that names only the application's reference: no message text and no names, because
e-mail is forwarded, shared and read over shoulders. Panellists never see a message unless a
commissioner shares it with the panel. Sending, sharing and unsharing are in the audit trail.
Services flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, joinedload

from portal import audit
from portal.applications.access import application_for_member, is_member
from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.invisible import strip_invisible
from portal.models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    Membership,
    PanelAssignment,
    Role,
    Round,
    User,
    utcnow,
)
from portal.notifications.services import queue_email
from portal.permissions import is_commissioner, require_commissioner

# Long enough for a screening question and its answer; longer belongs in a document or a call.
CHARACTER_LIMIT = 3000

COMMISSIONERS_ONLY = "Only commissioners can see the funder's side of messages about an application"
NOT_SENT_YET = ("You can send messages about an application once it has been sent. Until then, "
                "ask about the round from its prospectus page")


@dataclass(frozen=True)
class Settings:
    """What the notice e-mails need to know about the deployment."""

    public_url: str
    portal_name: str


@dataclass(frozen=True)
class Conversation:
    """An application's messages, oldest first, as one side sees them."""

    application: Application
    messages: list[ApplicationMessage]
    # Ids of messages from the other side that this side had not opened before this visit.
    new_ids: frozenset[int]

    @property
    def is_open(self) -> bool:
        """Whether messages can be sent: only once the application has been sent."""
        return is_sent(self.application)


# Rules ------------------------------------------------------------------------------------------------


def is_sent(application: Application) -> bool:
    """Whether the group has sent the application (messages are only about sent applications)."""
    return application.status != ApplicationStatus.DRAFT and application.submitted_at is not None


def clean_text(text: str | None) -> str:
    """The message as stored: invisible direction and spacing characters removed, Windows line ends made plain."""
    return strip_invisible((text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def length_problem(text: str, *, limit: int = CHARACTER_LIMIT) -> str | None:
    """The message for a message over the limit, saying how many characters to remove; else None."""
    over = len(text) - limit
    if over <= 0:
        return None
    return (f"Your message must be {limit:,} characters or fewer. "
            f"Remove {over:,} {'character' if over == 1 else 'characters'}")


# Loading, with the record-level checks -------------------------------------------------------------


def application_for_group(session: Session, *, application_id: int, by: User) -> Application:
    """An application its organisation's members may message about (other groups are refused)."""
    return application_for_member(session, application_id=application_id, by=by)


def application_for_funder(session: Session, *, application_id: int, by: User) -> Application:
    """A sent application, for a commissioner (drafts are the group's own and are not found)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    application = session.get(Application, application_id, options=[joinedload(Application.round)])
    if application is None or not is_sent(application):
        raise NotFound("There is no sent application with this number")
    return application


def _side_of(application: Application, by: User) -> bool:
    """True when the person writes for the funder, False for the group; refuses anyone else."""
    if is_commissioner(by):
        return True
    if by.role == Role.APPLICANT and is_member(application, by):
        return False
    raise PermissionDenied("Only members of the group that sent this application, and commissioners, "
                           "can see its messages")


# Reading -------------------------------------------------------------------------------------------


def _messages(session: Session, application: Application) -> list[ApplicationMessage]:
    """Every message on the application, oldest first, with its sender."""
    return list(session.scalars(
        select(ApplicationMessage)
        .where(ApplicationMessage.application_id == application.id)
        .options(joinedload(ApplicationMessage.sender))
        .order_by(ApplicationMessage.sent_at, ApplicationMessage.id)
    ))


def open_conversation(session: Session, *, application: Application, by: User,
                      now: datetime | None = None) -> Conversation:
    """The messages as this side sees them; the other side's unread messages are marked read."""
    funder = _side_of(application, by)
    messages = _messages(session, application)
    new_ids = frozenset(m.id for m in messages if m.from_funder != funder and m.read_at is None)
    if new_ids:
        # Write only when there is something new, so reading an old conversation takes no write lock.
        session.execute(
            update(ApplicationMessage)
            .where(ApplicationMessage.id.in_(new_ids), ApplicationMessage.read_at.is_(None))
            .values(read_at=now or utcnow())
            .execution_options(synchronize_session=False)
        )
    return Conversation(application=application, messages=messages, new_ids=new_ids)


@dataclass(frozen=True)
class MessageCounts:
    """How many messages an application has, and how many from the other side this side has not opened."""

    total: int
    new: int


def message_counts(session: Session, *, application: Application, by: User) -> MessageCounts:
    """The numbers for either side's link to the messages ("Messages (2 new)")."""
    funder = _side_of(application, by)
    unread_from_other_side = (ApplicationMessage.from_funder.is_(not funder)) & ApplicationMessage.read_at.is_(None)
    total, new = session.execute(
        select(func.count(ApplicationMessage.id),
               func.count(ApplicationMessage.id).filter(unread_from_other_side))
        .where(ApplicationMessage.application_id == application.id)
    ).one()
    return MessageCounts(total=total or 0, new=new or 0)


# Waiting for a reply: conversations whose latest message is from the group ---------------------------


def _latest_by_side():
    """Per application: when the group and the funder last wrote, and the group's messages not yet opened."""
    from_group = ApplicationMessage.from_funder.is_(False)
    return (
        select(ApplicationMessage.application_id.label("application_id"),
               func.max(case((from_group, ApplicationMessage.sent_at))).label("group_at"),
               func.max(case((ApplicationMessage.from_funder.is_(True), ApplicationMessage.sent_at)))
               .label("funder_at"),
               func.count(ApplicationMessage.id).filter(from_group & ApplicationMessage.read_at.is_(None))
               .label("new"))
        .group_by(ApplicationMessage.application_id)
        .subquery()
    )


def _unanswered(latest):
    """The group wrote last: nobody for the funder has replied since (read or not, it still wants a reply)."""
    return latest.c.group_at.is_not(None) & (latest.c.funder_at.is_(None) | (latest.c.group_at > latest.c.funder_at))


def waiting_for_reply_by_round(session: Session, *, by: User) -> dict[int, int]:
    """Round id -> how many sent applications have a message from the group the funder has not replied to
    (one statement for every round, for the commissioners' to-do list)."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    latest = _latest_by_side()
    return dict(session.execute(
        select(Application.round_id, func.count())
        .join(latest, latest.c.application_id == Application.id)
        .where(_unanswered(latest))
        .group_by(Application.round_id)
    ).tuples().all())


@dataclass(frozen=True)
class WaitingConversation:
    """A sent application whose group wrote last: when, and how many of their messages nobody has opened."""

    application: Application
    last_message_at: datetime
    new: int


def round_for_funder(session: Session, *, round_id: int, by: User) -> Round:
    """A round, for a commissioner reading its messages."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("There is no round with this number")
    return round_


def waiting_for_reply(session: Session, *, round_id: int, by: User) -> list[WaitingConversation]:
    """A round's conversations waiting for the funder's reply, the longest waiting first."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    latest = _latest_by_side()
    rows = session.execute(
        select(Application, latest.c.group_at, latest.c.new)
        .join(latest, latest.c.application_id == Application.id)
        .where(Application.round_id == round_id, _unanswered(latest))
        .options(joinedload(Application.organisation))
        .order_by(latest.c.group_at, Application.id)
    ).all()
    return [WaitingConversation(application=a, last_message_at=_aware(at), new=new or 0) for a, at, new in rows]


def _aware(moment: datetime | str) -> datetime:
    """A moment from an aggregate, aware and in UTC (SQLite returns the stored text or a naive value)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shared_with_panel(session: Session, *, assignment: PanelAssignment, by: User) -> list[ApplicationMessage]:
    """The messages a commissioner shared with the panel, for the panellist this application is assigned to."""
    if by.role != Role.PANELLIST or assignment.panellist_id != by.id or assignment.recused_at is not None:
        raise PermissionDenied("Only panellists assessing this application can read messages shared with the panel")
    return list(session.scalars(
        select(ApplicationMessage)
        .where(
            ApplicationMessage.application_id == assignment.application_id,
            ApplicationMessage.shared_with_panel_at.is_not(None),
        )
        .order_by(ApplicationMessage.sent_at, ApplicationMessage.id)
    ))


# Writing -------------------------------------------------------------------------------------------


def send_message(session: Session, *, application: Application, text: str | None, by: User, settings: Settings,
                 now: datetime | None = None) -> ApplicationMessage:
    """Add a message to a sent application and e-mail the other side a notice (no text, no names)."""
    funder = _side_of(application, by)
    if not is_sent(application):
        raise StateTransitionError(NOT_SENT_YET, field="body")
    body = clean_text(text)
    if not body:
        raise ValidationError("Enter your message", field="body")
    problem = length_problem(body)
    if problem:
        raise ValidationError(problem, field="body")
    now = now or utcnow()
    message = ApplicationMessage(application_id=application.id, sender_id=by.id, from_funder=funder, body=body,
                                 sent_at=now)
    session.add(message)
    session.flush()
    audit.record(session, actor=by, action="application_message.sent", entity=message,
                 after=audit.snapshot(message, ["application_id", "sender_id", "from_funder", "body", "sent_at"]))
    _notify(session, application=application, message=message, sender=by, settings=settings)
    return message


def message_for_funder(session: Session, *, application: Application, message_id: int, by: User
                       ) -> ApplicationMessage:
    """One message of this application, for a commissioner."""
    require_commissioner(by, COMMISSIONERS_ONLY)
    message = session.get(ApplicationMessage, message_id)
    if message is None or message.application_id != application.id:
        raise NotFound("There is no such message about this application")
    return message


def share_with_panel(session: Session, *, message: ApplicationMessage, share: bool, by: User,
                     now: datetime | None = None) -> bool:
    """Share a message with the youth panel (or stop sharing it); False when nothing changed."""
    require_commissioner(by, "Only commissioners can share messages with the panel")
    if share == (message.shared_with_panel_at is not None):
        return False
    fields = ["shared_with_panel_at", "shared_by_id"]
    before = audit.snapshot(message, fields)
    if share:
        message.shared_with_panel_at, message.shared_by_id = now or utcnow(), by.id
    else:
        message.shared_with_panel_at, message.shared_by_id = None, None
    session.flush()
    audit.record(session, actor=by,
                 action="application_message.shared_with_panel" if share else "application_message.unshared",
                 entity=message, before=before, after=audit.snapshot(message, fields))
    return True


# Notices -------------------------------------------------------------------------------------------


def _funder_recipients(session: Session, application: Application, sender: User) -> list[str]:
    """Commissioners who have written on this application; if none has yet, every active commissioner."""
    in_conversation = select(ApplicationMessage.sender_id).where(
        ApplicationMessage.application_id == application.id, ApplicationMessage.from_funder.is_(True))
    staff = select(User.email).where(User.role.in_([Role.COMMISSIONER, Role.ADMIN]),
                                     User.is_active_account.is_(True), User.id != sender.id)
    written = session.scalars(staff.where(User.id.in_(in_conversation)).order_by(User.id)).all()
    return list(written) or list(session.scalars(staff.order_by(User.id)))


def _group_recipients(session: Session, application: Application, sender: User) -> list[str]:
    """Every active member of the group that sent the application, except the sender."""
    return list(session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == application.organisation_id, User.is_active_account.is_(True),
               User.id != sender.id)
        .order_by(User.id)
    ))


def _notify(session: Session, *, application: Application, message: ApplicationMessage, sender: User,
            settings: Settings) -> int:
    """E-mail the other side that there is a message; the notice names only the application's reference."""
    base = settings.public_url.rstrip("/")
    if message.from_funder:
        recipients = _group_recipients(session, application, sender)
        link = f"{base}/applications/{application.id}/messages"
    else:
        recipients = _funder_recipients(session, application, sender)
        link = f"{base}/commissioning/applications/{application.id}/messages"
    for address in recipients:
        queue_email(
            session, to=address, subject=f"New message about application {application.reference}",
            body=(f"You have a new message about application {application.reference}. "
                  f"Sign in to read it: {link}\n\n{settings.portal_name}\n"),
        )
    return len(recipients)
