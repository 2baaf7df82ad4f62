"""board papers: sections, templates, forward plan, snapshots, document settings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

- papers: agenda item, contact, template, version, the final paper a draft was reopened
  from, when it was finalised and when its data was taken; the ten fixed section
  columns (reasons ... background_papers) become rows of the new ``paper_sections``
  (key = the old column name, heading = its old label, position = its place in the
  default template), one per non-empty column, then the columns go. Each row's id is
  derived from the paper and the key (as ``link_id`` does), so two partners who migrate
  the same paper make the same rows; a field version of the old column moves to the
  section's ``body``. The old text's lines become paragraphs (blank lines between),
  as lines of one paragraph now join; the purpose's too;
- new tables ``paper_templates``, ``forward_plan_items``, ``paper_snapshots``;
- actions: the recommendation that started them;
- document: logo, small-number threshold, comparator set, tolerance, review window and
  return grace (defaults as the tabs fixed them in code).

Frozen code: never import cypdesk.model here. Runs with foreign keys OFF inside one
transaction; if a step changes how many rows a table has on purpose, name the table
in ``row_count_changes`` (table -> why), or the harness rolls the migration back.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

row_count_changes: dict[str, str] = {
    'paper_sections': "each non-empty section column of a paper becomes a section row",
    'field_versions': "versions of emptied section columns go with the columns",
}

# The old columns, their labels, in the default template's order (frozen copies).
OLD_SECTIONS = (
    ('reasons', 'Reasons for the recommendations'),
    ('background', 'Background'),
    ('considerations', 'Considerations'),
    ('options', 'Options'),
    ('risk_management', 'Risk management'),
    ('financial', 'Financial implications'),
    ('legal', 'Legal implications'),
    ('equality', 'Equality implications'),
    ('consultees', 'Consultees'),
    ('background_papers', 'Background papers'),
)
# cypdesk.model.base's link namespace (frozen copy): link_id(table, *parts).
_LINK_NAMESPACE = uuid.UUID('6f1c1d7e-4b1a-4c55-9a38-0c6f3c1e2a51')


def _section_id(paper_id: str, key: str) -> str:
    return str(uuid.uuid5(_LINK_NAMESPACE, '|'.join(('paper_sections', paper_id, key))))


def _paragraphs(text: str) -> str:
    """Old plain text, where each line was a line of its own, as the Markdown subset
    sections now hold, where lines of one paragraph join: a blank line between lines."""
    lines = [line.rstrip() for line in text.replace('\r\n', '\n').replace('\r', '\n').split('\n')]
    return '\n\n'.join(line for line in lines if line.strip())


def _move_sections() -> None:
    """One paper_sections row per non-empty old column, before the columns go."""
    conn = op.get_bind()
    columns = ', '.join(name for name, _ in OLD_SECTIONS)
    papers = conn.exec_driver_sql(
        f'SELECT id, created_at, updated_at, created_by, updated_by, created_hlc, owner_org_id, {columns} '
        'FROM papers ORDER BY id').fetchall()
    for (paper_id, purpose) in conn.exec_driver_sql('SELECT id, purpose FROM papers WHERE purpose IS NOT NULL').fetchall():
        conn.exec_driver_sql('UPDATE papers SET purpose = ? WHERE id = ?', (_paragraphs(purpose), paper_id))
    for row in papers:
        paper_id, created_at, updated_at, created_by, updated_by, created_hlc, owner = row[:7]
        for position, ((key, heading), body) in enumerate(zip(OLD_SECTIONS, row[7:])):
            version = conn.exec_driver_sql(
                "SELECT hlc FROM field_versions WHERE table_name = 'papers' AND record_id = ? AND field = ?",
                (paper_id, key)).fetchone()
            if body is None or not str(body).strip():
                if version is not None:
                    conn.exec_driver_sql(
                        "DELETE FROM field_versions WHERE table_name = 'papers' AND record_id = ? AND field = ?",
                        (paper_id, key))
                continue
            section_id = _section_id(paper_id, key)
            conn.exec_driver_sql(
                'INSERT INTO paper_sections (id, paper_id, key, heading, position, body, confidential, '
                'created_at, updated_at, created_by, updated_by, created_hlc, hlc, owner_org_id) '
                'VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)',
                (section_id, paper_id, key, heading, position, _paragraphs(body), created_at, updated_at, created_by,
                 updated_by, created_hlc, version[0] if version is not None else created_hlc, owner))
            if version is not None:
                conn.exec_driver_sql(
                    "UPDATE field_versions SET table_name = 'paper_sections', record_id = ?, field = 'body' "
                    "WHERE table_name = 'papers' AND record_id = ? AND field = ?",
                    (section_id, paper_id, key))


def upgrade() -> None:
    op.create_table('paper_templates',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sections', sa.Text(), nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('created_hlc', sa.String(length=48), nullable=False),
    sa.Column('hlc', sa.String(length=48), nullable=False),
    sa.Column('owner_org_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_templates'))
    )
    op.create_table('forward_plan_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('meeting_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('key_decision', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('decision_sought', sa.Text(), nullable=True),
    sa.Column('lead_id', sa.String(length=36), nullable=True),
    sa.Column('paper_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('created_hlc', sa.String(length=48), nullable=False),
    sa.Column('hlc', sa.String(length=48), nullable=False),
    sa.Column('owner_org_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['people.id'], name=op.f('fk_forward_plan_items_lead_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_forward_plan_items_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_forward_plan_items_paper_id_papers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forward_plan_items'))
    )
    with op.batch_alter_table('forward_plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forward_plan_items_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('paper_sections',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('paper_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('heading', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('confidential', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('created_hlc', sa.String(length=48), nullable=False),
    sa.Column('hlc', sa.String(length=48), nullable=False),
    sa.Column('owner_org_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_paper_sections_paper_id_papers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_sections'))
    )
    with op.batch_alter_table('paper_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_sections_paper_id'), ['paper_id'], unique=False)

    op.create_table('paper_snapshots',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('paper_id', sa.String(length=36), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('created_hlc', sa.String(length=48), nullable=False),
    sa.Column('hlc', sa.String(length=48), nullable=False),
    sa.Column('owner_org_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_paper_snapshots_paper_id_papers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_snapshots'))
    )
    with op.batch_alter_table('paper_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_snapshots_paper_id'), ['paper_id'], unique=False)

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recommendation_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_actions_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_actions_recommendation_id_recommendations'), 'recommendations', ['recommendation_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('small_number_threshold', sa.Integer(), server_default=sa.text('5'), nullable=False))
        batch_op.add_column(sa.Column('comparator_set', sa.String(length=40), server_default=sa.text("'statistical_neighbours'"), nullable=False))
        batch_op.add_column(sa.Column('tolerance_pct', sa.Float(), server_default=sa.text('5.0'), nullable=False))
        batch_op.add_column(sa.Column('review_window_days', sa.Integer(), server_default=sa.text('30'), nullable=False))
        batch_op.add_column(sa.Column('return_grace_days', sa.Integer(), server_default=sa.text('30'), nullable=False))

    _move_sections()
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_item', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('contact_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('template_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('previous_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('finalised_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('data_taken_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_papers_template_id_paper_templates'), 'paper_templates', ['template_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_papers_contact_id_people'), 'people', ['contact_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_papers_previous_id_papers'), 'papers', ['previous_id'], ['id'], ondelete='SET NULL')
        for name, _label in OLD_SECTIONS:
            batch_op.drop_column(name)


def downgrade() -> None:
    """Not run by the app (files are never downgraded): sections beyond the ten old
    columns, and sections' confidential marks, have nowhere to go and are lost."""
    with op.batch_alter_table('papers', schema=None) as batch_op:
        for name, _label in OLD_SECTIONS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
    conn = op.get_bind()
    for name, _label in OLD_SECTIONS:
        conn.exec_driver_sql(
            f"UPDATE papers SET {name} = (SELECT body FROM paper_sections s WHERE s.paper_id = papers.id "
            "AND s.key = ? ORDER BY s.position LIMIT 1)", (name,))
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_papers_previous_id_papers'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_papers_contact_id_people'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_papers_template_id_paper_templates'), type_='foreignkey')
        batch_op.drop_column('data_taken_at')
        batch_op.drop_column('finalised_at')
        batch_op.drop_column('previous_id')
        batch_op.drop_column('version')
        batch_op.drop_column('template_id')
        batch_op.drop_column('contact_id')
        batch_op.drop_column('agenda_item')

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('return_grace_days')
        batch_op.drop_column('review_window_days')
        batch_op.drop_column('tolerance_pct')
        batch_op.drop_column('comparator_set')
        batch_op.drop_column('small_number_threshold')
        batch_op.drop_column('logo')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_actions_recommendation_id_recommendations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_actions_recommendation_id'))
        batch_op.drop_column('recommendation_id')

    with op.batch_alter_table('paper_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_snapshots_paper_id'))

    op.drop_table('paper_snapshots')
    with op.batch_alter_table('paper_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_sections_paper_id'))

    op.drop_table('paper_sections')
    with op.batch_alter_table('forward_plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forward_plan_items_meeting_id'))

    op.drop_table('forward_plan_items')
    op.drop_table('paper_templates')
