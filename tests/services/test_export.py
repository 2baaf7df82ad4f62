"""Exporting a table exactly as the window shows it: the same columns, labels,
filter and order as :class:`TableQuery`, typed cells, read a page at a time, and a
cancel that leaves nothing behind."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import date, datetime

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from cypdesk.common.errors import UsageError
from cypdesk.model.changes import Author
from cypdesk.model.installation import Installation
from cypdesk.services import export as export_module
from cypdesk.services.export import ExportCancelled, export_table
from cypdesk.services.tables import TableQuery, display
from cypdesk.services.workspace import Workspace

TODAY = date(2026, 3, 15)
ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
DEMO_AUTHOR = Author(str(uuid.UUID(int=0xDE30)), "demo", "test-host")


@pytest.fixture
def conn(demo_master, tmp_path):
    copy = tmp_path / "demo.cypdesk"
    shutil.copyfile(demo_master, copy)
    c = sqlite3.connect(copy)
    yield c
    c.close()


class Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.reports: list[tuple[int, int, str]] = []
        self.cancel_after = cancel_after

    def report(self, done: int, total: int, text: str) -> None:
        self.reports.append((done, total, text))

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.reports) >= self.cancel_after


def _sheet(path):
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [[c.value for c in row] for row in ws.iter_rows()], ws


def test_services_filtered_by_text_export_as_the_window_shows_them(conn, tmp_path):
    query = TableQuery(conn, "services")
    query.set_filter("family")
    query.set_sort(0)
    expected_names = [values[0] for _id, values in query.rows(0, 1000)]
    path = tmp_path / "services.xlsx"
    progress = Recorder()
    result = export_table(conn, "services", filter_text="family", sort_column=0, path=path, progress=progress)
    assert result == {"rows": query.count(), "path": str(path.resolve())}
    rows, ws = _sheet(path)
    assert ws.title == "Services"
    assert rows[0] == [c.label for c in query.columns]
    assert len(rows) - 1 == query.count() > 5
    assert [r[0] for r in rows[1:]] == expected_names
    cost = [c.name for c in query.columns].index("annual_cost")
    sector = [c.name for c in query.columns].index("sector")
    provider = [c.name for c in query.columns].index("provider_id")
    prevention = [c.name for c in query.columns].index("prevention")
    for r in range(2, len(rows) + 1):
        cell = ws.cell(row=r, column=cost + 1)
        assert cell.data_type == "n" and isinstance(cell.value, (int, float)) and cell.number_format == "£#,##0"
    assert set(r[sector] for r in rows[1:]) <= {"Health", "Education", "Social care", "Youth justice", "Housing", "Other"}
    assert "Riverside County Council" in {r[provider] for r in rows[1:]}, "references as the record's title"
    assert {r[prevention] for r in rows[1:]} <= {"Yes", "No"}
    assert progress.reports[-1][:2] == (query.count(), query.count())
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_the_same_export_as_csv_matches_what_the_window_displays(conn, tmp_path):
    query = TableQuery(conn, "contracts")
    query.set_sort(5, descending=True)  # End, latest first
    path = tmp_path / "contracts.csv"
    result = export_table(conn, "contracts", sort_column=5, descending=True, path=path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    from cypdesk.io.xlsx import read_csv

    rows = list(read_csv(path))
    assert result["rows"] == len(rows) - 1 == query.count()
    assert rows[0] == [c.label for c in query.columns]
    shown = [[display(c, v) for c, v in zip(query.columns, values)] for _id, values in query.rows(0, 1000)]
    end = 5
    assert [r[end] for r in rows[1:]] == [s[end] for s in shown], "dates dd/mm/yyyy, latest first"
    assert [r[0] for r in rows[1:]] == [s[0] for s in shown]
    money = [c.name for c in query.columns].index("annual_value")
    assert all(r[money] == "" or float(r[money]) >= 0 for r in rows[1:]), "money as plain numbers"


def test_chosen_columns_and_conditions_and_typed_dates(conn, tmp_path):
    columns = ["reference", "start_date", "end_date", "annual_value", "social_value_pct", "risk_assessed", "route"]
    query = TableQuery(conn, "contracts", columns)
    query.set_filter("", route="tender")
    path = tmp_path / "tenders.xlsx"
    export_table(conn, "contracts", columns=columns, conditions={"route": "tender"}, path=path)
    rows, ws = _sheet(path)
    assert rows[0] == ["Contract reference", "Start", "End", "Annual value", "Social value weighting", "Risk assessed",
                       "Procurement route"]
    assert len(rows) - 1 == query.count() > 0
    assert {r[6] for r in rows[1:]} == {"Tender"}
    assert all(isinstance(r[1], datetime) for r in rows[1:]) and ws["B2"].number_format == "dd/mm/yyyy"
    assert {r[5] for r in rows[1:]} <= {"Yes", "No"}
    pct = [r[4] for r in rows[1:] if r[4] is not None]
    assert pct and all(isinstance(p, (int, float)) for p in pct)
    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert isinstance(cal[1][1], date)


def test_rows_are_streamed_in_batches_from_one_query(conn, tmp_path, monkeypatch):
    """Never all rows in memory, and never a deep OFFSET per page (that re-sorts the
    table for every page: minutes at a million rows)."""
    monkeypatch.setattr(export_module, "PAGE", 7)
    batches: list[int] = []
    real_stream = TableQuery.stream

    def spy(self, batch):
        for chunk in real_stream(self, batch):
            batches.append(len(chunk))
            yield chunk

    monkeypatch.setattr(TableQuery, "stream", spy)
    monkeypatch.setattr(TableQuery, "rows", lambda *a: pytest.fail("paged with OFFSET"))
    result = export_table(conn, "services", sort_column=0, path=tmp_path / "all.xlsx")
    assert result["rows"] == 79
    assert batches == [7] * 11 + [2]
    rows, _ws = _sheet(tmp_path / "all.xlsx")
    query = TableQuery(conn, "services")
    query.set_sort(0)
    assert [r[0] for r in rows[1:]] == [v[0] for chunk in real_stream(query, 100) for _i, v in chunk]


def test_cancel_leaves_no_file_behind(conn, tmp_path, monkeypatch):
    monkeypatch.setattr(export_module, "PAGE", 10)
    for name in ("cancelled.xlsx", "cancelled.csv"):
        progress = Recorder(cancel_after=3)
        with pytest.raises(ExportCancelled):
            export_table(conn, "services", path=tmp_path / name, progress=progress)
        assert progress.reports[0] == (0, 79, "Exporting services: 0 of 79 rows")
    existing = tmp_path / "existing.xlsx"
    existing.write_bytes(b"last week's export")
    with pytest.raises(ExportCancelled):
        export_table(conn, "services", path=existing, progress=Recorder(cancel_after=2))
    assert existing.read_bytes() == b"last week's export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".cypdesk") == ["existing.xlsx"]


def test_refusals(conn, tmp_path):
    with pytest.raises(UsageError, match=r"\.xlsx \(Excel\) or \.csv"):
        export_table(conn, "services", path=tmp_path / "services.ods")
    with pytest.raises(UsageError, match="no table called 'nonsense'"):
        export_table(conn, "nonsense", path=tmp_path / "x.xlsx")
    assert list(tmp_path.glob("*.xlsx")) == []


def test_a_workspace_or_engine_can_be_given_instead_of_a_connection(demo_master, tmp_path):
    from cypdesk.model.document import Document

    copy = tmp_path / "demo.cypdesk"
    shutil.copyfile(demo_master, copy)
    doc = Document.open(copy, installation=ALICE)
    try:
        ws = Workspace(doc, ALICE)
        a = export_table(ws, "teams", path=tmp_path / "a.csv")
        b = export_table(doc.engine, "teams", path=tmp_path / "b.csv")
    finally:
        doc.close(discard=True)
    assert a["rows"] == b["rows"] == 7
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_the_services_tabs_contract_end_is_a_real_date(conn, tmp_path):
    """Issue 9 item 14: the window's export of its services table wrote "Contract end"
    as text; it is a real Excel date (dd/mm/yyyy) now, and dd/mm/yyyy in CSV."""
    from cypdesk.services.tables import WINDOW_COLUMNS

    columns = list(WINDOW_COLUMNS["services"])
    path = tmp_path / "services.xlsx"
    export_table(conn, "services", columns=columns, path=path)
    rows, ws = _sheet(path)
    col = rows[0].index("Contract end")
    ends = [r[col] for r in rows[1:] if r[col] is not None]
    assert ends and all(isinstance(v, datetime) for v in ends)
    assert ws.cell(row=2, column=col + 1).number_format == "dd/mm/yyyy"
    truth = {r[0] for r in conn.execute("SELECT max(end_date) FROM contracts GROUP BY service_id")}
    assert {v.date().isoformat() for v in ends} <= {t[:10] for t in truth if t}
    money = rows[0].index("Annual cost")
    assert ws.cell(row=2, column=money + 1).number_format == "£#,##0"
