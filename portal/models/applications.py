"""Applications with their answers, budget lines and partners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Organisation, User
from portal.models.base import Base, utcnow
from portal.models.enums import ApplicationStatus, SectionStatus
from portal.models.funding import Question, Round
from portal.models.types import enum_type


class Application(Base):
    """A community group's application to a round."""

    __tablename__ = "application"
    # The commissioners' list pages a round's sent applications oldest first.
    __table_args__ = (
        Index("ix_application_round_submitted", "round_id", "submitted_at", "id"),  # the commissioners' list
        Index("ix_application_round_status_submitted", "round_id", "status", "submitted_at"),  # its counts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # Given on submission, e.g. YLF-2026-0042.
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus), default=ApplicationStatus.DRAFT, index=True
    )
    project_title: Mapped[str] = mapped_column(String(200), default="")
    amount_requested_pence: Mapped[int | None] = mapped_column(BigInteger)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    ineligible_reason: Mapped[str | None] = mapped_column(Text)
    screened_at: Mapped[datetime | None]
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Declarations: who confirmed the application is true and they may apply for the organisation.
    declared_by_name: Mapped[str | None] = mapped_column(String(200))
    declared_by_role: Mapped[str | None] = mapped_column(String(200))
    declared_at: Mapped[datetime | None]
    # Everything submitted, frozen as it was: what the panel reads and the PDF copy shows.
    submitted_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Optimistic locking: a save based on an older version is refused, not silently applied.
    version: Mapped[int] = mapped_column(default=1)

    round: Mapped[Round] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application", order_by="BudgetLine.position", cascade="all, delete-orphan"
    )
    partners: Mapped[list[Partner]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    sections: Mapped[list[ApplicationSection]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.uploaded_at", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Answer(Base):
    """The applicant's answer to one question."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    application: Mapped[Application] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class BudgetLine(Base):
    """One item of the project's budget."""

    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    position: Mapped[int]
    item: Mapped[str] = mapped_column(String(200))
    cost_pence: Mapped[int] = mapped_column(BigInteger)

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class Partner(Base):
    """A partner organisation in a partnership bid, with its role."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    role_description: Mapped[str] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="partners")


class ApplicationSection(Base):
    """One task-list section's status and version (each section is saved on its own)."""

    __tablename__ = "application_section"
    __table_args__ = (UniqueConstraint("application_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    status: Mapped[SectionStatus] = mapped_column(enum_type(SectionStatus), default=SectionStatus.NOT_STARTED)
    # Each save names the version it started from; a save from an older version is refused.
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    application: Mapped[Application] = relationship(back_populates="sections")
    updated_by: Mapped[User | None] = relationship()


class ApplicationDocument(Base):
    """A supporting document, stored outside the web root under a random name."""

    __tablename__ = "application_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))  # sanitised
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))  # from the content, not the name
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    application: Mapped[Application] = relationship(back_populates="documents")
    uploaded_by: Mapped[User] = relationship()
