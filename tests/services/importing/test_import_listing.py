"""cypdesk.services.importing.listing: the imports a document records, newest first; an
import taken back by Undo leaves none; a document of an older schema (read, not
migrated) is listed with the counts it has."""

from __future__ import annotations

import sqlite3

from cypdesk.services.importing import undo_import
from cypdesk.services.importing.listing import list_imports


def test_an_import_is_listed_first_with_its_author_and_undo_takes_it_off(importer, ws):
    """After an import, list_imports(ws) starts with it, made by alice on COUNCIL-LAPTOP
    (the fixture's installation); after undo_import it is gone and the rest remain."""
    before = list_imports(ws)
    result = importer("orgs.csv", "Name\nWillow Tree Nurseries\n", "organisations")
    listed = list_imports(ws)
    assert listed[0].id == result.import_id and listed[1:] == before
    assert (listed[0].by, listed[0].source, listed[0].kind, listed[0].added, listed[0].rows_read) == (
        "alice on COUNCIL-LAPTOP", "orgs.csv", "organisations", 1, 1)
    undo_import(ws, result.undo)
    assert list_imports(ws) == before


def test_an_older_schema_without_the_unchanged_count_is_listed_with_zero():
    """An import_records table of schema 7 (no rows_unchanged) and an author the
    installations table does not name: listed, unchanged 0, the author's id shown."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        "CREATE TABLE installations (id TEXT PRIMARY KEY, user TEXT, host TEXT);"
        "CREATE TABLE import_records (id TEXT, created_at TEXT, created_by TEXT, hlc TEXT, source_name TEXT, "
        "source_sha256 TEXT, sheet TEXT, kind TEXT, publisher TEXT, rows_read INT, rows_added INT, rows_updated INT, "
        "rows_rejected INT);"
        "INSERT INTO import_records VALUES ('a', '2025-01-02 10:00:00', 'inst-1', '1', 'old.csv', 'ab', NULL, "
        "'organisations', NULL, 3, 2, 1, 0);"
        "INSERT INTO import_records VALUES ('b', '2025-03-04 09:30:00.5', 'inst-1', '2', 'new.csv', NULL, 'S1', "
        "'services', NULL, 5, 5, 0, 0);")
    listed = list_imports(conn)
    assert [(e.source, e.at, e.by, e.unchanged, e.changed) for e in listed] == [
        ("new.csv", "2025-03-04T09:30:00", "inst-1", 0, 0), ("old.csv", "2025-01-02T10:00:00", "inst-1", 0, 1)]
