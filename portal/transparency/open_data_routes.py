"""Open data: the decision log as CSV, JSON and Atom, and awarded grants as a 360Giving data package."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("open_data", __name__)
