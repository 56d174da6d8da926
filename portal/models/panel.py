"""The youth panel: who assesses what, conflicts of interest and scores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.applications import Application
from portal.models.base import Base, utcnow
from portal.models.funding import Criterion


class PanelAssignment(Base):
    """A panellist asked to assess one application."""

    __tablename__ = "panel_assignment"
    __table_args__ = (UniqueConstraint("application_id", "panellist_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    panellist_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Set when the panellist submits: scores are then locked.
    scores_submitted_at: Mapped[datetime | None]
    recused_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship()
    panellist: Mapped[User] = relationship(foreign_keys=[panellist_id])
    scores: Mapped[list[Score]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )


class ConflictDeclaration(Base):
    """A panellist's declaration, before opening an application, of any conflict of interest."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("application_id", "panellist_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    panellist_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    has_conflict: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship()
    panellist: Mapped[User] = relationship()


class Score(Base):
    """One panellist's score and comment for one criterion."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("panel_assignment.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    value: Mapped[int]  # 1 to 5
    comment: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assignment: Mapped[PanelAssignment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()
