"""Conditional requests for public pages and files: ETag and Last-Modified, answered with 304 when unchanged.

The ETag is a hash of the body, so it changes exactly when what people would download changes. A page
that shows the signed-in person's name or a form token must not use this (it is for public content).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import Response, current_app, request

T = TypeVar("T")
KEPT_MAX = 64  # rendered public pages kept per worker process (a decision log page is about 70 kB)
_kept_lock = threading.Lock()


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


def kept(key: tuple, make: Callable[[], T]) -> T:
    """What ``make`` returns for ``key``, made once and kept in this worker process for this app.

    For public content that is the same for everyone: the key must hold everything the result depends on,
    including the state of the data (the log's head hash and when the rounds shown last changed), so a
    publication or a change of round makes a new key and nothing out of date is ever served. The least
    recently used are dropped beyond ``KEPT_MAX``.
    """
    store: OrderedDict = current_app.extensions.setdefault("portal_kept_pages", OrderedDict())
    with _kept_lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    value = make()
    with _kept_lock:
        store[key] = value
        while len(store) > KEPT_MAX:
            store.popitem(last=False)
    return value
