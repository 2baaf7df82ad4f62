"""cypdesk.selftest: passes here, and each check fails when what it guards is broken
(reliability-anchors cases 41 and 67)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cypdesk import paths, selftest

ROOT = Path(__file__).resolve().parent.parent


def _result(results, name):
    [found] = [r for r in results if r[0] == name]
    return found


def test_every_check_passes_in_this_environment():
    ok, results = selftest.run_self_test()
    assert ok, selftest.format_report(results)
    assert [name for name, _, _ in results] == [name for name, _ in selftest.CHECKS]
    for name, passed, detail in results:
        assert isinstance(name, str) and passed is True and detail


def test_fails_when_openpyxl_does_not_use_defusedxml(monkeypatch):
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    ok, results = selftest.run_self_test()
    assert not ok
    name, passed, detail = _result(results, "defusedxml")
    assert not passed and "not using defusedxml" in detail
    assert [r[0] for r in results if not r[1]] == ["defusedxml"]


def test_fails_when_openpyxl_defusedxml_is_switched_off_by_the_environment():
    # openpyxl reads OPENPYXL_DEFUSEDXML once, when it is first imported.
    code = (
        "import json; from cypdesk.selftest import run_self_test; "
        "ok, results = run_self_test(); print(json.dumps([ok, results]))"
    )
    env = dict(os.environ, OPENPYXL_DEFUSEDXML="False")
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    ok, results = json.loads(proc.stdout)
    assert ok is False
    assert _result(results, "defusedxml")[1] is False


@pytest.mark.parametrize(
    ("version", "ok", "note"),
    [((3, 34, 1), False, False), ((3, 40, 1), True, True), ((3, 51, 3), True, False)],
)
def test_sqlite_minimum_and_wal_reset_note(monkeypatch, version, ok, note):
    import sqlite3

    monkeypatch.setattr(sqlite3, "sqlite_version_info", version)
    passed, detail = selftest._check_sqlite()
    assert passed is ok
    assert ("WAL-reset" in detail) is note


def test_expat_too_old_fails(monkeypatch):
    import pyexpat

    monkeypatch.setattr(pyexpat, "version_info", (2, 4, 0))
    assert selftest._check_expat()[0] is False
    monkeypatch.setattr(pyexpat, "version_info", (2, 4, 1))
    assert selftest._check_expat()[0] is True


@pytest.mark.parametrize(("version", "ok"), [("3.6.12", False), ("3.6.13", True), ("5.1.0", True)])
def test_reportlab_cve_floor(monkeypatch, version, ok):
    import reportlab

    monkeypatch.setattr(reportlab, "Version", version)
    passed, detail = selftest._check_reportlab()
    assert passed is ok
    assert ("CVE-2023-33733" in detail) is not ok


@pytest.mark.parametrize(
    ("pyside6", "python", "ok"),
    [
        ((6, 11, 3), (3, 11), True),
        ((6, 12, 0), (3, 11), False),  # the none_dealloc abort
        ((6, 12, 0), (3, 12), True),  # None is immortal there
        ((6, 11, 2), (3, 12), False),  # below the minimum
    ],
)
def test_pyside6_verdict(pyside6, python, ok):
    assert selftest.pyside6_verdict(pyside6, python)[0] is ok


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_fonts_missing_or_truncated_fail(monkeypatch, tmp_path, damage):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    real = paths.resources_dir() / "fonts"
    for name in selftest.FONTS:
        if damage == "truncated":
            (fonts / name).write_bytes((real / name).read_bytes()[:50_000])
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path)
    passed, detail = selftest._check_fonts()
    assert not passed
    assert ("missing" if damage == "missing" else "bytes") in detail


@pytest.mark.parametrize(("version", "ok"), [("0.44.0", False), ("0.45.0", True), ("0.58.0", False)])
def test_shaping_needs_uharfbuzz_within_the_pins(monkeypatch, version, ok):
    """Case 67: the papers' text shaping is checked by importing uharfbuzz and shaping
    Welsh with the bundled font; a version outside the pins fails (patched __version__)."""
    import uharfbuzz

    monkeypatch.setattr(uharfbuzz, "__version__", version)
    passed, detail = selftest._check_shaping()
    assert passed is ok, detail
    assert ("shapes" in detail) is ok


def test_shaping_fails_without_uharfbuzz(monkeypatch):
    """A bundle that lost uharfbuzz (import blocked through sys.modules) fails the
    self-test under "shaping" and nowhere else."""
    monkeypatch.setitem(sys.modules, "uharfbuzz", None)
    ok, results = selftest.run_self_test()
    assert not ok
    assert [r[0] for r in results if not r[1]] == ["shaping"]


def test_shaping_fails_with_a_font_that_lacks_the_welsh_letters(monkeypatch, tmp_path):
    """Shaping with a font that has no ŷ or ŵ (a font cut to ASCII with fontTools'
    subsetter, standing in for a substituted file) gives the missing glyph: failed."""
    from fontTools import subset

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    options = subset.Options()
    font = subset.load_font(str(paths.resources_dir() / "fonts" / selftest.FONTS[0]), options)
    cutter = subset.Subsetter(options)
    cutter.populate(text="Llr wy ")
    cutter.subset(font)
    subset.save_font(font, str(fonts / selftest.FONTS[0]), options)
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path)
    passed, detail = selftest._check_shaping()
    assert not passed and "could not shape" in detail


def test_program_folder_check_fails_when_data_would_go_beside_the_program(monkeypatch, tmp_path):
    """Case 68: a data folder inside the program's folder (CYPDESK_HOME pointed there,
    program_dir patched to tmp_path) fails; with the portable marker it is allowed."""
    monkeypatch.setattr(paths, "program_dir", lambda: tmp_path)
    monkeypatch.setenv("CYPDESK_HOME", str(tmp_path / "home"))
    passed, detail = selftest._check_writes_outside_program()
    assert not passed and "inside the program's folder" in detail
    (tmp_path / paths.PORTABLE_MARKER).write_text("", encoding="utf-8")
    passed, detail = selftest._check_writes_outside_program()
    assert passed and "portable mode" in detail
    monkeypatch.setenv("CYPDESK_HOME", str(tmp_path.parent / f"{tmp_path.name}-elsewhere"))
    (tmp_path / paths.PORTABLE_MARKER).unlink()
    passed, detail = selftest._check_writes_outside_program()
    assert passed and "nothing is written under" in detail


def test_data_folder_that_cannot_be_made_fails(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CYPDESK_HOME", str(blocker / "home"))
    ok, results = selftest.run_self_test()
    assert not ok
    assert _result(results, "data folder")[1] is False


def test_a_check_that_raises_fails_with_the_error(monkeypatch):
    def broken():
        raise ImportError("No module named 'alembic'")

    monkeypatch.setattr(selftest, "CHECKS", [("alembic", broken)])
    ok, results = selftest.run_self_test()
    assert not ok
    assert results == [("alembic", False, "ImportError: No module named 'alembic'")]


def test_report_names_every_check_and_counts_failures():
    results = [("Python", True, "Python 3.11.7"), ("defusedxml", False, "not using defusedxml")]
    report = selftest.format_report(results)
    assert re.search(r"ok\s+Python\s+Python 3\.11\.7", report)
    assert re.search(r"FAIL\s+defusedxml\s+not using defusedxml", report)
    assert report.splitlines()[-1] == "1 of 2 checks failed."
    assert selftest.format_report(results[:1]).splitlines()[-1] == "All 1 checks passed."


def _pin(requirements: list[str], name: str) -> str:
    [spec] = [r[len(name):] for r in requirements if r.startswith(name) and r[len(name)] in "<>=!~"]
    return spec


def test_pins_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = project["dependencies"]
    dotted = selftest._dotted
    assert _pin(deps, "PySide6-Essentials") == (
        f">={dotted(selftest.PYSIDE6_MIN)},<{dotted(selftest.PYSIDE6_BELOW)}"
    )
    assert _pin(deps, "SQLAlchemy") == (
        f">={dotted(selftest.SQLALCHEMY_MIN)},<{dotted(selftest.SQLALCHEMY_BELOW)}"
    )
    assert _pin(deps, "uharfbuzz") == f">={dotted(selftest.UHARFBUZZ_MIN)},<{dotted(selftest.UHARFBUZZ_BELOW)}"
    assert project["requires-python"] == (
        f">={dotted(selftest.PYTHON_MIN)},<{dotted(selftest.PYTHON_BELOW)}"
    )


def test_collation_check_sorts_welsh_names_the_welsh_way():
    """QCollator through ICU puts Lowri before Llinos in Welsh (ll is a letter after l)."""
    ok, detail = selftest._check_collation()
    assert ok, detail
    assert "cy_GB" in detail


def test_collation_check_fails_when_a_locale_sorts_otherwise(monkeypatch):
    """Asking for the Welsh order from English collation (as ICU data without Welsh would give) fails."""
    cases = dict(selftest.COLLATION_CASES)
    cases["en_GB"] = selftest.COLLATION_CASES["cy_GB"]
    monkeypatch.setattr(selftest, "COLLATION_CASES", cases)
    ok, detail = selftest._check_collation()
    assert not ok
    assert "en_GB sorts" in detail
