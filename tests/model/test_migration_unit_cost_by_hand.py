"""Revision 0006 (a service's unit cost set by hand): existing unit costs were all
typed, so one the annual cost and capacity do not give is marked set by hand (and kept
when the cost changes); one they give, or none, is marked worked out."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from cypdesk.model import migrate

STAMPS = "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'u', 'u', 'h', 'h', 'o'"


def test_upgrading_marks_unit_costs_that_do_not_follow_from_cost_and_capacity_as_set_by_hand(tmp_path):
    path = tmp_path / "five.cypdesk"
    path.write_bytes(b"")
    migrate.upgrade_in_transaction(path, 0, 5)
    rows = [("agrees", 120_000, 100, 1200.0), ("typed", 120_000, 100, 950.0), ("none", 120_000, 100, None),
            ("no_capacity", 120_000, None, 800.0), ("a_penny_off", 100_000, 3, 33_333.34)]
    with closing(sqlite3.connect(path)) as conn:
        for name, cost, capacity, unit in rows:
            conn.execute("INSERT INTO services (id, name, prevention, status, annual_cost, capacity, unit_cost, "
                         "created_at, updated_at, created_by, updated_by, created_hlc, hlc, owner_org_id) "
                         f"VALUES (?, ?, 0, 'active', ?, ?, ?, {STAMPS})", (name, name, cost, capacity, unit))
        conn.commit()
    migrate.upgrade_in_transaction(path, 5, 6)
    with closing(sqlite3.connect(path)) as conn:
        flags = dict(conn.execute("SELECT id, unit_cost_by_hand FROM services").fetchall())
        units = dict(conn.execute("SELECT id, unit_cost FROM services").fetchall())
    assert flags == {"agrees": 0, "typed": 1, "none": 0, "no_capacity": 1, "a_penny_off": 0}
    assert units == {name: unit for name, _c, _k, unit in rows}  # no figure changed
