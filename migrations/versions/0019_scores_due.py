"""A date by which panellists' scores are due, per round

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401 (filled in by the change that needs it)
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
