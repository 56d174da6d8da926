"""Text typed into a form that could not be accepted yet (the session had ended)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class KeptForm(Base):
    """A posted form kept on the server until its author signs in again.

    Kept here rather than in the session cookie, which browsers limit to about 4 KB.
    """

    __tablename__ = "kept_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, and known only to the browser that posted the form (it is in that session).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    fields: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # A salted hash of the network address it came from, to cap how many one address may leave (pending.py).
    address_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_kept_form_address_hash_created_at", "address_hash", "created_at"),)
