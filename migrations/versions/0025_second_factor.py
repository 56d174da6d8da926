"""A second factor for staff: authenticator app secrets, used codes and recovery codes

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 08:45:00.000000

"""
import sqlalchemy as sa  # noqa: F401 (filled in by the change that needs it)
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
