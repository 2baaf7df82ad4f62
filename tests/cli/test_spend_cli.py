"""``cypdesk spend FILE [--match] [--overspent] [--json]``: the payments' totals, the
matching run saved with its counts and the reason of each payment left unmatched, the
contracts running ahead of their value; reading alone never changes the document.
(Faults of the file layer: tests/cli/test_faults.py runs its declared example.)"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from contextlib import closing
from datetime import date

from cypdesk.cli import main
from cypdesk.model.installation import Installation
from tests.cli.jsonrun import run_json

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _add_payments(path, *payments):
    """Payments written through the services (history and all), then saved."""
    from cypdesk.model.document import Document
    from cypdesk.services import records
    from cypdesk.services.workspace import Workspace

    doc = Document.open(path, installation=ALICE)
    ws = Workspace(doc, ALICE)
    ids = [records.create(ws, "payments", values).id for values in payments]
    doc.save()
    doc.close()
    return ids


def test_spend_reads_the_totals_and_changes_nothing(demo_path, capsys):
    before = sha(demo_path)
    code, result = run_json(capsys, "spend", demo_path, "--overspent")
    assert code == 0 and result["ok"]
    with closing(sqlite3.connect(demo_path)) as conn:
        count, total = conn.execute("SELECT count(*), sum(amount) FROM payments").fetchone()
    assert result["payments"]["count"] == count and abs(result["payments"]["total"] - total) < 0.01
    assert result["payments"]["with_supplier"] == 0  # the demo's payments name suppliers only in words
    assert result["overspent"] == []
    assert sha(demo_path) == before


def test_spend_match_saves_the_matches_and_says_why_the_rest_are_not(demo_path, capsys):
    with closing(sqlite3.connect(demo_path)) as conn:
        [reference] = conn.execute("SELECT reference FROM contracts WHERE reference IS NOT NULL "
                                          "ORDER BY reference LIMIT 1").fetchone()
    by_ref, nobody = _add_payments(
        demo_path,
        {"paid_on": date(2026, 1, 5), "supplier": "Someone", "amount": 900_000_000.0,
         "description": f"Invoice for {reference}"},
        {"paid_on": date(2026, 1, 5), "supplier": "Nobody Known Ltd", "amount": 10.0})
    code, result = run_json(capsys, "spend", demo_path, "--match", "--overspent")
    assert code == 0
    matched = result["matched"]
    assert matched["contracts_matched"] == 1 and matched["saved"] is True
    assert matched["suppliers_matched"] > 500  # the demo's payments gain their supplier organisations
    unmatched = {m["payment_id"]: m for m in matched["unmatched"]}
    assert unmatched[nobody]["supplier_reason"] == "no organisation is named “Nobody Known Ltd”"
    with closing(sqlite3.connect(demo_path)) as conn:  # saved: read from the file itself
        contract = conn.execute("SELECT contract_id FROM payments WHERE id = ?", (by_ref,)).fetchone()[0]
        assert conn.execute("SELECT reference FROM contracts WHERE id = ?", (contract,)).fetchone()[0] == reference
    assert [o["reference"] for o in result["overspent"]] == [reference]
    assert result["overspent"][0]["rule"] == "value"
    code = main(["spend", str(demo_path), "--overspent"])
    out, _err = capsys.readouterr()
    assert code == 0 and f"contract {reference}: £900," in out


def test_spend_of_a_file_that_is_not_there_is_exit_2(tmp_path, capsys):
    code, result = run_json(capsys, "spend", tmp_path / "missing.cypdesk")
    assert code == 2 and result["error"]["code"] == "missing"
