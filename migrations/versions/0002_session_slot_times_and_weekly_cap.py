"""Each house's clock time of each session slot; an optional weekly cap of sessions per therapist

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 17:40:00

Existing houses get the default times (09:30, 11:30, 16:00, 18:00); existing
therapists get no weekly cap (as before).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

DEFAULT_SLOT_TIMES = ["09:30", "11:30", "16:00", "18:00"]


def upgrade():
    with op.batch_alter_table('houses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot_times', sa.JSON(), nullable=True))
    op.execute(sa.text("UPDATE houses SET slot_times = :times").bindparams(
        sa.bindparam("times", value=DEFAULT_SLOT_TIMES, type_=sa.JSON)))
    with op.batch_alter_table('houses', schema=None) as batch_op:
        batch_op.alter_column('slot_times', existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table('therapists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_sessions_per_week', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('therapists', schema=None) as batch_op:
        batch_op.drop_column('max_sessions_per_week')
    with op.batch_alter_table('houses', schema=None) as batch_op:
        batch_op.drop_column('slot_times')
