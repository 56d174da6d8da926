"""Interviews: the question bank, the round's questions, shortlisting, slots and panellists' interview scores."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("interviews", __name__)
