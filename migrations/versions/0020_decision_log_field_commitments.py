"""Decision log entries commit to salted hashes of their fields, so a field can be redacted lawfully

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 08:40:00.000000

Existing entries are given a random salt per field and their content and entry hashes are recomputed along
the chain in position order. Rewriting the hashes is allowed this once, before the log is in production
(docs/decision-log.md); the content builder below is a frozen copy of ``log.entry_content`` at this revision.
"""
import hashlib
import json
import secrets
from datetime import UTC

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

entries = sa.table(
    "decision_log_entry",
    sa.column("id", sa.Integer), sa.column("position", sa.Integer), sa.column("round_id", sa.Integer),
    sa.column("application_id", sa.Integer), sa.column("reference", sa.String),
    sa.column("outcome", sa.String), sa.column("organisation_name", sa.String),
    sa.column("organisation_description", sa.Text), sa.column("organisation_type", sa.String),
    sa.column("small_organisation", sa.Boolean), sa.column("boroughs", sa.String),
    sa.column("charity_number", sa.String), sa.column("company_number", sa.String),
    sa.column("project_title", sa.String), sa.column("amount_requested_pence", sa.Integer),
    sa.column("amount_awarded_pence", sa.Integer), sa.column("panel_score", sa.Float),
    sa.column("reason_category", sa.String), sa.column("reason", sa.Text),
    sa.column("decided_at", UTCDateTime()), sa.column("decided_by_role", sa.String),
    sa.column("panellists_recused", sa.Integer), sa.column("published_at", UTCDateTime()),
    sa.column("corrects_id", sa.Integer), sa.column("correction_reason", sa.Text),
    sa.column("content_hash", sa.String), sa.column("previous_hash", sa.String),
    sa.column("entry_hash", sa.String), sa.column("field_salts", sa.JSON), sa.column("redactions", sa.JSON),
)


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _instant(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _content(row, positions):
    """The entry's public content, exactly as ``log.entry_content`` built it at this revision."""
    return {
        "position": row.position, "round_id": row.round_id, "application_id": row.application_id,
        "reference": row.reference, "outcome": row.outcome, "organisation_name": row.organisation_name,
        "organisation_description": row.organisation_description, "organisation_type": row.organisation_type,
        "small_organisation": bool(row.small_organisation), "boroughs": row.boroughs,
        "charity_number": row.charity_number, "company_number": row.company_number,
        "project_title": row.project_title, "amount_requested_pence": row.amount_requested_pence,
        "amount_awarded_pence": row.amount_awarded_pence,
        "panel_score": None if row.panel_score is None else repr(float(row.panel_score)),
        "reason_category": row.reason_category, "reason": row.reason, "decided_at": _instant(row.decided_at),
        "decided_by_role": row.decided_by_role, "panellists_recused": row.panellists_recused,
        "published_at": _instant(row.published_at),
        "corrects_position": positions.get(row.corrects_id) if row.corrects_id is not None else None,
        "correction_reason": row.correction_reason,
    }


def _rehash(*, salted):
    """Recompute every entry's hashes in position order: with fresh salts per field, or (down) without."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(entries).order_by(entries.c.position)).all()
    positions = {row.id: row.position for row in rows}
    previous = GENESIS_HASH
    for row in rows:
        content = _content(row, positions)
        values = {}
        if salted:
            salts = {field: secrets.token_hex(16) for field in content}
            kept = row.redactions or {}
            commitments = {field: (kept[field]["commitment"] if field in kept else
                                   hashlib.sha256(bytes.fromhex(salts[field]) + _canonical(value)).hexdigest())
                           for field, value in content.items()}
            for field in kept:
                salts.pop(field, None)
            content_hash = hashlib.sha256(_canonical(commitments)).hexdigest()
            values.update(field_salts=salts, redactions=kept)
        else:
            content_hash = hashlib.sha256(_canonical(content)).hexdigest()
        entry_hash = hashlib.sha256(f"{previous}{content_hash}".encode("ascii")).hexdigest()
        bind.execute(sa.update(entries).where(entries.c.id == row.id).values(
            content_hash=content_hash, previous_hash=previous, entry_hash=entry_hash, **values))
        previous = entry_hash


def upgrade():
    op.create_table('decision_log_redaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('reason_category', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_decision_log_redaction_approved_by_id_user')),
    sa.ForeignKeyConstraint(['entry_id'], ['decision_log_entry.id'], name=op.f('fk_decision_log_redaction_entry_id_decision_log_entry')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_decision_log_redaction_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_log_redaction')),
    sa.UniqueConstraint('entry_id', 'field', name=op.f('uq_decision_log_redaction_entry_id'))
    )
    op.create_index(op.f('ix_decision_log_redaction_entry_id'), 'decision_log_redaction', ['entry_id'], unique=False)
    with op.batch_alter_table('decision_log_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_salts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('redactions', sa.JSON(), nullable=True))
    # The one time hashes are rewritten: before the log is in production (docs/decision-log.md).
    _rehash(salted=True)
    with op.batch_alter_table('decision_log_entry', schema=None) as batch_op:
        batch_op.alter_column('field_salts', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('redactions', existing_type=sa.JSON(), nullable=False)


def downgrade():
    # Back to hashes of the content itself; a redacted field stays redacted (its marker is what is hashed).
    _rehash(salted=False)
    with op.batch_alter_table('decision_log_entry', schema=None) as batch_op:
        batch_op.drop_column('redactions')
        batch_op.drop_column('field_salts')
    op.drop_index(op.f('ix_decision_log_redaction_entry_id'), table_name='decision_log_redaction')
    op.drop_table('decision_log_redaction')
