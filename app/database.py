"""Engine set-up: SQLite pragmas and write transactions (security items 33, 34)."""
from __future__ import annotations

import os

import json

from sqlalchemy import String, cast, event
from sqlalchemy.engine import Engine


def create_private_file(path: str | None) -> None:
    """Create the SQLite file readable by its owner only (0600, as the key file), before SQLite would
    create it with the umask's 0644. Its -wal and -shm files take the same permissions from it."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:  # no such folder, or not ours: SQLite gives its own clear error when it connects
        return
    os.fchmod(fd, 0o600)  # whatever the umask
    os.close(fd)


def configure_engine(engine: Engine) -> None:
    """On SQLite: WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE.

    pysqlite's own transaction handling is switched off so that every
    transaction starts with `BEGIN IMMEDIATE`: a read-then-write can then never
    fail half-way with "database is locked"; writers wait for each other
    (up to `busy_timeout`) instead.
    """
    if engine.dialect.name != "sqlite":
        return
    create_private_file(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def json_list_holds(column, code: str):
    """SQL: the JSON list of codes in `column` holds `code` (language codes, stay types...).

    The same on SQLite and PostgreSQL, whose JSON functions differ: the list is stored as JSON text, where
    each element is written quoted, so `"es"` is found as a whole element (never inside `"est"`).
    """
    return cast(column, String).contains(json.dumps(code), autoescape=True)
