"""services: whether the unit cost was set by hand

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

A service's unit cost is now worked out from its annual cost and capacity unless the
officer sets it by hand; this flag says which. Existing unit costs were all typed, so
one that differs from what the annual cost and capacity give (by more than a penny)
is marked set by hand, and is kept when the cost changes; one that agrees, or a
service with no unit cost, is marked worked out. No row is added or removed.

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {}


def upgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_cost_by_hand', sa.Boolean(), nullable=False, server_default=sa.text('0')))
    op.execute(
        "UPDATE services SET unit_cost_by_hand = 1 WHERE unit_cost IS NOT NULL AND NOT ("
        "annual_cost IS NOT NULL AND capacity IS NOT NULL AND capacity > 0 "
        "AND abs(unit_cost - annual_cost * 1.0 / capacity) <= 0.01)")


def downgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('unit_cost_by_hand')
