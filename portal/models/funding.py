"""Funds, their rounds, how they are scored and what they ask, and market-warming events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.enums import EventFormat, RoundStatus
from portal.models.types import enum_type

if TYPE_CHECKING:
    from portal.models.accounts import User


class Fund(Base):
    """A funding programme that runs in rounds."""

    __tablename__ = "fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The start of every application reference, as in YLF-2026-0042.
    reference_prefix: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rounds: Mapped[list[Round]] = relationship(back_populates="fund", order_by="Round.opens_at")


class Round(Base):
    """One call for applications, with its own dates, budget, criteria and questions."""

    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    aims: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[RoundStatus] = mapped_column(enum_type(RoundStatus), default=RoundStatus.DRAFT)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    scoring_starts_at: Mapped[datetime | None]
    interviews_at: Mapped[datetime | None]
    decisions_by: Mapped[datetime | None]
    # Panellists send their written scores by the end of this day (issue 14): stored as 23:59 London time.
    scores_due_at: Mapped[datetime | None]
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    min_grant_pence: Mapped[int] = mapped_column(BigInteger)
    max_grant_pence: Mapped[int] = mapped_column(BigInteger)
    # Requests below this amount are "small grants" and answer fewer questions.
    small_grant_threshold_pence: Mapped[int | None] = mapped_column(BigInteger)
    # How long each grant runs, in months from the award (the grant's planned dates in the 360Giving file).
    grant_months: Mapped[int | None]
    # Eligibility: allowed organisation types (empty means any) and maximum annual income.
    eligible_organisation_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_income_pounds: Mapped[int | None]
    # Groups must work in at least one London borough (the funder's area).
    must_serve_london: Mapped[bool] = mapped_column(Boolean, default=True)
    who_cannot_apply: Mapped[str] = mapped_column(Text, default="")
    what_you_need: Mapped[str] = mapped_column(Text, default="")
    # Clarification questions are accepted until this moment.
    question_deadline: Mapped[datetime | None]
    # Supporting documents: asked only of grants at or above the small-grant threshold.
    asks_for_documents: Mapped[bool] = mapped_column(Boolean, default=False)
    document_guidance: Mapped[str] = mapped_column(Text, default="")
    panellists_per_application: Mapped[int] = mapped_column(default=3)
    # The youth panel (issue 5): applicant identity hidden from scorers after they declare no conflict,
    # how written and interview scores combine (whole percentages adding up to 100), and the panellist
    # who leads the panel and records moderated scores.
    anonymised_scoring: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    written_weight: Mapped[int] = mapped_column(default=70, server_default="70")
    interview_weight: Mapped[int] = mapped_column(default=30, server_default="30")
    panel_lead_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    support_contact: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    decisions_published_at: Mapped[datetime | None]

    fund: Mapped[Fund] = relationship(back_populates="rounds")
    panel_lead: Mapped[User | None] = relationship()
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="round", order_by="Question.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="round", order_by="Event.starts_at", cascade="all, delete-orphan"
    )
    faqs: Mapped[list[Faq]] = relationship(
        back_populates="round", order_by="Faq.position", cascade="all, delete-orphan"
    )
    changes: Mapped[list[RoundChange]] = relationship(
        back_populates="round", order_by="RoundChange.changed_at.desc()", cascade="all, delete-orphan"
    )
    clarifications: Mapped[list[ClarificationQuestion]] = relationship(
        back_populates="round", order_by="ClarificationQuestion.asked_at",
        cascade="all, delete-orphan", foreign_keys="ClarificationQuestion.round_id",
    )


class ReferenceCounter(Base):
    """The last application reference number given, per fund and year (YLF-2026-0042)."""

    __tablename__ = "reference_counter"
    __table_args__ = (UniqueConstraint("fund_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class Criterion(Base):
    """An assessment criterion with its weight and what each score from 1 to 5 means."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    what_good_looks_like: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]  # percentage; a round's weights sum to 100
    descriptor_1: Mapped[str] = mapped_column(Text)
    descriptor_2: Mapped[str] = mapped_column(Text)
    descriptor_3: Mapped[str] = mapped_column(Text)
    descriptor_4: Mapped[str] = mapped_column(Text)
    descriptor_5: Mapped[str] = mapped_column(Text)

    round: Mapped[Round] = relationship(back_populates="criteria")

    @property
    def descriptors(self) -> list[str]:
        """The descriptors for scores 1 to 5, in order."""
        return [
            self.descriptor_1,
            self.descriptor_2,
            self.descriptor_3,
            self.descriptor_4,
            self.descriptor_5,
        ]


class Question(Base):
    """A question on the application form."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    word_limit: Mapped[int]
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("criterion.id"))
    # False means only requests at or above the small-grant threshold are asked this.
    asked_of_small_grants: Mapped[bool] = mapped_column(Boolean, default=True)

    round: Mapped[Round] = relationship(back_populates="questions")
    criterion: Mapped[Criterion | None] = relationship()


class Faq(Base):
    """A frequently asked question with its answer, shown on the prospectus."""

    __tablename__ = "faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    position: Mapped[int]
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)

    round: Mapped[Round] = relationship(back_populates="faqs")


class RoundChange(Base):
    """A public, dated note of a change to a published round that applicants rely on."""

    __tablename__ = "round_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    summary: Mapped[str] = mapped_column(Text)

    round: Mapped[Round] = relationship(back_populates="changes")


class ClarificationQuestion(Base):
    """A question anyone asked about a round; its answer is published to everyone without the asker's name."""

    __tablename__ = "clarification_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asker_name: Mapped[str] = mapped_column(String(200))
    asker_email: Mapped[str] = mapped_column(String(320))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The wording published (commissioners may remove anything that identifies the asker).
    published_question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A duplicate points at the question whose answer covers it.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("clarification_question.id"))
    asker_notified_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship(back_populates="clarifications", foreign_keys=[round_id])
    merged_into: Mapped[ClarificationQuestion | None] = relationship(remote_side=[id])


class Event(Base):
    """A market-warming event held before a round opens."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    event_format: Mapped[EventFormat] = mapped_column(enum_type(EventFormat))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue_address: Mapped[str | None] = mapped_column(Text)
    access_information: Mapped[str | None] = mapped_column(Text)
    # Shown only to people who have registered.
    online_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship(back_populates="events")
    registrations: Mapped[list[EventRegistration]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventRegistration(Base):
    """Somebody booked on to an event; no account needed."""

    __tablename__ = "event_registration"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    access_needs: Mapped[str | None] = mapped_column(Text)
    waiting_list: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # The link in the confirmation e-mail that cancels the place (only its hash is stored).
    cancel_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    event: Mapped[Event] = relationship(back_populates="registrations")
