"""services: LGSL code and Open Referral UK id

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Adds ``services.lgsl_code`` (Local Government Service List) and ``services.oruk_id``
(Open Referral UK). Written as a real batch recreate of a PARENT table: ``contracts``,
``service_outcomes``, ``decommissioning``... reference ``services.id`` with ON DELETE
CASCADE, so with foreign keys on, dropping the old ``services`` would delete every
child row (E21). The harness runs this with foreign keys off and checks row counts.

Frozen code: never import cypdesk.model here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {}


def upgrade() -> None:
    with op.batch_alter_table('services', recreate='always') as batch_op:
        batch_op.add_column(sa.Column('lgsl_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('oruk_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('services', recreate='always') as batch_op:
        batch_op.drop_column('oruk_id')
        batch_op.drop_column('lgsl_code')
