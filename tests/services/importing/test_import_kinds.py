"""Every kind the window edits imports from a small CSV whose headings are the window's
labels and whose references name existing records by their titles (issue 9, item 1);
importing the same file again changes nothing (item 7: 0 added, 0 changed, N unchanged)."""

from __future__ import annotations

import pytest

# {org}, {area}, {service}, {agreement}, {measure}, {person}, {indicator}: titles of the
# demo's records (the first of each by title), filled in by the test.
SOURCES = {
    "organisations": "Name,Kind,Charity number\nHarbour Lights Youth Trust,voluntary,1190001\n"
                     "Northgate Care Ltd,Private,\n",
    "people": "Name,Role,Organisation,Email\nTest Person One,Lead,{org},one@example.org\n"
              "Test Person Two,Officer,{org},two@example.org\n",
    "areas": "Area,Kind,ONS GSS code,Within\nTest Ward A,ward,E05099001,{area}\nTest Ward B,ward,E05099002,{area}\n",
    "teams": "Team,Kind,Stage\nTest team A,working_group,in_place\nTest team B,,\n",
    "services": 'Service,Provider,Sector,Annual cost\nTest service A,{org},health,"£10,000"\n'
                "Test service B,,education,£2.5k\n",
    "contracts": "Contract reference,Service,Supplier,Start,End,Total value\n"
                 "T-1,{service},{org},01/04/2025,31/03/2026,1000\nT-2,{service},{org},2025-04-01,31-Mar-27,£1.2m\n",
    "agreements": "Agreement,Type,Status\nTest agreement A,pooled,draft\nTest agreement B,aligned,signed\n",
    "payments": "Date,Supplier,Amount,Description,Transaction reference\n01/05/2025,Acme Widgets,100.50,Widgets,TX1\n"
                "02/05/2025,Acme Widgets,200,Gadgets,TX2\n",
    "indicators": "Code,Indicator,Unit,Polarity\nT1,Test indicator A,percent,higher_better\n"
                  "T2,Test indicator B,count,lower_better\n",
    "indicator_values": "Indicator,Area,Period,Value\n{indicator},{area},2009-10,12.5\n{indicator},{area},2008-09,c\n",
    "evidence": "Title,Date,Participants\nTest survey A,01/02/2025,30\nTest survey B,,\n",
    "priorities": "Priority,Rank,Status\nTest priority A,7,proposed\nTest priority B,8,agreed\n",
    "contributions": "Agreement,Partner,Financial year,Cash\n{agreement},{org},2030-31,1000\n{agreement},{org},2031-32,2000\n",
    "returns": "Agreement,Financial year,Quarter,Budget,Spend to date,Forecast outturn\n"
               "{agreement},2020-21,1,100,50,100\n{agreement},2020-21,Q2,100,75,110\n",
    "measures": "Measure,Service,Frequency,Target\nTest measure A,{service},quarterly,10\nTest measure B,,annual,\n",
    "measurements": "Measure,Period,Actual\n{measure},2010-11 Q1,5\n{measure},Q2 2010-11,6\n",
    "actions": "No.,Action,Status,Due\nT1,Test action A,not_started,31/12/2026\nT2,Test action B,done,\n",
    "risks": "Risk,Likelihood,Impact,Owner\nTest risk A,3,4,{person}\nTest risk B,2,2,\n",
}

TITLES = {"org": ("organisations", "name"), "area": ("areas", "name"), "service": ("services", "name"),
          "agreement": ("agreements", "title"), "measure": ("measures", "name"), "person": ("people", "name"),
          "indicator": ("indicators", "name")}


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_every_kind_imports_from_a_small_csv_and_a_reimport_is_all_unchanged(kind, importer, db):
    """Two rows of each kind are added (references found by the referenced record's
    title), with no problem; the same file again is 0 added, 0 changed, 2 unchanged."""
    names = {key: _quoted(db.one(f"SELECT {column} FROM {table} ORDER BY {column} LIMIT 1"))
             for key, (table, column) in TITLES.items()}
    text = SOURCES[kind].format(**names)
    before = db.count(kind)
    first = importer(f"{kind}.csv", text, kind)
    assert first.problems == [] and first.rejected == 0, [str(p) for p in first.problems]
    assert (first.added, first.changed, first.unchanged) == (2, 0, 0)
    assert db.count(kind) == before + 2
    again = importer(f"{kind}.csv", text, kind)
    assert (again.added, again.changed, again.unchanged, again.rejected) == (0, 0, 2, 0)
    assert db.count(kind) == before + 2
