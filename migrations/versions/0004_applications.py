"""Applications: task-list sections, documents, declarations, screening, frozen snapshots, references

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:23:59.895694

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reference_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['fund.id'], name=op.f('fk_reference_counter_fund_id_fund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_counter')),
    sa.UniqueConstraint('fund_id', 'year', name=op.f('uq_reference_counter_fund_id'))
    )
    op.create_table('application_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_document_application_id_application')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_application_document_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_application_document_stored_name'))
    )
    with op.batch_alter_table('application_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_document_application_id'), ['application_id'], unique=False)

    op.create_table('application_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_section_application_id_application')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_application_section_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_section')),
    sa.UniqueConstraint('application_id', 'key', name=op.f('uq_application_section_application_id'))
    )
    with op.batch_alter_table('application_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_section_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('screened_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('declared_by_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('declared_by_role', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('declared_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('submitted_snapshot', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_application_screened_by_id_user'), 'user', ['screened_by_id'], ['id'])

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asks_for_documents', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('document_guidance', sa.Text(), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('document_guidance')
        batch_op.drop_column('asks_for_documents')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_screened_by_id_user'), type_='foreignkey')
        batch_op.drop_column('submitted_snapshot')
        batch_op.drop_column('declared_at')
        batch_op.drop_column('declared_by_role')
        batch_op.drop_column('declared_by_name')
        batch_op.drop_column('screened_by_id')
        batch_op.drop_column('screened_at')

    with op.batch_alter_table('application_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_section_application_id'))

    op.drop_table('application_section')
    with op.batch_alter_table('application_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_document_application_id'))

    op.drop_table('application_document')
    op.drop_table('reference_counter')
