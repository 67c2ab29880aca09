"""Migration 0009 on a database that holds accounts and links: every address is encrypted
(hers under her own key) and indexed, she still logs in by e-mail, and no raw row holds an address.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
"""
from __future__ import annotations

import datetime as dt

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.auth.accounts import authenticate
from app.extensions import db
from app.models import Invitation, User
from app.security.passwords import hash_password

from tests.app.test_migrations import empty_database, migrated_app  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD

NOW = dt.datetime(2026, 12, 1, 10, 0)
ADDRESSES = {1: "ceiba.defensora@example.org", 2: "coordina@example.org", 3: "deleted-00ff@deleted.invalid"}
LINKS = {1: "para.ella@example.org", 2: "equipo.nuevo@example.org"}


def _rows_at_0008() -> None:
    execute = db.session.execute
    for defender_id, uid, deleted in ((1, "d0001", None), (2, "d0002", NOW)):
        execute(text("INSERT INTO defenders (id, alias, country, languages, barred_countries, needs_accessible, uid, "
                     "deleted_at, created_at, updated_at) VALUES (:id, 'Ceiba', 'HN', '[]', '[]', false, :uid, "
                     ":deleted, :t, :t)"), {"id": defender_id, "uid": uid, "deleted": deleted, "t": NOW})
    password = hash_password(PASSWORD)
    for user_id, role, defender_id in ((1, "defender", 1), (2, "coordinator", None), (3, "defender", 2)):
        execute(text("INSERT INTO users (id, email, password_hash, role, defender_id, active, session_token, uid, "
                     "created_at, updated_at) VALUES (:id, :email, :pw, :role, :defender, true, 't', :uid, :t, :t)"),
                {"id": user_id, "email": ADDRESSES[user_id], "pw": password, "role": role, "defender": defender_id,
                 "uid": f"u000{user_id}", "t": NOW})
    execute(text("INSERT INTO user_sessions (id, user_id, token_hash, created_at) VALUES (1, 2, 'h', :t)"), {"t": NOW})
    for link_id, role, defender_id in ((1, "defender", 1), (2, "coordinator", None)):
        execute(text("INSERT INTO invitations (id, token_hash, email, role, defender_id, created_by_id, expires_at, "
                     "purpose, created_at, updated_at) VALUES (:id, :hash, :email, :role, :defender, 2, :t, 'signup', "
                     ":t, :t)"), {"id": link_id, "hash": f"{link_id:064d}", "email": LINKS[link_id], "role": role,
                                  "defender": defender_id, "t": NOW})
    db.session.commit()


def _raw_dump() -> str:
    return "\n".join(" ".join(map(str, row)) for table in ("users", "invitations")
                     for row in db.session.execute(text(f"SELECT * FROM {table}")).all())


def test_migration_0009_encrypts_and_indexes_every_address(migrated_app):
    store = migrated_app.extensions["respiro_keystore"]
    upgrade(revision="0008")
    _rows_at_0008()
    upgrade()
    db.session.expire_all()
    dump = _raw_dump()
    assert "example.org" not in dump and "deleted.invalid" not in dump
    her, staff, deleted = (db.session.get(User, n) for n in (1, 2, 3))
    assert her.email == ADDRESSES[1] and her.email_ct.startswith("d1.") and store.status("d0001") == "live"
    assert staff.email == ADDRESSES[2] and staff.email_ct.startswith("v1.")
    assert deleted.email is None and deleted.email_index is None  # her address went with her
    # rebuilding `users` (SQLite) cascaded into nothing that points at it
    assert db.session.execute(text("SELECT user_id FROM user_sessions")).scalar_one() == 2
    link_for_her, staff_link = db.session.get(Invitation, 1), db.session.get(Invitation, 2)
    assert link_for_her.email == LINKS[1] and link_for_her.email_ct.startswith("d1.")
    assert staff_link.email == LINKS[2] and staff_link.email_ct.startswith("v1.") and staff_link.uid
    db.session.commit()
    with migrated_app.test_request_context():
        assert authenticate(ADDRESSES[1].upper(), PASSWORD).id == 1
        assert authenticate(f" {ADDRESSES[2]} ", PASSWORD).id == 2
    db.session.commit()

    # and back: the code before 0009 reads plaintext addresses again
    downgrade(revision="0008")
    rows = dict(db.session.execute(text("SELECT id, email FROM users")).all())
    assert rows[1] == ADDRESSES[1] and rows[2] == ADDRESSES[2] and rows[3].endswith("@deleted.invalid")
    assert dict(db.session.execute(text("SELECT id, email FROM invitations")).all()) == LINKS
    db.session.commit()
    upgrade()
    db.session.expire_all()
    assert db.session.get(User, 1).email == ADDRESSES[1]
