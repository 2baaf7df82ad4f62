"""``cypdesk export`` (issue 9 item 14): any table to Excel or CSV with the headers the
window shows, typed cells, ``--for`` a partner, ``--list``, atomic writes, the usual
refusals, and the document never touched."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from cypdesk.cli import main
from cypdesk.io.xlsx import DATE_FORMAT, MONEY_FORMAT
from cypdesk.services.tables import WINDOW_COLUMNS, field_spec
from tests.cli.jsonrun import run_json


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def services_in_document(path):
    with closing(sqlite3.connect(path)) as conn:
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT s.name, s.annual_cost, (SELECT max(c.end_date) FROM contracts c WHERE c.service_id = s.id), "
            "o.name FROM services s LEFT JOIN organisations o ON o.id = s.provider_id")}


def test_services_to_xlsx_typed_cells_headers_frozen_and_document_untouched(demo_path, capsys, tmp_path):
    before = sha(demo_path)
    out = tmp_path / "services.xlsx"
    code, result = run_json(capsys, "export", demo_path, "--table", "services", "--out", out)
    assert code == 0 and result["ok"] is True
    assert result["table"] == "services" and result["path"] == str(out.resolve())
    assert sha(demo_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([demo_path.name, out.name])  # no temp left
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header == [field_spec("services", n)["label"] for n in WINDOW_COLUMNS["services"]]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width > 20
    truth = services_in_document(demo_path)
    assert result["rows"] == len(truth) == ws.max_row - 1
    name_col, provider_col = header.index("Service"), header.index("Provider")
    cost_col, end_col = header.index("Annual cost"), header.index("Contract end")
    checked = 0
    for row in ws.iter_rows(min_row=2):
        cost, end, provider = truth[row[name_col].value]
        assert row[provider_col].value == provider
        if cost is not None:
            assert row[cost_col].value == pytest.approx(cost) and row[cost_col].number_format == MONEY_FORMAT
        if end is not None:
            cell = row[end_col]
            assert isinstance(cell.value, datetime) and cell.number_format == DATE_FORMAT
            assert cell.value.date() == date.fromisoformat(end[:10])
            checked += 1
    assert checked >= 3


def test_services_to_csv_with_bom_and_uk_dates(demo_path, capsys, tmp_path):
    out = tmp_path / "services.csv"
    code, result = run_json(capsys, "export", demo_path, "--table", "services", "--out", out)
    assert code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert len(body) == result["rows"]
    truth = services_in_document(demo_path)
    dated = [r for r in body if r[header.index("Contract end")]][:3]
    assert len(dated) == 3
    for r in dated:
        cost, end, provider = truth[r[header.index("Service")]]
        assert r[header.index("Provider")] == (provider or "")
        assert float(r[header.index("Annual cost")]) == pytest.approx(cost)
        assert r[header.index("Contract end")] == date.fromisoformat(end[:10]).strftime("%d/%m/%Y")


def test_for_a_provider_withholds_other_contract_values(demo_path, capsys, tmp_path):
    with closing(sqlite3.connect(demo_path)) as conn:
        provider_id, provider = conn.execute(
            "SELECT o.id, o.name FROM organisations o JOIN services s ON s.provider_id = o.id "
            "JOIN contracts c ON c.service_id = s.id WHERE c.annual_value IS NOT NULL "
            "GROUP BY o.id ORDER BY count(*) LIMIT 1").fetchone()
        own = dict(conn.execute(
            "SELECT c.reference, c.annual_value FROM contracts c JOIN services s ON s.id = c.service_id "
            "WHERE s.provider_id = ? OR c.contracting_org_id = ? OR c.owner_org_id = ?", (provider_id,) * 3))
        total = conn.execute("SELECT count(*) FROM contracts WHERE annual_value IS NOT NULL").fetchone()[0]
    full, redacted = tmp_path / "all.xlsx", tmp_path / "for.xlsx"
    assert run_json(capsys, "export", demo_path, "--table", "contracts", "--out", full)[0] == 0
    code, result = run_json(capsys, "export", demo_path, "--table", "contracts", "--out", redacted, "--for", provider)
    assert code == 0 and result["for"] == {"id": provider_id, "name": provider}
    assert run_json(capsys, "export", demo_path, "--table", "contracts", "--out", redacted,
                    "--for", provider_id)[0] == 0  # by id too

    def values(path):
        ws = openpyxl.load_workbook(path).active
        header = [c.value for c in ws[1]]
        ref, annual, tot = header.index("Contract reference"), header.index("Annual value"), header.index("Total value")
        return [(r[ref], r[annual], r[tot]) for r in ws.iter_rows(min_row=2, values_only=True)]

    assert sum(1 for _r, a, _t in values(full) if a is not None) == total
    shown = [(r, a, t) for r, a, t in values(redacted) if a is not None or t is not None]
    assert shown and len(shown) < total
    for ref, annual, _t in shown:
        assert ref in own and annual == pytest.approx(own[ref])
    code, result = run_json(capsys, "export", demo_path, "--table", "contracts", "--out", tmp_path / "x.csv",
                            "--for", "Nobody At All Ltd")
    assert code == 1 and result["error"]["code"] == "not_found"
    assert not (tmp_path / "x.csv").exists()


def test_list_with_and_without_a_document(demo_path, capsys):
    code, result = run_json(capsys, "export", demo_path, "--list")
    assert code == 0
    tables = {t["table"]: t["rows"] for t in result["tables"]}
    with closing(sqlite3.connect(demo_path)) as conn:
        for kind in ("services", "contracts", "organisations", "indicator_values"):
            assert tables[kind] == conn.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
    code, result = run_json(capsys, "export", "--list")
    assert code == 0 and "services" in {t["table"] for t in result["tables"]}
    assert main(["export", str(demo_path), "--list"]) == 0
    assert "services" in capsys.readouterr().out


def test_formula_text_is_neutralised(demo_path, capsys, tmp_path):
    with closing(sqlite3.connect(demo_path)) as conn:
        sid = conn.execute("SELECT id FROM services ORDER BY name LIMIT 1").fetchone()[0]
    assert main(["set", str(demo_path), "services", sid, 'name==HYPERLINK("http://x","y")']) == 0
    capsys.readouterr()
    xlsx, csv_out = tmp_path / "s.xlsx", tmp_path / "s.csv"
    assert run_json(capsys, "export", demo_path, "--table", "services", "--out", xlsx)[0] == 0
    assert run_json(capsys, "export", demo_path, "--table", "services", "--out", csv_out)[0] == 0
    ws = openpyxl.load_workbook(xlsx).active
    cells = [c for c in ws["A"] if c.value == '=HYPERLINK("http://x","y")']
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix
    assert "'=HYPERLINK" in csv_out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("args, code, error", [
    (["--table", "nonsense", "--out", "x.xlsx"], 2, "usage"),
    (["--table", "services", "--out", "x.txt"], 2, "usage"),
    (["--table", "services"], 2, "usage"),
])
def test_bad_usage(demo_path, capsys, tmp_path, args, code, error):
    got, result = run_json(capsys, "export", demo_path, *[str(tmp_path / a) if a.startswith("x.") else a
                                                           for a in args])
    assert got == code and result["error"]["code"] == error


def test_missing_and_not_a_document_and_foreign(demo_path, capsys, tmp_path):
    out = tmp_path / "o.xlsx"
    code, result = run_json(capsys, "export", tmp_path / "none.cypdesk", "--table", "services", "--out", out)
    assert code == 2 and result["error"]["code"] == "missing"
    junk = tmp_path / "junk.cypdesk"
    junk.write_bytes(b"not a document at all" * 100)
    code, result = run_json(capsys, "export", junk, "--table", "services", "--out", out)
    assert code == 2 and result["error"]["code"] == "not_a_document"
    with closing(sqlite3.connect(demo_path)) as conn:
        conn.execute("CREATE TRIGGER evil AFTER UPDATE ON services BEGIN DELETE FROM history; END")
        conn.commit()
    before = sha(demo_path)
    code, result = run_json(capsys, "export", demo_path, "--table", "services", "--out", out)
    assert code == 1 and result["error"]["code"] == "foreign_schema"
    assert sha(demo_path) == before and not out.exists()


def test_an_existing_output_is_replaced_whole(demo_path, capsys, tmp_path):
    out = tmp_path / "s.csv"
    out.write_text("old")
    assert run_json(capsys, "export", demo_path, "--table", "areas", "--out", out)[0] == 0
    assert out.read_text(encoding="utf-8-sig").startswith("Name") or "old" not in out.read_text()


def test_a_damaged_document_is_refused_and_nothing_written(demo_path, capsys, tmp_path):
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) // 2 + 100])
    before = sha(demo_path)
    out = tmp_path / "o.xlsx"
    code, result = run_json(capsys, "export", demo_path, "--table", "services", "--out", out)
    assert code == 1 and result["error"]["code"] == "damaged"
    assert sha(demo_path) == before and not out.exists()
