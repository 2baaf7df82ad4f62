"""The paper's content survives its JSON form exactly (a final paper's snapshot)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cypdesk.common.paperdoc import (
    Appendix, Block, Cell, Chart, Column, Contact, MeetingPack, PackItem, PaperDoc,
    PaperDocError, Recommendation, Row, Run, Section, Table, Text, plain_text,
)

texts = st.text(max_size=12)
maybe_text = st.none() | texts
runs = st.builds(Run, texts, st.booleans(), st.booleans())
blocks = st.builds(Block, st.sampled_from(["heading", "paragraph", "bullet", "numbered"]),
                   st.lists(runs, max_size=3), st.integers(1, 3))
scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=True, allow_infinity=True) | texts
           | st.dates() | st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.tuples(inner, inner) | st.dictionaries(texts, inner, max_size=3), max_leaves=8)
owners = st.lists(st.uuids().map(str), max_size=2).map(tuple)


@st.composite
def tables(draw):
    columns = draw(st.lists(st.builds(Column, texts, texts, st.sampled_from(["text", "count", "money", "rating"]),
                                      st.booleans(), st.booleans(), st.sampled_from(["left", "right"])),
                            min_size=1, max_size=3))
    cells = st.builds(Cell, texts, values, st.none() | st.sampled_from(["green", "amber", "red"]),
                      st.booleans(), st.booleans())
    rows = draw(st.lists(st.builds(Row, st.lists(cells, min_size=len(columns), max_size=len(columns)),
                                   owners, st.booleans(), st.booleans()), max_size=3))
    return Table(draw(texts), columns, rows, draw(texts), draw(st.booleans()))


charts = st.builds(Chart, texts, texts, texts, st.dictionaries(texts, values, max_size=3), owners, st.booleans())
items = st.one_of(tables(), charts, st.builds(Text, st.lists(blocks, max_size=2)))
appendices = st.builds(Appendix, st.sampled_from("ABC"), texts, texts, st.dictionaries(texts, values, max_size=2),
                       st.lists(items, max_size=3), st.booleans())
docs = st.builds(
    PaperDoc, paper_id=texts, version=st.integers(1, 9), status=st.sampled_from(["draft", "final"]),
    title=texts, board=texts, meeting_date=st.none() | st.dates(), agenda_item=maybe_text, author=maybe_text,
    contact=st.none() | st.builds(Contact, texts, maybe_text, maybe_text), marking=texts,
    purpose=st.lists(blocks, max_size=2), key_decision=st.booleans(), wards_affected=maybe_text,
    recommendations=st.lists(st.builds(Recommendation, st.integers(1, 20), texts, maybe_text, maybe_text), max_size=2),
    sections=st.lists(st.builds(Section, texts, texts, st.lists(blocks, max_size=2), st.booleans()), max_size=2),
    appendices=st.lists(appendices, max_size=2), trust_name=maybe_text, logo=st.none() | st.binary(max_size=20),
    data_taken_at=st.none() | st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)),
    for_partner=maybe_text, language=st.just("en-GB"),
)


@settings(max_examples=60, deadline=None)
@given(docs)
def test_any_paper_reads_back_equal_from_its_json(doc):
    """Every field of every part (cells' dates, nested tuples, NaN, the logo's bytes)
    compares equal after to_json/from_json."""
    text = doc.to_json()
    assert PaperDoc.from_json(text) == doc
    assert PaperDoc.from_json(text).to_json() == text


@settings(max_examples=20, deadline=None)
@given(st.lists(st.builds(PackItem, texts, texts, st.none() | docs), max_size=2), st.dates())
def test_a_meeting_pack_reads_back_equal_from_its_json(items, held):
    pack = MeetingPack("Children's Trust Board", held, "Room 1", "Trust", b"\x89PNG", items, None)
    assert MeetingPack.from_json(pack.to_json()) == pack


def _example() -> PaperDoc:
    table = Table("Actions", [Column("title", "Action"), Column("children", "Children", "count", counts=True)],
                  [Row([Cell("Start hubs"), Cell("c", 3, suppressed=True)], owners=("org-1",))], wide=True)
    return PaperDoc(
        "p1", 2, "final", "Early help", "Board", dt.date(2026, 3, 31), "7", "Ann Lee",
        Contact("Ann Lee", "01234 567890", "ann@example.org"), "OFFICIAL",
        [Block("paragraph", [Run("To ", False), Run("agree", True)])], True, "All",
        [Recommendation(1, "Agree the plan", "agreed", None)],
        [Section("background", "Background", [Block("bullet", [Run("one")], 2)], confidential=True)],
        [Appendix("A", "Action plan", "action_plan", {"overdue_only": True},
                  [table, Chart("rag", "Ratings", "3 green, 1 red", {"counts": {"green": 3}}), Text([])])],
        "Trust", b"\x00\xff", dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc))


def test_the_json_writes_dates_as_iso_strings_and_the_logo_as_base64():
    data = json.loads(_example().to_json())
    assert data["meeting_date"] == "2026-03-31"
    assert data["data_taken_at"] == "2026-03-01T09:30:00+00:00"
    assert data["logo"] == "AP8="
    assert data["content_version"] == 1
    assert data["appendices"][0]["items"][0]["rows"][0]["cells"][1] == {
        "text": "c", "value": 3, "rating": None, "suppressed": True, "withheld": False}
    assert plain_text(_example().purpose) == "To agree"


def test_a_row_with_the_wrong_number_of_cells_is_refused_when_made():
    with pytest.raises(ValueError, match="row 1 of the table 'T' has 1 cells for 2 columns"):
        Table("T", [Column("a", "A"), Column("b", "B")], [Row([Cell("x")])])


@pytest.mark.parametrize("text, words", [
    ("not json", "not readable"),
    ("[1, 2]", "not a JSON object"),
    ('{"content_version": 2}', "newer cypdesk"),
    ('{"content_version": 1, "paper_id": "x"}', "damaged"),
])
def test_damaged_or_newer_content_is_refused_in_plain_words(text, words):
    with pytest.raises(PaperDocError, match=words):
        PaperDoc.from_json(text)


def test_a_value_json_cannot_hold_is_refused_when_written():
    doc = _example()
    doc.appendices[0].items[0].rows[0].cells[0].value = object()
    with pytest.raises(TypeError, match="cannot hold object"):
        doc.to_json()


@pytest.mark.parametrize("value", [{"$date": "2026-01-01"}, {"$dict": {"a": 1}}, {"$datetime": [1]}])
def test_data_that_looks_like_the_date_tags_reads_back_as_it_was(value):
    """A chart's own dict whose one key is "$date" is not mistaken for a date."""
    chart = Chart("bars", "t", "d", {"x": value})
    doc = _example()
    doc.appendices[0].items[1] = chart
    assert PaperDoc.from_json(doc.to_json()).appendices[0].items[1] == chart
