"""Reading spreadsheets and CSVs safely, for the importer (issue 9, item 1; reliability
anchors 41-47, 51, 53). No Qt, no services: plain Python values out.

:func:`open_workbook` identifies the file by its content (magic bytes), not its name,
and notes in ``warnings`` when the two disagree. Before any cell is read it refuses,
each with a :class:`WorkbookError` subclass whose ``code`` is stable and whose message
names the file (and the sheet where there is one):

- ``not_a_workbook`` (exit 2): not a spreadsheet or CSV cypdesk can read;
  ``missing`` (exit 2): no such file;
- ``password_protected``: an encrypted OLE container (``EncryptedPackage`` /
  ``EncryptionInfo``), or an .xls calamine reports as protected;
- ``zip_bomb``: members that would expand beyond 1 GB, or more than 200 times their
  compressed size, judged from the central directory; Python's zipfile never returns
  more than a member's declared size, and the pre-flight scan counts the bytes it
  streams against the cap as well, so a lying directory cannot get past it;
- ``xml_entities``: a ``<!DOCTYPE`` or ``<!ENTITY`` in any XML part (billion laughs,
  external entities); the sheet scan parses through defusedxml, and openpyxl is only
  used when ``openpyxl.DEFUSEDXML`` is true (``unsafe_xml_reader`` otherwise);
- ``absurd_dimension``: a sheet whose ``<dimension ref=...>`` (or its farthest cell)
  declares a grid far larger than its XML could hold (the 4.8 KB sheet at XFD1048576).
  We chose to REFUSE, naming the sheet and the cell; the reader never allocates a
  declared grid in any case (openpyxl read-only with its dimensions reset, rows as
  they come);
- ``damaged_workbook``: a truncated or corrupt zip or XML;
- ``empty_workbook``: no sheet with any cell, or a CSV with no bytes.

:class:`Sheet` streams its rows (:meth:`Sheet.rows` is an iterator of :class:`Row`,
Excel row numbers) in bounded memory. For xlsx/xlsm a streamed metadata pass (one
defusedxml ``iterparse`` of the sheet XML, cleared as it goes) gives ``hidden_rows``,
``merged_ranges`` and ``formula_cells_without_value``; values are the cached results
of formulas (``data_only``). For xls and ods (python-calamine) the merged ranges come
from calamine where it knows them; hidden rows and formulas are not reported there.
CSV values are always text exactly as written (never "NA" to blank, never 00123 to 123).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cypdesk.common.errors import error_from
from cypdesk.io.calamine import calamine_can_read as _calamine_can_read, calamine_rows as _calamine_rows
from cypdesk.io.workbook_errors import (  # noqa: F401  (raised here and imported from here)
    AbsurdDimension, DamagedWorkbook, EmptyWorkbook, NotAWorkbook, PasswordProtected, UnsafeXmlReader, WorkbookError,
    WorkbookMissing, XmlEntities, ZipBomb,
)
from cypdesk.io.xlsxscan import FormulaWithoutValue, SheetScan, percent_styles, scan_sheet

_SheetMeta = SheetScan

MAX_EXPANDED = 1 << 30          # 1 GB for all members together
MAX_RATIO = 200                 # expanded / compressed, per member and overall
RATIO_FLOOR = 1 << 20           # members smaller than 1 MB expanded may compress as they like
MAX_SHEET_CELLS_PER_BYTE = 20   # a declared grid above this many cells per XML byte is absurd
ABSURD_MIN_CELLS = 5_000_000    # ... and only when it declares at least this many cells
PROLOG_BYTES = 64 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
CSV_DELIMITERS = ",;\t|"
SSML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _name(path: Path) -> str:
    return path.name


# --- values -------------------------------------------------------------------------

@dataclass
class Row:
    number: int                 # as Excel numbers it (1-based); for CSV the record's number
    values: list[Any]
    hidden: bool = False


class Sheet:
    """One sheet: its rows streamed on demand; metadata for the importer's reports."""

    def __init__(self, workbook: Workbook, name: str, *, hidden: bool = False) -> None:
        self.workbook = workbook
        self.name = name
        self.hidden = hidden
        self._meta: _SheetMeta | None = None

    # metadata (xlsx: one streamed pass; others: what the reader knows)
    def _metadata(self) -> _SheetMeta:
        if self._meta is None:
            self._meta = self.workbook._sheet_meta(self.name)
        return self._meta

    @property
    def hidden_rows(self) -> set[int]:
        return self._metadata().hidden_rows

    @property
    def merged_ranges(self) -> list[str]:
        return self._metadata().merged_ranges

    @property
    def formula_cells_without_value(self) -> list[FormulaWithoutValue]:
        return self._metadata().formulas_without_value

    @property
    def percent_columns(self) -> set[str]:
        """Letters of the columns (xlsx) with numbers formatted as percentages: Excel
        stores 12.5% as 0.125 there (see :mod:`cypdesk.io.cellvalues`, ``fraction``)."""
        return self._metadata().percent_columns

    @property
    def error_cells(self) -> dict[tuple[int, int], str]:
        """(row, 0-based column) -> Excel's error text (``#N/A``) of xlsx error cells;
        :meth:`rows` gives the text in those cells."""
        return self._metadata().error_cells

    def rows(self) -> Iterator[Row]:
        """The sheet's non-empty rows, trailing blanks trimmed, as plain values."""
        hidden = self.hidden_rows if self.workbook.format in ("xlsx", "xlsm") else set()
        for number, values in self.workbook._iter_rows(self.name):
            while values and (values[-1] is None or values[-1] == ""):
                values.pop()
            if values:
                yield Row(number, values, number in hidden)

    def __repr__(self) -> str:
        return f"Sheet({self.name!r})"


# --- opening --------------------------------------------------------------------------

def detect_format(path: str | Path) -> str:
    """``xlsx``, ``xlsm``, ``xls``, ``ods`` or ``csv``, from the bytes; raises
    :class:`NotAWorkbook`, :class:`PasswordProtected`, :class:`EmptyWorkbook`."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if not head:
                raise EmptyWorkbook(f"{_name(path)} is empty: it has no bytes at all.", path=path)
            if head.startswith(OLE_MAGIC):
                fh.seek(0)
                if _has_encryption_streams(fh):
                    raise PasswordProtected(_password_message(path), path=path)
                return "xls"
    except OSError as exc:
        raise error_from(exc, path=path, doing="read") from exc
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    if _looks_like_text(path):
        return "csv"
    raise NotAWorkbook(
        f"{_name(path)} is not a spreadsheet cypdesk can read (not Excel .xlsx, .xlsm or .xls, "
        "OpenDocument .ods, or a CSV text file).", path=path)


def _password_message(path: Path) -> str:
    return (f"{_name(path)} is protected with a password: open it in Excel, save a copy without the "
            "password, and import the copy.")


def _has_encryption_streams(fh: Any) -> bool:
    tail = b""
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            return False
        buf = tail + chunk
        if any(marker in buf for marker in ENCRYPTED_MARKERS):
            return True
        tail = buf[-64:]


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                with zf.open("mimetype") as fh:  # never more than a few bytes, whatever it declares
                    mime = fh.read(200)
                if b"opendocument.spreadsheet" in mime:
                    return "ods"
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
                    raise NotAWorkbook(
                        f"{_name(path)} is an Excel binary workbook (.xlsb), which cypdesk cannot read: "
                        "open it in Excel and save it as .xlsx.", path=path)
                types = b""
                if "[Content_Types].xml" in names:
                    with zf.open("[Content_Types].xml") as fh:
                        types = fh.read(PROLOG_BYTES * 4)
                return "xlsm" if b"macroEnabled" in types else "xlsx"
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise DamagedWorkbook(
            f"{_name(path)} is damaged (perhaps cut short while copying or downloading): it cannot be read "
            f"as a workbook ({exc}). Open it in Excel; if Excel repairs it, save a copy and import that.",
            path=path) from exc
    except OSError as exc:
        raise error_from(exc, path=path, doing="read") from exc
    raise NotAWorkbook(
        f"{_name(path)} is a zip archive, not a spreadsheet cypdesk can read (.xlsx, .xlsm, .xls, .ods or CSV).",
        path=path)


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return True
    if b"\0" in head:
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


_EXT_FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsm", ".xls": "xls", ".ods": "ods", ".csv": "csv", ".txt": "csv",
                ".tsv": "csv"}


def open_workbook(path: str | Path) -> Workbook:
    """The workbook at ``path``, checked before reading (see the module's notes)."""
    path = Path(path)
    if not path.is_file():
        raise WorkbookMissing(f"{path} does not exist (or is a folder, not a file): check the name and the "
                              "folder.", path=path)
    kind = detect_format(path)
    wb = Workbook(path, kind)
    by_ext = _EXT_FORMATS.get(path.suffix.lower())
    if by_ext != kind and not (by_ext == "xlsx" and kind == "xlsm"):
        wb.warnings.append(
            f"{_name(path)} is named like {path.suffix or 'a file without extension'} but its content is "
            f"{_FORMAT_WORDS[kind]}: read as {_FORMAT_WORDS[kind]}.")
    wb._preflight()
    return wb


_FORMAT_WORDS = {"xlsx": "an Excel workbook (.xlsx)", "xlsm": "an Excel macro workbook (.xlsm)",
                 "xls": "an Excel 97-2003 workbook (.xls)", "ods": "an OpenDocument spreadsheet (.ods)",
                 "csv": "CSV text"}


class Workbook:
    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.format = kind
        self.warnings: list[str] = []
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self._sheets: list[Sheet] = []
        self._sheet_parts: dict[str, str] = {}
        self._percent_styles: frozenset[int] = frozenset()
        #: True when the workbook counts dates from 1904 (old Mac Excel): Excel date
        #: numbers read from it need ``date1904=True`` (:func:`cypdesk.io.cellvalues.convert`).
        self.date1904 = False

    def reopened(self) -> Workbook:
        """Another reader of this file with this one's pre-flight facts (sheets, their
        scans, styles, encoding): the checks are not run again, so the caller must know
        the file is unchanged. It has its own handles and grid and closes on its own.
        An xls or ods is read through the calamine book of its pre-flight, so it is
        opened (and checked) afresh."""
        if self.format in ("xls", "ods"):
            return open_workbook(self.path)
        new = Workbook(self.path, self.format)
        new.warnings = list(self.warnings)
        new.encoding, new.delimiter, new.date1904 = self.encoding, self.delimiter, self.date1904
        new._sheet_parts, new._percent_styles = self._sheet_parts, self._percent_styles
        new._zip_sizes, new._meta_cache = getattr(self, "_zip_sizes", {}), self._metas
        new._sheets = [Sheet(new, s.name, hidden=s.hidden) for s in self._sheets]
        return new

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self._sheets]

    @property
    def sheets(self) -> list[Sheet]:
        return list(self._sheets)

    def sheet(self, name: str) -> Sheet:
        for s in self._sheets:
            if s.name == name:
                return s
        raise WorkbookError(f"{_name(self.path)} has no sheet called {name!r} (it has: "
                            f"{', '.join(self.sheet_names)}).", path=self.path, sheet=name)

    # --- pre-flight -----------------------------------------------------------------

    def _preflight(self) -> None:
        if self.format in ("xlsx", "xlsm", "ods"):
            self._check_zip()
        if self.format in ("xlsx", "xlsm"):
            self._preflight_xlsx()
        elif self.format in ("xls", "ods"):
            self._preflight_calamine()
        else:
            self._preflight_csv()

    def _damaged(self, exc: BaseException, sheet: str | None = None) -> DamagedWorkbook:
        where = f" (sheet {sheet!r})" if sheet else ""
        return DamagedWorkbook(
            f"{_name(self.path)}{where} is damaged (perhaps cut short while copying or downloading): {str(exc).rstrip('.')}. "
            "Open it in Excel; if Excel repairs it, save a copy and import that.", path=self.path, sheet=sheet)

    def _check_zip(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, EOFError) as exc:
            raise self._damaged(exc) from exc
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos)
        bomb = None
        if total > MAX_EXPANDED:
            bomb = f"would expand to {total / (1 << 30):.1f} GB (more than 1 GB)"
        elif total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
            bomb = f"would expand {total // max(packed, 1)} times its compressed size (more than {MAX_RATIO} times)"
        else:
            for i in infos:
                if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    bomb = (f"has a part ({i.filename}) that would expand "
                            f"{i.file_size // max(i.compress_size, 1)} times its compressed size "
                            f"(more than {MAX_RATIO} times)")
                    break
        if bomb:
            raise ZipBomb(f"{_name(self.path)} {bomb}: it looks like a 'zip bomb' and was not opened. "
                          "If it is a real workbook, open it in Excel and save a copy.", path=self.path)
        self._zip_sizes = {i.filename: i.file_size for i in infos}

    def _refuse_entities(self, zf: zipfile.ZipFile, member: str) -> None:
        """Refuse a DOCTYPE or ENTITY in the prolog of an XML part (before its root)."""
        try:
            with zf.open(member) as fh:
                head = fh.read(PROLOG_BYTES)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise self._damaged(exc) from exc
        text = head.lstrip(b"\xef\xbb\xbf")
        if text[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = head.decode("utf-16", "replace").encode("utf-8", "replace")
        upper = text.upper()
        if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
            raise XmlEntities(
                f"{_name(self.path)} contains XML entity declarations (in {member}), which cypdesk refuses "
                "to read for safety: open it in Excel and save it again, then import the copy.",
                path=self.path, part=member)

    def _preflight_xlsx(self) -> None:
        import openpyxl
        if not getattr(openpyxl, "DEFUSEDXML", False):
            raise UnsafeXmlReader(
                f"cypdesk cannot read {_name(self.path)} safely: the protected XML reader (defusedxml) is not "
                "in use. Reinstall cypdesk.", path=self.path)
        try:
            zf = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, EOFError) as exc:
            raise self._damaged(exc) from exc
        with zf:
            for member in zf.namelist():
                if member.endswith((".xml", ".rels", ".vml")):
                    self._refuse_entities(zf, member)
            sheets = self._xlsx_sheet_list(zf)
            sheet_parts = {part for _, part, _ in sheets}
            for member in zf.namelist():
                if member.endswith((".xml", ".rels", ".vml")) and member not in sheet_parts and \
                        self._zip_sizes.get(member, 0) > PROLOG_BYTES:
                    self._refuse_late_entities(zf, member)
            self._percent_styles = self._read_percent_styles(zf)
            for name, part, hidden in sheets:
                self._sheet_parts[name] = part
                self._sheets.append(Sheet(self, name, hidden=hidden))
            if not self._sheets:
                raise EmptyWorkbook(f"{_name(self.path)} has no sheets.", path=self.path)
            any_cells = False
            for name, part, _hidden in sheets:
                meta, has_cells = self._scan_sheet(zf, name, part)
                self._metas[name] = meta
                any_cells = any_cells or has_cells
        if not any_cells:
            raise EmptyWorkbook(f"{_name(self.path)} is empty: none of its sheets has any cells.", path=self.path)
        self._warn_hidden_sheets()

    def _warn_hidden_sheets(self) -> None:
        hidden_sheets = [s.name for s in self._sheets if s.hidden]
        if hidden_sheets:
            self.warnings.append(f"{_name(self.path)} has hidden sheets: {', '.join(hidden_sheets)}.")

    def _refuse_late_entities(self, zf: zipfile.ZipFile, member: str) -> None:
        """A DOCTYPE or ENTITY beyond the prolog (after a long comment): the whole part
        streamed through the counting reader, searched as bytes."""
        tail = b""
        counted = _CountingReader(zf.open(member), self, member)
        try:
            while chunk := counted.read(1 << 20):
                buf = (tail + chunk).upper()
                if b"<!DOCTYPE" in buf or b"<!ENTITY" in buf:
                    raise XmlEntities(
                        f"{_name(self.path)} contains XML entity declarations (in {member}), which cypdesk "
                        "refuses to read for safety: open it in Excel and save it again, then import the copy.",
                        path=self.path, part=member)
                tail = chunk[-16:]
        finally:
            counted.close()

    def _read_percent_styles(self, zf: zipfile.ZipFile) -> frozenset[int]:
        if "xl/styles.xml" not in zf.namelist():
            return frozenset()
        try:
            with zf.open("xl/styles.xml") as fh:
                return percent_styles(_CountingReader(fh, self, "xl/styles.xml").read_all())
        except WorkbookError:
            raise
        except Exception:
            return frozenset()  # styles only refine percentages: never a reason to refuse

    @property
    def _metas(self) -> dict[str, _SheetMeta]:
        if not hasattr(self, "_meta_cache"):
            self._meta_cache: dict[str, _SheetMeta] = {}
        return self._meta_cache

    def _xlsx_sheet_list(self, zf: zipfile.ZipFile) -> list[tuple[str, str, bool]]:
        from defusedxml import ElementTree as DET
        rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
        try:
            book = DET.fromstring(zf.read("xl/workbook.xml"))
            rels_xml = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in zf.namelist() else b""
            rels = {}
            if rels_xml:
                for rel in DET.fromstring(rels_xml):
                    target = rel.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    rels[rel.get("Id")] = re.sub(r"[^/]+/\.\./", "", target)
        except Exception as exc:  # defusedxml's refusals are caught earlier by the prolog check
            if type(exc).__module__.startswith("defusedxml"):
                raise XmlEntities(f"{_name(self.path)} contains XML entity declarations, which cypdesk refuses "
                                  "to read for safety: open it in Excel and save it again.", path=self.path) from exc
            raise self._damaged(exc) from exc
        pr = book.find(f"{SSML}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        out = []
        for sh in book.iter(f"{SSML}sheet"):
            name = sh.get("name", "")
            part = rels.get(sh.get(f"{rel_ns}id"), "")
            if part not in zf.namelist():
                continue  # a chart sheet or a dangling reference: no cells to read
            out.append((name, part, sh.get("state", "visible") != "visible"))
        return out

    def _scan_sheet(self, zf: zipfile.ZipFile, name: str, part: str) -> tuple[_SheetMeta, bool]:
        """One streamed pass over the sheet's XML (:func:`cypdesk.io.xlsxscan.scan_sheet`,
        byte patterns, no tree: memory stays flat whatever the rows): dimension sanity,
        entity declarations, hidden rows, merged ranges, formulas without a cached value,
        error cells, percentage formats, and the extent of the cells."""
        size = self._zip_sizes.get(part, 0)

        def entities() -> None:
            raise XmlEntities(f"{_name(self.path)} (sheet {name!r}) contains XML entity declarations, which "
                              "cypdesk refuses to read for safety: open it in Excel and save it again.",
                              path=self.path, sheet=name)

        counted = _CountingReader(zf.open(part), self, part)
        try:
            scan = scan_sheet(iter(lambda: counted.read(1 << 20), b""), percent_styles=self._percent_styles,
                              on_dimension=lambda ref: self._check_dimension(name, ref, size),
                              on_entities=entities)
        except WorkbookError:
            raise
        except Exception as exc:
            raise self._damaged(exc, name) from exc
        finally:
            counted.close()
        return scan, scan.has_cells

    def _check_dimension(self, sheet: str, ref: str, size: int) -> None:
        last = ref.split(":")[-1]
        m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", last.upper())
        if not m:
            return
        from openpyxl.utils import column_index_from_string
        first = ref.split(":")[0]
        m0 = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", first.upper())
        c0, r0 = (column_index_from_string(m0.group(1)), int(m0.group(2))) if m0 else (1, 1)
        cols = column_index_from_string(m.group(1)) - min(c0, column_index_from_string(m.group(1))) + 1
        rows = int(m.group(2)) - min(r0, int(m.group(2))) + 1
        # A grid from A1, because readers that trust the dimension allocate from A1.
        cells = column_index_from_string(m.group(1)) * int(m.group(2))
        if cells >= ABSURD_MIN_CELLS and cells > MAX_SHEET_CELLS_PER_BYTE * max(size, 1):
            raise AbsurdDimension(
                f"Sheet {sheet!r} of {_name(self.path)} declares cells up to {last} "
                f"({int(m.group(2)):,} rows by {column_index_from_string(m.group(1)):,} columns) but holds only "
                f"{size:,} bytes of cells: refused, as a grid that size cannot be read safely. Open it in Excel, "
                "delete the empty rows and columns beyond the table, save, and import again.",
                path=self.path, sheet=sheet, cell=last, declared_rows=rows, declared_columns=cols)

    def _preflight_calamine(self) -> None:
        if self.format == "ods":
            try:
                with zipfile.ZipFile(self.path) as zf:
                    for member in zf.namelist():
                        if member.endswith(".xml"):
                            self._refuse_entities(zf, member)
                            with zf.open(member) as fh:
                                _drain(_CountingReader(fh, self, member))
            except zipfile.BadZipFile as exc:
                raise self._damaged(exc) from exc
        from python_calamine import CalamineWorkbook, PasswordError
        try:
            book = CalamineWorkbook.from_path(str(self.path))
        except PasswordError as exc:
            raise PasswordProtected(_password_message(self.path), path=self.path) from exc
        except Exception as exc:
            if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
                raise PasswordProtected(_password_message(self.path), path=self.path) from exc
            raise self._damaged(exc) from exc
        self._calamine = book
        hidden_names = set()
        try:
            for md in book.sheets_metadata:
                if str(md.visible).lower().endswith(("hidden", "veryhidden")):
                    hidden_names.add(md.name)
        except Exception:
            pass
        for name in book.sheet_names:
            self._sheets.append(Sheet(self, name, hidden=name in hidden_names))
        if not self._sheets:
            raise EmptyWorkbook(f"{_name(self.path)} has no sheets.", path=self.path)
        self._warn_hidden_sheets()
        any_cells = False
        for name in book.sheet_names:
            try:
                sh = book.get_sheet_by_name(name)
            except Exception as exc:
                raise self._damaged(exc, name) from exc
            if sh.height and sh.width:
                end = sh.end
                if end is not None and (end[0] + 1) * (end[1] + 1) > 200_000_000:
                    raise AbsurdDimension(
                        f"Sheet {name!r} of {_name(self.path)} reaches row {end[0] + 1:,}, column {end[1] + 1:,}: "
                        "refused, as a grid that size cannot be read safely.", path=self.path, sheet=name)
                any_cells = True
        if not any_cells:
            raise EmptyWorkbook(f"{_name(self.path)} is empty: none of its sheets has any cells.", path=self.path)

    def _preflight_csv(self) -> None:
        self.encoding = _detect_encoding(self.path)
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as fh:
            sample = fh.read(64 * 1024)
        if not sample.strip():
            raise EmptyWorkbook(f"{_name(self.path)} is empty: it has no rows.", path=self.path)
        self.delimiter = _sniff_delimiter(sample)
        if self.encoding == "cp1252":
            self.warnings.append(
                f"{_name(self.path)} is not UTF-8: read as Windows-1252 (Excel's 'CSV (Comma delimited)'). "
                "Welsh ŵ/ŷ, Polish Ł and Urdu cannot be stored in that encoding, so such characters may already "
                "be '?'; save as 'CSV UTF-8' to keep them.")
        self._sheets.append(Sheet(self, self.path.stem))

    # --- rows -------------------------------------------------------------------------

    def _sheet_meta(self, name: str) -> _SheetMeta:
        if self.format in ("xlsx", "xlsm"):
            return self._metas.get(name, _SheetMeta())
        meta = _SheetMeta()
        if self.format in ("xls", "ods"):
            try:
                ranges = self._calamine.get_sheet_by_name(name).merged_cell_ranges or []
                from openpyxl.utils import get_column_letter
                for (r0, c0), (r1, c1) in ranges:
                    meta.merged_ranges.append(
                        f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}")
            except Exception:
                pass
        return meta

    def _iter_rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        if self.format in ("xlsx", "xlsm"):
            yield from self._iter_xlsx(name)
        elif self.format in ("xls", "ods"):
            yield from self._iter_calamine(name)
        else:
            yield from self._iter_csv()

    def _openpyxl_book(self) -> Any:
        """openpyxl's read-only workbook, loaded once (styles and shared strings) for all sheets."""
        if getattr(self, "_book", None) is None:
            import openpyxl
            fh = open(self.path, "rb")  # a file object: openpyxl judges a path by its extension
            try:
                self._book = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            except Exception as exc:
                fh.close()
                if type(exc).__module__.startswith("defusedxml") or type(exc.__context__).__module__.startswith(
                        "defusedxml"):
                    raise XmlEntities(f"{_name(self.path)} contains XML entity declarations, which cypdesk refuses "
                                      "to read for safety: open it in Excel and save it again.",
                                      path=self.path) from exc
                raise self._damaged(exc) from exc
            self._book_fh = fh
        return self._book

    def close(self) -> None:
        """Release the file (also done when the workbook is garbage-collected)."""
        book, self._book = getattr(self, "_book", None), None
        if book is not None:
            book.close()
            self._book_fh.close()
        self._calamine_loaded = None
        cal, self._calamine = getattr(self, "_calamine", None), None
        if cal is not None:
            try:
                cal.close()
            except Exception:
                pass

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _iter_xlsx(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        meta = self._metas.get(name, _SheetMeta())
        if _calamine_can_read(meta):
            yield from self._iter_xlsx_calamine(name, meta)
            return
        book = self._openpyxl_book()
        try:
            ws = book[name]
            ws.reset_dimensions()  # never trust <dimension>: rows as they are in the file
            number = 0
            for row in ws.iter_rows(values_only=True):
                number += 1
                if row:
                    yield number, list(row)
        except WorkbookError:
            raise
        except Exception as exc:
            raise self._damaged(exc, name) from exc

    def _iter_xlsx_calamine(self, name: str, meta: _SheetMeta) -> Iterator[tuple[int, list[Any]]]:
        """Values through python-calamine (about 25 times faster than openpyxl), with
        Excel's error cells put back (calamine reads them as blank) from the scan."""
        try:
            if getattr(self, "_calamine", None) is None:
                from python_calamine import CalamineWorkbook
                with open(self.path, "rb") as fh:  # a file object: calamine judges a path by its extension
                    self._calamine = CalamineWorkbook.from_filelike(fh)
            sh = self._calamine_sheet(name)
        except Exception as exc:
            raise self._damaged(exc, name) from exc
        errors: dict[int, list[tuple[int, str]]] = {}
        for (er, ec), text in meta.error_cells.items():
            errors.setdefault(er, []).append((ec, text))
        try:
            for number, values in _calamine_rows(sh):
                for ec, text in errors.get(number, ()):
                    values.extend([None] * (ec + 1 - len(values)))
                    values[ec] = text
                yield number, values
        except Exception as exc:
            raise self._damaged(exc, name) from exc
        self._calamine_loaded = None  # a whole pass is done: free the grid

    def _calamine_sheet(self, name: str) -> Any:
        """The sheet loaded by python-calamine, kept while a pass over its rows stops
        early (finding the table reads the first rows; loading is most of calamine's
        cost) for the next pass, and freed when a pass reads every row: at most one grid
        is held, and only between passes."""
        cached = getattr(self, "_calamine_loaded", None)
        if cached is not None and cached[0] == name:
            return cached[1]
        self._calamine_loaded = None
        sh = self._calamine.get_sheet_by_name(name)
        self._calamine_loaded = (name, sh)
        return sh

    def _iter_calamine(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        try:
            sh = self._calamine_sheet(name)
            yield from _calamine_rows(sh)
        except Exception as exc:
            raise self._damaged(exc, name) from exc
        self._calamine_loaded = None  # a whole pass is done: free the grid

    def _iter_csv(self) -> Iterator[tuple[int, list[Any]]]:
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter or ",")
            try:
                for values in reader:
                    yield reader.line_num, values
            except csv.Error as exc:
                raise DamagedWorkbook(f"{_name(self.path)} line {reader.line_num} cannot be read as CSV: {exc}.",
                                      path=self.path, row=reader.line_num) from exc


class _CountingReader(io.RawIOBase):
    """A zip member's stream that counts what it inflates and stops at the cap, whatever
    the central directory said."""

    def __init__(self, raw: Any, wb: Workbook, member: str) -> None:
        self.raw, self.wb, self.member, self.count = raw, wb, member, 0
        self.limit = min(MAX_EXPANDED, max(wb._zip_sizes.get(member, 0), 0) or MAX_EXPANDED)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        try:
            data = self.raw.read(n if n and n > 0 else 1 << 16)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise self.wb._damaged(exc) from exc
        self.count += len(data)
        if self.count > self.limit:
            raise ZipBomb(f"{_name(self.wb.path)} expands beyond what it declares (in {self.member}): it looks "
                          "like a 'zip bomb' and was not read further.", path=self.wb.path, part=self.member)
        return data

    def read_all(self) -> bytes:
        parts = []
        while chunk := self.read(1 << 20):
            parts.append(chunk)
        return b"".join(parts)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


def _drain(reader: _CountingReader) -> None:
    while reader.read(1 << 20):
        pass


def _detect_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "cp1252"


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if len(lines) > 1:
        try:
            return csv.Sniffer().sniff("\n".join(lines), delimiters=CSV_DELIMITERS).delimiter
        except csv.Error:
            pass
    # the delimiter that appears most consistently (notes above the header have few)
    best, best_score = ",", 0
    for d in CSV_DELIMITERS:
        counts = [ln.count(d) for ln in lines]
        score = max((counts.count(c) * c for c in set(counts) if c), default=0)
        if score > best_score:
            best, best_score = d, score
    return best
