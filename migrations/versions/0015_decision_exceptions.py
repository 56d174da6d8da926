"""Reasons recorded for eligible applications decided without their full set of sent scores

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 08:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('decision_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('scores_sent', sa.Integer(), nullable=False),
    sa.Column('panel_size', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_decision_exception_application_id_application')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_decision_exception_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_decision_exception_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_exception')),
    sa.UniqueConstraint('application_id', name=op.f('uq_decision_exception_application_id'))
    )
    with op.batch_alter_table('decision_exception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_exception_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('decision_exception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_exception_round_id'))

    op.drop_table('decision_exception')
