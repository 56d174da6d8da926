"""Conditional requests for public pages and files: ETag and Last-Modified, answered with 304 when unchanged.

The ETag is a hash of the body, so it changes exactly when what people would download changes. A page
that shows the signed-in person's name or a form token must not use this (it is for public content).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request


def etag_for(data: bytes) -> str:
    """The ETag of a body: the start of its SHA-256."""
    return hashlib.sha256(data).hexdigest()[:32]


def conditional(body: str | bytes, *, mimetype: str, last_modified: datetime | None,
                headers: dict[str, str] | None = None, etag: str | None = None) -> Response:
    """A response carrying ETag and Last-Modified, or an empty 304 when the client's copy is current.

    ``etag`` saves hashing a body whose ETag is already known (a file kept between requests).
    """
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = Response(data, mimetype=mimetype, headers=headers or {})
    response.set_etag(etag or etag_for(data))
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.cache_control.public = True
    response.cache_control.no_cache = True  # store it, but check back each time (cheap, thanks to 304)
    return response.make_conditional(request)
