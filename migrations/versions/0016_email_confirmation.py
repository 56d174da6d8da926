"""E-mail addresses confirmed by a single-use link before a group can send an application

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 08:10:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
    # People with accounts before this change signed up when no check was asked of them, or joined by
    # an invitation e-mailed to them: they count as confirmed, so nobody is stopped from sending.
    user = sa.table('user', sa.column('email_confirmed_at', sa.DateTime(timezone=True)))
    op.execute(user.update().values(email_confirmed_at=datetime.now(UTC)))

    op.create_table('email_confirmation_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('is_resend', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_email_confirmation_token_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_confirmation_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_confirmation_token_token_hash'))
    )
    with op.batch_alter_table('email_confirmation_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_confirmation_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('email_confirmation_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_confirmation_token_user_id'))

    op.drop_table('email_confirmation_token')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
