"""An index for a round's counts by status, so the commissioners' list counts without reading every application

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 19:05:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_round_status_submitted', ['round_id', 'status', 'submitted_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_round_status_submitted')
