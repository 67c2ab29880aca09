"""Issue 14 item 7: no public development key, and only hashes of session tokens in the database."""
from __future__ import annotations

import hashlib
import os
import stat

import pytest
from sqlalchemy import select

from app.config import DEFAULT_SECRET, ConfigError
from app.extensions import db
from app.models import UserSession


@pytest.fixture
def development(make_app):
    """A development installation in a folder of its own: no SECRET_KEY given, its own instance files."""

    def build(folder, **overrides):
        return make_app(**{"SECRET_KEY": "", "RESPIRO_ENV": "development", "DATA_KEYS": "",
                           "SECRET_KEY_FILE": str(folder / "secret-key"), "DATA_KEY_FILE": str(folder / "data-keys"),
                           "KEY_STORE_URL": "sqlite:///" + str(folder / "defender-keys.db"), **overrides})

    return build


def test_development_signs_cookies_with_a_random_key_kept_in_instance_0600(development, tmp_path):
    first = development(tmp_path)
    secret = first.config["SECRET_KEY"]
    assert secret != DEFAULT_SECRET and len(secret) >= 32
    path = tmp_path / "secret-key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert development(tmp_path).config["SECRET_KEY"] == secret  # the next start (another worker) reads it
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert development(other).config["SECRET_KEY"] != secret  # every installation has its own


def test_the_public_development_key_is_refused(development, tmp_path):
    with pytest.raises(ConfigError):
        development(tmp_path, SECRET_KEY=DEFAULT_SECRET)


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
