"""Board papers made by hand for the renderer tests (no document file needed): a paper
shaped like seed 004 (North Yorkshire Children's Trust Board, an action-progress table
and a financial appendix), with as many rows and sections as a test asks for."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cypdesk.common.paperdoc import (
    Appendix,
    Block,
    Cell,
    Chart,
    Column,
    Contact,
    MeetingPack,
    PackItem,
    PaperDoc,
    Recommendation,
    Row,
    Run,
    Section,
    Table,
    Text,
)

RECOMMENDATIONS = (
    "The Board approves the establishment of the Performance and Commissioning Sub-Group.",
    "The Board comments on the proposed arrangements for budget monitoring.",
)
ACTIONS = (
    ("Develop a clear Commissioning Framework.", "WT5: Commissioning",
     "Outline commissioning framework agreed by Board in July 2009. Detailed framework to be developed.", "green"),
    ("Develop a Commissioning Strategy Handbook as a key commissioning tool.", "WT5: Commissioning",
     "Handbook in development, based on Commissioning Support Programme guidance.", "amber"),
    ("Develop an assessment framework for commissioning to demonstrate progress.", "WT4: Performance",
     "Adopt the assessment framework developed by the Commissioning Support Programme.", "red"),
)
# A pooled budget appendix: contributions, spend, forecast and variance (money, right aligned).
BUDGET = (
    ("North Yorkshire County Council", 1_250_000, 1_180_400, 1_262_100),
    ("NHS North Yorkshire and York", 830_000, 790_250, 845_900),
    ("North Yorkshire Police", 45_000, 41_200, 44_100),
)


def para(text: str, kind: str = "paragraph", level: int = 1) -> Block:
    return Block(kind, [Run(text)], level)


def money(value: float) -> str:
    return f"£{value:,.0f}"


def action_table(rows: int = 3) -> Table:
    columns = [Column("number", "Action", "integer", align="right"), Column("title", "Action"),
               Column("section", "CYPP section"), Column("progress", "Progress"),
               Column("rating", "Rating", "rating"), Column("report", "Report to Board", "date")]
    body = []
    for i in range(rows):
        title, section, progress, rating = ACTIONS[i % len(ACTIONS)]
        body.append(Row([Cell(str(i + 1), i + 1), Cell(title), Cell(section), Cell(progress),
                         Cell("", rating, rating=rating), Cell("March 2010")]))
    return Table("Progress against the commissioning actions", columns, body,
                 note="Source: the action plan, as the Monitoring tab shows it.")


def budget_table(wide: bool = False) -> Table:
    columns = [Column("partner", "Partner"), Column("contribution", "Contribution", "money", align="right"),
               Column("spend", "Spend to date", "money", align="right"),
               Column("forecast", "Forecast outturn", "money", align="right"),
               Column("variance", "Variance", "money", align="right")]
    rows = [Row([Cell(p), Cell(money(c), c), Cell(money(s), s), Cell(money(f), f), Cell(money(f - c), f - c)])
            for p, c, s, f in BUDGET]
    tc, ts, tf = (sum(r[i] for r in BUDGET) for i in (1, 2, 3))
    rows.append(Row([Cell("Total"), Cell(money(tc), tc), Cell(money(ts), ts), Cell(money(tf), tf),
                     Cell(money(tf - tc), tf - tc)], total=True))
    return Table("Pooled budget monitoring, 2025-26", columns, rows, wide=wide)


def counts_table() -> Table:
    columns = [Column("area", "Area"), Column("cin", "Children in need", "integer", counts=True, align="right"),
               Column("cla", "Looked after", "integer", counts=True, align="right")]
    rows = [Row([Cell("Harrogate"), Cell("c", 3, suppressed=True), Cell("c", 12, suppressed=True)]),
            Row([Cell("Scarborough"), Cell("c", 8, suppressed=True), Cell("c", 2, suppressed=True)]),
            Row([Cell("Selby"), Cell("0", 0), Cell("17", 17)])]
    return Table("Children by area", columns, rows)


def make_paper(*, title: str = "Commissioning Strategy: Update", sections: int = 3, action_rows: int = 3,
               appendices: bool = True, wide_budget: bool = True, charts: list[Chart] | None = None,
               section_paragraphs: int = 2, extra_items: list[Any] | None = None, agenda_item: str = "7",
               recommendations: tuple[str, ...] = RECOMMENDATIONS, for_partner: str | None = None) -> PaperDoc:
    purpose = [para("To update the Board on progress towards the development and implementation of a "
                    "commissioning strategy for the Children's Trust.")]
    body_sections = []
    names = ["Background", "Issues and considerations", "Options considered", "Risk management",
             "Financial implications", "Legal implications", "Equality implications", "Consultees",
             "Background papers"]
    for i in range(sections):
        blocks = [para("Context", "heading")]
        for n in range(section_paragraphs):
            blocks.append(Block("paragraph", [Run(f"Paragraph {n + 1} of section {i + 1}: the Children and Young "
                                                  "People's Plan commits the Trust to a "),
                                              Run("commissioning strategy", bold=True), Run(" that is "),
                                              Run("evidence-based", italic=True), Run(".")]))
        blocks += [para("Assess, plan, do, review", "bullet"), para("Sub-group meets monthly", "bullet", 2),
                   para("Agree the framework", "numbered"), para("Publish the handbook", "numbered")]
        body_sections.append(Section(f"s{i}", names[i % len(names)] + ("" if i < len(names) else f" {i}"), blocks))
    apps = []
    if appendices:
        items: list[Any] = [action_table(action_rows), counts_table()]
        items += charts or []
        items.append(Text([para("Actions rated red are reported to the Board each month.")]))
        items += extra_items or []
        apps.append(Appendix("A", "Action plan progress", "action_plan", {}, items))
        apps.append(Appendix("B", "Pooled budget monitoring", "pooled_budgets", {"year": 2025},
                             [budget_table()], wide=wide_budget))
    return PaperDoc(
        paper_id="p-1", version=1, status="final", title=title, board="North Yorkshire Children's Trust Board",
        meeting_date=date(2026, 1, 18), agenda_item=agenda_item, author="David O'Brien",
        contact=Contact("David O'Brien", "01609 780780", "david.obrien@example.gov.uk"), marking="OFFICIAL",
        purpose=purpose, key_decision=True, wards_affected="All wards",
        recommendations=[Recommendation(i + 1, t) for i, t in enumerate(recommendations)],
        sections=body_sections, appendices=apps, trust_name="North Yorkshire Children's Trust", logo=None,
        data_taken_at=datetime(2026, 1, 8, 9, 30), for_partner=for_partner)


def make_pack(papers: list[PaperDoc], *, without_paper: tuple[str, ...] = ()) -> MeetingPack:
    items = [PackItem(d.agenda_item or str(i + 1), d.title, d) for i, d in enumerate(papers)]
    items += [PackItem(n, "Any other business", None) for n in without_paper]
    return MeetingPack("North Yorkshire Children's Trust Board", date(2026, 1, 18), "County Hall, Northallerton",
                       "North Yorkshire Children's Trust", None, items)
