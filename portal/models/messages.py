"""Messages between the funder's commissioners and a group about a sent application."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.applications import Application
from portal.models.base import Base, utcnow


class ApplicationMessage(Base):
    """One plain-text message on an application, kept with it; the panel sees it only once shared."""

    __tablename__ = "application_message"
    # A conversation is read oldest first.
    __table_args__ = (Index("ix_application_message_conversation", "application_id", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # Whether the sender wrote for the funder (a commissioner) rather than the group, as they were when they wrote.
    from_funder: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When someone on the other side first opened the conversation after it arrived ("2 new" until then).
    read_at: Mapped[datetime | None]
    # A commissioner may share a message with the youth panel; until then panellists never see it.
    shared_with_panel_at: Mapped[datetime | None]
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    application: Mapped[Application] = relationship()
    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
