"""The document's settings from the command line: ``cypdesk set FILE document
FIELD=VALUE ...`` (with or without the document's id; ``logo=IMAGE`` read and checked
before the document opens), refusals that change nothing (exit 1 with every problem
named; a file that is not an image named), ``history FILE document ID`` and ``info``
showing every setting."""

from __future__ import annotations

import hashlib
import io
import shutil
import sqlite3

import pytest

from cypdesk.cli import main
from tests.cli.jsonrun import run_json


@pytest.fixture
def demo(demo_master, tmp_path):
    path = tmp_path / "d.cypdesk"
    shutil.copy(demo_master, path)
    return path


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _document(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, tolerance_pct, comparator_set, review_window_days, return_grace_days, "
                            "small_number_threshold, logo FROM document").fetchone()


def test_set_document_changes_settings_and_info_shows_them(capsys, demo):
    code, result = run_json(capsys, "set", demo, "document", "tolerance_pct=7.5", "compare with=x")
    assert code == 1 and result["error"]["code"] == "invalid"  # an unknown name refuses the lot
    code, result = run_json(capsys, "set", demo, "document", "tolerance_pct=7.5", "comparator_set=England only",
                            "review_window_days=60", "return_grace_days=0", "small_number_threshold=10")
    assert code == 0 and result["kind"] == "document" and result["changed"] == 5
    assert result["fields"]["tolerance_pct"] == {"old": 5.0, "new": 7.5}
    doc_id, *values, logo = _document(demo)
    assert values == [7.5, "england", 60, 0, 10] and logo is None
    code, info = run_json(capsys, "info", demo)
    assert code == 0 and info["settings"]["comparator_set"] == "england"
    assert info["settings"]["tolerance_pct"] == 7.5 and info["settings"]["return_grace_days"] == 0
    code, hist = run_json(capsys, "history", demo, "document", doc_id)
    assert code == 0 and {h["field"] for h in hist["history"]} == {  # the demo set its title and trust's name
        "tolerance_pct", "comparator_set", "review_window_days", "return_grace_days", "small_number_threshold",
        "title", "trust_name"}
    # with the document's id, as for any record
    code, result = run_json(capsys, "set", demo, "document", doc_id, "review_window_days=14")
    assert code == 0 and _document(demo)[3] == 14
    code, result = run_json(capsys, "set", demo, "document", "not-its-id", "review_window_days=20")
    assert code == 1 and result["error"]["code"] == "not_found" and doc_id in result["error"]["message"]


def test_info_prose_lists_the_settings_in_words(capsys, demo):
    assert main(["info", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "Settings:" in out and "Compare with:" in out and "Statistical neighbours" in out
    assert "Grace after a quarter ends (days):" in out and "Logo:" in out


@pytest.mark.parametrize(("assignment", "words"), [
    ("small_number_threshold=1", "Small-number threshold must be from 2 to 50"),
    ("tolerance_pct=50.5", "Tolerance without an interval (%) must be from 0 to 50"),
    ("review_window_days=0", "Reviews due within (days) must be from 1 to 365"),
    ("return_grace_days=121", "Grace after a quarter ends (days) must be from 0 to 120"),
    ("comparator_set=county", "is not one of: Statistical neighbours, Region, England only"),
])
def test_a_refused_setting_exits_1_and_leaves_the_file_as_it_was(capsys, demo, assignment, words):
    before = _sha(demo)
    code, result = run_json(capsys, "set", demo, "document", "trust_name=Changed", assignment)
    assert code == 1 and result["error"]["code"] == "invalid" and words in result["error"]["message"]
    assert _sha(demo) == before


def test_set_document_logo_from_a_file_and_remove_it(capsys, demo, tmp_path):
    from PIL import Image

    crest = tmp_path / "crest.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 100), (0, 94, 165)).save(buffer, "PNG")
    crest.write_bytes(buffer.getvalue())
    code, result = run_json(capsys, "set", demo, "document", f"logo={crest}")
    assert code == 0 and result["fields"]["logo"]["new"].startswith("PNG 320x100,")
    assert _document(demo)[-1] == crest.read_bytes()
    code, info = run_json(capsys, "info", demo)
    assert info["settings"]["logo"] == {"format": "PNG", "bytes": len(crest.read_bytes()), "width": 320,
                                        "height": 100}
    code, result = run_json(capsys, "set", demo, "document", "logo=")
    assert code == 0 and _document(demo)[-1] is None


def test_a_logo_that_is_not_an_image_is_refused_naming_the_file(capsys, demo, tmp_path):
    before = _sha(demo)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    code, result = run_json(capsys, "set", demo, "document", f"logo={notes}")
    assert code == 1 and "notes.txt is not a PNG or JPEG image" in result["error"]["message"]
    code, result = run_json(capsys, "set", demo, "document", f"logo={tmp_path / 'gone.png'}")
    assert code == 2 and result["error"]["code"] == "missing" and "gone.png" in result["error"]["message"]
    assert _sha(demo) == before


def test_set_without_assignments_is_bad_usage(capsys, demo):
    code, result = run_json(capsys, "set", demo, "services", "some-id")
    assert code == 2 and result["error"]["code"] == "usage" and "FIELD=VALUE" in result["error"]["message"]
