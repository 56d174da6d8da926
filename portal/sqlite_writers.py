"""How writers share the embedded SQLite database: read freely, hold the write lock only while writing.

SQLite lets one connection write at a time, and a transaction that has read and then tries to write fails at
once ("database is locked") if another connection committed in between, whatever the busy timeout. So every
transaction starts as a reader (``BEGIN``), and just before its first write — an INSERT, UPDATE or DELETE, a
``SELECT ... FOR UPDATE``, a savepoint, or any statement that is not plainly a read — it ends the read (nothing
has been written yet; this is checked) and begins again with ``BEGIN IMMEDIATE``, which waits its turn for the
write lock under the busy timeout. What it reads from then on is the latest committed state, so the rules the
portal keeps for PostgreSQL (rows locked with ``FOR UPDATE``, versions checked on UPDATE, unique keys) keep it
right here too: a ``FOR UPDATE`` read on SQLite takes the database's write lock. A form post therefore holds
the lock for its writes and the commit only, not while its form is parsed, checked and its answer rendered.

Requests queue for the write lock in the kernel, not in SQLite's busy loop, whose sleeps grow to a tenth of a
second: before taking it a request takes an exclusive ``flock`` on a file beside the database
(``portal.sqlite3.writers``) and gives it back once its transaction is committed or rolled back (at the latest
when the request ends). Waiting requests sleep in turn and the next is woken as soon as the lock is given back,
across every thread and gunicorn worker on the machine, which is where a SQLite database lives. Other writers
(the letter worker, commands) wait under the busy timeout; ``sqlite_immediate=True`` in a connection's
execution options takes the write lock from the start.
"""

from __future__ import annotations

import fcntl
import os

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another's write lock before "database is locked"

_HANDLE = "_portal_sqlite_writer_lock"
_WRITING = "portal_sqlite_writing"  # in the DBAPI connection's info: this transaction holds the write lock
_CHANGES = "portal_sqlite_changes"  # the connection's total_changes when its transaction began
_READS = frozenset({"SELECT", "PRAGMA", "EXPLAIN", "VALUES"})
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})


def install(engine: Engine) -> None:
    """Set up every connection of a SQLite engine as described above."""
    event.listen(engine, "connect", _pragmas)
    event.listen(engine, "begin", _begin)
    event.listen(engine, "before_cursor_execute", _before_statement)
    event.listen(engine, "savepoint", _before_savepoint)


def _pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on, a write-ahead log and a busy timeout, so concurrent writers wait."""
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (savepoints need it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin(connection: Connection) -> None:
    """Start every transaction as a reader, unless it asked for the write lock from the start."""
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.info[_WRITING] = True  # the BEGIN below is not a write to wait for
    if immediate:
        _queue(connection)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    connection.info[_WRITING] = immediate
    connection.info[_CHANGES] = connection.connection.dbapi_connection.total_changes


def _before_statement(connection: Connection, _cursor, statement: str, _parameters, context, _many) -> None:
    """Take the write lock before a transaction's first write."""
    if not connection.info.get(_WRITING, True) and _writes(statement, context):
        _start_writing(connection)


def _before_savepoint(connection: Connection, _name: str) -> None:
    """A savepoint is taken before writing; ending the read later would lose it, so write from here on."""
    if not connection.info.get(_WRITING, True):
        _start_writing(connection)


def _writes(statement: str, context) -> bool:
    """Whether a statement may write (or, as ``FOR UPDATE``, means to): anything not plainly a read."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete or context.isddl):
        return True
    compiled = getattr(context, "compiled", None)
    if compiled is not None and not getattr(context, "is_text", False):
        return getattr(compiled.statement, "_for_update_arg", None) is not None
    words = statement.lstrip(" \n\t(").split(None, 1)
    first = words[0].upper() if words else ""
    return first not in _READS and first not in _TRANSACTION_CONTROL


def _start_writing(connection: Connection) -> None:
    """End the read (which wrote nothing) and begin again holding the write lock, in this request's turn."""
    raw = connection.connection.dbapi_connection
    if raw.in_transaction and raw.total_changes != connection.info.get(_CHANGES):
        raise RuntimeError("A SQLite transaction wrote before taking the write lock; its writes would be lost")
    _queue(connection)
    if raw.in_transaction:
        raw.execute("ROLLBACK")
    raw.execute("BEGIN IMMEDIATE")
    connection.info[_WRITING] = True


def _queue(connection: Connection) -> None:
    """In a request on a database file, wait for this request's turn to write (see the module's notes)."""
    database = connection.engine.url.database
    if has_request_context() and database and database != ":memory:" and not database.startswith("file:"):
        take(database)


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
