"""Outcome letters, stored once issued and never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.applications import Application
from portal.models.base import Base, utcnow
from portal.models.enums import LetterKind
from portal.models.funding import Round
from portal.models.types import enum_type


class Letter(Base):
    """One issued version of an outcome letter as a PDF."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("application_id", "version"), UniqueConstraint("batch_id", "application_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[LetterKind] = mapped_column(enum_type(LetterKind))
    version: Mapped[int]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # The bulk issue that made it, if any: one letter per application per batch, so a batch run twice
    # (or resumed after a crash) cannot make duplicates.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("letter_batch.id"), index=True)
    # The decision the letter reports, as it stood (None for an ineligible letter).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    # The HTML the PDF was made from, kept so a preview of an issued letter never needs re-rendering.
    html: Mapped[str] = mapped_column(Text, default="", server_default="")

    application: Mapped[Application] = relationship()
    issued_by: Mapped[User] = relationship()


class LetterDraft(Base):
    """What a commissioner has prepared for an application's next letter: feedback edited from the panel's comments.

    ``feedback`` maps criterion id (as a string) to the text the letter shows under that criterion;
    ``general_feedback`` is an optional paragraph before them. Versioned so two editors cannot overwrite each other.
    """

    __tablename__ = "letter_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    feedback: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[Application] = relationship()

    __mapper_args__ = {"version_id_col": version}


class LetterBatch(Base):
    """A request to issue every letter of a round, carried out by the job queue's workers."""

    __tablename__ = "letter_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How many letters the batch has to issue, and how each has gone so far.
    total: Mapped[int] = mapped_column(default=0)
    issued: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]
    # The workers' heartbeat: when the batch last moved (started, resumed, or a letter dealt with). A batch
    # with work left whose heartbeat is older than PORTAL_LETTER_BATCH_STALL_SECONDS has stalled.
    progress_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Restarts by the job queue itself (portal.jobs.resume_stalled_letter_batches): how many, and the latest
    # one's times: when the letters stopped being issued (the heartbeat then) and when they were restarted.
    auto_resumes: Mapped[int] = mapped_column(default=0, server_default="0")
    stalled_at: Mapped[datetime | None]
    auto_resumed_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship()
    requested_by: Mapped[User] = relationship()
