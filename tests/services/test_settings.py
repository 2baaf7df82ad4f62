"""Document settings (services/settings.py): read with plain SQL (defaults for a file
that does not hold them), saved all or nothing with a history line and a field
version per changed setting, every limit checked at its boundary, the logo checked by
its first bytes and by Pillow (scaled down when big), and the tabs' services reading
the settings from the document: whom Needs ranks the trust among, its tolerance, the
reviews-due window and the grace before a return counts as missing."""

from __future__ import annotations

import io
import sqlite3
import sys
from datetime import date

import pytest

from cypdesk.common.errors import ValidationError
from cypdesk.services import monitoring, records
from cypdesk.services.needs import NOT_RANKED_ENGLAND, indicator_summaries, resolve_areas
from cypdesk.services.service_map import query_rows
from cypdesk.services.settings import (
    DEFAULTS, LOGO_MAX_BYTES, check_logo, comparator_options, describe, load_logo, read_settings, save_settings,
)

TODAY = date(2026, 3, 15)


def _png(width: int, height: int, *, noise: bool = False) -> bytes:
    from PIL import Image

    if noise:
        import os

        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (0, 94, 165))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


# --- reading -----------------------------------------------------------------------------------

def test_a_file_without_the_new_columns_reads_the_defaults_and_what_it_has(tmp_path):
    """A document table from before schema 9 (title and rating scale only): those are
    read, everything else is its default; a file with no settings row reads DEFAULTS."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE document (id TEXT, title TEXT, rating_scale TEXT, created_at TEXT)")
        assert read_settings(conn) == DEFAULTS
        conn.execute("INSERT INTO document VALUES ('d', 'Old trust', 'trajectory', '2024-01-01')")
        got = read_settings(conn)
    assert (got.title, got.rating_scale) == ("Old trust", "trajectory")
    assert (got.small_number_threshold, got.comparator_set, got.tolerance_pct, got.review_window_days,
            got.return_grace_days, got.logo) == (5, "statistical_neighbours", 5.0, 30, 30, None)


def test_the_demo_reads_its_settings_through_sqlite3_and_a_workspace_alike(ws, demo_master):
    with sqlite3.connect(f"file:{demo_master}?mode=ro", uri=True) as conn:
        plain = read_settings(conn)
    assert plain == read_settings(ws)
    assert plain.trust_name == "Riverside Children's Trust" and plain.tolerance_pct == 5.0


# --- saving ------------------------------------------------------------------------------------

def test_each_changed_setting_gets_a_history_line_and_a_field_version(ws):
    """Saving three settings of which one is unchanged records two: the row's clock
    stamp moves, each changed field's version carries that stamp, history names the old
    and new values; the document is marked as changed."""
    change = save_settings(ws, {"tolerance_pct": "7.5", "review_window_days": 14,
                                "trust_name": "Riverside Children's Trust"})
    assert change.kind == "document"
    assert change.before == {"tolerance_pct": 5.0, "review_window_days": 30}
    assert change.after == {"tolerance_pct": 7.5, "review_window_days": 14}
    with query_rows(ws) as run:
        stamp = run("SELECT hlc FROM document")[0][0]
        # the demo's own settings lines (by the installation that wrote the demo) aside
        mine = f"author_id = '{ws.author.id}'"
        versions = dict(run(f"SELECT field, hlc FROM field_versions WHERE table_name = 'document' AND {mine}"))
        history = run("SELECT field, old_value, new_value, author_name FROM history "
                      f"WHERE table_name = 'document' AND {mine} ORDER BY field")
    assert versions == {"tolerance_pct": stamp, "review_window_days": stamp}
    assert [h[:3] for h in history] == [("review_window_days", "30", "14"), ("tolerance_pct", "5.0", "7.5")]
    assert ws.doc.dirty
    got = read_settings(ws)
    assert (got.tolerance_pct, got.review_window_days) == (7.5, 14)


def test_saving_the_before_of_a_change_undoes_it(ws):
    change = save_settings(ws, {"comparator_set": "England only", "small_number_threshold": "10"})
    assert read_settings(ws).comparator_set == "england"
    save_settings(ws, change.before)
    got = read_settings(ws)
    assert (got.comparator_set, got.small_number_threshold) == ("statistical_neighbours", 5)


def test_nothing_changed_records_nothing(ws):
    with query_rows(ws) as run:
        before = run("SELECT count(*) FROM history WHERE table_name = 'document'")
    assert save_settings(ws, {"tolerance_pct": 5, "return_grace_days": "30"}).after == {}
    with query_rows(ws) as run:
        assert run("SELECT count(*) FROM history WHERE table_name = 'document'") == before


@pytest.mark.parametrize(("name", "low", "high"), [
    ("small_number_threshold", 2, 50),
    ("tolerance_pct", 0, 50),
    ("review_window_days", 1, 365),
    ("return_grace_days", 0, 120),
])
def test_each_limit_is_inclusive_and_a_step_outside_is_refused(ws, name, low, high):
    save_settings(ws, {name: low})
    assert getattr(read_settings(ws), name) == low
    save_settings(ws, {name: high})
    assert getattr(read_settings(ws), name) == high
    for outside in (low - 1, high + 1):
        with pytest.raises(ValidationError) as refused:
            save_settings(ws, {name: outside})
        assert f"must be from {low:g} to {high:g}" in refused.value.message
        assert refused.value.facts["problems"][0]["field"] == name
        assert getattr(read_settings(ws), name) == high


def test_one_refused_value_saves_none_and_every_problem_is_named(ws):
    with query_rows(ws) as run:
        before = run("SELECT count(*) FROM history WHERE table_name = 'document'")
    with pytest.raises(ValidationError) as refused:
        save_settings(ws, {"tolerance_pct": "7,5", "review_window_days": "2.5", "comparator_set": "county",
                           "title": "", "trust_name": "A new name"})
    fields = [p["field"] for p in refused.value.facts["problems"]]
    assert fields == ["tolerance_pct", "review_window_days", "comparator_set", "title"]
    assert "'county' is not one of: Statistical neighbours, Region, England only" in refused.value.message
    assert "Title is required" in refused.value.message
    assert read_settings(ws).trust_name == "Riverside Children's Trust"  # the valid one was not saved either
    with query_rows(ws) as run:
        assert run("SELECT count(*) FROM history WHERE table_name = 'document'") == before


def test_an_unknown_setting_is_refused_by_name(ws):
    with pytest.raises(ValidationError, match="'colour' is not a document setting"):
        save_settings(ws, {"colour": "blue"})


# --- the logo ----------------------------------------------------------------------------------

def test_a_small_png_or_jpeg_is_kept_as_it_is(ws):
    png, jpeg = _png(300, 120), _jpeg(200, 200)
    assert check_logo(png, "crest.png") == png and check_logo(jpeg, "crest.jpg") == jpeg
    save_settings(ws, {"logo": png})
    assert read_settings(ws).logo == png
    assert describe(read_settings(ws))["logo"] == {"format": "PNG", "bytes": len(png), "width": 300, "height": 120}
    with query_rows(ws) as run:
        new = run("SELECT new_value FROM history WHERE field = 'logo'")[0][0]
    assert new.startswith('"PNG 300x120,') and len(new) < 100  # history words, not the bytes
    save_settings(ws, {"logo": None})
    assert read_settings(ws).logo is None


def test_a_big_logo_is_scaled_down_to_1000_pixels_and_then_until_it_fits_in_1_mb():
    from PIL import Image

    plain = check_logo(_png(3000, 1500), "plain.png")  # one colour: small in bytes, big in pixels
    with Image.open(io.BytesIO(plain)) as image:
        assert image.format == "PNG" and image.size == (1000, 500)
    big = _png(1500, 1500, noise=True)  # random pixels do not compress: about 6.4 MB, 3 MB at 1000 pixels
    assert len(big) > LOGO_MAX_BYTES
    kept = check_logo(big, "huge.png")
    assert len(kept) <= LOGO_MAX_BYTES
    with Image.open(io.BytesIO(kept)) as image:  # 1000, then 700 (1.5 MB), then 489 pixels
        assert image.format == "PNG" and image.size[0] == image.size[1] and 200 <= image.size[0] < 700
    wide = check_logo(_jpeg(4000, 1000), "banner.jpg")
    with Image.open(io.BytesIO(wide)) as image:
        assert image.format == "JPEG" and image.size == (1000, 250)


@pytest.mark.parametrize(("data", "words"), [
    (b"GIF89a" + b"\0" * 100, "crest.gif is not a PNG or JPEG image"),
    (b"%PDF-1.7 not an image", "crest.gif is not a PNG or JPEG image"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "crest.gif could not be read as a PNG image"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 50, "crest.gif could not be read as a JPEG image"),
])
def test_anything_but_a_readable_png_or_jpeg_is_refused_naming_the_file(data, words):
    with pytest.raises(ValidationError) as refused:
        check_logo(data, "crest.gif")
    assert words in refused.value.message


def test_load_logo_names_the_file_and_the_document_keeps_its_old_logo(ws, tmp_path):
    good = tmp_path / "crest.png"
    good.write_bytes(_png(64, 64))
    save_settings(ws, {"logo": load_logo(good)})
    bad = tmp_path / "minutes.docx"
    bad.write_bytes(b"PK\x03\x04 a Word file")
    with pytest.raises(ValidationError, match="minutes.docx is not a PNG or JPEG image"):
        save_settings(ws, {"logo": load_logo(bad)})
    assert read_settings(ws).logo == good.read_bytes()


def test_without_pillow_the_first_bytes_and_1_mb_decide(monkeypatch):
    """With Pillow made unimportable (sys.modules["PIL"] = None): a PNG is kept as it
    is, a PNG over 1 MB is refused (it cannot be scaled), a GIF is still refused."""
    small, big = _png(50, 50), _png(1500, 1500, noise=True)
    monkeypatch.setitem(sys.modules, "PIL", None)
    assert check_logo(small, "a.png") == small
    with pytest.raises(ValidationError, match=r"big.png is 6\.\d MB; a logo may be at most 1 MB"):
        check_logo(big, "big.png")
    with pytest.raises(ValidationError, match="not a PNG or JPEG"):
        check_logo(b"GIF89a....", "a.gif")


# --- the tabs read them --------------------------------------------------------------------------

def test_compare_with_chooses_whom_needs_ranks_the_trust_among(ws):
    """Statistical neighbours (the demo's six), the region's other local authorities
    (none in the demo until two are placed in it) or England only (no rank, saying
    why); the choices say what the data supports."""
    areas = resolve_areas(_plain(ws))
    assert areas.compare_with == "statistical_neighbours" and len(areas.neighbour_ids) == 6
    options = {value: (supported, note) for value, _label, supported, note in comparator_options(_plain(ws))}
    assert options["statistical_neighbours"] == (True, "Statistical neighbours: 6 areas")
    assert options["region"][0] is False and "South West" in options["region"][1]
    assert options["england"][0] is True

    save_settings(ws, {"comparator_set": "england"})
    with query_rows(ws) as run:
        home = run("SELECT id, parent_id FROM areas WHERE is_home = 1")[0]
        neighbours = [r[0] for r in run("SELECT area_id FROM comparator_members ORDER BY rank")]
    conn = _plain(ws)
    assert resolve_areas(conn).neighbour_ids == ()
    ranked = [s for s in indicator_summaries(conn) if s.value is not None and s.unit != "count"]
    assert ranked and all(s.neighbours.rank is None and s.neighbours.method == NOT_RANKED_ENGLAND for s in ranked)

    for area_id in neighbours[:2]:  # two neighbours are in the trust's region after all
        records.update(ws, "areas", area_id, {"parent_id": home[1]})
    save_settings(ws, {"comparator_set": "region"})
    conn = _plain(ws)
    region = resolve_areas(conn)
    assert region.set_name == "Local authorities in South West" and set(region.neighbour_ids) == set(neighbours[:2])
    assert all(s.neighbours.of <= 3 for s in indicator_summaries(conn))
    assert dict((v, s) for v, _l, s, _n in comparator_options(_plain(ws)))["region"] is True


def _plain(ws):
    """A plain sqlite3 connection on the workspace's (unsaved) working copy."""
    return sqlite3.connect(f"file:{ws.doc.working_path}?mode=ro", uri=True)


def test_the_tolerance_for_values_without_an_interval_is_the_documents(ws):
    by_value = [s for s in indicator_summaries(_plain(ws)) if "±5%" in s.comparison.method]
    assert by_value
    save_settings(ws, {"tolerance_pct": 20})
    after = {s.indicator_id: s for s in indicator_summaries(_plain(ws))}
    assert all("±20%" in after[s.indicator_id].comparison.method for s in by_value)
    given = {s.indicator_id: s for s in indicator_summaries(_plain(ws), tolerance_pct=5)}
    assert all(given[s.indicator_id].comparison == s.comparison for s in by_value)  # a caller's own still wins


def test_reviews_due_follow_the_documents_window(ws):
    within_30 = monitoring.reviews_due(ws, TODAY)
    assert within_30 == monitoring.reviews_due(ws, TODAY, 30)
    save_settings(ws, {"review_window_days": 13})
    assert monitoring.reviews_due(ws, TODAY) == monitoring.reviews_due(ws, TODAY, 13)
    assert len(monitoring.reviews_due(ws, TODAY)) == len(within_30) - 3


def test_the_settings_agree_with_the_models_fields():
    """The labels, limits, defaults and choices here (read without SQLAlchemy) are the
    ones the model declares for the document's columns."""
    from cypdesk.model.fields import fields_of
    from cypdesk.model.system import DocumentInfo
    from cypdesk.services.settings import COMPARATOR_SETS, SETTINGS

    declared = dict(fields_of(DocumentInfo))
    for name, (label, _kind, low, high) in SETTINGS.items():
        meta = declared[name]
        assert (meta.label, meta.minimum, meta.maximum) == (label, low, high), name
        column = DocumentInfo.__table__.columns[name]
        if column.default is not None and not callable(column.default.arg):
            assert column.default.arg == getattr(DEFAULTS, name), name
    assert tuple(declared["comparator_set"].choices.items) == COMPARATOR_SETS


def test_the_overviews_reviews_follow_the_same_window(ws):
    from cypdesk.services.overview import attention

    def reviews():
        return next(s for s in attention(_plain(ws), TODAY) if s.key == "reviews_due")

    assert reviews().title == "Reviews due within 30 days"
    assert len(reviews().items) == len(monitoring.reviews_due(ws, TODAY))
    save_settings(ws, {"review_window_days": 13})
    assert reviews().title == "Reviews due within 13 days"
    assert len(reviews().items) == len(monitoring.reviews_due(ws, TODAY, 13))
