"""How long a round's grants last, in months from the award

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 18:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round") as batch:
        batch.add_column(sa.Column("grant_months", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("round") as batch:
        batch.drop_column("grant_months")
