"""contract holder, payer, action completion, paper decision fields

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Fields the demo and board papers showed were missing: the partner that holds a
contract, the partner whose spend file a payment came from, when an action was
completed, and a paper's key-decision flag, wards affected and reasons (seed 003).
New nullable columns (key_decision defaults to false): no existing row changes.

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {}


def upgrade() -> None:
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contracting_org_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contracts_contracting_org_id_organisations'), 'organisations', ['contracting_org_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_decision', sa.Boolean(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('wards_affected', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('reasons', sa.Text(), nullable=True))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_payments_payer_id_organisations'), 'organisations', ['payer_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payments_payer_id_organisations'), type_='foreignkey')
        batch_op.drop_column('payer_id')

    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_column('reasons')
        batch_op.drop_column('wards_affected')
        batch_op.drop_column('key_decision')

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contracts_contracting_org_id_organisations'), type_='foreignkey')
        batch_op.drop_column('contracting_org_id')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('completed_on')

