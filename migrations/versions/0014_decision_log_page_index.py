"""The public log's order as one index holding each current entry's id, so a deep page reads the index alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision_log_current', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_log_current_decided_at_reference')
        batch_op.create_index('ix_decision_log_current_order', [sa.text('decided_at DESC'), 'reference', 'entry_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('decision_log_current', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_log_current_order')
        batch_op.create_index('ix_decision_log_current_decided_at_reference', ['decided_at', 'reference'],
                              unique=False)
