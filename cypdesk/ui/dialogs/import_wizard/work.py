"""What the import wizard runs on the worker: no Qt here, plain functions over the import
use case (:mod:`cypdesk.services.importing`), each taking the worker's progress object
(``report(done, total, text)`` and ``cancelled()``).

- :func:`read_file`: the file's sheets (hidden ones marked), the chosen sheet's first
  rows as they are (title and note rows, the heading row), the table the import reads
  and the mapping guessed for it (remembered from an earlier import of the same layout);
- :func:`reshape`: a wide table unpivoted (years or measures across the columns);
- :func:`make_plan`: the import worked out without writing (the preview), with the
  source rows the preview grid shows (the first :data:`PREVIEW_ROWS` and every row
  with a problem);
- :func:`do_import`: the import, in one transaction, cancellable;
- :func:`write_problems`: the problem list as a CSV the officer can send back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RAW_ROWS = 60           # rows of the sheet shown as they are, to see where the table is
PREVIEW_ROWS = 300      # source rows shown in the preview grid ...
MAX_PROBLEM_ROWS = 2000  # ... and rows with problems beyond them, up to this many
LINK_ROWS = 40          # new organisations the preview offers to link; the others are created

# The kinds an officer imports into (issue 9, item 1), in the order the File menu's
# wizard lists them; the first is offered when no tab says otherwise.
IMPORT_KINDS = ("contracts", "services", "organisations", "people", "payments", "indicator_values", "indicators",
                "areas", "teams", "agreements", "contributions", "returns", "measures", "measurements",
                "evidence", "priorities", "actions", "risks")

# What a tab's Import… button imports, where it is not the tab's own kind: the Needs
# tab lists indicators, and what arrives for it is their values.
TAB_IMPORT_KIND = {"indicators": "indicator_values"}


def kind_label(kind: str) -> str:
    """"Contracts", "Indicator values": the kind as the wizard names it."""
    from cypdesk.model.catalog import CATALOG

    label = CATALOG[kind]["label"] if kind in CATALOG else kind.replace("_", " ")
    plural = label if label.endswith("s") or label == "evidence" else label + "s"
    if plural.endswith("ys") and not plural.endswith(("eys", "ays")):
        plural = plural[:-2] + "ies"
    return plural[:1].upper() + plural[1:]


@dataclass
class SheetChoice:
    name: str
    hidden: bool = False


@dataclass
class Opened:
    """A file read for the wizard's table step."""

    path: Path
    kind: str
    sheets: list[SheetChoice]         # empty for a CSV or JSON file
    sheet: str | None                 # the sheet the table is in
    raw: list[Any]                    # the sheet's first rows as they are (io.workbook Row)
    header_rows: list[int]            # the heading row(s) found, as Excel numbers them
    table: Any                        # the SourceTable the import reads
    mapping: Any                      # the Mapping guessed (or preset by the format, or remembered)
    notes: list[str] = field(default_factory=list)
    samples: dict[str, list[Any]] = field(default_factory=dict)  # heading -> its first values


SAMPLE_ROWS = 20


def samples_of(table: Any) -> dict[str, list[Any]]:
    """A few values of each column (from its first rows), to show beside its heading."""
    out: dict[str, list[Any]] = {h: [] for h in table.headers}
    for count, row in enumerate(table.rows()):
        for header, value in zip(table.headers, row.values):
            if value not in (None, "") and len(out[header]) < 5 and value not in out[header]:
                out[header].append(value)
        if count + 1 >= SAMPLE_ROWS:
            break
    return out


def _report(progress: Any, text: str) -> None:
    if progress is not None:
        progress.report(0, 0, text)


def read_file(ws: Any, path: str | Path, kind: str, *, sheet: str | None = None, header_row: int | None = None,
              progress: Any = None) -> Opened:
    """Open ``path`` for an import into ``kind``. With several sheets holding tables and
    no ``sheet``, the first of them is taken (the officer sees them all and may choose
    another). Refusals (not a workbook, a zip bomb, no table...) are raised as the
    reading layer words them."""
    from cypdesk.common.errors import CypdeskError
    from cypdesk.services.importing.source import open_source

    path = Path(path)
    _report(progress, f"Reading {path.name}…")
    sheets, workbook = _sheets(path)
    try:
        table = open_source(path, kind=kind, sheet=sheet, header_row=header_row)
    except CypdeskError as exc:
        choices = exc.facts.get("sheets") if sheet is None else None
        if not choices:
            raise
        table = open_source(path, kind=kind, sheet=choices[0], header_row=header_row)
    raw: list[Any] = []
    if workbook is not None and (table.sheet is not None or workbook.format == "csv"):
        name = table.sheet if table.sheet is not None else workbook.sheets[0].name
        try:
            for row in workbook.sheet(name).rows():
                raw.append(row)
                if len(raw) >= RAW_ROWS:
                    break
        except CypdeskError:
            raw = []
    header_rows = _heading_rows(raw, table, header_row)
    _report(progress, "Matching the columns…")
    mapping = guess(ws, table, kind)
    return Opened(path=path, kind=kind, sheets=sheets, sheet=table.sheet, raw=raw, header_rows=header_rows,
                  table=table, mapping=mapping, notes=list(table.notes), samples=samples_of(table))


def _sheets(path: Path) -> tuple[list[SheetChoice], Any]:
    """The workbook's sheets, hidden ones marked (none for CSV, nor for what is not a
    workbook: open_source says what it is)."""
    from cypdesk.common.errors import CypdeskError

    try:
        from cypdesk.io.workbook import open_workbook

        workbook = open_workbook(path)
    except CypdeskError:
        return [], None
    if workbook.format == "csv":
        return [], workbook
    return [SheetChoice(s.name, bool(s.hidden)) for s in workbook.sheets], workbook


def _heading_rows(raw: list[Any], table: Any, header_row: int | None) -> list[int]:
    """The heading row(s) of the table among ``raw``: as io.tablefind found them, else
    the first row whose cells are the table's headings."""
    if header_row is not None:
        return [header_row]
    try:
        from cypdesk.io import tablefind

        return list(tablefind.locate(raw).header_rows) if raw else []
    except Exception:  # noqa: BLE001 - a table from a format of the field need not be found this way
        pass
    wanted = [str(h).strip().casefold() for h in table.headers if str(h).strip()]
    for row in raw:
        cells = [str(v).strip().casefold() for v in row.values if v not in (None, "")]
        if cells and cells == wanted[:len(cells)]:
            return [row.number]
    return []


def guess(ws: Any, table: Any, kind: str) -> Any:
    """The format's own mapping when it has one, else the guess by label and synonym,
    with what an earlier import of the same layout used first."""
    from cypdesk.services.importing.mapping import Mapping, guess_mapping, remembered_mapping

    if table.preset is not None:
        preset = table.preset
        if isinstance(preset, Mapping):
            return preset
        mapping = Mapping.from_json({"kind": kind, **dict(preset)} if "columns" in preset
                                    else {"kind": kind, "columns": dict(preset)})
        mapping.reasons = {h: f"as the {table.format} format says" for h in mapping.columns}
        return mapping
    remembered = remembered_mapping(ws, table.layout, kind) if ws is not None else None
    return guess_mapping(kind, list(table.headers), remembered=remembered)


def reshape(ws: Any, table: Any, kind: str, columns: list[str], name_header: str,
            value_header: str) -> tuple[Any, Any, dict[str, list[Any]]]:
    """``table`` with ``columns`` turned into rows, the mapping guessed for it and a
    few values of each of its columns."""
    try:
        from cypdesk.services.importing.reshape import unpivot
    except ImportError:  # where the formats part keeps it
        from cypdesk.services.importing.formats.reshape import unpivot  # type: ignore[no-redef]
    shaped = unpivot(table, columns, name_header=name_header, value_header=value_header)
    return shaped, guess(ws, shaped, kind), samples_of(shaped)


@dataclass
class Plan:
    result: Any                       # the engine's ImportResult (nothing written)
    rows: list[Any]                   # SourceRow shown in the preview grid, in file order
    more_rows: bool                   # the file has rows beyond those shown
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # new organisation -> (id, name), closest first


def link_names(result: Any) -> list[str]:
    """The organisations a plan would create, and those the officer linked instead."""
    return [*result.created.get("organisations", []), *result.linked.get("organisations", {})]


def link_choices(ws: Any, names: list[str], progress: Any = None) -> dict[str, list[tuple[str, str]]]:
    """For each new organisation's name, the document's organisations closest first."""
    from cypdesk.services.importing.linking import closest_first, organisations

    if not names:
        return {}
    _report(progress, "Finding organisations with names like the new ones…")
    known = organisations(ws)
    return {name: closest_first(name, known) for name in names[:LINK_ROWS]}


def options_for(kind: str, mapping: Any, where: list[tuple[str, str]], *, skip_invalid: bool,
                create_missing: bool, progress: Any = None, dry_run: bool = False) -> Any:
    from cypdesk.services.importing.engine import ImportOptions

    return ImportOptions(kind=kind, mapping=mapping, where=list(where), skip_invalid=skip_invalid,
                         dry_run=dry_run, create_missing=create_missing,
                         progress=(lambda done, total, what: progress.report(done, total or 0, what))
                         if progress is not None else None,
                         cancelled=progress.cancelled if progress is not None else None)


def make_plan(ws: Any, table: Any, options: Any, progress: Any = None) -> Plan:
    """The import worked out without writing, and the rows the preview grid shows."""
    from cypdesk.services.importing.engine import plan_import

    result = plan_import(ws, table, options)
    kept = _filter(table, options.where)
    problem_rows = {p.row for p in result.problems if p.row is not None}
    last_problem = max(problem_rows, default=0)
    rows: list[Any] = []
    more = False
    shown_problems = 0
    _report(progress, "Reading the rows to show…")
    for index, row in enumerate(r for r in table.rows() if kept(r)):
        if progress is not None and progress.cancelled():
            from cypdesk.services.importing.engine import Cancelled

            raise Cancelled("The preview was cancelled.")
        if index < PREVIEW_ROWS:
            rows.append(row)
        elif row.number in problem_rows and shown_problems < MAX_PROBLEM_ROWS:
            rows.append(row)
            shown_problems += 1
        else:
            more = True
        if index >= PREVIEW_ROWS and (row.number > last_problem or shown_problems >= MAX_PROBLEM_ROWS):
            more = True
            break
    return Plan(result=result, rows=rows, more_rows=more)


def _filter(table: Any, where: list[tuple[str, str]]) -> Any:
    """Whether a row meets the filter (compared as the engine does: text without case
    or extra spaces), so the preview shows only the rows the import reads."""
    from cypdesk.services.importing.source import normalise_heading
    from cypdesk.services.importing.values import shown

    heads = [normalise_heading(h) for h in table.headers]
    tests = [(heads.index(normalise_heading(h)), " ".join(str(v).split()).casefold())
             for h, v in where if normalise_heading(h) in heads]

    def keep(row: Any) -> bool:
        for index, wanted in tests:
            cell = row.values[index] if index < len(row.values) else None
            if " ".join((shown(cell) or "").split()).casefold() != wanted:
                return False
        return True

    return keep


def do_import(ws: Any, table: Any, options: Any) -> Any:
    """The import itself: one transaction (a refusal or a cancel writes nothing)."""
    from cypdesk.services.importing.engine import run_import

    return run_import(ws, table, options)


PROBLEM_HEADERS = ("File", "Sheet", "Row", "Column", "Heading", "Value", "Problem")


def problem_cells(problem: Any) -> list[Any]:
    return [problem.file, problem.sheet or "", problem.row if problem.row is not None else "",
            problem.column or "", problem.header or "", problem.value if problem.value is not None else "",
            problem.reason]


def write_problems(problems: list[Any], out: str | Path) -> dict[str, Any]:
    """The problems as a CSV (UTF-8 for Excel, formula-looking text made safe)."""
    from cypdesk.io.xlsx import write_csv

    kinds = ["text", "text", "integer", "text", "text", "text", "text"]
    return write_csv(out, list(PROBLEM_HEADERS), (problem_cells(p) for p in problems), kinds)
