"""E-mails are written with the event that causes them, delivered later, and retried until sent."""

from datetime import timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import select

from portal.models import OutboxMessage, OutboxStatus, utcnow
from portal.notifications.senders import FileSender, MemorySender, sender_from_config
from portal.notifications.services import deliver_pending, queue_email


class BrokenSender:
    """An SMTP server that is down."""

    def send(self, message):
        """Always fail."""
        raise ConnectionRefusedError("SMTP server refused the connection")


def test_a_queued_message_is_delivered_once(session):
    """Delivery marks the message sent, and a second run sends nothing more."""
    queue_email(session, to="grace@example.org", subject="Hello", body="Body text")
    sender = MemorySender()
    assert deliver_pending(session, sender=sender) == (1, 0)
    assert deliver_pending(session, sender=sender) == (0, 0)
    assert [m["To"] for m in sender.sent] == ["grace@example.org"]
    assert session.scalar(select(OutboxMessage)).status == OutboxStatus.SENT


def test_a_message_is_lost_with_its_transaction(session):
    """A message queued in a transaction that rolls back is never sent."""
    nested = session.begin_nested()
    queue_email(session, to="grace@example.org", subject="Hello", body="Body")
    nested.rollback()
    assert deliver_pending(session, sender=MemorySender()) == (0, 0)


def test_a_failed_delivery_is_kept_and_retried_later(session):
    """With the SMTP server down nothing is lost; the message is retried with growing waits."""
    queue_email(session, to="grace@example.org", subject="Hello", body="Body")
    now = utcnow()
    assert deliver_pending(session, sender=BrokenSender(), now=now) == (0, 1)
    message = session.scalar(select(OutboxMessage))
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert "refused" in message.last_error
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert deliver_pending(session, sender=MemorySender(), now=now + timedelta(seconds=30)) == (0, 0)
    deliver_pending(session, sender=BrokenSender(), now=now + timedelta(minutes=2))
    assert session.scalar(select(OutboxMessage)).next_attempt_at == now + timedelta(minutes=7)
    sender = MemorySender()
    assert deliver_pending(session, sender=sender, now=now + timedelta(hours=1)) == (1, 0)
    assert len(sender.sent) == 1


def test_a_sender_that_dies_while_sending_leaves_the_message_to_be_tried_again(session):
    """While one sender has a message it is not sent again; once its claim runs out, it is."""
    queue_email(session, to="grace@example.org", subject="Hello", body="Body")
    now = utcnow()
    second = MemorySender()

    class DyingSender:
        """Another sender looks at the outbox while this one is sending, then this one dies."""

        def send(self, message):
            assert deliver_pending(session, sender=second, now=now) == (0, 0), "the claimed message is skipped"
            raise SystemExit("killed")

    with pytest.raises(SystemExit):
        deliver_pending(session, sender=DyingSender(), now=now)
    session.rollback()
    assert deliver_pending(session, sender=second, now=now + timedelta(minutes=9)) == (0, 0)
    assert deliver_pending(session, sender=second, now=now + timedelta(minutes=11)) == (1, 0)
    assert [m["To"] for m in second.sent] == ["grace@example.org"]


def test_the_file_sender_writes_readable_eml_files(session, tmp_path):
    """In development each e-mail is a .eml file a person can open."""
    message = queue_email(session, to="grace@example.org", subject="Reset your password", body="Follow the link")
    session.flush()
    FileSender(directory=str(tmp_path), from_address="Portal <no-reply@example.org>").send(message)
    [path] = tmp_path.glob("*.eml")
    assert path.name.endswith("reset-your-password.eml")
    email = message_from_bytes(path.read_bytes())
    assert email["To"] == "grace@example.org" and email["Subject"] == "Reset your password"
    assert "Follow the link" in email.get_payload(decode=True).decode()


def test_the_sender_follows_the_configuration(tmp_path):
    """PORTAL_MAIL_BACKEND picks SMTP or files, and anything else is refused clearly."""
    base = {"MAIL_FROM": "x@example.org", "OUTBOX_DIR": str(tmp_path), "SMTP_HOST": "mail", "SMTP_PORT": 25,
            "SMTP_USERNAME": None, "SMTP_PASSWORD": None, "SMTP_STARTTLS": False}
    assert type(sender_from_config({**base, "MAIL_BACKEND": "smtp"})).__name__ == "SMTPSender"
    assert isinstance(sender_from_config({**base, "MAIL_BACKEND": "file"}), FileSender)
    with pytest.raises(RuntimeError, match="use smtp or file"):
        sender_from_config({**base, "MAIL_BACKEND": "pigeon"})
