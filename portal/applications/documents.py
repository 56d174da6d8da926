"""Supporting documents: checked by content, stored outside the web root, served only to those allowed."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("documents", __name__)
