"""A 50-page meeting pack with charts and long tables (issue 10): cypdesk's
``write_pack_pdf`` against a bare reportlab document of the same pages, tables and
charts, in the same run.

The pack: 5 papers of about 10 pages each (purpose, recommendations, 4 sections of
prose, an appendix with a 70-row action table and a 12-row budget table, and two
charts: spending bars and budget against outturn). The bare document: the same text
as Paragraphs in the same DejaVu fonts, the same tables (Paragraph cells, header row
repeated, the same column widths), the same charts drawn the same way (matplotlib figure -> SVG -> svglib
drawing), in one SimpleDocTemplate with a plain "Page n" footer: no agenda, no
contents, no bookmarks, no "of N", no stamps, no escaping. A third measure,
``charts``, only draws the charts, to show their share.

Each measure runs in a fresh process per round (A B C, alternated, after a warm-up),
timing the build inside the process (imports excluded) and reporting its peak RSS.

    .venv/bin/python bench/bench_papers.py [--rounds N]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import json, resource, sys, tempfile, time
from datetime import date, datetime
sys.path.insert(0, sys.argv[2])
from cypdesk.common.paperdoc import (Appendix, Block, Cell, Column, MeetingPack, PackItem, PaperDoc, Recommendation,
                                     Row, Run, Section, Table)
from cypdesk.io.charts.spec import budget_chart, spend_chart

mode = sys.argv[1]

def prose(n):
    return (f"Paragraph {n}: the Children and Young People's Plan commits the Trust to a commissioning strategy; "
            "the key actions agreed for the year are located across numerous areas of activity, including "
            "communications, workforce development and the use of resources. ") * 3

def paper(i):
    rows = [Row([Cell(str(r + 1)), Cell(f"Action {r + 1}: develop the commissioning framework and handbook"),
                 Cell("WT5: Commissioning"), Cell("Outline agreed by the Board; detailed framework to be developed."),
                 Cell("", rating=("green", "amber", "red")[r % 3]), Cell("March 2026")]) for r in range(70)]
    cols = [Column("n", "No.", align="right"), Column("a", "Action"), Column("s", "Plan section"),
            Column("p", "Progress"), Column("r", "Rating", "rating"), Column("d", "Report to Board")]
    money = [Column("q", "Quarter")] + [Column(k, k.capitalize(), "money", align="right")
                                         for k in ("budget", "spend", "forecast", "variance")]
    budget = [Row([Cell(f"Q{q % 4 + 1} {2025 + q // 4}")] + [Cell(f"£{(q + 1) * v:,}") for v in (125000, 98000, 131000, 6000)])
              for q in range(12)]
    charts = [spend_chart(f"Spend by service type, paper {i}", ["Early help", "Fostering", "Youth work", "Short breaks"],
                          [120000 + i, 480500, 64250, 210000]),
              budget_chart(f"Budget and forecast outturn, paper {i}",
                           [[f"2025-26 Q{q}", 1_500_000, 1_450_000 + q * 30_000, ""] for q in range(1, 5)])]
    sections = [Section(f"s{k}", f"Section {k}", [Block("paragraph", [Run(prose(n))]) for n in range(5)])
                for k in range(4)]
    appendix = Appendix("A", "Action plan and budget", "action_plan", {},
                        [Table("Action plan progress", cols, rows), Table("Budget by quarter", money, budget), *charts])
    return PaperDoc(f"p{i}", 1, "final", f"Paper {i}: commissioning strategy update", "Children's Trust Board",
                    date(2026, 1, 18), str(i + 3), "Officer", None, "OFFICIAL", [Block("paragraph", [Run(prose(0))])],
                    False, None, [Recommendation(1, "The Board notes the update.")], sections, [appendix],
                    "Riverside Children's Trust", None, datetime(2026, 1, 8, 9, 30))

docs = [paper(i) for i in range(5)]
pack = MeetingPack("Children's Trust Board", date(2026, 1, 18), "Town Hall", "Riverside Children's Trust", None,
                   [PackItem(d.agenda_item, d.title, d) for d in docs])
out = tempfile.mktemp(suffix=".pdf")

def bare():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable
    from cypdesk.io.charts.spec import figure_for
    from cypdesk.io.papers.pdf_parts import column_widths, figure_drawing
    from cypdesk.io.papers.text import styles
    st = styles()
    story = [Paragraph("Agenda", st["title"])]
    for d in docs:
        story += [PageBreak(), Paragraph(d.title, st["title"]), Paragraph("Purpose", st["h1"]),
                  Paragraph(d.purpose[0].runs[0].text, st["body"]), Paragraph("Recommendations", st["h1"]),
                  Paragraph(d.recommendations[0].text, st["body"])]
        for s in d.sections:
            story.append(Paragraph(s.heading, st["h1"]))
            story += [Paragraph(b.runs[0].text, st["body"]) for b in s.blocks]
        story += [PageBreak(), Paragraph(d.appendices[0].title, st["h1"])]
        for item in d.appendices[0].items:
            if isinstance(item, Table):
                data = [[Paragraph(c.label, st["head_cell"]) for c in item.columns]]
                data += [[Paragraph(c.text, st["cell"]) for c in r.cells] for r in item.rows]
                widths = column_widths(item.columns, [[c.text for c in r.cells] for r in item.rows], 170 * mm)
                story += [Paragraph(item.title, st["h3"]), RLTable(data, colWidths=widths, repeatRows=1), Spacer(0, 6)]
            else:
                story.append(figure_drawing(figure_for(item), 170 * mm))
    def footer(canv, doc):
        canv.setFont("DejaVuSans", 8)
        canv.drawRightString(190 * mm, 10 * mm, f"Page {canv.getPageNumber()}")
    doc = SimpleDocTemplate(out, pagesize=A4, initialFontName="DejaVuSans")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    from pypdf import PdfReader
    return len(PdfReader(out).pages)

def charts():
    from cypdesk.io.charts.spec import figure_for
    from cypdesk.io.papers.pdf_parts import figure_drawing
    for d in docs:
        for item in d.appendices[0].items[2:]:
            figure_drawing(figure_for(item), 480)
    return 0

import cypdesk.io.papers.pdf as pdf  # imports outside the timing, in every mode
import matplotlib.figure, svglib.svglib  # noqa
start = time.perf_counter()
if mode == "cypdesk":
    pages = pdf.write_pack_pdf(pack, out).pages
elif mode == "bare":
    pages = bare()
else:
    pages = charts()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "pages": pages,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def run(mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, mode, str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    rounds = 3
    if "--rounds" in sys.argv:
        rounds = int(sys.argv[sys.argv.index("--rounds") + 1])
    modes = ("bare", "cypdesk", "charts")
    for mode in modes:  # warm-up (font caches, matplotlib's font list)
        run(mode)
    results: dict[str, list[dict]] = {m: [] for m in modes}
    for _ in range(rounds):
        for mode in modes:
            results[mode].append(run(mode))
    ratios = [c["seconds"] / b["seconds"] for b, c in zip(results["bare"], results["cypdesk"])]

    def fig(values: list[float], unit: str = " s", digits: int = 2) -> str:
        return f"{statistics.median(values):.{digits}f}{unit} [{min(values):.{digits}f}-{max(values):.{digits}f}]"

    print(f"{rounds} rounds; median [min-max]")
    for mode in modes:
        r = results[mode]
        print(f"{mode:8} {fig([x['seconds'] for x in r])}  pages {r[0]['pages']:>3}  "
              f"peak RSS {fig([x['peak_mb'] for x in r], ' MB', 0)}")
    print(f"cypdesk / bare: {statistics.median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}] (target 2x, stretch 1.5x)")
    share = [c["seconds"] / p["seconds"] for c, p in zip(results["charts"], results["cypdesk"])]
    print(f"charts' share of the pack: {statistics.median(share):.0%}")


if __name__ == "__main__":
    main()
