"""organisation merges: which organisation was merged into which

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Merging two duplicate organisations moves every reference to the survivor and deletes
the other; ``organisation_merges`` keeps which one was merged into which, so a
partner's file that still points at the merged one can be redirected when it is
merged in. A new table only: no existing row changes.

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {}


def upgrade() -> None:
    op.create_table('organisation_merges',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('merged_id', sa.String(length=36), nullable=False),
    sa.Column('merged_name', sa.String(length=200), nullable=True),
    sa.Column('survivor_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('created_hlc', sa.String(length=48), nullable=False),
    sa.Column('hlc', sa.String(length=48), nullable=False),
    sa.Column('owner_org_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['survivor_id'], ['organisations.id'], name=op.f('fk_organisation_merges_survivor_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_merges'))
    )
    with op.batch_alter_table('organisation_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_merges_merged_id'), ['merged_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_merges_survivor_id'), ['survivor_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('organisation_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_merges_survivor_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_merges_merged_id'))

    op.drop_table('organisation_merges')
