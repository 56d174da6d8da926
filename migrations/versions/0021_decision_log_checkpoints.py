"""Signed checkpoints of the decision log's Merkle tree

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    # Existing logs get their first checkpoint at their next publication, or from `flask checkpoint-decisions`.
    op.create_table('decision_log_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tree_size', sa.Integer(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signature', sa.String(length=100), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_log_checkpoint')),
    sa.UniqueConstraint('tree_size', name=op.f('uq_decision_log_checkpoint_tree_size'))
    )


def downgrade():
    op.drop_table('decision_log_checkpoint')
