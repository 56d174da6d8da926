"""The base form every page uses: CSRF-protected, and restores text kept over a sign-in."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm

from portal.domain import DomainError
from portal.pending import take_pending_form


def strip(value: Any) -> Any:
    """Field filter: ignore spaces typed (or pasted) before and after a value."""
    return value.strip() if isinstance(value, str) else value


class PortalForm(FlaskForm):
    """A Flask-WTF form that gives back what was typed before the session ran out."""

    restored: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        restored = None
        if request.method == "GET" and "formdata" not in kwargs:
            restored = take_pending_form(request.path)
            if restored is not None:
                kwargs["formdata"] = restored
        super().__init__(*args, **kwargs)
        self.restored = restored is not None

    def add_domain_error(self, error: DomainError, default_field: str | None = None) -> None:
        """Show a service's refusal beside the field it concerns (or the first field)."""
        name = error.field or default_field or next(iter(self._fields))
        field = self._fields[name]
        field.errors = [*field.errors, error.message]
