"""Letter batches record the job queue's last progress, so a stalled batch is resumed

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401 (filled in by the change that needs it)
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
