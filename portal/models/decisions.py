"""Commissioners' decisions on applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.applications import Application
from portal.models.base import Base, utcnow
from portal.models.enums import Outcome, Role
from portal.models.types import enum_type


class Decision(Base):
    """The outcome of an application, who decided it and when it was published."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome))
    amount_awarded_pence: Mapped[int | None]
    reason_category: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    panel_score: Mapped[float | None]  # weighted score out of 100
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_by_role: Mapped[Role] = mapped_column(enum_type(Role))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship()
    decided_by: Mapped[User] = relationship()
