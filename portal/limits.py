"""How big a request may be, checked before anything reads its form (issue 21).

Only the upload page takes files, so only it may be as large as ``MAX_CONTENT_LENGTH`` (the largest upload and
the rest of its form). Every other request may carry ``FORM_MAX_BYTES``: far more than the longest application
form, far less than an upload. A request declaring more is answered 413 at once; one sending more than it
declared (or no length) is stopped at the limit when its form is read. Registered before CSRF protection,
which reads the form.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request

FORM_MAX_BYTES = 1024 * 1024
# Endpoints that take file uploads, and so the larger MAX_CONTENT_LENGTH.
UPLOAD_ENDPOINTS = frozenset({"documents.documents"})


def init_app(app: Flask) -> None:
    """Check every request's size first."""
    app.before_request(limit_request_size)


def limit_request_size() -> None:
    """Refuse (413) a request larger than its endpoint takes, before its form is read."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
    else:
        limit = int(current_app.config.get("FORM_MAX_BYTES", FORM_MAX_BYTES))
    request.max_content_length = limit
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)
