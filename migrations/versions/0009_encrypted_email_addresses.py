"""E-mail addresses encrypted, found through a blind index

Revision ID: 0009
Revises: 0008

Issue 14: an account's address identifies her, and a backup kept it after her
deletion. `users.email` and `invitations.email` become

- `email_ct`: the address encrypted, under her own key for a defender's
  account and a link made for her (destroyed when she is deleted), under the
  master data keys for staff;
- `email_index`: the HMAC-SHA256 of the normalised address under
  EMAIL_INDEX_KEY (kept with the data keys, outside the database), unique for
  accounts, so that a login is still one indexed look-up.

Invitations get a random `uid` (bound into the ciphertext as associated data).
The account of a defender already deleted keeps no address (her key is gone).

Like 0005 this needs the app's keys: run it online (`flask --app wsgi db
upgrade`) with the same DATA_KEYS, KEY_STORE_URL and EMAIL_INDEX_KEY as the app.
Downgrade puts the plaintext addresses back (a deleted defender's account gets
a `deleted-…@deleted.invalid` placeholder, as before 0009).
"""
import secrets

import sqlalchemy as sa
from alembic import context, op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ("users", "invitations")
# each row's id, uid, address or ciphertext, her defender's uid (none for staff) and whether she was deleted
_ROWS = ("SELECT t.id, t.uid, t.{col}, d.uid, d.deleted_at IS NOT NULL FROM {table} t "
         "LEFT JOIN defenders d ON d.id = t.defender_id")


def _keys():
    """The master key ring, the defender key store and the index key (Flask-Migrate runs inside the app)."""
    if context.is_offline_mode():
        raise RuntimeError("migration 0009 encrypts addresses with the app's keys: run it online (flask db upgrade)")
    from flask import current_app

    extensions = current_app.extensions
    return extensions["respiro_keyring"], extensions["respiro_keystore"], extensions["respiro_email_index_key"]


def upgrade():
    from app.security.blind_index import email_index, normalise_email

    ring, store, index_key = _keys()
    bind = op.get_bind()
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("uid", sa.String(length=32), nullable=True))
    for (row_id,) in bind.execute(sa.text("SELECT id FROM invitations")).all():
        bind.execute(sa.text("UPDATE invitations SET uid = :uid WHERE id = :id"),
                     {"uid": secrets.token_hex(16), "id": row_id})
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("email_ct", sa.Text(), nullable=True))
            batch.add_column(sa.Column("email_index", sa.String(length=64), nullable=True))
        for row_id, uid, email, defender_uid, deleted in bind.execute(
                sa.text(_ROWS.format(col="email", table=table))).all():
            if deleted:  # her key is gone: her address goes too
                continue
            email = normalise_email(email)
            aad = f"{table}:email_ct:{uid}"
            token = store.encrypt(defender_uid, email, aad) if defender_uid else ring.encrypt(email, aad)
            bind.execute(sa.text(f"UPDATE {table} SET email_ct = :ct, email_index = :ix WHERE id = :id"),
                         {"ct": token, "ix": email_index(email, index_key), "id": row_id})
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("uq_users_email"), type_="unique")
        batch.drop_column("email")
        batch.create_unique_constraint(batch.f("uq_users_email_index"), ["email_index"])
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("email")
        batch.alter_column("uid", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint(batch.f("uq_invitations_uid"), ["uid"])
        batch.create_index(batch.f("ix_invitations_email_index"), ["email_index"], unique=False)


def downgrade():
    ring, store, _index_key = _keys()
    bind = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        for row_id, uid, token, _defender_uid, _deleted in bind.execute(
                sa.text(_ROWS.format(col="email_ct", table=table))).all():
            email = None
            if token is not None:
                aad = f"{table}:email_ct:{uid}"
                try:
                    email = store.decrypt(token, aad) if token.startswith("d1.") else ring.decrypt(token, aad)
                except LookupError:  # her key was destroyed: the address is gone
                    email = None
            bind.execute(sa.text(f"UPDATE {table} SET email = :email WHERE id = :id"),
                         {"email": email or f"deleted-{secrets.token_hex(8)}@deleted.invalid", "id": row_id})
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("uq_users_email_index"), type_="unique")
        batch.drop_column("email_index")
        batch.drop_column("email_ct")
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch.create_unique_constraint(batch.f("uq_users_email"), ["email"])
    with op.batch_alter_table("invitations") as batch:
        batch.drop_index(batch.f("ix_invitations_email_index"))
        batch.drop_constraint(batch.f("uq_invitations_uid"), type_="unique")
        batch.drop_column("email_index")
        batch.drop_column("email_ct")
        batch.drop_column("uid")
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=False)
