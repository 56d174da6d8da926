"""Asking questions about a round, and commissioners answering and merging them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("clarifications", __name__)
