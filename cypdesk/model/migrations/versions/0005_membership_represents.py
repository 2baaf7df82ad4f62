"""memberships: the sector a member represents

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

The Teams tab warns where a sector that commissions services has no member; a member's
sector is this field, or else the organisation's kind. A new nullable column.

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {}


def upgrade() -> None:
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('represents', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('represents')
