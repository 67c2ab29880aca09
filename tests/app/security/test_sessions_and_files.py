"""Sessions and files (issue 14, item 7): a defender's cookie is a session cookie, gone when the
browser closes; the SQLite file is created readable by its owner only."""
from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import create_engine, text

from app.database import configure_engine


def _session_cookie_header(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("respiro_session=")]
    return header


def test_a_defenders_session_cookie_has_no_expiry(client, make_user, login):
    header = _session_cookie_header(login(make_user("defender")))
    assert "Expires=" not in header and "Max-Age=" not in header
    assert "HttpOnly" in header


@pytest.mark.parametrize("role", ["team", "coordinator"])
def test_staff_keep_their_twelve_hour_cookie(client, make_user, login, role):
    header = _session_cookie_header(login(make_user(role)))
    assert "Expires=" in header


def test_a_defenders_session_still_ends_after_thirty_idle_minutes(app, client, make_user, login):
    login(make_user("defender"))
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.location


def test_the_sqlite_file_is_created_0600_with_its_wal(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "new.db"
        engine = create_engine(f"sqlite:///{path}")
        configure_engine(engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            for name in (path, path.with_name("new.db-wal")):
                assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name
        engine.dispose()
    finally:
        os.umask(old)
