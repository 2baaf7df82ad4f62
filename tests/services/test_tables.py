"""The lazy table query: counts, pages, SQL sorting and filtering, derived columns,
and the words that flag a contract ending."""

import sqlite3
from datetime import date

import pytest

from cypdesk.services.documents import write_demo
from cypdesk.services.tables import TableQuery, display, ending_flag, months_until


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    import os

    folder = tmp_path_factory.mktemp("tables")
    os.environ.setdefault("CYPDESK_HOME", str(folder / "home"))
    path = folder / "demo.cypdesk"
    write_demo(path, today=date(2026, 3, 15))
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield c
    c.close()


def test_pages_cover_every_row_once_in_order(conn):
    q = TableQuery(conn, "services", ["name", "annual_cost"])
    q.set_sort(1, descending=True)
    total = q.count()
    rows = []
    for offset in range(0, total, 25):
        rows += q.rows(offset, 25)
    assert len(rows) == total == len({r[0] for r in rows})
    costs = [r[1][1] for r in rows]
    present = [c for c in costs if c is not None]
    assert present == sorted(present, reverse=True)
    assert all(c is None for c in costs[len(present):])  # blanks last


def test_filter_matches_text_references_and_choice_labels(conn):
    q = TableQuery(conn, "services", ["name", "provider_id", "sector"])
    q.set_filter("riverside community health")
    by_provider = q.count()
    assert by_provider > 0
    assert all("Riverside Community Health" in (r[1][1] or "") or "riverside community health" in r[1][0].lower()
               for r in q.rows(0, 500))
    q.set_filter("social care")  # the label of a choice, as the officer sees it
    assert all(r[1][2] == "social_care" or "social care" in r[1][0].lower() for r in q.rows(0, 500))
    q.set_filter("", sector="health")
    assert {r[1][2] for r in q.rows(0, 500)} == {"health"}
    q.set_filter("100%_")  # LIKE wildcards are taken literally
    assert q.count() == 0


def test_position_of_follows_sort_and_filter(conn):
    q = TableQuery(conn, "services", ["name"])
    q.set_sort(0)
    rows = q.rows(0, 1000)
    some_id = rows[17][0]
    assert q.position_of(some_id) == 17
    q.set_filter("no service is called this")
    assert q.position_of(some_id) is None


def test_derived_columns(conn):
    q = TableQuery(conn, "services", ["name", "commissioners", "contract_end"])
    rows = q.rows(0, 1000)
    assert any(r[1][1] and "%" in r[1][1] for r in rows)
    assert any(r[1][2] for r in rows)
    q.set_sort(2)
    ends = [r[1][2] for r in q.rows(0, 1000) if r[1][2]]
    assert ends == sorted(ends)


@pytest.mark.parametrize("end, flag", [
    (date(2026, 3, 14), "ended"),
    (date(2026, 3, 15), "within 6 months"),
    (date(2026, 9, 14), "within 6 months"),
    (date(2026, 9, 15), "within 12 months"),
    (date(2027, 3, 14), "within 12 months"),
    (date(2027, 3, 15), None),
    (None, None),
])
def test_ending_flags_at_their_boundaries(end, flag):
    assert ending_flag(end, date(2026, 3, 15)) == flag


def test_months_until_counts_whole_months():
    assert months_until("2026-09-14", date(2026, 3, 15)) == 5
    assert months_until(date(2026, 9, 15), date(2026, 3, 15)) == 6


def test_display_is_the_uk_way(conn):
    q = TableQuery(conn, "services", ["annual_cost", "prevention", "sector", "contract_end"])
    cost, prevention, sector, end = q.columns
    assert display(cost, 1234567.0) == "£1,234,567"
    assert display(prevention, 1) == "Yes" and display(prevention, 0) == "No"
    assert display(sector, "social_care") == "Social care"
    assert display(end, "2026-03-31") == "31/03/2026"
