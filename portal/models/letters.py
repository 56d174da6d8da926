"""Outcome letters, stored once issued and never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.applications import Application
from portal.models.base import Base, utcnow
from portal.models.enums import LetterKind
from portal.models.types import enum_type


class Letter(Base):
    """One issued version of an outcome letter as a PDF."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("application_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[LetterKind] = mapped_column(enum_type(LetterKind))
    version: Mapped[int]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    application: Mapped[Application] = relationship()
    issued_by: Mapped[User] = relationship()
