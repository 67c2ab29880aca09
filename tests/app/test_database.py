"""SQLite connection settings (item 33)."""
import pytest
from sqlalchemy import text

from app.extensions import db


def test_every_sqlite_connection_runs_with_wal_busy_timeout_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    for _ in range(3):
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
