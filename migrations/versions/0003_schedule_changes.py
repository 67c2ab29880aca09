"""The life of a published stay: checked changes, attendance, cancel and release

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stays', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('released_from', sa.Date(), nullable=True))

    op.create_table('stay_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason_ct', sa.Text(), nullable=True),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.Column('people', sa.JSON(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_stay_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['run_id'], ['planning_runs.id'], name=op.f('fk_stay_changes_run_id_planning_runs'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stay_id'], ['stays.id'], name=op.f('fk_stay_changes_stay_id_stays'), ondelete='CASCADE'),
    sa.UniqueConstraint('uid', name=op.f('uq_stay_changes_uid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stay_changes'))
    )
    with op.batch_alter_table('stay_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stay_changes_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stay_changes_stay_id'), ['stay_id'], unique=False)

    op.create_table('stay_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_stay_attendance_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['stay_id'], ['stays.id'], name=op.f('fk_stay_attendance_stay_id_stays'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stay_attendance'))
    )
    with op.batch_alter_table('stay_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stay_attendance_stay_id'), ['stay_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stay_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stay_attendance_stay_id'))
    op.drop_table('stay_attendance')
    with op.batch_alter_table('stay_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stay_changes_stay_id'))
        batch_op.drop_index(batch_op.f('ix_stay_changes_at'))
    op.drop_table('stay_changes')
    with op.batch_alter_table('stays', schema=None) as batch_op:
        batch_op.drop_column('released_from')
        batch_op.drop_column('cancelled_at')
