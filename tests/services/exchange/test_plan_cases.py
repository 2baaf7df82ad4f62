"""The merge engine against the reliability plan's merge cases (28-33, 35, 37-39), on
real documents made from the demo and edited through the services."""

from contextlib import ExitStack

import pytest

from cypdesk.services import records
from tests.services.exchange.engine_kit import ALICE, BOB, CAROL, Docs, digest, merge, one, rows


@pytest.fixture
def docs(demo_path, tmp_path):
    with ExitStack() as stack:
        yield Docs(demo_path, tmp_path, stack)


def _service(ws, n=0):
    return rows(ws, "SELECT id, name FROM services ORDER BY id")[n]


def test_case_28_different_fields_of_one_record_both_kept(docs):
    """Case 28: the council renames a service and the NHS changes its description:
    merging either way keeps both edits, with no conflict, and both orders end with
    the same content."""
    a, b = docs.open(ALICE), docs.open(BOB)
    sid, _name = _service(a)
    records.update(a, "services", sid, {"name": "Renamed by the council"})
    records.update(b, "services", sid, {"description": "Described by the NHS"})
    a0, b0 = docs.snap(a), docs.snap(b)
    plan, result = merge(a, b0)
    assert plan.conflicts == [] and [(c.table, c.field) for c in plan.changed] == [("services", "description")]
    merge(b, a0)
    for ws in (a, b):
        assert one(ws, "SELECT name, description FROM services WHERE id = ?", sid) == (
            "Renamed by the council", "Described by the NHS")
    assert digest(a) == digest(b)
    assert result.counts["changed"] == 1 and result.counts["conflicts"] == 0
