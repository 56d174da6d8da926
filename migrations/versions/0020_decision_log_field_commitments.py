"""Decision log entries commit to salted hashes of their fields, so a field can be redacted lawfully

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa  # noqa: F401 (filled in by the change that needs it)
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
