"""Column helpers shared by the model modules."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def enum_type(enum_cls: type[StrEnum]) -> Enum:
    """Store a StrEnum as its value in a plain VARCHAR, so new values need no type migration."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
