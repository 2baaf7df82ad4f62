"""The property tests' checks can fail: each promise's check, handed a merge that breaks
that promise (ops.merge replaced by a sabotaged one, named in each test), reports it.
Same real files, partners and clocks as test_merge_properties.py."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.properties import ops, partners as pt

CONFLICT = [("edit", 0, "services", 0, "name", 1), ("edit", 1, "services", 0, "name", 2)]


def _plan_apply(into, source, choose=None):
    from cypdesk.services.exchange.apply import apply_merge
    from cypdesk.services.exchange.plan import plan_merge

    source.save()
    plan = plan_merge(into.ws, source.path)
    choices = {c.key: choose for c in plan.conflicts} if choose else None
    return apply_merge(into.ws, source.path, plan, choices, backup=False)


def test_the_order_check_fails_when_each_side_keeps_its_own_value(base, ram_home, monkeypatch):
    """Sabotage: every conflict resolved "ours" (a choice the window allows, not the
    deterministic rule). Two partners who edited one field then differ, and the
    either-order check says so."""
    monkeypatch.setattr(ops, "merge", lambda into, source: _plan_apply(into, source, "ours"))
    with pytest.raises(AssertionError, match="different content"):
        ops.run_in_ram(base, (3, [*CONFLICT, ("order", 0, 1)]))


def test_the_gossip_check_fails_when_merges_take_nothing(base, ram_home, monkeypatch):
    """Sabotage: a "merge" that writes nothing. Partners with different edits never
    agree, and gossip until quiet says they differ."""
    monkeypatch.setattr(ops, "merge", lambda into, source: type("R", (), {"counts": {}})())
    with pytest.raises(AssertionError, match="differ"):
        ops.run_in_ram(base, (3, CONFLICT))


def test_the_lost_edit_check_fails_when_a_merge_drops_the_losing_value(base, ram_home, monkeypatch):
    """Sabotage: after the real merge, the history of the conflicting field is removed
    from the merged file. The value that lost is then nowhere, and the check names it."""
    def merge_then_forget(into, source):
        result = _plan_apply(into, source)
        with into.doc.writing() as conn:
            conn.exec_driver_sql("DELETE FROM history WHERE table_name = 'services' AND field = 'name'")
        return result

    monkeypatch.setattr(ops, "merge", merge_then_forget)
    with pytest.raises(ops.Lost, match=r"services \w+\.name = \""):
        ops.run_in_ram(base, (3, [*CONFLICT, ("merge", 1, 0, False), ("merge", 0, 1, False)]))


def test_the_second_merge_check_fails_when_a_merge_always_changes_something(base, ram_home, monkeypatch):
    """Sabotage: every merge also changes a service's capacity. Merging the same file
    a second time then changes the content, and the check says so; so does merging a
    file whose every change was already seen (here: an unchanged copy of the base)."""
    from cypdesk.services import records

    counter = itertools.count(100)

    def merge_and_touch(into, source):
        result = _plan_apply(into, source)
        records.update(into.ws, "services", base[1].stable_services[0], {"capacity": next(counter)})
        return result

    monkeypatch.setattr(ops, "merge", merge_and_touch)
    with pytest.raises(AssertionError, match="second time changed"):
        ops.run_in_ram(base, (3, [CONFLICT[0], ("merge", 0, 1, True)]))
    with pytest.raises(AssertionError, match="had seen everything in P0's file, yet merging it changed"):
        ops.run_in_ram(base, (3, [("merge", 0, 1, False)]))


def test_the_latest_write_check_fails_when_a_field_misses_its_latest_write(base, ram_home):
    """A write stamped later than anything in the files (as if a merge had dropped it)
    is not what the field holds, and the latest-write check names the field."""
    folder = pt.ram_folder("props-check-")
    ex = ops.Exchange(*base, folder=Path(folder)).start(3)
    try:
        ex.run(CONFLICT)
        s1 = base[1].stable_services[0]
        late = pt.Write(ex.partners[0].installation.id, "services", s1, "name", '"Dropped"', "f" * 48)
        with pytest.raises(AssertionError, match=r"services .*\.name: .* instead of \"Dropped\""):
            ex.check_latest_write_wins(ex.partners[0], {*ex.known[0], late})
    finally:
        ex.close()
        ops.remove_folder(Path(folder))
