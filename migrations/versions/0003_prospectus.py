"""Prospectus: eligibility rules, FAQs, public change log, clarification questions, event details

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:44:43.051658

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clarification_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('asker_name', sa.String(length=200), nullable=False),
    sa.Column('asker_email', sa.String(length=320), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_question', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('asker_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_clarification_question_answered_by_id_user')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['clarification_question.id'], name=op.f('fk_clarification_question_merged_into_id_clarification_question')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_clarification_question_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clarification_question'))
    )
    with op.batch_alter_table('clarification_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clarification_question_round_id'), ['round_id'], unique=False)

    op.create_table('faq',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_faq_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq'))
    )
    with op.batch_alter_table('faq', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_round_id'), ['round_id'], unique=False)

    op.create_table('round_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_round_change_changed_by_id_user')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_round_change_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_change'))
    )
    with op.batch_alter_table('round_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_change_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('event_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_event_registration_cancel_token_hash'), ['cancel_token_hash'])

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_serve_london', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('who_cannot_apply', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('what_you_need', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('question_deadline', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('question_deadline')
        batch_op.drop_column('what_you_need')
        batch_op.drop_column('who_cannot_apply')
        batch_op.drop_column('must_serve_london')

    with op.batch_alter_table('event_registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_event_registration_cancel_token_hash'), type_='unique')
        batch_op.drop_column('cancel_token_hash')
        batch_op.drop_column('promoted_at')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('reminder_sent_at')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('published_at')

    with op.batch_alter_table('round_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_change_round_id'))

    op.drop_table('round_change')
    with op.batch_alter_table('faq', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_round_id'))

    op.drop_table('faq')
    with op.batch_alter_table('clarification_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clarification_question_round_id'))

    op.drop_table('clarification_question')
