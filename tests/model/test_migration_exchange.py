"""Revision 0010 (exchange): the ``withheld_fields`` table; a schema-9 document that
was edited but never had its settings set gets its ``document`` row, with an id derived
from its first history line (two copies migrated apart get the same id); the settings'
field versions and history lines move to the record id ``"settings"``; a file with no
history (the template a new document is made from) is left without a row."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

from cypdesk.model import migrate
from cypdesk.model.base import link_id

H1 = "00000000000100000000000000000000000000000000000a"
H2 = "00000000000200000000000000000000000000000000000a"


def _schema_9(tmp_path, *, settings: bool, history: bool = True):
    path = tmp_path / "nine.cypdesk"
    path.write_bytes(b"")
    migrate.upgrade_in_transaction(path, 0, 9)
    with closing(sqlite3.connect(path)) as conn:
        if history:
            conn.execute("INSERT INTO history (id, hlc, at, author_id, author_name, op, table_name, record_id) "
                         f"VALUES ('hist-1', '{H1}', '2026-01-01 00:00:00', 'a', 'A', 'insert', 'services', 's1')")
        if settings:
            conn.execute("INSERT INTO document (id, title, rating_scale, created_at, hlc) VALUES "
                         f"('doc-1', 'Trust', 'rag', '2026-01-01 00:00:00', '{H2}')")
            conn.execute("INSERT INTO field_versions (table_name, record_id, field, hlc, author_id) VALUES "
                         f"('document', 'doc-1', 'title', '{H2}', 'a')")
            conn.execute("INSERT INTO history (id, hlc, at, author_id, author_name, op, table_name, record_id, field) "
                         f"VALUES ('hist-2', '{H2}', '2026-01-01 00:00:00', 'a', 'A', 'update', 'document', 'doc-1', 'title')")
        conn.commit()
    return path


def _rows(path, sql):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def test_upgrading_adds_withheld_fields_and_moves_settings_versions_to_the_settings_record(tmp_path):
    path = _schema_9(tmp_path, settings=True)
    migrate.upgrade_in_transaction(path, 9, 10)
    assert _rows(path, "SELECT count(*) FROM withheld_fields") == [(0,)]
    assert _rows(path, "SELECT id FROM document") == [("doc-1",)]
    assert _rows(path, "SELECT table_name, record_id, field, hlc FROM field_versions") == [
        ("document", "settings", "title", H2)]
    assert _rows(path, "SELECT record_id FROM history WHERE table_name = 'document'") == [("settings",)]


def test_an_edited_document_without_a_settings_row_gets_an_id_its_copies_share(tmp_path):
    """Two copies of one schema-9 file, migrated apart, get the same document id:
    derived from the first history line, as link ids are."""
    path = _schema_9(tmp_path, settings=False)
    copy = tmp_path / "copy.cypdesk"
    shutil.copyfile(path, copy)
    migrate.upgrade_in_transaction(path, 9, 10)
    migrate.upgrade_in_transaction(copy, 9, 10)
    ids = _rows(path, "SELECT id, title, rating_scale FROM document")
    assert ids == [(link_id("document", "hist-1"), "Untitled trust", "rag")]
    assert _rows(copy, "SELECT id FROM document") == [(ids[0][0],)]


def test_a_file_with_no_history_gets_no_settings_row_from_the_migration(tmp_path):
    """The template every new document is copied from has no row: the new document
    gets its own at creation (dbfile.create_document_file), never a shared one."""
    path = _schema_9(tmp_path, settings=False, history=False)
    migrate.upgrade_in_transaction(path, 9, 10)
    assert _rows(path, "SELECT count(*) FROM document") == [(0,)]


def test_a_demo_made_before_schema_10_gets_an_id_of_its_own(tmp_path):
    """Every demo used to get the one id derived from the demo trust's name; migrated,
    each gets the id derived from its first history line (copies of one demo agree)."""
    from cypdesk.services.demo_data import TRUST_NAME, _uid

    ids = []
    for name, first in (("one", "hist-a"), ("two", "hist-b")):
        folder = tmp_path / name
        folder.mkdir()
        path = _schema_9(folder, settings=False)
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("UPDATE history SET id = ?", (first,))
            conn.execute("INSERT INTO document (id, title, rating_scale, created_at, hlc) VALUES (?, 'Demo', 'rag', "
                         f"'2026-01-01 00:00:00', '{H2}')", (_uid("document", TRUST_NAME),))
            conn.commit()
        migrate.upgrade_in_transaction(path, 9, 10)
        ids.append(_rows(path, "SELECT id FROM document")[0][0])
    assert ids == [link_id("document", "hist-a"), link_id("document", "hist-b")]
