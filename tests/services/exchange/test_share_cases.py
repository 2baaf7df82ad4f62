"""The reliability plan's cases 69 and 72 for the shared copy (section J, Chinese walls):
sentinel contract values, live, updated and deleted, absent from the raw bytes of a
share for a partner not entitled to them; and every outward path (export --for,
paper --for, share --for) going through the one rule of services/outward.py."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from cypdesk.io.sharefile import unpack_share
from cypdesk.model.document import Document
from cypdesk.model.installation import Installation
from cypdesk.services import outward, records
from cypdesk.services.exchange.share import write_share_copy
from cypdesk.services.workspace import Workspace

ALICE = Installation(id="00000000-0000-0000-0000-0000000a11ce", user="alice", host="COUNCIL-LAPTOP")
SENTINELS = {"live": 7070707.07, "updated_from": 6060606.06, "updated_to": 5050505.05, "deleted": 4040404.04}
TEXT_SENTINEL = "SENTINEL-RATIONALE-9931"


def _rows(path: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def _forms(value: float | str) -> list[bytes]:
    import struct

    text = value if isinstance(value, str) else repr(value)
    out = [text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")]
    if not isinstance(value, str):
        out += [struct.pack(">d", value), struct.pack("<d", value)]
    return out


def test_case_69_sentinels_live_updated_and_deleted_are_absent_from_the_shares_raw_bytes(demo_path, tmp_path):
    """Case 69: contract values (restricted to their holders) planted in three
    contracts: one left live, one updated, one deleted; and a confidential text in a
    decommissioning record. A share for a partner owning none of them holds none of
    these values, compressed or decompressed, in UTF-8, UTF-16 or binary; the
    document itself holds them (so the search can find them)."""
    contracts = [r[0] for r in _rows(demo_path, "SELECT id FROM contracts ORDER BY id LIMIT 3")]
    with closing(sqlite3.connect(demo_path)) as conn:
        owners = outward.owners_of(conn, "contracts", contracts)
    partner = next(r[0] for r in _rows(demo_path, "SELECT id FROM organisations ORDER BY id")
                   if not any(r[0] in o for o in owners.values()))
    decom = _rows(demo_path, "SELECT id FROM decommissioning LIMIT 1")[0][0]
    doc = Document.open(demo_path, installation=ALICE)
    try:
        ws = Workspace(doc, ALICE)
        records.update(ws, "contracts", contracts[0], {"annual_value": SENTINELS["live"]})
        records.update(ws, "contracts", contracts[1], {"annual_value": SENTINELS["updated_from"]})
        records.update(ws, "contracts", contracts[1], {"annual_value": SENTINELS["updated_to"]})
        records.update(ws, "contracts", contracts[2], {"annual_value": SENTINELS["deleted"]})
        records.delete(ws, "contracts", contracts[2])
        records.update(ws, "decommissioning", decom, {"rationale": TEXT_SENTINEL})
        doc.save()
    finally:
        doc.close()
    original = demo_path.read_bytes()
    for value in [*SENTINELS.values(), TEXT_SENTINEL]:
        assert _forms(value)[0] in original
    share = write_share_copy(demo_path, tmp_path / "case69.cypshare", for_org=partner).path
    inside = tmp_path / "inside.cypdesk"
    unpack_share(share, inside)
    for name, blob in (("compressed", share.read_bytes()), ("decompressed", inside.read_bytes())):
        for value in [*SENTINELS.values(), TEXT_SENTINEL]:
            for needle in _forms(value):
                assert needle not in blob, f"{value!r} in the {name} share"
    # the restricted columns are there, empty, on the contracts the partner does not own
    assert _rows(inside, "SELECT annual_value, total_value FROM contracts WHERE id IN (?, ?)", *contracts[:2]) == [
        (None, None), (None, None)]
    assert _rows(inside, "SELECT count(*) FROM contracts WHERE id = ?", contracts[2]) == [(0,)]


@pytest.fixture
def rule_spy(monkeypatch):
    """Counts calls of outward's rule (withholds, leaves_out) and of redact_doc (as the
    share finds it in papers.redact and as papers.content imported it)."""
    from cypdesk.services.papers import content, redact

    calls = {"withholds": 0, "leaves_out": 0, "redact_doc": 0}
    real = {"withholds": outward.withholds, "leaves_out": outward.leaves_out, "redact_doc": redact.redact_doc}

    def spy(name):
        def wrapper(*args, **kw):
            calls[name] += 1
            return real[name](*args, **kw)
        return wrapper

    monkeypatch.setattr(outward, "withholds", spy("withholds"))
    monkeypatch.setattr(outward, "leaves_out", spy("leaves_out"))
    monkeypatch.setattr(redact, "redact_doc", spy("redact_doc"))
    monkeypatch.setattr(content, "redact_doc", redact.redact_doc)
    return calls


def test_case_72_every_outward_path_goes_through_the_one_rule(demo_path, tmp_path, rule_spy, monkeypatch):
    """Case 72: export --for, paper --for and share --for each call outward.withholds
    and outward.leaves_out (the share also redact_doc for the final papers' snapshots);
    with the rule patched to withhold nothing, the share carries the contract values,
    so the share takes its decisions from the rule and nowhere else."""
    from cypdesk.services import export
    from cypdesk.services.papers.output import write_paper_file

    org = _rows(demo_path, "SELECT contracting_org_id FROM contracts WHERE contracting_org_id IS NOT NULL LIMIT 1")[0][0]
    paper = _rows(demo_path, "SELECT id FROM papers WHERE status = 'final' LIMIT 1")[0][0]
    paths = {
        "export --for": lambda: export.export_file(demo_path, "contracts", tmp_path / "c.csv", for_org=org),
        "paper --for": lambda: write_paper_file(demo_path, paper, tmp_path / "p.pdf", for_org=org),
        "share --for": lambda: write_share_copy(demo_path, tmp_path / "s.cypshare", for_org=org),
    }
    for name, run in paths.items():
        before = dict(rule_spy)
        run()
        assert rule_spy["withholds"] > before["withholds"], f"{name} did not call outward.withholds"
        assert rule_spy["leaves_out"] > before["leaves_out"], f"{name} did not call outward.leaves_out"
        if name != "export --for":
            assert rule_spy["redact_doc"] > before["redact_doc"], f"{name} did not call redact_doc"

    monkeypatch.setattr(outward, "withholds", lambda **kw: False)
    open_share = write_share_copy(demo_path, tmp_path / "open.cypshare").path
    inside = tmp_path / "open.cypdesk"
    unpack_share(open_share, inside)
    assert _rows(inside, "SELECT count(*) FROM contracts WHERE annual_value IS NOT NULL")[0][0] == _rows(
        demo_path, "SELECT count(*) FROM contracts WHERE annual_value IS NOT NULL")[0][0] > 0
