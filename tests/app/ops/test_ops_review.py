"""Operator mistakes the ops commands must survive (backup, restore, keys, demo).

Each test is a thing an operator at a small NGO could plausibly do: restore a
truncated or empty file, restore a backup made by another version of
Respiro, drop the old data key before rotating, point the backup at a wrong
database path, run `flask demo` against the production database.
"""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Defender, House, User
from app.security.crypto import new_key_spec

OLD_KEY = new_key_spec("old")
NEW_KEY = new_key_spec("new")


def _fill() -> None:
    defender = Defender(alias="Ceiba", country="HN", languages=["es"])
    defender.real_name = "Nombre Ficticio"
    db.session.add_all([defender, House(code="serena", name="Casa", country="MX", beds=2,
                                        max_concurrent_stays=1)])
    db.session.commit()


def _close() -> None:
    db.session.remove()
    db.engine.dispose()


def _tables(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]


@pytest.fixture
def live(deployment, tmp_path):
    app = deployment(tmp_path / "live.db", OLD_KEY)
    with app.app_context():
        db.create_all()
        _fill()
        yield app


def test_forced_restore_of_an_empty_file_is_refused_and_keeps_the_database(live, tmp_path):
    empty = tmp_path / "empty.backup"  # a copy that failed half-way: 0 bytes is a valid SQLite file
    empty.write_bytes(b"")
    result = live.test_cli_runner().invoke(args=["restore", "--force", str(empty)])
    assert result.exit_code == 1 and "not a Respiro" in result.output
    assert db.session.scalar(select(func.count()).select_from(House)) == 1


def test_restore_of_another_applications_sqlite_file_is_refused(live, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    result = live.test_cli_runner().invoke(args=["restore", "--force", str(other)])
    assert result.exit_code == 1 and "not a Respiro" in result.output
    assert db.session.scalar(select(func.count()).select_from(House)) == 1


def test_restore_of_a_backup_from_another_schema_version_is_refused(live, tmp_path):
    backup = tmp_path / "old.backup"
    assert live.test_cli_runner().invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    with sqlite3.connect(backup) as conn:  # made by an older Respiro, before a migration
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('0000_an_older_release')")
    result = live.test_cli_runner().invoke(args=["restore", "--force", str(backup)])
    assert result.exit_code == 1 and "schema version" in result.output
    assert "alembic_version" not in _tables(tmp_path / "live.db")


def test_restore_of_a_backup_missing_a_column_is_refused(live, tmp_path):
    backup = tmp_path / "old.backup"
    assert live.test_cli_runner().invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    with sqlite3.connect(backup) as conn:
        conn.execute("ALTER TABLE houses DROP COLUMN beds")
    result = live.test_cli_runner().invoke(args=["restore", "--force", str(backup)])
    assert result.exit_code == 1 and "not a Respiro" in result.output


def test_restore_of_a_backup_at_the_current_head_is_accepted(live, tmp_path):
    from app.ops import code_heads

    backup = tmp_path / "head.backup"
    assert live.test_cli_runner().invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    with sqlite3.connect(backup) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.executemany("INSERT INTO alembic_version VALUES (?)", [(h,) for h in code_heads()])
    result = live.test_cli_runner().invoke(args=["restore", "--force", str(backup)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Defender)).real_name == "Nombre Ficticio"


def test_restore_of_a_truncated_backup_is_one_clear_line(live, tmp_path):
    backup = tmp_path / "full.backup"
    assert live.test_cli_runner().invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    cut = tmp_path / "cut.backup"
    cut.write_bytes(backup.read_bytes()[:5000])
    result = live.test_cli_runner().invoke(args=["restore", "--force", str(cut)])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert db.session.scalar(select(func.count()).select_from(House)) == 1


def test_backup_of_a_database_that_does_not_exist_is_one_clear_line(deployment, tmp_path):
    app = deployment(tmp_path / "no" / "such.db", OLD_KEY)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", "-o", str(tmp_path / "x.backup")])
    assert result.exit_code == 1 and result.output.startswith("Error: "), repr(result.exception)
    assert not (tmp_path / "x.backup").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup-")] == []


def test_rotate_after_the_old_key_was_removed_is_one_clear_line_and_changes_nothing(deployment, tmp_path):
    path = tmp_path / "k.db"
    app = deployment(path, OLD_KEY)
    with app.app_context():
        db.create_all()
        _fill()
        _close()
    before = sqlite3.connect(path).execute("SELECT real_name_ct FROM defenders").fetchall()
    dropped = deployment(path, NEW_KEY)  # the operator replaced the key instead of adding one
    with dropped.app_context():
        result = dropped.test_cli_runner().invoke(args=["keys", "rotate"])
        _close()
    assert result.exit_code == 1 and result.output.startswith("Error: "), repr(result.exception)
    assert "'old'" in result.output
    assert sqlite3.connect(path).execute("SELECT real_name_ct FROM defenders").fetchall() == before
    both = deployment(path, f"{NEW_KEY},{OLD_KEY}")  # the right way: new first, old kept
    with both.app_context():
        assert both.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
        _close()
    only_new = deployment(path, NEW_KEY)
    with only_new.app_context():
        assert db.session.scalar(select(Defender)).real_name == "Nombre Ficticio"


def test_demo_refuses_to_run_in_production(deployment, tmp_path):
    app = deployment(tmp_path / "prod.db", OLD_KEY, RESPIRO_ENV="production", SESSION_COOKIE_SECURE=True)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo"])
        users = db.session.scalar(select(func.count()).select_from(User))
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert users == 0 and "respiro demo" not in result.output


def test_demo_refuses_a_database_that_already_has_accounts(deployment, tmp_path):
    app = deployment(tmp_path / "fresh.db", OLD_KEY)
    with app.app_context():
        db.create_all()  # a fresh install: the real admin exists, no house yet
        db.session.add(User(email="admin@ngo.example", password_hash="x", role="admin"))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["demo"])
        emails = [user.email for user in db.session.scalars(select(User))]
    assert result.exit_code == 1 and "not empty" in result.output
    assert emails == ["admin@ngo.example"]


@pytest.mark.skipif(not __import__("os").environ.get("TEST_DATABASE_URL"),
                    reason="PostgreSQL: set TEST_DATABASE_URL")
def test_postgresql_restore_refuses_junk_and_another_schema_version(app, runner, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a dump" * 100)
    result = runner.invoke(args=["restore", "--force", str(junk)])
    assert result.exit_code == 1 and "not a Respiro" in result.output
    _fill()
    db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
    db.session.execute(text("INSERT INTO alembic_version VALUES ('0000_an_older_release')"))
    db.session.commit()
    try:
        backup = tmp_path / "old.backup"
        assert runner.invoke(args=["backup", "-o", str(backup)]).exit_code == 0
        db.session.execute(text("UPDATE houses SET name = 'changed since'"))
        db.session.commit()
        result = runner.invoke(args=["restore", "--force", str(backup)])
        assert result.exit_code == 1 and "schema version 0000_an_older_release" in result.output
        assert db.session.scalar(select(House.name)) == "changed since"
    finally:
        db.session.rollback()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
