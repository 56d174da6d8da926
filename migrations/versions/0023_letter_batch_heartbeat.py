"""Letter batches record the job queue's last progress, so a stalled batch is resumed

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("auto_resumes", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("stalled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("auto_resumed_at", sa.DateTime(timezone=True), nullable=True))
    # An existing batch last moved with its newest letter, or when it was asked for.
    op.execute(
        "UPDATE letter_batch SET progress_at = COALESCE("
        "(SELECT MAX(letter.issued_at) FROM letter WHERE letter.batch_id = letter_batch.id), requested_at)"
    )
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.alter_column("progress_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.drop_column("auto_resumed_at")
        batch_op.drop_column("stalled_at")
        batch_op.drop_column("auto_resumes")
        batch_op.drop_column("progress_at")
