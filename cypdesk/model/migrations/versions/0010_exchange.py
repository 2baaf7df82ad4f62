"""exchange: withheld fields; the document's own id and its settings' versions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

- new bookkeeping table ``withheld_fields``: a field left out of a share copy (its
  table, record and field), with the stamp of the value withheld and why, so merging
  the share back never blanks the field in the full document;
- a document without its ``document`` row (a new document whose settings were never
  set, but edited) gets one, so every file has its own id. The id is derived from the
  file's first history line, so two copies of one old file, migrated apart, get the
  same id. A file with no history at all is left as it is: a new file (the template
  the migrations build, a rescue's copy) gets its row when it is made
  (``dbfile.create_document_file``), or from the rows copied into it. A demo document,
  which had the one id every demo shared, gets its own the same way;
- the settings' field versions and history lines move to the record id
  ``"settings"`` (they were under the document's id): a copy's settings and the
  original's are one record to a merge, whatever id each file has.

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {
    'document': "a document without its settings row gets one, with its own id",
    'field_versions': "a setting versioned under two document ids keeps its one version under 'settings'",
}

# As cypdesk.model.base.link_id (frozen here): uuid5 of "table|parts" in this namespace.
_LINK_NAMESPACE = uuid.UUID("6f1c1d7e-4b1a-4c55-9a38-0c6f3c1e2a51")
# The id every demo document was given before schema 10 (derived from the demo trust's
# name), so that any two demos looked like copies of one document.
_SHARED_DEMO_ID = "addda526-aa1d-5d89-9d0d-de1653141bb1"


def upgrade() -> None:
    op.create_table('withheld_fields',
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('hlc', sa.String(length=48), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('table_name', 'record_id', 'field', name=op.f('pk_withheld_fields'))
    )

    conn = op.get_bind()
    doc_id = conn.execute(sa.text("SELECT id FROM document ORDER BY created_at, id LIMIT 1")).scalar()
    first = conn.execute(sa.text("SELECT id FROM history ORDER BY hlc, id LIMIT 1")).scalar()
    if doc_id == _SHARED_DEMO_ID and first is not None:  # every demo had this one: each gets its own
        conn.execute(sa.text("UPDATE document SET id = :new WHERE id = :old"),
                     {"new": str(uuid.uuid5(_LINK_NAMESPACE, f"document|{first}")), "old": doc_id})
    if doc_id is None and first is not None:
        doc_id = str(uuid.uuid5(_LINK_NAMESPACE, f"document|{first}"))
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        conn.execute(sa.text("INSERT INTO document (id, title, rating_scale, small_number_threshold, comparator_set, "
                             "tolerance_pct, review_window_days, return_grace_days, created_at, hlc) VALUES "
                             "(:id, 'Untitled trust', 'rag', 5, 'statistical_neighbours', 5.0, 30, 30, :now, '')"),
                     {"id": doc_id, "now": now})
    conn.execute(sa.text("UPDATE field_versions SET record_id = 'settings' WHERE table_name = 'document' "
                         "AND record_id <> 'settings' AND NOT EXISTS (SELECT 1 FROM field_versions AS f "
                         "WHERE f.table_name = 'document' AND f.record_id = 'settings' "
                         "AND f.field = field_versions.field)"))
    conn.execute(sa.text("DELETE FROM field_versions WHERE table_name = 'document' AND record_id <> 'settings'"))
    conn.execute(sa.text("UPDATE history SET record_id = 'settings' WHERE table_name = 'document'"))


def downgrade() -> None:
    conn = op.get_bind()
    doc_id = conn.execute(sa.text("SELECT id FROM document ORDER BY created_at, id LIMIT 1")).scalar()
    if doc_id is not None:
        conn.execute(sa.text("UPDATE field_versions SET record_id = :id WHERE table_name = 'document'"), {"id": doc_id})
        conn.execute(sa.text("UPDATE history SET record_id = :id WHERE table_name = 'document'"), {"id": doc_id})
    op.drop_table('withheld_fields')
