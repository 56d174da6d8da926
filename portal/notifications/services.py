"""The e-mail outbox: queue a message in the caller's transaction; deliver it later, with retries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import OutboxMessage, OutboxStatus, utcnow
from portal.notifications.senders import Sender

log = logging.getLogger(__name__)

# Wait this long after the n-th failure before trying again; the last step repeats for ever,
# so a message is never dropped, only retried less often.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
]


@dataclass(frozen=True)
class Attachment:
    """A small text file sent with an e-mail, such as a calendar invitation."""

    filename: str
    content_type: str
    content: str


def queue_email(session: Session, *, to: str, subject: str, body: str,
                attachments: list[Attachment] | None = None) -> OutboxMessage:
    """Write an e-mail to the outbox; it is sent only if the surrounding transaction commits."""
    now = utcnow()
    message = OutboxMessage(
        to_address=to, subject=subject, body=body, created_at=now, next_attempt_at=now,
        attachments=[vars(a) for a in attachments] if attachments else None,
    )
    session.add(message)
    return message


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after this many failed attempts."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


# A sender claims a message before sending it by moving its next attempt this far on: no other sender takes
# it meanwhile, and if the sender dies while sending, the message is tried again once the claim runs out.
CLAIM = timedelta(minutes=10)


def deliver_pending(
    session: Session, *, sender: Sender, now: datetime | None = None, limit: int = 50
) -> tuple[int, int]:
    """Try every message that is due; return (sent, failed).

    Each message is claimed in a short transaction of its own, sent with no lock held (on SQLite a lock
    held while an SMTP server answers would keep every other writer waiting), then marked sent or given
    its time to try again.
    """
    now = now or utcnow()
    is_due = (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now)
    waiting = session.scalars(select(OutboxMessage.id).where(is_due).order_by(OutboxMessage.id).limit(limit)).all()
    session.commit()  # end the look: nothing stays open while each message is claimed and sent
    sent = failed = 0
    for message_id in waiting:
        message = session.scalars(
            select(OutboxMessage).where(OutboxMessage.id == message_id, is_due).with_for_update(skip_locked=True)
        ).first()
        if message is None:  # another sender has it, or has sent it
            session.commit()
            continue
        message.attempts += 1
        message.next_attempt_at = now + CLAIM
        session.commit()
        try:
            sender.send(message)
        except Exception as error:  # any failure is retried later; nothing is lost
            failed += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.next_attempt_at = now + retry_delay(message.attempts)
            log.warning("E-mail %s to %s not delivered: %s", message.id, message.to_address, error)
        else:
            sent += 1
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.last_error = None
        session.commit()
    return sent, failed
