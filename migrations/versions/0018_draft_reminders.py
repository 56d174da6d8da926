"""Reminders to finish a draft, each sent once per application

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 08:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draft_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_draft_reminder_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_reminder')),
    sa.UniqueConstraint('application_id', 'kind', name=op.f('uq_draft_reminder_application_id'))
    )


def downgrade():
    op.drop_table('draft_reminder')
