"""Safety, wave 2: the login ledger keeps keys, never typed addresses; calendar links know their maker and house

Revision ID: 0006
Revises: 0005

- login_attempts: the rows are a 15-minute ledger of failures: they are
  deleted (they held typed addresses, some of no account), and the column
  becomes `key`.
- calendar_tokens: who made each link (it ends with her account) and the house
  it is cut to. Links made before have no maker and end (their scope is
  unknown: a house team's therapist link showed other houses); they are revoked
  here, and are made again from the same pages.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('house_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_calendar_tokens_created_by_id_users'), 'users',
                                    ['created_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_calendar_tokens_house_id_houses'), 'houses',
                                    ['house_id'], ['id'], ondelete='CASCADE')
    op.execute("UPDATE calendar_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL")
    op.execute("DELETE FROM login_attempts")
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_email'))
        batch_op.alter_column('email', new_column_name='key', existing_type=sa.String(length=254),
                              type_=sa.String(length=80), existing_nullable=False)
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_key'), ['key'], unique=False)


def downgrade():
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calendar_tokens_house_id_houses'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_calendar_tokens_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('house_id')
        batch_op.drop_column('created_by_id')
    op.execute("DELETE FROM login_attempts")
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_key'))
        batch_op.alter_column('key', new_column_name='email', existing_type=sa.String(length=80),
                              type_=sa.String(length=254), existing_nullable=False)
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_email'), ['email'], unique=False)
