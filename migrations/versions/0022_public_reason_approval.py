"""Optional public text on a decision, approved by a second commissioner

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 08:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    # Declined and reserve decisions are published from structured fields; public text is optional and needs
    # a second commissioner's approval. Existing decisions have none.
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('public_note_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('public_note_approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('public_note_approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_decision_public_note_by_id_user'), 'user',
                                    ['public_note_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_decision_public_note_approved_by_id_user'), 'user',
                                    ['public_note_approved_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_decision_public_note_approved_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_decision_public_note_by_id_user'), type_='foreignkey')
        batch_op.drop_column('public_note_approved_at')
        batch_op.drop_column('public_note_approved_by_id')
        batch_op.drop_column('public_note_by_id')
        batch_op.drop_column('public_note')
