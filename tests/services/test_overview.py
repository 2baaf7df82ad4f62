"""The Overview gathers what needs attention from each tab's analysis; on the demo
(today 15/03/2026) every list has something, and each item names its record."""

import sqlite3
from datetime import date

import pytest

from cypdesk.services.documents import write_demo
from cypdesk.services.overview import attention

TODAY = date(2026, 3, 15)


@pytest.fixture(scope="module")
def sections(tmp_path_factory):
    import os

    folder = tmp_path_factory.mktemp("overview")
    os.environ.setdefault("CYPDESK_HOME", str(folder / "home"))
    path = folder / "demo.cypdesk"
    write_demo(path, today=TODAY)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield {s.key: s for s in attention(conn, TODAY)}, conn
    finally:
        conn.close()


def test_every_list_has_what_the_demo_planted(sections):
    by_key, _conn = sections
    assert set(by_key) == {"red_measures", "red_twice", "overdue_actions", "contracts_ending", "reviews_due",
                           "agreements", "worse_than_england"}
    for key, section in by_key.items():
        assert section.items, key
        assert section.heading.endswith(f"({len(section.items)})")


def test_items_name_their_records_and_say_why(sections):
    by_key, conn = sections
    for section in by_key.values():
        for item in section.items:
            table = {"measures": "measures", "services": "services", "actions": "actions", "risks": "risks",
                     "agreements": "agreements", "indicators": "indicators", "contracts": "contracts"}[item.kind]
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE id = ?", (item.id,)).fetchone()[0] == 1
            assert item.text and item.detail
    overdue = by_key["overdue_actions"].items[0]
    assert overdue.detail.startswith("Overdue since ")
    s75 = by_key["agreements"].items[0]
    assert "past its review date" in s75.detail
    ending = by_key["contracts_ending"].items
    assert all("ends" in item.detail for item in ending)
    assert all(item.kind == "indicators" and "England" in item.detail for item in by_key["worse_than_england"].items)


def test_a_quiet_month_says_so(tmp_path):
    from cypdesk.model.dbfile import create_document_file

    path = create_document_file(tmp_path / "empty.cypdesk")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        quiet = attention(conn, TODAY)
    finally:
        conn.close()
    assert all(not s.items and s.empty for s in quiet)
