"""Messages between commissioners and a group about a sent application

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 08:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('application_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('from_funder', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shared_with_panel_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_application_message_application_id_application')),
    sa.ForeignKeyConstraint(['sender_id'], ['user.id'], name=op.f('fk_application_message_sender_id_user')),
    sa.ForeignKeyConstraint(['shared_by_id'], ['user.id'], name=op.f('fk_application_message_shared_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_message'))
    )
    op.create_index('ix_application_message_conversation', 'application_message',
                    ['application_id', 'sent_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_application_message_conversation', table_name='application_message')
    op.drop_table('application_message')
