"""Moderation and the ranked list: the panel's recommendation to commissioners."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment", __name__)
