"""Fixtures for the import tests: the services' ``ws`` (a fresh copy of the demo,
edited by alice), ``db`` to query its working copy with plain sqlite3, and
``importer`` to write a small CSV and import it through open_source and run_import."""

from __future__ import annotations

import sqlite3

import pytest


class Db:
    def __init__(self, ws) -> None:
        self.ws = ws

    def rows(self, sql: str, *params) -> list[tuple]:
        conn = sqlite3.connect(self.ws.doc.working_path)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def one(self, sql: str, *params):
        found = self.rows(sql, *params)
        return found[0][0] if found else None

    def count(self, table: str) -> int:
        return self.one(f"SELECT count(*) FROM {table}")


@pytest.fixture
def db(ws):
    return Db(ws)


@pytest.fixture
def importer(ws, tmp_path):
    """import_csv(name, text, kind, **options) -> ImportResult (ImportRefused propagates);
    ``import_csv.path(name)`` is where the file was written."""
    from cypdesk.services.importing import ImportOptions, open_source, run_import

    def import_csv(name: str, text: str, kind: str, *, encoding: str = "utf-8", **options):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        table = open_source(path, kind=kind)
        return run_import(ws, table, ImportOptions(kind=kind, **options))

    import_csv.path = lambda name: tmp_path / name
    return import_csv
