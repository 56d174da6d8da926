"""Domain errors raised by services and turned into messages or error pages by views."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the portal refused an action; the message is written for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """The actor may not do this (shown as a 403 page)."""


class NotFound(DomainError):
    """The thing asked for does not exist, or the actor may not know it does (a 404 page)."""


class StateTransitionError(DomainError):
    """A status change that the lifecycle does not allow."""


class ValidationError(DomainError):
    """Input that breaks a rule; ``field`` names the form field to show it beside."""
