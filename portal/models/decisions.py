"""Commissioners' decisions on applications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import User
from portal.models.applications import Application
from portal.models.base import Base, utcnow
from portal.models.enums import Outcome, Role
from portal.models.funding import Round
from portal.models.types import enum_type


class Decision(Base):
    """The outcome of an application, who decided it and when it was published."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome))
    amount_awarded_pence: Mapped[int | None] = mapped_column(BigInteger)
    reason_category: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    panel_score: Mapped[float | None]  # weighted score out of 100
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_by_role: Mapped[Role] = mapped_column(enum_type(Role))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When this decision (as it stands now) was last published in the decision log; None while it is a
    # draft or after it was changed and not yet published again.
    published_at: Mapped[datetime | None]
    # Optimistic locking: a change started from an older version is refused, so two commissioners
    # deciding the same application at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # True when the decision came from accepting the panel's recommendation and has not been changed.
    from_recommendation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A declined or reserve decision is published from structured fields only (reason category, amount asked,
    # score, the group by type and borough). Text for the public about it is optional: written by one
    # commissioner, checked by portal/identifying.py, published only once a second commissioner has approved it.
    # Changing the text clears the approval.
    public_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    public_note_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    public_note_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    public_note_approved_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship()
    decided_by: Mapped[User] = relationship(foreign_keys=[decided_by_id])
    public_note_by: Mapped[User | None] = relationship(foreign_keys=[public_note_by_id])
    public_note_approved_by: Mapped[User | None] = relationship(foreign_keys=[public_note_approved_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def public_note_awaiting_approval(self) -> bool:
        """A declined or reserve decision has public text that no second commissioner has approved yet."""
        return (self.outcome != Outcome.AWARD and bool(self.public_note)
                and self.public_note_approved_at is None)

    @property
    def published_reason(self) -> str:
        """The free text the public log shows: an award's reason; for a decline or reserve, only approved public
        text (the feedback goes to the group in their letter, never to the public)."""
        if self.outcome == Outcome.AWARD:
            return self.reason or ""
        return self.public_note if self.public_note and self.public_note_approved_at is not None else ""


class DecisionException(Base):
    """Why an eligible application may be decided without its full set of sent scores (a panellist left, say).

    A round is marked as decided only when every application the panel assesses has all its scores sent or
    one of these. The reason stays with commissioners; the round's public results count these, never more.
    """

    __tablename__ = "decision_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # What was missing when the reason was recorded: panellists who had sent scores, of how many expected.
    scores_sent: Mapped[int]
    panel_size: Mapped[int]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship()
    recorded_by: Mapped[User] = relationship()


class DecisionLogEntry(Base):
    """One published entry in the public decision log: append-only, chained by SHA-256 hashes.

    Entries are never changed or deleted. A correction is a new entry that names the entry it corrects
    and why. ``content_hash`` is the SHA-256 of the entry's public content (see
    ``portal.transparency.log.entry_content``), ``previous_hash`` the ``entry_hash`` of the entry before
    it (64 zeros for the first), and ``entry_hash`` the SHA-256 of the two together, so changing any
    stored entry breaks the chain from there on.
    """

    __tablename__ = "decision_log_entry"
    __table_args__ = (
        # Each application's latest entry (the current log) comes from this index, not a scan of the log.
        Index("ix_decision_log_entry_application_position", "application_id", "position"),
        # The public log's order: newest decision first.
        Index("ix_decision_log_entry_decided_at_reference", "decided_at", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(unique=True)  # 1, 2, 3... in publication order
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    reference: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome))
    # Named only for awards; declined and reserve groups are described, not named.
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    organisation_description: Mapped[str] = mapped_column(Text)
    organisation_type: Mapped[str] = mapped_column(String(40))
    small_organisation: Mapped[bool] = mapped_column(Boolean)
    # GSS codes of the boroughs the group works in, as ",E09000012,E09000028," so one LIKE finds a borough.
    boroughs: Mapped[str] = mapped_column(String(400))
    charity_number: Mapped[str | None] = mapped_column(String(20))
    company_number: Mapped[str | None] = mapped_column(String(20))
    project_title: Mapped[str | None] = mapped_column(String(200))
    amount_requested_pence: Mapped[int] = mapped_column(BigInteger)
    amount_awarded_pence: Mapped[int | None] = mapped_column(BigInteger)
    panel_score: Mapped[float | None]
    reason_category: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime]
    decided_by_role: Mapped[str] = mapped_column(String(40))
    panellists_recused: Mapped[int]
    published_at: Mapped[datetime]
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("decision_log_entry.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Each hashed field's random salt (32 hex characters): ``content_hash`` commits to a salted hash of each
    # field, not to the field itself, so a field can be redacted and the chain still verify (docs/decision-log.md).
    field_salts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Fields redacted since publication: field -> {"commitment", "redacted_at", "reason_category", "reason"}. A
    # redacted field's value is replaced by ``log.REDACTED`` and its salt dropped; its commitment stays here.
    redactions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    round: Mapped[Round] = relationship()
    application: Mapped[Application] = relationship()
    decision: Mapped[Decision] = relationship()
    corrects: Mapped[DecisionLogEntry | None] = relationship(remote_side=[id])


class CurrentDecisionEntry(Base):
    """Which log entry is each application's current one: an index of the log, not part of it.

    ``portal.transparency.log.append`` inserts or moves the row for an application whenever it appends an
    entry for it, in the same transaction, so this always names the entry with the highest position for
    that application. The log itself stays append-only and its hashes never cover this table. The
    decision date and reference are copied from the entry so the public log's order (newest decision
    first, then reference) and its pages and count read this small table, not the whole log.
    """

    __tablename__ = "decision_log_current"
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), primary_key=True,
                                                autoincrement=False)
    entry_id: Mapped[int] = mapped_column(ForeignKey("decision_log_entry.id"), unique=True)
    decided_at: Mapped[datetime]
    reference: Mapped[str] = mapped_column(String(40))

    entry: Mapped[DecisionLogEntry] = relationship()


# The public log's order (newest decision first, then reference) with the entry's id, so a page's entries are
# found by reading this index alone, however deep the page.
Index("ix_decision_log_current_order", CurrentDecisionEntry.decided_at.desc(), CurrentDecisionEntry.reference,
      CurrentDecisionEntry.entry_id)


class DecisionLogRedaction(Base):
    """A request to redact one field of a published log entry, and its approval by a second commissioner.

    Nothing changes in the entry until a commissioner other than the one who asked approves; then the field's
    value is replaced by a redaction marker (see ``portal.transparency.redaction``). One request per field.
    """

    __tablename__ = "decision_log_redaction"
    __table_args__ = (UniqueConstraint("entry_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("decision_log_entry.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    reason_category: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]

    entry: Mapped[DecisionLogEntry] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])


class DecisionLogCheckpoint(Base):
    """A signed statement of the decision log's Merkle tree after a publication: its size and root hash.

    ``portal.transparency.checkpoints`` signs "safer-futures-decision-log\\n<tree_size>\\n<root_hash>\\n<signed_at>\\n"
    with the Ed25519 key in PORTAL_LOG_SIGNING_KEY and publishes the newest at /decisions/checkpoint. Anyone
    holding one can later prove the log only grew since (docs/decision-log.md). Rows are only ever added.
    """

    __tablename__ = "decision_log_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(unique=True)  # entries covered: positions 1 to tree_size
    root_hash: Mapped[str] = mapped_column(String(64))  # hex
    signed_at: Mapped[datetime]
    signature: Mapped[str] = mapped_column(String(100))  # base64 of the 64-byte Ed25519 signature
    key_id: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the raw 32-byte public key
