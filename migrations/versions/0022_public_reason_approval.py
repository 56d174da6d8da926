"""Optional public text on a decision, approved by a second commissioner

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401 (filled in by the change that needs it)
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
