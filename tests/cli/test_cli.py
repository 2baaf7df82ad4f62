"""The command line as IT staff and scripts use it: exit codes 0/1/2, ``--json`` on
success and failure, and nothing changed when a command refuses."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cypdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args):
    code, out, _err = run(capsys, *args, "--json")
    return code, json.loads(out)


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    os.environ["CYPDESK_HOME"] = str(folder / "home")
    path = folder / "master.cypdesk"
    assert main(["demo", str(path)]) == 0
    return path


@pytest.fixture
def demo(demo_master, tmp_path):
    path = tmp_path / "d.cypdesk"
    shutil.copy(demo_master, path)
    return path


def test_demo_check_info_json(capsys, tmp_path):
    path = tmp_path / "d.cypdesk"
    code, result = run_json(capsys, "demo", path)
    assert code == 0 and result["ok"] and Path(result["path"]) == path.resolve()
    code, result = run_json(capsys, "check", path)
    assert code == 0 and result["ok"] and result["needs_migration"] is False
    code, info = run_json(capsys, "info", path)
    assert code == 0
    assert info["counts"]["services"] >= 60 and info["counts"]["indicators"] >= 40
    assert info["owner"]["name"] and info["document_id"]
    assert set(info["counts"]) >= {"organisations", "teams", "agreements", "measures", "actions", "risks", "papers"}


def test_demo_refuses_to_overwrite_without_force(capsys, demo):
    before = sha(demo)
    code, result = run_json(capsys, "demo", demo)
    assert code == 2 and result["error"]["code"] == "usage" and "--force" in result["error"]["message"]
    assert sha(demo) == before
    code, _out, _err = run(capsys, "demo", demo, "--force")
    assert code == 0


def test_info_prose_names_the_owner_and_counts(capsys, demo):
    code, out, _ = run(capsys, "info", demo)
    assert code == 0
    assert "Schema version:" in out and "services" in out and "Riverside" in out


@pytest.mark.parametrize("make, code, error", [
    (lambda p: None, 2, "missing"),
    (lambda p: p.write_bytes(b""), 2, "not_a_document"),
    (lambda p: p.write_bytes(b"PK\x03\x04" + b"\0" * 200), 2, "not_a_document"),
])
def test_check_refuses_what_it_cannot_read(capsys, tmp_path, make, code, error):
    path = tmp_path / "odd.cypdesk"
    make(path)
    got, result = run_json(capsys, "check", path)
    assert got == code and result["ok"] is False and result["error"]["code"] == error
    assert path.name in result["error"]["message"]
    if error == "missing":
        assert not path.exists()


def test_check_says_damaged_with_exit_1(capsys, demo):
    conn = sqlite3.connect(demo)
    root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'services'").fetchone()[0]
    conn.close()
    data = bytearray(demo.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    start = (root - 1) * page_size
    data[start:start + 12] = b"\xff" * 12  # a bad page: its b-tree header smashed
    demo.write_bytes(bytes(data))
    code, result = run_json(capsys, "check", demo)
    assert code == 1 and result["error"]["code"] == "damaged"


def test_check_refuses_a_newer_document_with_exit_2(capsys, demo):
    conn = sqlite3.connect(demo)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    code, result = run_json(capsys, "check", demo)
    assert code == 2 and result["error"]["code"] == "newer" and "999" in result["error"]["message"]


def test_set_through_the_cli_advances_the_clock_and_names_the_author(capsys, demo):
    conn = sqlite3.connect(demo)
    service_id, before_hlc = conn.execute("SELECT id, hlc FROM services ORDER BY name LIMIT 1").fetchone()
    conn.close()
    code, result = run_json(capsys, "set", demo, "services", service_id, "annual_cost=£123,456", "status=Under review")
    assert code == 0 and result["changed"] == 2
    conn = sqlite3.connect(demo)
    cost, status, after_hlc = conn.execute("SELECT annual_cost, status, hlc FROM services WHERE id=?", (service_id,)).fetchone()
    version = conn.execute("SELECT hlc FROM field_versions WHERE record_id=? AND field='annual_cost'", (service_id,)).fetchone()[0]
    conn.close()
    assert (cost, status) == (123456.0, "under_review")
    assert after_hlc > before_hlc and version == after_hlc
    code, hist = run_json(capsys, "history", demo, "services", service_id)
    updates = [h for h in hist["history"] if h["op"] == "update"]
    worked_out = set(result["worked_out"])  # the unit cost follows the cost unless it was set by hand
    assert worked_out <= {"unit_cost"}
    assert {h["field"] for h in updates} == {"annual_cost", "status"} | worked_out
    from cypdesk.model.installation import get_installation

    me = get_installation()
    assert all(h["author_id"] == me.id and me.user in h["author"] for h in updates)


def test_set_refuses_a_bad_value_and_leaves_the_file_unchanged(capsys, demo):
    conn = sqlite3.connect(demo)
    service_id = conn.execute("SELECT id FROM services LIMIT 1").fetchone()[0]
    conn.close()
    before = sha(demo)
    code, result = run_json(capsys, "set", demo, "services", service_id, "tier=imaginary")
    assert code == 1 and result["error"]["code"] == "invalid" and "Tier" in result["error"]["message"]
    assert sha(demo) == before


def test_set_refuses_a_name_longer_than_its_declared_length_and_leaves_the_file_unchanged(capsys, demo):
    """``cypdesk set FILE services ID name=<5,000 characters>``: the name is declared
    with a length of 300, so it exits 1 naming the limit (prose and --json) and the file
    is byte for byte what it was."""
    conn = sqlite3.connect(demo)
    service_id, name = conn.execute("SELECT id, name FROM services LIMIT 1").fetchone()
    conn.close()
    before = sha(demo)
    code, out, err = run(capsys, "set", demo, "services", service_id, "name=" + "x" * 5000)
    assert code == 1 and out == ""
    assert "Service is 5,000 characters long; the most it can hold is 300." in err
    assert sha(demo) == before
    code, result = run_json(capsys, "set", demo, "services", service_id, "name=Bell\x07")
    assert code == 1 and result["error"]["code"] == "invalid"
    assert "control character (U+0007) at character 5" in result["error"]["message"]
    assert sha(demo) == before
    conn = sqlite3.connect(demo)
    assert conn.execute("SELECT name FROM services WHERE id = ?", (service_id,)).fetchone()[0] == name
    conn.close()


def test_bad_usage_is_exit_2_with_json(capsys, tmp_path):
    code, result = run_json(capsys, "demo", tmp_path / "x.cypdesk", "--size", "enormous")
    assert code == 2 and result["error"]["code"] == "usage"
    code, result = run_json(capsys, "set", tmp_path / "x.cypdesk", "services", "id", "nonsense")
    assert code == 2


def test_python_dash_m_runs_the_same_command_line():
    out = subprocess.run([sys.executable, "-m", "cypdesk", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith("cypdesk ")


def test_set_refuses_a_contract_ending_before_it_starts_naming_both_dates(capsys, demo):
    """The command line inherits the one check of records: exit 1, the document unchanged."""
    conn = sqlite3.connect(demo)
    contract_id = conn.execute("SELECT id FROM contracts WHERE start_date IS NOT NULL LIMIT 1").fetchone()[0]
    conn.close()
    before = sha(demo)
    code, result = run_json(capsys, "set", demo, "contracts", contract_id, "start_date=01/04/2024",
                            "end_date=01/01/2020")
    assert code == 1 and result["error"]["code"] == "invalid"
    assert "End (01/01/2020) is before start (01/04/2024)" in result["error"]["message"]
    assert sha(demo) == before


def test_set_saves_an_actual_for_a_period_not_yet_ended_and_warns(capsys, demo):
    """A command cannot ask, so a period that has not ended is saved (exit 0) with a
    warning on stderr and in the JSON's ``warnings``."""
    from datetime import date

    conn = sqlite3.connect(demo)
    measurement_id = conn.execute("SELECT id FROM measurements LIMIT 1").fetchone()[0]
    conn.close()
    year = date.today().year + 1
    period = f"{year}-{(year + 1) % 100:02d} Q1"
    code, out, err = run(capsys, "set", demo, "measurements", measurement_id, f"period={period}", "--json")
    result = json.loads(out)
    assert code == 0 and result["changed"] == 1
    assert result["warnings"] == [f"{period} has not ended yet (it ends on 30/06/{year}): figures for it are "
                                  "usually a forecast"]
    assert f"Warning: {period} has not ended yet" in err
