"""Issue 14 item 7: no public development key, and only hashes of session tokens in the database."""
from __future__ import annotations

import hashlib
import os
import stat

import pytest
from sqlalchemy import select

from app import create_app
from app.config import DEFAULT_SECRET, ConfigError
from app.extensions import db
from app.models import UserSession


def _development(tmp_path, **overrides):
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "", "RESPIRO_ENV": "development",
              "SECRET_KEY_FILE": str(tmp_path / "secret-key"), "DATA_KEY_FILE": str(tmp_path / "data-keys"),
              "DATA_KEYS": "", "KEY_STORE_URL": "sqlite:///" + str(tmp_path / "defender-keys.db")}
    config.update(overrides)
    return create_app(config)


def test_development_signs_cookies_with_a_random_key_kept_in_instance_0600(tmp_path):
    first = _development(tmp_path)
    secret = first.config["SECRET_KEY"]
    assert secret != DEFAULT_SECRET and len(secret) >= 32
    path = tmp_path / "secret-key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert _development(tmp_path).config["SECRET_KEY"] == secret  # the next start (another worker) reads it
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert _development(other).config["SECRET_KEY"] != secret  # every installation has its own


def test_the_public_development_key_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        _development(tmp_path, SECRET_KEY=DEFAULT_SECRET)


def _cookie_user_id(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def test_the_database_holds_only_a_hash_of_each_session_token(app, client, make_user, login):
    user = make_user("coordinator")
    login(user)
    token = _cookie_user_id(client).split(":", 1)[1]
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            assert token not in " ".join(map(str, row)), table.name
    hashes = db.session.scalars(select(UserSession.token_hash).where(UserSession.user_id == user.id)).all()
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]


def test_what_a_backup_holds_does_not_open_a_session(app, client, make_user, login):
    user = make_user("admin")
    login(user)
    assert client.get("/home").status_code == 200
    stored = db.session.scalar(select(UserSession.token_hash).where(UserSession.user_id == user.id))
    thief = app.test_client()
    for forged in (f"{user.id}:{stored}", f"{user.id}:{user.session_token}"):
        with thief.session_transaction() as session:  # signed with the app's key: the thief's best case
            session.update({"_user_id": forged, "_fresh": True, "login_at": 2**40, "seen_at": 2**40})
        assert thief.get("/home").status_code == 302, forged


def test_two_devices_keep_their_own_sessions_and_logout_ends_both(app, client, make_user, login):
    user = make_user("team")
    phone = app.test_client()
    login(user)
    login(user, target=phone)
    assert client.get("/home").status_code == 200 and phone.get("/home").status_code == 200
    assert client.post("/logout").status_code == 302
    assert phone.get("/home").status_code == 302
    assert db.session.scalar(select(UserSession.id).where(UserSession.user_id == user.id)) is None
