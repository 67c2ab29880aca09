"""Each house's clock time of each session slot; an optional weekly cap of sessions per therapist

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 17:40:00

Existing houses get the default times (09:30, 11:30, 16:00, 18:00); existing
therapists get no weekly cap (as before).
"""
from alembic import op
import json

import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

DEFAULT_SLOT_TIMES = ["09:30", "11:30", "16:00", "18:00"]


def upgrade():
    # Added in place, existing houses given the default times by the column's default: a batch copy of
    # `houses` (to make it NOT NULL afterwards) would drop the table stays and closures point at, which
    # SQLite refuses once the database holds a stay.
    op.add_column('houses', sa.Column('slot_times', sa.JSON(), nullable=False,
                                      server_default=sa.text("'" + json.dumps(DEFAULT_SLOT_TIMES) + "'")))
    op.add_column('therapists', sa.Column('max_sessions_per_week', sa.Integer(), nullable=True))


def downgrade():
    # Both engines drop a column in place (SQLite since 3.35): a batch copy of `houses` would have to drop
    # the table that stays and closures point at, which SQLite refuses with its foreign keys on.
    op.execute('ALTER TABLE therapists DROP COLUMN max_sessions_per_week')
    op.execute('ALTER TABLE houses DROP COLUMN slot_times')
