"""Public event pages and commissioners' event management."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__)
