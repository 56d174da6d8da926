"""The e-mail outbox (written with the event that causes a message, delivered later) and what reminders went out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow
from portal.models.enums import OutboxStatus
from portal.models.types import enum_type


class OutboxMessage(Base):
    """An e-mail waiting to be delivered, or delivered."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Text attachments, such as a calendar file: [{"filename", "content_type", "content"}].
    attachments: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class DraftReminder(Base):
    """A reminder to finish a draft, sent once: one row per application and kind ("week" or "two_days").

    The unique key is what makes it once: the daily run inserts the row if it is absent and e-mails only when
    its insert made the row, so a second run, or two workers at the same moment, send nothing more.
    """

    __tablename__ = "draft_reminder"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    kind: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)  # how many members it was e-mailed to
