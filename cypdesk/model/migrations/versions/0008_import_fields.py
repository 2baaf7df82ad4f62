"""import: what real sources carry that the model lacked

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

- indicator values: a breakdown (sex, age, category), without which Fingertips' rows
  collide on their natural key, and the 99.8% confidence interval beside the 95% one;
- services: a "to classify" mark for services an import made (sector, tier and
  outcomes unknown);
- contracts: the Local Government Transparency Code's fields (title, description, the
  supplier as an organisation, CPV code, SME and VCSE flags, irrecoverable VAT);
- payments: the supplier organisation the supplier's name was matched to;
- import records: how many rows were unchanged, and the source layout's fingerprint
  (so a mapping is offered again for the same layout).

New columns only: no row is added, removed or changed.

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {}


def upgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lower_ci_998', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('upper_ci_998', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('sex', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('age', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('category', sa.String(length=200), nullable=True))
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_classify', sa.Boolean(), nullable=False, server_default=sa.text('0')))
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('supplier_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('cpv_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('supplier_is_sme', sa.Boolean(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('supplier_is_vcse', sa.Boolean(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('irrecoverable_vat', sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contracts_supplier_id'), ['supplier_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contracts_supplier_id_organisations'), 'organisations',
                                    ['supplier_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplier_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_payments_supplier_id'), ['supplier_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payments_supplier_id_organisations'), 'organisations',
                                    ['supplier_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('import_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rows_unchanged', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('layout', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_import_records_layout'), ['layout'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_records_layout'))
        batch_op.drop_column('layout')
        batch_op.drop_column('rows_unchanged')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payments_supplier_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_payments_supplier_id'))
        batch_op.drop_column('supplier_id')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contracts_supplier_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contracts_supplier_id'))
        for name in ('irrecoverable_vat', 'supplier_is_vcse', 'supplier_is_sme', 'cpv_code', 'supplier_id',
                     'description', 'title'):
            batch_op.drop_column(name)
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('to_classify')
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        for name in ('category', 'age', 'sex', 'upper_ci_998', 'lower_ci_998'):
            batch_op.drop_column(name)
