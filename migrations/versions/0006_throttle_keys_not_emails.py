"""The login ledger keeps keys (keyed hashes, ids), never what was typed as an email

Revision ID: 0006
Revises: 0001

The rows are a 15-minute ledger of failures: they are deleted (they held typed
addresses, some of no account), and the column becomes `key`.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM login_attempts")
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_email'))
        batch_op.alter_column('email', new_column_name='key', existing_type=sa.String(length=254),
                              type_=sa.String(length=80), existing_nullable=False)
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_key'), ['key'], unique=False)


def downgrade():
    op.execute("DELETE FROM login_attempts")
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_key'))
        batch_op.alter_column('key', new_column_name='email', existing_type=sa.String(length=80),
                              type_=sa.String(length=254), existing_nullable=False)
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_email'), ['email'], unique=False)
