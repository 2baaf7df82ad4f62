"""merge bookkeeping: peers and conflicts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Adds what merging partners' files needs and the first two revisions lacked:
``merge_peers`` (the state this document last shared with each partner's document)
and ``conflicts`` (both values of a field changed on both sides, kept until a person
chooses). New tables only: no existing row changes.

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {}


def upgrade() -> None:
    op.create_table('conflicts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ours_value', sa.Text(), nullable=True),
    sa.Column('theirs_value', sa.Text(), nullable=True),
    sa.Column('ours_hlc', sa.String(length=48), nullable=True),
    sa.Column('theirs_hlc', sa.String(length=48), nullable=True),
    sa.Column('theirs_author', sa.String(length=300), nullable=True),
    sa.Column('peer_document_id', sa.String(length=36), nullable=True),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('resolved_by', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts'))
    )
    op.create_index('ix_conflicts_record_id', 'conflicts', ['record_id'], unique=False)
    op.create_index('ix_conflicts_table_name', 'conflicts', ['table_name'], unique=False)

    op.create_table('merge_peers',
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('owner_org_id', sa.String(length=36), nullable=True),
    sa.Column('first_merged_at', sa.DateTime(), nullable=False),
    sa.Column('last_merged_at', sa.DateTime(), nullable=False),
    sa.Column('their_hlc_seen', sa.String(length=48), nullable=True),
    sa.Column('our_hlc_at_merge', sa.String(length=48), nullable=True),
    sa.Column('merges', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_merge_peers'))
    )


def downgrade() -> None:
    op.drop_table('merge_peers')
    op.drop_index('ix_conflicts_table_name', table_name='conflicts')
    op.drop_index('ix_conflicts_record_id', table_name='conflicts')
    op.drop_table('conflicts')
