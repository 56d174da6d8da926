"""Commissioners run the youth panel: settings, allocation, hand-made changes, progress and reminders."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("panel_admin", __name__, url_prefix="/commissioning")
