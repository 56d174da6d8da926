"""Form posts on a SQLite database file queue for its write lock in the kernel, not in SQLite's busy loop.

SQLite lets one connection write at a time; the others wait under the busy timeout, retrying after sleeps that
grow to a tenth of a second, so with several people saving at once a save could sleep through the moments the
lock was free and take half a second. Trying more often costs the CPU the writer needs. Instead each form post
takes an exclusive ``flock`` on a file beside the database (``portal.sqlite3.writers``) before its transaction
begins and gives it back once the transaction is committed or rolled back (at the latest when the request
ends): waiting posts sleep in the kernel, in turn, and the next one is woken as soon as the lock is given back. This works across every thread and gunicorn worker on the machine, which is
where a SQLite database lives. Other writers (the letter worker, commands) still wait under the busy timeout.
"""

from __future__ import annotations

import fcntl
import os

from flask import g

_HANDLE = "_portal_sqlite_writer_lock"


def lock_path(database: str) -> str:
    """The queue's lock file for a database file."""
    return f"{database}.writers"


def take(database: str) -> None:
    """Wait for this request's turn to write (released by ``give_back`` when the request ends)."""
    if g.get(_HANDLE) is not None:
        return
    handle = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
    except BaseException:
        os.close(handle)
        raise
    g.setdefault(_HANDLE, handle)


def give_back() -> None:
    """Let the next request write; closing the file releases the lock even if unlocking fails."""
    handle = g.pop(_HANDLE, None)
    if handle is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            os.close(handle)
