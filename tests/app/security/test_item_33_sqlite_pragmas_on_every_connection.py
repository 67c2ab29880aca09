"""Item 33: every SQLite connection runs with journal_mode=wal, busy_timeout >= 5000
and foreign_keys=on."""
import pytest

from app.extensions import db


def test_item_33_every_new_sqlite_connection_has_wal_busy_timeout_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    connections = [db.engine.raw_connection() for _ in range(3)]  # three distinct pooled connections
    try:
        for raw in connections:
            cursor = raw.cursor()
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
            assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            cursor.close()
    finally:
        for raw in connections:
            raw.close()


def test_item_33_foreign_keys_are_enforced(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    from sqlalchemy.exc import IntegrityError

    from app.models import User

    db.session.add(User(email="x@example.org", password_hash="x", role="team", house_id=424242))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
