"""Return templates for partners (issue 9 item 13; DESIGN.md section 6): a blank Excel
workbook a partner fills in and sends back, that imports with no mapping step.

:func:`write_template` writes, with openpyxl:

- a data sheet named for the kind ("Contracts"), whose first row holds the field
  labels the window shows (a required field's label ends with `` *``), bold, frozen,
  locked; every other row of those columns is unlocked and carries the field's number
  format (dates ``dd/mm/yyyy``, money ``£#,##0.00``, identifiers and other text as Text,
  so "02165763" keeps its zero and "=..." stays words) and a data validation with an
  input message saying what to enter: drop-downs for choices and yes/no, and for
  references (organisations, services, outcomes...), financial years and periods filled
  from the document's lists when one is given; whole numbers, decimals and dates
  checked. The sheet is protected without a password (the headings stay as they are;
  rows may be inserted and deleted, columns widened), and the workbook's structure is
  locked so the sheets stay as they are;
- an "Instructions" sheet: what to fill in, the forms of dates and amounts, each
  column's meaning, and who to send it back to;
- a *very hidden* sheet ``cypdesk`` (Excel shows very hidden sheets only to macros):
  the kind, :data:`TEMPLATE_VERSION`, the data sheet's name and header row, and for each
  column its heading, the field behind it and the import target; and a very hidden
  ``cypdesk lists`` sheet holding the drop-downs' values (named ranges).

Text from the document (organisation names, the trust's name) is written as text cells,
never formulas (reliability anchor 55).

:func:`read_template` recognises such a workbook by its ``cypdesk`` sheet and returns
its table with a preset mapping (``format="template"``), so the importer needs no
mapping step; any other file gives None.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cypdesk.common.errors import CypdeskError, SaveFailed, UsageError, error_from
from cypdesk.model.catalog import CATALOG

TEMPLATE_VERSION = 1
META_SHEET = "cypdesk"
LISTS_SHEET = "cypdesk lists"
INSTRUCTIONS_SHEET = "Instructions"
HEADER_ROW = 1
LAST_ROW = 1_048_576  # validations and formats cover every row Excel has
REQUIRED_MARK = " *"
MAX_LIST = 20_000  # values in one drop-down list (a document's organisations, say)
NOT_TEMPLATE_KINDS = ("import_records", "organisation_merges")  # bookkeeping, never returned by partners
META_TITLE = "cypdesk return template"

# Excel's limits on a validation's texts.
PROMPT_TITLE_LIMIT, PROMPT_LIMIT, ERROR_LIMIT = 32, 255, 225

NUMBER_FORMATS = {
    "money": "£#,##0.00",
    "percent": '0.0"%"',
    "number": "#,##0.########",
    "integer": "#,##0",
    "quarter": "0",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
TEXT_FORMAT = "@"
MIN_WIDTH = {"date": 12, "datetime": 17, "money": 14, "long_text": 50, "reference": 28, "text": 22}
MAX_WIDTH = 60
EARLIEST, LATEST = date(1950, 1, 1), date(2099, 12, 31)  # the dates a template's date columns accept


class TemplateError(CypdeskError):
    """A workbook that says it is a cypdesk return template but cannot be read as one
    (its hidden ``cypdesk`` sheet damaged, from a newer cypdesk, or for another kind)."""

    code = "bad_template"
    exit_code = 1


@dataclass(frozen=True)
class TemplateColumn:
    field: str  # the field of the kind ("provider_id")
    label: str  # its label in the window ("Provider")
    kind: str  # the field's kind (cypdesk.model.fields.KINDS)
    target: str  # the import target: the field, or FIELD.SUBFIELD for a reference ("provider_id.name")
    required: bool
    help: str
    choices: tuple[tuple[str, str], ...] | None
    references: str | None
    minimum: float | None
    maximum: float | None

    @property
    def header(self) -> str:
        return self.label + (REQUIRED_MARK if self.required else "")


def template_kinds() -> list[str]:
    """The kinds a return template can be made for (every kind but bookkeeping)."""
    return [kind for kind in CATALOG if kind not in NOT_TEMPLATE_KINDS]


def sheet_title(kind: str) -> str:
    """The data sheet's name: the table's name in words ("Indicator values")."""
    return kind.replace("_", " ").capitalize()


def template_columns(kind: str) -> list[TemplateColumn]:
    """The columns of a template for ``kind``: its fields as the record form shows them
    (bookkeeping left out), in declared order. A required field is marked, except a
    yes/no field (blank is No)."""
    if kind not in CATALOG or kind in NOT_TEMPLATE_KINDS:
        raise UsageError(f"There is no kind called {kind!r} to make a template for; the kinds are: "
                         + ", ".join(template_kinds()) + ".")
    out = []
    for spec in CATALOG[kind]["fields"]:
        if spec.get("system"):
            continue
        ref = spec.get("references") if spec["kind"] == "reference" else None
        target = f"{spec['name']}.{CATALOG[ref]['title']}" if ref in CATALOG else spec["name"]
        out.append(TemplateColumn(
            field=spec["name"], label=spec["label"], kind=spec["kind"], target=target,
            required=bool(spec.get("required")) and spec["kind"] != "bool", help=spec.get("help", ""),
            choices=tuple(tuple(c) for c in spec["choices"]) if "choices" in spec else None,
            references=ref, minimum=spec.get("minimum"), maximum=spec.get("maximum")))
    return out


# --- writing ------------------------------------------------------------------------------

def write_template(kind: str, out: str | Path, *, ws: Any = None, today: date | None = None) -> Path:
    """Write a blank return template for ``kind`` to ``out`` (``.xlsx``), atomically
    (a temporary file beside it, moved into place). ``ws``: the document whose lists
    fill the drop-downs (a workspace, an engine or a ``sqlite3`` connection); without
    it, choices, yes/no, financial years and periods still have drop-downs, references
    only an input message. ``today`` picks the financial years offered (tests fix it).
    Returns ``out``. Raises :class:`UsageError` (unknown kind, not ``.xlsx``) and
    ``SaveFailed`` or the ``OSError`` of the file layer when it cannot be written."""
    _write(kind, Path(out), ws, today)
    return Path(out)


def _write(kind: str, target: Path, ws: Any, today: date | None) -> dict[str, int]:
    """:func:`write_template`'s work; returns how many values each drop-down offers."""
    from cypdesk.io.xlsx import atomic_output

    columns = template_columns(kind)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"{target.name}: a return template is an Excel workbook; name it .xlsx.", path=target)
    today = today or date.today()
    if ws is not None:
        from cypdesk.services.export import sqlite_of

        with sqlite_of(ws) as conn:
            lists = _document_lists(conn, kind, columns, today)
            facts = _document_facts(conn)
    else:
        lists = _document_lists(None, kind, columns, today)
        facts = {}
    book = _build(kind, columns, lists, facts, today)
    with atomic_output(target, ".xlsx") as tmp:
        book.save(tmp)
    return {name: len(values) for name, values in lists.items()}


def _document_facts(conn: sqlite3.Connection) -> dict[str, Any]:
    """The document's id and who to send a return back to (the trust's or owner's name)."""
    try:
        row = conn.execute("SELECT d.id, d.title, d.trust_name, o.name FROM document d "
                           "LEFT JOIN organisations o ON o.id = d.owner_org_id LIMIT 1").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such" not in str(exc):  # an older document without those columns: nothing to say
            raise
        return {}
    if row is None:
        return {}
    return {"document_id": row[0], "title": row[1], "send_to": row[2] or row[3]}


def _document_lists(conn: sqlite3.Connection | None, kind: str, columns: list[TemplateColumn],
                    today: date) -> dict[str, list[str]]:
    """Each drop-down's values by field: choice labels, Yes/No, the referenced records'
    titles, financial years and periods (the document's and the years around today)."""
    from cypdesk.common.periods import MAX_YEAR, MIN_YEAR, Period, financial_year_of, format_financial_year

    this_year = financial_year_of(today)
    lists: dict[str, list[str]] = {}
    for col in columns:
        if col.choices is not None:
            lists[col.field] = [label for _value, label in col.choices]
        elif col.kind == "bool":
            lists[col.field] = ["Yes", "No"]
        elif col.kind == "reference" and col.references and conn is not None:
            title = CATALOG[col.references]["title"]
            titles = _column(conn, f'SELECT DISTINCT "{title}" FROM "{col.references}" WHERE "{title}" IS NOT NULL '
                                   f'AND trim(CAST("{title}" AS TEXT)) <> \'\' ORDER BY "{title}" COLLATE NOCASE '
                                   f'LIMIT {MAX_LIST}')
            if titles:
                lists[col.field] = [str(t) for t in titles]
        elif col.kind == "financial_year":
            years = set(range(this_year - 3, this_year + 2))
            if conn is not None:
                years |= {int(y) for y in _column(conn, f'SELECT DISTINCT "{col.field}" FROM "{kind}" '
                                                        f'WHERE typeof("{col.field}") = \'integer\'')
                          if MIN_YEAR <= int(y) <= MAX_YEAR}
            lists[col.field] = [format_financial_year(y) for y in sorted(years)]
        elif col.kind == "period":
            periods = {Period.financial_year(y) for y in range(this_year - 2, this_year + 1)}
            periods |= set(Period.financial_year(this_year).quarters())
            if conn is not None:
                for key in _column(conn, f'SELECT DISTINCT "{col.field}" FROM "{kind}" LIMIT {MAX_LIST}'):
                    try:
                        periods.add(Period.from_key(str(key)))
                    except ValueError:
                        continue
            ordered = sorted(periods, key=lambda p: (p.start_date(), p.end_date()))
            lists[col.field] = [p.label() for p in ordered]
    return lists


def _column(conn: sqlite3.Connection, sql: str) -> list[Any]:
    """The first column of a query's rows; none when an older document lacks the table
    or column (its lists are then the template's own)."""
    try:
        return [row[0] for row in conn.execute(sql)]
    except sqlite3.OperationalError as exc:
        if "no such" in str(exc):
            return []
        raise


def _text(cell: Any, value: Any) -> Any:
    """Put text in a cell as text: openpyxl would make "=..." a formula (anchor 55)."""
    cell.value = None if value is None else str(value)
    if cell.value is not None:
        cell.data_type = "s"
    return cell


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _what_to_enter(col: TemplateColumn, values: list[str] | None) -> str:
    """The words of a column's input message and of its line in the instructions."""
    kind = col.kind
    help_ = col.help.strip()
    if col.choices is not None:
        what = "Choose from the list."
    elif kind == "bool":
        what = "Yes or No (blank means No)."
    elif kind == "reference":
        noun = CATALOG[col.references]["label"] if col.references in CATALOG else "record"
        what = (f"The {noun}'s name as the list has it; a name not in the list is added as a new {noun}."
                if values else f"The {noun}'s name.")
    elif kind == "money":
        what = "An amount in pounds, e.g. 12500.50 (no £ needed)."
    elif kind == "percent":
        what = "A percentage as a number: 12.5 for 12.5% (no % sign)."
    elif kind in ("number",):
        what = "A number."
    elif kind == "integer":
        what = "A whole number."
    elif kind == "quarter":
        what = "The quarter of the financial year: 1 (Apr-Jun), 2, 3 or 4 (Jan-Mar)."
    elif kind == "date":
        what = "A date, e.g. 31/03/2026."
    elif kind == "datetime":
        what = "A date and time, e.g. 31/03/2026 14:30."
    elif kind == "financial_year":
        what = "A financial year, e.g. 2025-26."
    elif kind == "period":
        what = "A period, e.g. 2025-26 (a financial year), 2025-26 Q1, Mar 2026 or 2024/25 (an academic year)."
    elif kind == "identifier":
        what = "A code or number, exactly as written (leading zeros kept)."
    elif kind == "email":
        what = "An email address."
    else:
        what = "Text."
    bounds = _bounds(col)
    if bounds[0] is not None and bounds[1] is not None and kind in ("money", "number", "integer", "percent"):
        what = what.rstrip(".") + f", from {_num(bounds[0])} to {_num(bounds[1])}."
    elif bounds[0] is not None and kind in ("money", "number", "integer"):
        what = what.rstrip(".") + f", at least {_num(bounds[0])}."
    if col.required:
        what = "Must be filled in. " + what
    return f"{help_} {what}".strip() if help_ else what


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _bounds(col: TemplateColumn) -> tuple[float | None, float | None]:
    low, high = col.minimum, col.maximum
    if col.kind == "percent":
        low = 0 if low is None else low
        high = 100 if high is None else high
    return low, high


def _build(kind: str, columns: list[TemplateColumn], lists: dict[str, list[str]], facts: dict[str, Any],
           today: date) -> Any:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection

    book = openpyxl.Workbook()
    instructions = book.active
    instructions.title = INSTRUCTIONS_SHEET
    data = book.create_sheet(sheet_title(kind))
    meta = book.create_sheet(META_SHEET)
    list_sheet = book.create_sheet(LISTS_SHEET)
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]

    # The drop-downs' values: one column each on the lists sheet, named "cypdesk_<field>".
    named: dict[str, str] = {}
    from openpyxl.workbook.defined_name import DefinedName

    list_col = 0
    for col in columns:
        values = lists.get(col.field)
        if not values:
            continue
        list_col += 1
        letter = get_column_letter(list_col)
        _text(list_sheet.cell(row=1, column=list_col), col.field)
        for r, value in enumerate(values, start=2):
            _text(list_sheet.cell(row=r, column=list_col), value)
        name = f"cypdesk_{col.field}"
        ref = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        book.defined_names[name] = DefinedName(name, attr_text=ref)
        named[col.field] = name

    # The data sheet.
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    for i, (col, letter) in enumerate(zip(columns, letters), start=1):
        cell = _text(data.cell(row=HEADER_ROW, column=i), col.header)
        cell.font = header_font
        cell.fill = required_fill if col.required else header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.protection = Protection(locked=True)
        dim = data.column_dimensions[letter]
        dim.number_format = NUMBER_FORMATS.get(col.kind, TEXT_FORMAT)
        dim.protection = Protection(locked=False)
        if col.kind == "long_text":
            dim.alignment = Alignment(wrap_text=True, vertical="top")
        longest = max((len(v) for v in lists.get(col.field, [])[:200]), default=0)
        dim.width = min(max(len(col.header) + 3, MIN_WIDTH.get(col.kind, 12), longest + 3), MAX_WIDTH)
        data.add_data_validation(_validation(col, letter, named.get(col.field), lists.get(col.field)))
    data.row_dimensions[HEADER_ROW].height = 32
    data.freeze_panes = f"A{HEADER_ROW + 1}"
    data.protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "insertRows", "deleteRows", "sort", "autoFilter"):
        setattr(data.protection, allowed, False)  # False: allowed while the sheet is protected
    data.sheet_view.selection[0].activeCell = f"A{HEADER_ROW + 1}"
    data.sheet_view.selection[0].sqref = f"A{HEADER_ROW + 1}"

    _write_instructions(instructions, kind, columns, letters, lists, facts, today)
    _write_meta(meta, kind, columns, letters, facts, today)
    meta.sheet_state = "veryHidden"
    list_sheet.sheet_state = "veryHidden"
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)
    return book


def _validation(col: TemplateColumn, letter: str, list_name: str | None, values: list[str] | None) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    prompt = _clip(_what_to_enter(col, values), PROMPT_LIMIT)
    common = {"allow_blank": True, "showInputMessage": True, "promptTitle": _clip(col.label, PROMPT_TITLE_LIMIT),
              "prompt": prompt, "errorTitle": _clip(col.label, PROMPT_TITLE_LIMIT)}
    closed = col.choices is not None or col.kind == "bool"
    low, high = _bounds(col)
    if list_name is not None:
        dv = DataValidation(type="list", formula1=list_name, showErrorMessage=True,
                            errorStyle="stop" if closed else "warning",
                            error=_clip("Choose one of the list." if closed else
                                        "That is not in the list. Keep it only if it is right: "
                                        "it will be added as new when the return is imported.", ERROR_LIMIT),
                            **common)
    elif col.kind in ("integer", "quarter"):
        if col.kind == "quarter":
            low, high = 1, 4
        dv = DataValidation(type="whole", operator="between", formula1=str(int(low if low is not None else -10**9)),
                            formula2=str(int(high if high is not None else 10**12)), showErrorMessage=True,
                            errorStyle="stop", error=_clip(f"A whole number. {prompt}", ERROR_LIMIT), **common)
    elif col.kind in ("money", "number", "percent"):
        dv = DataValidation(type="decimal", operator="between", formula1=_num_formula(low, -1e15),
                            formula2=_num_formula(high, 1e15), showErrorMessage=True, errorStyle="stop",
                            error=_clip(f"A number. {prompt}", ERROR_LIMIT), **common)
    elif col.kind in ("date", "datetime"):
        dv = DataValidation(type="date", operator="between", formula1=_serial(EARLIEST), formula2=_serial(LATEST),
                            showErrorMessage=True, errorStyle="stop",
                            error=_clip(f"A date between {EARLIEST:%d/%m/%Y} and {LATEST:%d/%m/%Y}, e.g. 31/03/2026.",
                                        ERROR_LIMIT),
                            **common)
    elif col.kind == "email":
        dv = DataValidation(type="custom", formula1=f'ISNUMBER(FIND("@",{letter}{HEADER_ROW + 1}))',
                            showErrorMessage=True, errorStyle="warning",
                            error="That does not look like an email address.", **common)
    else:
        dv = DataValidation(**common)
    dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{LAST_ROW}")
    return dv


def _serial(day: date) -> str:
    """A date as Excel's serial number (a validation's bound)."""
    from openpyxl.utils.datetime import to_excel

    return str(int(to_excel(day)))


def _num_formula(value: float | None, default: float) -> str:
    value = default if value is None else value
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _write_instructions(sheet: Any, kind: str, columns: list[TemplateColumn], letters: list[str],
                        lists: dict[str, list[str]], facts: dict[str, Any], today: date) -> None:
    from openpyxl.styles import Alignment, Font

    noun = CATALOG[kind]["label"]
    data_name = sheet_title(kind)
    send_to = facts.get("send_to")
    lines: list[tuple[str, str | None]] = [
        (f"Return template: {data_name}", "title"),
        (f"Made by cypdesk on {today:%d/%m/%Y}" + (f" for {send_to}." if send_to else "."), None),
        ("", None),
        ("How to fill it in", "heading"),
        (f"1. On the sheet '{data_name}', fill in one row for each {noun}, starting at row {HEADER_ROW + 1}. "
         "Leave the heading row as it is: cypdesk reads the columns by their headings.", None),
        ("2. Columns marked * must be filled in; leave a cell blank when you do not know the value.", None),
        ("3. Where a cell has a drop-down, choose from it. A name that is not in a list of names "
         "(organisations, services...) is added as new when the return is imported, so check the spelling.", None),
        ("4. Dates as dd/mm/yyyy (31/03/2026). Amounts in pounds as numbers (12500.50, no £ needed). "
         "Percentages as numbers (12.5 for 12.5%). Financial years as 2025-26.", None),
        ("5. Do not rename, hide or reorder the sheets. The sheet is protected (without a password) "
         "only to keep the headings in place: you can add and delete rows and widen columns.", None),
        ("6. Save it as an Excel workbook (.xlsx) and send it back to "
         + (f"{send_to}." if send_to else "the person who sent it to you."), None),
        ("", None),
        ("The columns", "heading"),
    ]
    for r, (text, style) in enumerate(lines, start=1):
        cell = _text(sheet.cell(row=r, column=1), text)
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "heading":
            cell.font = Font(bold=True, size=12)
    top = len(lines) + 1
    for c, heading in enumerate(("Column", "Heading", "Must be filled in", "What to enter"), start=1):
        _text(sheet.cell(row=top, column=c), heading).font = Font(bold=True)
    for r, (col, letter) in enumerate(zip(columns, letters), start=top + 1):
        _text(sheet.cell(row=r, column=1), letter)
        _text(sheet.cell(row=r, column=2), col.header)
        _text(sheet.cell(row=r, column=3), "Yes" if col.required else "No")
        what = _what_to_enter(col, lists.get(col.field)).removeprefix("Must be filled in. ")
        if col.choices is not None:
            what = what.replace("Choose from the list.", "One of: " + "; ".join(label for _v, label in col.choices)
                                + ".")
        cell = _text(sheet.cell(row=r, column=4), what)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["C"].width = 18
    sheet.column_dimensions["D"].width = 90
    for r in range(1, top):
        sheet.cell(row=r, column=1).alignment = Alignment(wrap_text=False, vertical="top")
    sheet.protection.sheet = True  # read, not edited: no password


def _write_meta(sheet: Any, kind: str, columns: list[TemplateColumn], letters: list[str],
                facts: dict[str, Any], today: date) -> None:
    rows: list[list[Any]] = [
        [META_TITLE, "cypdesk reads this sheet to import the return: do not change it."],
        ["kind", kind],
        ["version", TEMPLATE_VERSION],
        ["sheet", sheet_title(kind)],
        ["header row", HEADER_ROW],
        ["made on", today.isoformat()],
        ["document", facts.get("document_id") or ""],
        [],
        ["column", "heading", "field", "target", "field kind"],
    ]
    rows += [[letter, col.header, col.field, col.target, col.kind] for col, letter in zip(columns, letters)]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, int):
                sheet.cell(row=r, column=c, value=value)
            else:
                _text(sheet.cell(row=r, column=c), value)
    sheet.protection.sheet = True


# --- the command line's use case -------------------------------------------------------

def template_file(kind: str, out: str | Path, *, document: str | Path | None = None,
                  today: date | None = None) -> dict[str, Any]:
    """``cypdesk template``: a template for ``kind`` at ``out``, its drop-downs filled
    from ``document`` when given (read-only, never changed: a hot journal or WAL mode is
    read through a private copy). Returns ``{"kind", "path", "sheet", "columns",
    "lists", "from"}``. A missing, foreign or damaged document raises the usual errors;
    a fault writing ``out`` is the fault's error naming it; nothing is left half written."""
    target = Path(out).absolute()
    columns = template_columns(kind)
    if target.suffix.lower() != ".xlsx":
        raise UsageError(f"{target.name}: a return template is an Excel workbook; name it .xlsx.", path=target)
    consequence = "Nothing was written." if document is None else \
        "Nothing was written; the document has not been changed."
    lists: dict[str, int] = {}

    def write(ws: Any) -> None:
        try:
            lists.update(_write(kind, target, ws, today))
        except SaveFailed as exc:
            from cypdesk.services.export import os_fault

            fault = os_fault(exc)
            if fault is None:
                raise
            raise error_from(fault, path=target, doing="write", base=SaveFailed, consequence=consequence) from exc
        except OSError as exc:
            raise error_from(exc, path=target, doing="write", base=SaveFailed, consequence=consequence) from exc

    source = None
    if document is None:
        write(None)
    else:
        from cypdesk.model.reading import read_only_connection

        src = Path(document).absolute()
        source = str(src)
        if target == src:
            raise UsageError(f"Write the template to a new file, not {src.name} itself.", path=target)
        with read_only_connection(src) as (conn, _r):
            try:
                write(conn)
            except sqlite3.Error as exc:
                raise error_from(exc, path=src, doing="read", consequence="Nothing was written.") from exc
    return {"kind": kind, "path": str(target), "sheet": sheet_title(kind), "columns": [c.header for c in columns],
            "lists": lists, "from": source}


# --- reading a completed template -------------------------------------------------------

def is_template(path: str | Path) -> bool:
    """Whether ``path`` is an Excel workbook with a sheet named ``cypdesk`` (cheap: reads
    the workbook's list of sheets only, safely; anything odd is "no", left to the
    reader's own refusals)."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 10 * 1024 * 1024:
                return False
            xml = zf.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, EOFError, ValueError, RuntimeError):
        return False
    if b"<!DOCTYPE" in xml.upper() or b"<!ENTITY" in xml.upper():
        return False
    try:
        from defusedxml import ElementTree as DET

        root = DET.fromstring(xml)
    except Exception:  # noqa: BLE001 -- damaged or hostile: not recognised here, refused by the reader
        return False
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    return any(sheet.get("name") == META_SHEET for sheet in root.iter(f"{ns}sheet"))


def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def read_template(path: str | Path, *, kind: str | None = None) -> Any:
    """The table of a completed return template at ``path`` (a
    :class:`cypdesk.services.importing.source.SourceTable` with ``format="template"`` and
    a preset :class:`~cypdesk.services.importing.mapping.Mapping`: no mapping step), or
    None when ``path`` is not a cypdesk return template. ``kind``: the kind the caller
    imports; a template for another kind is refused (:class:`TemplateError`), as is one
    whose hidden sheet is damaged or from a newer cypdesk. Columns are found by their
    headings (a partner who moved one loses nothing), or at their own letter when the
    heading there was changed; a column the template did not have is ignored; both are
    said in ``notes``. Blank rows are skipped."""
    if not is_template(path):
        return None
    from cypdesk.services.importing.mapping import Mapping
    from cypdesk.services.importing.opened import workbook
    from cypdesk.services.importing.source import SourceRow, SourceTable

    path = Path(path)
    with workbook(path) as book:  # checked once: reading the rows again reuses the check
        info = _read_meta(book, path)
        if kind is not None and info["kind"] != kind:
            raise TemplateError(
                f"{path.name} is a return template for {info['kind'].replace('_', ' ')}, not "
                f"{kind.replace('_', ' ')}: import it as {info['kind']}.", path=path, template_kind=info["kind"])
        sheet_name = info["sheet"]
        if sheet_name not in book.sheet_names:
            raise TemplateError(f"{path.name} has lost its sheet {sheet_name!r}, so the return cannot be read; "
                                "ask for it to be filled in again on a new template.", path=path, sheet=sheet_name)
        header_row = info["header_row"]
        header_values: list[Any] = []
        for row in book.sheet(sheet_name).rows():
            if row.number >= header_row:
                header_values = list(row.values) if row.number == header_row else []
                break
        notes = [w for w in book.warnings if "hidden sheets" not in w]
    headers, letters, columns = _match_columns(info["columns"], header_values, sheet_name, notes)
    width = len(headers)

    def rows() -> Iterator[SourceRow]:
        with workbook(path) as again:
            for row in again.sheet(sheet_name).rows():
                if row.number <= header_row:
                    continue
                values = list(row.values[:width]) + [None] * (width - len(row.values[:width]))
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                yield SourceRow(number=row.number, values=values, hidden=row.hidden)

    mapping = Mapping(kind=info["kind"], columns=columns,
                      reasons={h: "return template" for h, t in columns.items() if t is not None})
    return SourceTable(path=path, sheet=sheet_name, headers=headers, letters=letters, rows=rows, notes=notes,
                       format="template", preset=mapping)


def _match_columns(wanted: list[dict[str, str]], header_values: list[Any], sheet_name: str,
                   notes: list[str]) -> tuple[list[str], list[str], dict[str, str | None]]:
    """(headings, their letters, heading -> target) of the data sheet: each template
    column found by its heading (with or without the * a partner may have taken off),
    else at its own letter when the heading there was changed to one the template does
    not have (said in ``notes``); a column the template did not make maps to nothing
    (said too); a column without a heading is called "Column X"."""
    from openpyxl.utils import get_column_letter

    values = list(header_values)
    while values and values[-1] in (None, ""):
        values.pop()
    headers = ["" if v is None else str(v).strip() for v in values]
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    by_heading = {_norm(h): i for i, h in enumerate(headers) if h}
    ours = {_norm(c["heading"]) for c in wanted} | {_norm(c["heading"].removesuffix(REQUIRED_MARK)) for c in wanted}
    found: dict[int, str] = {}
    for col in wanted:
        i = by_heading.get(_norm(col["heading"]), by_heading.get(_norm(col["heading"].removesuffix(REQUIRED_MARK))))
        if i is None and col["letter"] in letters:
            at = letters.index(col["letter"])
            if at not in found and _norm(headers[at]) not in ours:
                i = at
                notes.append(f"Column {col['letter']} on the sheet {sheet_name!r} is headed {headers[at]!r}; "
                             f"the template headed it {col['heading']!r}: read as {col['heading']!r}.")
        if i is None or i in found:
            notes.append(f"The column {col['heading']!r} is no longer on the sheet {sheet_name!r}: "
                         "nothing is read for it.")
            continue
        found[i] = col["target"]
    columns: dict[str, str | None] = {}
    for i, h in enumerate(headers):
        if not h:
            headers[i] = h = f"Column {letters[i]}"
        elif i not in found:
            notes.append(f"Column {letters[i]} ({h}) on the sheet {sheet_name!r} is not one of the "
                         "template's columns: it is not imported.")
        columns[h] = found.get(i)
    return headers, letters, columns


def _read_meta(book: Any, path: Path) -> dict[str, Any]:
    """The hidden sheet's facts: kind, version, data sheet, header row, columns."""
    def bad(why: str) -> TemplateError:
        return TemplateError(f"{path.name} looks like a cypdesk return template but {why}; ask for the return "
                             "on a new template (cypdesk template).", path=path)

    values: dict[str, Any] = {}
    columns: list[dict[str, str]] = []
    in_columns = False
    for row in book.sheet(META_SHEET).rows():
        cells = [None if v is None else v for v in row.values] + [None] * 5
        if not in_columns:
            if row.number == 1 and str(cells[0] or "") != META_TITLE:
                raise bad("its hidden sheet 'cypdesk' was not written by cypdesk")
            if cells[0] == "column":
                in_columns = True
            elif cells[0] is not None:
                values[str(cells[0])] = cells[1]
            continue
        if cells[0] is None:
            continue
        letter, heading, field, target, _kind = (str(c) if c is not None else "" for c in cells[:5])
        columns.append({"letter": letter, "heading": heading, "field": field, "target": target})
    try:
        version = int(values.get("version"))
        header_row = int(values.get("header row"))
    except (TypeError, ValueError):
        raise bad("its hidden sheet 'cypdesk' is damaged (no version or header row)") from None
    if version > TEMPLATE_VERSION:
        raise TemplateError(f"{path.name} is a return template from a newer version of cypdesk (template version "
                            f"{version}); update cypdesk to import it.", path=path)
    kind = str(values.get("kind") or "")
    if kind not in CATALOG or kind in NOT_TEMPLATE_KINDS:
        raise bad(f"it is for {kind!r}, which this version of cypdesk does not know")
    known = {c.field: c for c in template_columns(kind)}
    unknown = [c["field"] for c in columns if c["field"] not in known]
    if unknown or not columns:
        raise bad("its hidden sheet 'cypdesk' names fields this version of cypdesk does not know ("
                  + ", ".join(unknown) + ")" if unknown else "its hidden sheet 'cypdesk' lists no columns")
    for c in columns:  # the target as this version imports the field
        c["target"] = known[c["field"]].target
    return {"kind": kind, "version": version, "sheet": str(values.get("sheet") or sheet_title(kind)),
            "header_row": header_row, "columns": columns}


__all__ = [
    "HEADER_ROW", "META_SHEET", "TEMPLATE_VERSION", "TemplateColumn", "TemplateError", "is_template",
    "read_template", "sheet_title", "template_columns", "template_file", "template_kinds", "write_template",
]
