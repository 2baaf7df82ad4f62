"""Fixtures for the papers tests: the demo document read through a read-only sqlite3
connection (what the tabs' analyses read), and names of its records."""

import sqlite3
from datetime import date

import pytest

TODAY = date(2026, 3, 15)  # the demo master's fixed today (tests/conftest.py DEMO_TODAY)


@pytest.fixture
def conn(demo_master):
    connection = sqlite3.connect(f"file:{demo_master}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.fixture
def wconn(demo_path):
    """A writable sqlite3 connection on a fresh copy of the demo (for planting data)."""
    connection = sqlite3.connect(demo_path)
    yield connection
    connection.close()


def id_of(conn, table, where, *params):
    row = conn.execute(f"SELECT id FROM {table} WHERE {where}", params).fetchone()
    assert row, f"no {table} where {where} {params}"
    return row[0]
