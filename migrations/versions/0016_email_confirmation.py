"""E-mail addresses confirmed by a single-use link before a group can send an application

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 08:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
