"""The youth panel: who assesses what, conflicts of interest and scores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.applications import Application
from portal.models.base import Base, utcnow
from portal.models.funding import Criterion, Round


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
    # The last reminder e-mailed about outstanding scores, shown on the progress view.
    reminded_at: Mapped[datetime | None]
    # Set when the panellist sends their interview scores: they are then locked.
    interview_scores_submitted_at: Mapped[datetime | None]

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
    # 1 to 5; None while the panellist has saved a comment but not yet chosen a score.
    value: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assignment: Mapped[PanelAssignment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class ModeratedScore(Base):
    """The panel lead's agreed score for one criterion of one application; panellists' scores are kept."""

    __tablename__ = "moderated_score"
    __table_args__ = (UniqueConstraint("application_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    value: Mapped[int]  # 1 to 5
    reason: Mapped[str] = mapped_column(Text)
    moderated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    moderated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship()
    criterion: Mapped[Criterion] = relationship()
    moderated_by: Mapped[User] = relationship()


class InterviewQuestion(Base):
    """A question in the bank that commissioners choose interview questions from."""

    __tablename__ = "interview_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # What a good answer covers, shown to panellists when they score it.
    guidance: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Retired questions stay on rounds that used them but are no longer offered.
    retired_at: Mapped[datetime | None]


class RoundInterviewQuestion(Base):
    """A question from the bank chosen for a round's interviews, in the order it is asked."""

    __tablename__ = "round_interview_question"
    __table_args__ = (UniqueConstraint("round_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("interview_question.id"))
    position: Mapped[int]

    round: Mapped[Round] = relationship()
    question: Mapped[InterviewQuestion] = relationship()


class InterviewSlot(Base):
    """When and where a shortlisted application is interviewed."""

    __tablename__ = "interview_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=30)
    # A place, or "Online: a link will be e-mailed".
    place: Mapped[str] = mapped_column(String(300))
    scheduled_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship()


class InterviewScore(Base):
    """One panellist's score and comment for one interview answer."""

    __tablename__ = "interview_score"
    __table_args__ = (UniqueConstraint("application_id", "panellist_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    panellist_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("interview_question.id"))
    value: Mapped[int | None]  # 1 to 5
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship()
    panellist: Mapped[User] = relationship()
    question: Mapped[InterviewQuestion] = relationship()


class PanelExclusion(Base):
    """A panellist a commissioner took off an application by hand: automatic allocation leaves them off it.

    Adding them back by hand removes the exclusion.
    """

    __tablename__ = "panel_exclusion"
    __table_args__ = (UniqueConstraint("application_id", "panellist_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    panellist_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    excluded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    excluded_at: Mapped[datetime] = mapped_column(default=utcnow)
