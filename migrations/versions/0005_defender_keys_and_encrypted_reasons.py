"""Each defender's values under her own key; reasons, closure notes, therapists' names encrypted

Revision ID: 0005
Revises: 0004

Issue 14 (crypto-shredding, and "sensitive text stored in plaintext"):

- adds a random `uid` (bound into ciphertexts as associated data) to
  closures, audit_events and planning_runs;
- encrypts what was plaintext: the urgency, decline and confirmation reasons
  and a reveal's reason (from the audit row's details) under her own key;
  closure notes, therapists' names and the planning runs' inputs (they carry
  the therapists' names) under the master data keys; then drops the plaintext
  columns;
- moves every value of hers that was under the master data keys under her
  own key (created in the key store, `KEY_STORE_URL`, which is not this
  database);
- adds `user_sessions` (the SHA-256 of each session's token; the token is
  only in the cookie) and replaces every user's old `session_token`, which
  was a credential kept in the database: everyone logs in again.

This is a data migration that needs the keys, which live outside the
database: run it through the application (`flask --app wsgi db upgrade`), with
the same DATA_KEYS and KEY_STORE_URL as the app. `--sql` (offline) mode is
refused. Running `flask --app wsgi keys migrate-defenders` afterwards is safe
and finds nothing left to move.

Downgrade puts the plaintext columns back (decrypting into them) and moves
her values back under the master keys; her keys stay in the key store.
"""
import secrets

import sqlalchemy as sa
from alembic import context, op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NEW_UIDS = ("closures", "audit_events", "planning_runs")

# (table, plaintext column, encrypted column, whose): the columns this migration encrypts
NOW_ENCRYPTED = (
    ("interviews", "confirmation_reason", "confirmation_reason_ct", "her"),
    ("stay_requests", "urgency_reason", "urgency_reason_ct", "her"),
    ("stay_requests", "decline_reason", "decline_reason_ct", "her"),
    ("therapists", "name", "name_ct", "network"),
    ("closures", "note", "note_ct", "network"),
    ("planning_runs", "instance_json", "instance_json_ct", "network"),
)
OLD_TYPES = {"name": sa.String(length=120)}

# (table, encrypted column, SQL giving (row id, row uid, her defender uid, token)) for every value of hers
_HERS = "SELECT t.id, t.uid, d.uid, t.{col} FROM {table} t "
HER_COLUMNS = (
    ("defenders", "real_name_ct", "SELECT t.id, t.uid, t.uid, t.{col} FROM defenders t"),
    ("defenders", "contact_ct", "SELECT t.id, t.uid, t.uid, t.{col} FROM defenders t"),
    ("defenders", "accessibility_notes_ct", "SELECT t.id, t.uid, t.uid, t.{col} FROM defenders t"),
    ("interviews", "narrative_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
    ("interviews", "risk_notes_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
    ("interviews", "confirmation_reason_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
    ("interview_dimensions", "answers_ct",
     _HERS + "JOIN interviews i ON i.id = t.interview_id JOIN defenders d ON d.id = i.defender_id"),
    ("stay_requests", "companions_note_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
    ("stay_requests", "food_notes_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
    ("stay_requests", "urgency_reason_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
    ("stay_requests", "decline_reason_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
    ("audit_events", "reason_ct", _HERS + "JOIN defenders d ON d.id = t.defender_id"),
)


def _keys():
    """The app's master key ring and defender key store (Flask-Migrate runs inside the app)."""
    if context.is_offline_mode():
        raise RuntimeError("migration 0005 encrypts data with the app's keys: run it online (flask db upgrade)")
    from flask import current_app

    return current_app.extensions["respiro_keyring"], current_app.extensions["respiro_keystore"]


def upgrade():
    ring, store = _keys()
    bind = op.get_bind()
    # sessions: only the hash of each session's token is stored (every session open before is ended)
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions") as batch:
        batch.create_index(batch.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_user_sessions_created_at"), ["created_at"], unique=False)
    for (row_id,) in bind.execute(sa.text("SELECT id FROM users")).all():  # the old tokens were credentials
        bind.execute(sa.text("UPDATE users SET session_token = :t WHERE id = :id"),
                     {"t": secrets.token_urlsafe(24), "id": row_id})
    for table in NEW_UIDS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("uid", sa.String(length=32), nullable=True))
        for (row_id,) in bind.execute(sa.text(f"SELECT id FROM {table}")).all():
            bind.execute(sa.text(f"UPDATE {table} SET uid = :uid WHERE id = :id"),
                         {"uid": secrets.token_hex(16), "id": row_id})
        with op.batch_alter_table(table) as batch:
            batch.alter_column("uid", existing_type=sa.String(length=32), nullable=False)
            batch.create_unique_constraint(batch.f(f"uq_{table}_uid"), ["uid"])
    for table, _plain, encrypted, _whose in NOW_ENCRYPTED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(encrypted, sa.Text(), nullable=True))
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("reason_ct", sa.Text(), nullable=True))

    # plaintext -> ciphertext under the master keys (hers are moved under her own key just below)
    for table, plain, encrypted, _whose in NOW_ENCRYPTED:
        rows = bind.execute(sa.text(f"SELECT id, uid, {plain} FROM {table} WHERE {plain} IS NOT NULL "
                                    f"AND {plain} <> ''")).all()
        for row_id, uid, value in rows:
            bind.execute(sa.text(f"UPDATE {table} SET {encrypted} = :ct WHERE id = :id"),
                         {"ct": ring.encrypt(value, f"{table}:{encrypted}:{uid}"), "id": row_id})
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("uid", sa.String),
                      sa.column("details", sa.JSON))
    for row_id, uid, details in bind.execute(sa.select(events.c.id, events.c.uid, events.c.details)).all():
        if isinstance(details, dict) and details.get("reason"):
            reason = str(details["reason"])
            rest = {k: v for k, v in details.items() if k != "reason"}
            bind.execute(events.update().where(events.c.id == row_id).values(details=rest))
            bind.execute(sa.text("UPDATE audit_events SET reason_ct = :ct WHERE id = :id"),
                         {"ct": ring.encrypt(reason, f"audit_events:reason_ct:{uid}"), "id": row_id})
    for table, plain, _encrypted, _whose in NOW_ENCRYPTED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(plain)

    # every value of hers under her own key (crypto-shredding)
    for table, column, query in HER_COLUMNS:
        for row_id, uid, defender_uid, token in bind.execute(sa.text(query.format(col=column, table=table))).all():
            if token is None or token.startswith("d1."):
                continue
            aad = f"{table}:{column}:{uid}"
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :ct WHERE id = :id"),
                         {"ct": store.encrypt(defender_uid, ring.decrypt(token, aad), aad), "id": row_id})


def _open(ring, store, token, aad):
    if token.startswith("d1."):
        return store.decrypt(token, aad)
    return ring.decrypt(token, aad)


def downgrade():
    ring, store = _keys()
    bind = op.get_bind()
    # hers back under the master keys (the code before 0005 knows no defender keys)
    for table, column, query in HER_COLUMNS:
        if column == "reason_ct" or column in {e for _t, _p, e, _w in NOW_ENCRYPTED}:
            continue  # these become plaintext again below
        for row_id, uid, _defender_uid, token in bind.execute(sa.text(query.format(col=column, table=table))).all():
            if token is None or not token.startswith("d1."):
                continue
            aad = f"{table}:{column}:{uid}"
            try:
                value = store.decrypt(token, aad)
            except LookupError:  # her key was destroyed: the value is gone
                value = None
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :ct WHERE id = :id"),
                         {"ct": None if value is None else ring.encrypt(value, aad), "id": row_id})
    for table, plain, _encrypted, _whose in NOW_ENCRYPTED:
        with op.batch_alter_table(table) as batch:
            if plain == "instance_json":
                batch.add_column(sa.Column(plain, sa.Text(), nullable=True))
            elif plain == "name":
                batch.add_column(sa.Column(plain, OLD_TYPES["name"], nullable=False, server_default=""))
            else:
                batch.add_column(sa.Column(plain, sa.Text(), nullable=False, server_default=""))
    for table, plain, encrypted, _whose in NOW_ENCRYPTED:
        for row_id, uid, token in bind.execute(sa.text(f"SELECT id, uid, {encrypted} FROM {table} "
                                                       f"WHERE {encrypted} IS NOT NULL")).all():
            try:
                value = _open(ring, store, token, f"{table}:{encrypted}:{uid}")
            except LookupError:
                value = None
            bind.execute(sa.text(f"UPDATE {table} SET {plain} = :v WHERE id = :id"),
                         {"v": value or ("" if plain != "instance_json" else None), "id": row_id})
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("details", sa.JSON))
    for row_id, uid, token, details in bind.execute(sa.text(
            "SELECT id, uid, reason_ct, details FROM audit_events WHERE reason_ct IS NOT NULL")).all():
        try:
            reason = _open(ring, store, token, f"audit_events:reason_ct:{uid}")
        except LookupError:
            reason = None
        if reason:
            if isinstance(details, str):
                import json

                details = json.loads(details)
            bind.execute(events.update().where(events.c.id == row_id).values(details={**(details or {}),
                                                                                       "reason": reason}))
    for table, plain, encrypted, _whose in NOW_ENCRYPTED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(encrypted)
            if plain != "instance_json":
                batch.alter_column(plain, server_default=None)
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("reason_ct")
    for table in NEW_UIDS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"uq_{table}_uid"), type_="unique")
            batch.drop_column("uid")
    op.drop_table("user_sessions")
