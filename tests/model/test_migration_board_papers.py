"""Revision 0009 (board papers): the ten fixed section columns of a schema-8 paper
become ``paper_sections`` rows (non-empty ones only, key = column, heading = its old
label, position = the default template's order), with ids derived from the paper and
key so two partners migrating the same paper make the same rows; field versions move
with the text; the old lines become paragraphs; every other row and value stays."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing

from cypdesk.model import migrate
from cypdesk.model.base import link_id

STAMPS = "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'u', 'u', 'h0', 'h1', 'o'"
COLUMNS = ("reasons", "background", "considerations", "options", "risk_management", "financial", "legal",
           "equality", "consultees", "background_papers")


def _schema_8_with_papers(tmp_path):
    path = tmp_path / "eight.cypdesk"
    path.write_bytes(b"")
    migrate.upgrade_in_transaction(path, 0, 8)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO meetings (id, board, held_on, place, created_at, updated_at, created_by, updated_by, "
                     f"created_hlc, hlc, owner_org_id) VALUES ('m1', 'Trust Board', '2026-01-18', NULL, {STAMPS})")
        full = {c: f"{c} text\n- a bullet <b>kept</b>" for c in COLUMNS}
        some = dict.fromkeys(COLUMNS)
        some.update(background="Only background.", legal="   ", financial="£1,200 a year")
        for pid, values in (("full", full), ("some", some), ("none", dict.fromkeys(COLUMNS))):
            names = ", ".join(COLUMNS)
            marks = ", ".join("?" for _ in COLUMNS)
            conn.execute(f"INSERT INTO papers (id, meeting_id, title, author_id, marking, status, key_decision, "
                         f"wards_affected, purpose, {names}, created_at, updated_at, created_by, updated_by, "
                         f"created_hlc, hlc, owner_org_id) VALUES (?, 'm1', ?, NULL, 'official', 'draft', 0, NULL, "
                         f"'To decide.\r\nBy March.', {marks}, {STAMPS})",
                         (pid, f"Paper {pid}", *[values[c] for c in COLUMNS]))
        conn.execute("INSERT INTO recommendations (id, paper_id, number, text, decision, decision_note, created_at, "
                     f"updated_at, created_by, updated_by, created_hlc, hlc, owner_org_id) VALUES "
                     f"('r1', 'full', 1, 'Agree it.', 'agreed', NULL, {STAMPS})")
        conn.executemany("INSERT INTO field_versions (table_name, record_id, field, hlc, author_id) VALUES (?, ?, ?, ?, 'a')",
                         [("papers", "some", "background", "h9"), ("papers", "some", "legal", "h8"),
                          ("papers", "some", "title", "h7")])
        conn.commit()
    return path


def test_upgrading_moves_each_non_empty_section_column_into_a_section_row(tmp_path):
    path = _schema_8_with_papers(tmp_path)
    migrate.upgrade_in_transaction(path, 8, 9)
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT id, paper_id, key, heading, position, body, confidential, created_hlc, hlc, "
                            "owner_org_id FROM paper_sections ORDER BY paper_id, position").fetchall()
        paper_columns = [r[1] for r in conn.execute("PRAGMA table_info(papers)")]
        versions = conn.execute("SELECT table_name, record_id, field, hlc FROM field_versions ORDER BY hlc").fetchall()
        recs = conn.execute("SELECT id, paper_id, decision FROM recommendations").fetchall()
        papers = conn.execute("SELECT id, purpose, version FROM papers ORDER BY id").fetchall()
    full = [r for r in rows if r[1] == "full"]
    assert [r[2] for r in full] == list(COLUMNS) and [r[4] for r in full] == list(range(10))
    # the text as it was, markup and all; each old line a paragraph of its own
    assert all(r[5] == f"{r[2]} text\n\n- a bullet <b>kept</b>" for r in full)
    assert full[0][3] == "Reasons for the recommendations" and full[5][3] == "Financial implications"
    some = [(r[2], r[3], r[4], r[5]) for r in rows if r[1] == "some"]
    assert some == [("background", "Background", 1, "Only background."),
                    ("financial", "Financial implications", 5, "£1,200 a year")]  # blank "legal" is not a section
    assert not [r for r in rows if r[1] == "none"]
    for r in rows:
        assert r[0] == link_id("paper_sections", r[1], r[2]) and uuid.UUID(r[0])
        assert r[6] == 0 and r[7] == "h0" and r[9] == "o"
    some_background = next(r for r in rows if r[1] == "some" and r[2] == "background")
    assert some_background[8] == "h9"  # its last edit's clock, which moves to the section's body
    assert ("paper_sections", some_background[0], "body", "h9") in versions
    assert ("papers", "some", "legal", "h8") not in versions and ("papers", "some", "title", "h7") in versions
    assert not set(COLUMNS) & set(paper_columns)
    assert {"agenda_item", "contact_id", "template_id", "version", "previous_id", "finalised_at",
            "data_taken_at"} <= set(paper_columns)
    assert recs == [("r1", "full", "agreed")]
    assert papers == [(pid, "To decide.\n\nBy March.", 1) for pid in ("full", "none", "some")]


def test_document_settings_arrive_with_the_defaults_the_tabs_used(tmp_path):
    path = tmp_path / "eight.cypdesk"
    path.write_bytes(b"")
    migrate.upgrade_in_transaction(path, 0, 8)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO document (id, title, rating_scale, created_at, hlc) "
                     "VALUES ('d', 'Trust', 'rag', '2026-01-01', 'h')")
        conn.commit()
    migrate.upgrade_in_transaction(path, 8, 9)
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT logo, small_number_threshold, comparator_set, tolerance_pct, review_window_days, "
                           "return_grace_days FROM document").fetchone()
    assert row == (None, 5, "statistical_neighbours", 5.0, 30, 30)
