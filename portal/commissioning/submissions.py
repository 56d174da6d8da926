"""Commissioners' view of a round's applications: filters, CSV export, screening, counts over time."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("submissions", __name__, url_prefix="/commissioning")
