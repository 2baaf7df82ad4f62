"""Reliability case 45: a big legitimate sheet imports within a stated budget, with
progress reported, and Cancel writes nothing.

The full case (300,000 rows x 3 columns, made with openpyxl ``write_only``) is
``@pytest.mark.slow``: it runs only with ``pytest -m slow`` (or ``CYPDESK_SLOW=1``),
importing in a child process that reports its own peak RSS and elapsed time. A fast
test runs the same path on every change with 3,000 rows."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cypdesk.services.importing import Cancelled, ImportOptions, open_source, run_import

BIG_ROWS = 300_000
BUDGET_SECONDS = 120     # measured 22.5 s (434 MB) on the shared 2-core machine; E13 about 10 s via pandas
BUDGET_RSS_MB = 1_000    # the import's ceiling (issue 9): under 1 GB
KINDS = ("voluntary", "private", "local authority", "social enterprise")


def write_sheet(path: Path, rows: int) -> Path:
    """An organisations register: Name, Kind, Website; ``rows`` distinct organisations,
    written with openpyxl's write_only (streamed, as a big export is)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet("Register")
    sheet.append(["Name", "Kind", "Website"])
    for i in range(rows):
        sheet.append([f"Organisation {i:06d}", KINDS[i % 4], f"https://org{i}.example"])
    wb.save(path)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_3000_row_sheet_reports_progress_and_a_cancel_after_the_first_report_leaves_the_document_as_it_was(
        ws, tmp_path):
    """3,000 rows x 3 columns (xlsx, openpyxl write_only). Run 1: a cancel flag that
    turns True once the first progress report has arrived (reading, row 500):
    Cancelled, and the working copy's SHA-256 is unchanged. Run 2: a cancel flag that
    turns True at the first report of the writing stage (the 3,000 rows inserted, not
    committed): Cancelled, hash unchanged. Run 3, no cancel: reports while reading
    (every 500 rows, no total) and while writing (ending at the total), 3,000 added."""
    sheet = write_sheet(tmp_path / "register.xlsx", 3_000)
    before = sha(ws.doc.working_path)

    heard: list[tuple[int, int | None, str]] = []
    with pytest.raises(Cancelled):
        run_import(ws, open_source(sheet, kind="organisations"), ImportOptions(
            kind="organisations", progress=lambda *report: heard.append(report), cancelled=lambda: bool(heard)))
    assert heard == [(500, None, heard[0][2])] and heard[0][2].startswith("Reading row ")
    assert sha(ws.doc.working_path) == before

    heard.clear()
    with pytest.raises(Cancelled):
        run_import(ws, open_source(sheet, kind="organisations"), ImportOptions(
            kind="organisations", progress=lambda *report: heard.append(report),
            cancelled=lambda: any(total is not None for _done, total, _text in heard)))
    assert heard[-1][:2] == (3_000, 3_000)  # the writing stage reported, then the cancel
    assert sha(ws.doc.working_path) == before

    heard.clear()
    result = run_import(ws, open_source(sheet, kind="organisations"), ImportOptions(
        kind="organisations", progress=lambda *report: heard.append(report)))
    assert result.added == 3_000 and result.rows_read == 3_000
    assert [done for done, total, _ in heard if total is None] == [500, 1000, 1500, 2000, 2500, 3000]
    assert heard[-1][:2] == (3_000, 3_000)
    assert sha(ws.doc.working_path) != before


CHILD = r"""
import hashlib, json, resource, sys, time, uuid
from pathlib import Path
from cypdesk.model.document import Document
from cypdesk.model.installation import Installation
from cypdesk.services.importing import Cancelled, ImportOptions, open_source, run_import
from cypdesk.services.workspace import Workspace

document, sheet = sys.argv[1], sys.argv[2]
me = Installation(id=str(uuid.UUID(int=0xB16)), user="bench", host="CI")
doc = Document.open(document, installation=me)
ws = Workspace(doc, me)
digest = lambda: hashlib.sha256(Path(doc.working_path).read_bytes()).hexdigest()
out = {"hash_before": digest()}
heard = []
try:
    run_import(ws, open_source(sheet, kind="organisations"), ImportOptions(
        kind="organisations", progress=lambda *r: heard.append(r), cancelled=lambda: bool(heard)))
    out["cancelled"] = False
except Cancelled:
    out["cancelled"] = True
out["hash_after_cancel"] = digest()
heard.clear()
started = time.perf_counter()
result = run_import(ws, open_source(sheet, kind="organisations"),
                    ImportOptions(kind="organisations", progress=lambda *r: heard.append(r)))
out["seconds"] = time.perf_counter() - started
out["added"] = result.added
out["reports"] = len(heard)
out["last_report"] = heard[-1][:2] if heard else None
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
doc.close(discard=True)
print(json.dumps(out))
"""


@pytest.mark.slow
def test_a_300000_row_sheet_imports_within_budget_with_progress_and_cancel_writes_nothing(demo_path, tmp_path, request):
    """Case 45 in full: 300,000 rows x 3 columns (xlsx, openpyxl write_only), imported
    in a child process: first with a cancel after the first progress report (Cancelled,
    the working copy's SHA-256 unchanged), then whole: every row added, progress
    reported along the way and ending at the total, within BUDGET_SECONDS, peak RSS of
    the child under BUDGET_RSS_MB."""
    if "slow" not in (request.config.getoption("markexpr") or "") and not os.environ.get("CYPDESK_SLOW"):
        pytest.skip("slow: run with -m slow")
    sheet = write_sheet(tmp_path / "big.xlsx", BIG_ROWS)
    done = subprocess.run([sys.executable, "-c", CHILD, str(demo_path), str(sheet)], capture_output=True, text=True,
                          timeout=BUDGET_SECONDS * 3, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n300,000-row import: {out['seconds']:.1f} s, peak RSS {out['peak_rss_mb']:.0f} MB, "
          f"{out['reports']} progress reports")
    assert out["cancelled"] is True and out["hash_after_cancel"] == out["hash_before"]
    assert out["added"] == BIG_ROWS
    assert out["reports"] >= BIG_ROWS // 500 and out["last_report"] == [BIG_ROWS, BIG_ROWS]
    assert out["seconds"] < BUDGET_SECONDS
    assert out["peak_rss_mb"] < BUDGET_RSS_MB
