"""Ways to deliver an outbox message: SMTP, .eml files for development, memory for tests."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from portal.models import OutboxMessage


class Sender(Protocol):
    """Delivers one message or raises."""

    def send(self, message: OutboxMessage) -> None:
        """Deliver the message, raising on any failure."""


def build_email(message: OutboxMessage, *, from_address: str) -> EmailMessage:
    """The outbox message as an RFC 5322 e-mail."""
    email = EmailMessage()
    email["From"] = from_address
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    for attachment in message.attachments or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        if maintype == "text":
            email.add_attachment(attachment["content"], subtype=subtype, filename=attachment["filename"])
        else:
            email.add_attachment(attachment["content"].encode(), maintype=maintype, subtype=subtype,
                                 filename=attachment["filename"])
    return email


class SMTPSender:
    """Sends through the SMTP server named in the configuration."""

    def __init__(self, *, host: str, port: int, from_address: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 30) -> None:
        self.host, self.port, self.from_address = host, port, from_address
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    def send(self, message: OutboxMessage) -> None:
        """Open a connection and hand the message over; once the server has accepted it, it is sent."""
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(build_email(message, from_address=self.from_address))
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()  # a failed goodbye must not make an accepted message look unsent


class FileSender:
    """Writes each message as a .eml file a person can open (development)."""

    def __init__(self, *, directory: str, from_address: str) -> None:
        self.directory = Path(directory)
        self.from_address = from_address

    def send(self, message: OutboxMessage) -> None:
        """Write instance/outbox/<id>-<subject>.eml."""
        self.directory.mkdir(parents=True, exist_ok=True)
        slug = "".join(c if c.isalnum() else "-" for c in message.subject.lower())[:50].strip("-")
        path = self.directory / f"{message.id:06d}-{slug}.eml"
        path.write_bytes(bytes(build_email(message, from_address=self.from_address)))


class MemorySender:
    """Keeps messages in a list (tests)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: OutboxMessage) -> None:
        """Append the message to ``sent``."""
        self.sent.append(build_email(message, from_address="test@example.org"))


def sender_from_config(config) -> Sender:
    """The sender the configuration asks for."""
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        return SMTPSender(
            host=config["SMTP_HOST"], port=config["SMTP_PORT"], from_address=config["MAIL_FROM"],
            username=config["SMTP_USERNAME"], password=config["SMTP_PASSWORD"],
            starttls=config["SMTP_STARTTLS"],
        )
    if backend == "file":
        return FileSender(directory=config["OUTBOX_DIR"], from_address=config["MAIL_FROM"])
    if backend == "memory":
        return MemorySender()
    raise RuntimeError(f"PORTAL_MAIL_BACKEND is {backend!r}; use smtp or file")
