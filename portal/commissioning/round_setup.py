"""Commissioners set up funds and rounds: details, criteria, questions, FAQs, preview and publish."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("round_setup", __name__, url_prefix="/commissioning")
