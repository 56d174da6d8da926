"""Money columns wide enough for the largest amount the forms allow; kept forms bounded

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 08:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


# table -> its money columns and whether each may be empty.
MONEY_COLUMNS = {
    "application": {"amount_requested_pence": True},
    "budget_line": {"cost_pence": False},
    "round": {"budget_pence": False, "min_grant_pence": False, "max_grant_pence": False,
              "small_grant_threshold_pence": True},
    "decision": {"amount_awarded_pence": True},
    "decision_log_entry": {"amount_requested_pence": False, "amount_awarded_pence": True},
}


def _change_money_columns(old, new):
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column, nullable in columns.items():
                batch.alter_column(column, existing_type=old, type_=new, existing_nullable=nullable)


def _widen_money_columns():
    """Every ``*_pence`` column as a 64-bit integer (PostgreSQL's INTEGER stops at £21,474,836.47)."""
    _change_money_columns(sa.Integer(), sa.BigInteger())


def _narrow_money_columns():
    _change_money_columns(sa.BigInteger(), sa.Integer())


def _bound_kept_forms():
    """Kept forms record a salted hash of the address they came from, so each address can be capped."""
    with op.batch_alter_table("kept_form") as batch:
        batch.add_column(sa.Column("address_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_kept_form_address_hash_created_at", ["address_hash", "created_at"], unique=False)


def _unbound_kept_forms():
    with op.batch_alter_table("kept_form") as batch:
        batch.drop_index("ix_kept_form_address_hash_created_at")
        batch.drop_column("address_hash")


def upgrade():
    _widen_money_columns()
    _bound_kept_forms()


def downgrade():
    _unbound_kept_forms()
    _narrow_money_columns()
