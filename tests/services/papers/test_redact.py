"""The provider-safe paper follows outward's one rule on structured content (cases 62
and 72): confidential sections, rows and charts out, confidential values withheld
unless the partner owns the row's record, the contact out."""

from __future__ import annotations

import copy
import datetime as dt

from cypdesk.common.paperdoc import (
    Appendix, Block, Cell, Chart, Column, Contact, PaperDoc, Row, Run, Section, Table, Text,
)
from cypdesk.services import outward
from cypdesk.services.papers.appendices import build_appendix
from cypdesk.services.papers.redact import redact_doc

from .conftest import TODAY

PROVIDER = outward.Partner("org-p", "Provider Ltd")


def _doc(appendices=(), sections=None):
    return PaperDoc(
        "p1", 1, "draft", "Contracts", "Children's Trust Board", dt.date(2026, 4, 1), "7", "Ann Lee",
        Contact("Ann Lee", "01234 567890", "ann.lee@example.org"), "OFFICIAL",
        [Block("paragraph", [Run("To decide.")])], False, None, [],
        sections if sections is not None else [
            Section("background", "Background", [Block("paragraph", [Run("Open words")])]),
            Section("financial", "Financial implications", [Block("paragraph", [Run("SECRET-RATE 812")])],
                    confidential=True)],
        list(appendices), "Riverside", None, dt.datetime(2026, 3, 15, 9, 0))


def test_confidential_values_are_withheld_except_on_the_partners_own_rows():
    table = Table("Contracts", [Column("service", "Service"),
                                Column("value", "Annual value", "money", confidential=True)],
                  [Row([Cell("Ours"), Cell("£111,111", 111111)], owners=("org-p",)),
                   Row([Cell("Theirs"), Cell("£999,999", 999999)], owners=("org-q",)),
                   Row([Cell("Total"), Cell("£1,111,110", 1111110)], owners=("org-trust",), total=True)])
    doc = _doc([Appendix("A", "Contracts", "contracts_ending", {}, [table])])
    before = copy.deepcopy(doc)
    safe = redact_doc(doc, PROVIDER)
    rows = safe.appendices[0].items[0].rows
    assert [r.cells[1].text for r in rows] == ["£111,111", "", ""]
    assert [r.cells[1].withheld for r in rows] == [False, True, True]
    assert rows[1].cells[1].value is None
    text = safe.to_json()
    assert "999,999" not in text and "999999" not in text and "1,111,110" not in text
    assert doc == before, "the full version is left as it was"


def test_confidential_sections_the_contact_and_others_confidential_rows_and_charts_are_left_out():
    table = Table("Rows", [Column("a", "A")], [Row([Cell("mine")], ("org-p",), confidential=True),
                                               Row([Cell("SECRET-ROW")], ("org-q",), confidential=True),
                                               Row([Cell("open")], ("org-q",))])
    charts = [Chart("rag_table", "Mine", "d", {"rows": []}, ("org-p",), confidential=True),
              Chart("rag_table", "SECRET-CHART", "d", {"rows": []}, ("org-q",), confidential=True),
              Chart("rag_table", "Open", "d", {"rows": []}, ("org-q",))]
    doc = _doc([Appendix("A", "Mixed", "performance", {}, [table, *charts, Text([])])])
    safe = redact_doc(doc, PROVIDER)
    assert [s.key for s in safe.sections] == ["background"]
    assert safe.contact is None and safe.for_partner == "Provider Ltd"
    items = safe.appendices[0].items
    assert [r.cells[0].text for r in items[0].rows] == ["mine", "open"]
    assert [c.title for c in items if isinstance(c, Chart)] == ["Mine", "Open"]
    text = safe.to_json()
    for secret in ("SECRET-RATE", "SECRET-ROW", "SECRET-CHART", "01234 567890", "ann.lee@example.org"):
        assert secret not in text
    assert safe.author == "Ann Lee" and safe.title == doc.title


def test_a_contracts_appendix_from_the_demo_shows_a_provider_only_its_own_contract_values(wconn):
    """Sentinel values planted in every contract's annual value: the provider-safe copy
    holds its own and none of the others'."""
    ids = [r[0] for r in wconn.execute("SELECT id FROM contracts ORDER BY id")]
    for n, cid in enumerate(ids):
        wconn.execute("UPDATE contracts SET annual_value = ? WHERE id = ?", (700000 + n * 1013 + 0.37, cid))
    wconn.commit()
    appendix = build_appendix(wconn, {"letter": "A", "kind": "contracts_ending", "title": None,
                                      "options": {"within_days": 366}}, today=TODAY)
    table = appendix.items[0]
    first = table.rows[0]
    provider_id = next(o for o in first.owners if o != wconn.execute("SELECT owner_org_id FROM document").fetchone()[0])
    name = wconn.execute("SELECT name FROM organisations WHERE id = ?", (provider_id,)).fetchone()[0]
    partner = outward.Partner(provider_id, name)
    safe = redact_doc(_doc([appendix], sections=[]), partner)
    shown = {r.cells[-1].value for item in safe.appendices[0].items for r in item.rows}
    own = {r.cells[-1].value for item in appendix.items for r in item.rows if provider_id in r.owners}
    others = {r.cells[-1].value for item in appendix.items for r in item.rows if provider_id not in r.owners}
    assert own and others
    assert shown - {None} == own
    text = safe.to_json()
    for value in others:
        assert f"{value:,.0f}" not in text and repr(value) not in text
