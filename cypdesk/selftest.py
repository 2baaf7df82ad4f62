"""``cypdesk --self-test``: does this installation have what cypdesk relies on?

IT runs it after installing the packaged build, and CI runs it on the frozen build
(research/reliability-anchors.md, cases 41 and 67): libraries present and at safe
versions, openpyxl reading through defusedxml, the bundled fonts loading, a writable
data folder. Nothing is imported at module level; each check imports what it checks.
"""

from __future__ import annotations

import importlib
import re
import sys
import tempfile
from collections.abc import Callable

from cypdesk import __version__, paths

Result = tuple[str, bool, str]

# Keep in step with pyproject.toml (tests/test_selftest.py compares them).
PYTHON_MIN, PYTHON_BELOW = (3, 11), (3, 14)
PYSIDE6_MIN, PYSIDE6_BELOW = (6, 11, 3), (6, 12)  # the cap matters on Python 3.11 only
SQLALCHEMY_MIN, SQLALCHEMY_BELOW = (2, 0, 30), (2, 2)
EXPAT_MIN = (2, 4, 1)  # input amplification limits (billion laughs, quadratic blowup)
SQLITE_MIN = (3, 35, 0)
SQLITE_WAL_RESET_FIXED = (3, 51, 3)
REPORTLAB_MIN = (3, 6, 13)  # CVE-2023-33733: code execution through paragraph markup
UHARFBUZZ_MIN, UHARFBUZZ_BELOW = (0, 45), (0, 58)  # text shaping for the papers
SHAPING_SAMPLE = "Llŷr ŵyr"  # Welsh: w and y with a circumflex, each one glyph
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
FONT_BYTES = (200_000, 5_000_000)  # a truncated or substituted file falls outside
FONT_SAMPLE = "ŵŷŁłźß£€–“”"  # Welsh, Polish, German, money, typographic punctuation
# Sorting names as people expect: Qt's QCollator through ICU, whose locale data the
# build trims to English and Welsh (packaging/slim.py). In Welsh "ll" is one letter that
# comes after "l", so Lowri sorts before Llinos; in English it does not.
COLLATION_CASES = {
    "en_GB": (["Zoë", "zara", "Llinos", "Élodie", "adam", "Lowri"], ["adam", "Élodie", "Llinos", "Lowri", "zara", "Zoë"]),
    "cy_GB": (["Lloyd", "Lowri", "Llinos", "Lewis"], ["Lewis", "Lowri", "Llinos", "Lloyd"]),
}
# module name -> distribution name, for modules without ``__version__``
OTHER_LIBRARIES = {
    "platformdirs": "platformdirs",
    "babel": "babel",
    "python_calamine": "python-calamine",
    "xlsxwriter": "xlsxwriter",
    "pandas": "pandas",
    "matplotlib": "matplotlib",
}


def version_tuple(text: str) -> tuple[int, ...]:
    """``"2.0.30rc1"`` -> ``(2, 0, 30)``: the leading numbers of each part."""
    numbers = []
    for part in str(text).split("."):
        match = re.match(r"\d+", part)
        if match is None:
            break
        numbers.append(int(match.group()))
    return tuple(numbers)


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def pyside6_verdict(pyside6: tuple[int, ...], python: tuple[int, ...]) -> tuple[bool, str]:
    """Whether this PySide6 is safe on this Python (performance-anchors finding 0)."""
    if pyside6 < PYSIDE6_MIN:
        return False, f"PySide6 {_dotted(pyside6)} is older than {_dotted(PYSIDE6_MIN)}"
    if python[:2] < (3, 12) and pyside6[:2] >= PYSIDE6_BELOW:
        return False, (
            f"PySide6 {_dotted(pyside6)} on Python {_dotted(python[:2])} loses references to "
            f"None and aborts after a few thousand calls: install PySide6 below {_dotted(PYSIDE6_BELOW)}"
        )
    return True, f"PySide6 {_dotted(pyside6)}"


def _check_python() -> tuple[bool, str]:
    import sqlite3

    version = tuple(sys.version_info[:3])
    ok = PYTHON_MIN <= version[:2] < PYTHON_BELOW
    detail = f"Python {_dotted(version)}"
    if not ok:
        detail += f", outside {_dotted(PYTHON_MIN)} to below {_dotted(PYTHON_BELOW)}"
    elif not hasattr(sqlite3.Connection, "setconfig"):
        detail += " (note: SQLite's defensive mode needs Python 3.12)"
    return ok, detail


def _check_qt() -> tuple[bool, str]:
    # Imported by name, not by an import statement: the command line, which must not
    # import Qt, runs this check; it only asks whether Qt loads. QtWidgets loads Qt's
    # own system libraries (GL, xkbcommon, fontconfig), so a missing one shows here.
    pyside6 = importlib.import_module("PySide6")
    qtcore = importlib.import_module("PySide6.QtCore")
    importlib.import_module("PySide6.QtWidgets")
    ok, detail = pyside6_verdict(tuple(pyside6.__version_info__[:3]), tuple(sys.version_info[:2]))
    return ok, f"{detail}, Qt {qtcore.qVersion()}"


def _check_collation() -> tuple[bool, str]:
    qtcore = importlib.import_module("PySide6.QtCore")
    for locale, (names, expected) in COLLATION_CASES.items():
        collator = qtcore.QCollator(qtcore.QLocale(locale))
        got = sorted(names, key=collator.sortKey)
        if got != expected:
            return False, f"{locale} sorts {', '.join(names)} as {', '.join(got)}, expected {', '.join(expected)} (ICU's locale data incomplete?)"
    return True, "names sort as in " + " and ".join(COLLATION_CASES)


def _check_sqlite() -> tuple[bool, str]:
    import sqlite3

    version = tuple(sqlite3.sqlite_version_info)
    if version < SQLITE_MIN:
        return False, f"SQLite {_dotted(version)} is older than {_dotted(SQLITE_MIN)}"
    detail = f"SQLite {_dotted(version)}"
    if version < SQLITE_WAL_RESET_FIXED:
        detail += (
            f" (note: below {_dotted(SQLITE_WAL_RESET_FIXED)}, which fixes a WAL-reset corruption"
            " bug; cypdesk never uses WAL and keeps one writer)"
        )
    return True, detail


def _check_sqlalchemy() -> tuple[bool, str]:
    import sqlalchemy

    version = version_tuple(sqlalchemy.__version__)
    ok = SQLALCHEMY_MIN <= version < SQLALCHEMY_BELOW
    detail = f"SQLAlchemy {sqlalchemy.__version__}"
    if not ok:
        detail += f", outside {_dotted(SQLALCHEMY_MIN)} to below {_dotted(SQLALCHEMY_BELOW)}"
    return ok, detail


def _check_alembic() -> tuple[bool, str]:
    import alembic

    return True, f"alembic {alembic.__version__}"


def _check_defusedxml() -> tuple[bool, str]:
    import openpyxl

    if openpyxl.DEFUSEDXML is not True:
        return False, (
            f"openpyxl {openpyxl.__version__} is not using defusedxml (not installed, or "
            "OPENPYXL_DEFUSEDXML=False is set): spreadsheet imports are refused"
        )
    import defusedxml

    return True, f"openpyxl {openpyxl.__version__} reads XML through defusedxml {defusedxml.__version__}"


def _check_expat() -> tuple[bool, str]:
    import pyexpat

    version = tuple(pyexpat.version_info)
    if version < EXPAT_MIN:
        return False, f"expat {_dotted(version)} is older than {_dotted(EXPAT_MIN)}"
    return True, f"expat {_dotted(version)}"


def _check_reportlab() -> tuple[bool, str]:
    import reportlab

    if version_tuple(reportlab.Version) < REPORTLAB_MIN:
        return False, (
            f"reportlab {reportlab.Version} is older than {_dotted(REPORTLAB_MIN)} "
            "(CVE-2023-33733 lets text in a paper run code)"
        )
    return True, f"reportlab {reportlab.Version}"


def _check_fonts() -> tuple[bool, str]:
    from reportlab.pdfbase.ttfonts import TTFont

    folder = paths.resources_dir() / "fonts"
    found = []
    for name in FONTS:
        path = folder / name
        if not path.is_file():
            return False, f"{path} is missing"
        size = path.stat().st_size
        low, high = FONT_BYTES
        if not low <= size <= high:
            return False, f"{path} is {size:,} bytes, expected {low:,} to {high:,}"
        font = TTFont(path.stem, str(path))
        missing = [ch for ch in FONT_SAMPLE if ord(ch) not in font.face.charToGlyph]
        if missing:
            return False, f"{path} has no glyph for {' '.join(missing)}"
        found.append(f"{name} ({size:,} bytes)")
    return True, f"{', '.join(found)} load and cover {' '.join(FONT_SAMPLE)}"


def _check_shaping() -> tuple[bool, str]:
    """uharfbuzz imports and shapes Welsh with the bundled font: one glyph per
    character, none of them the missing-glyph box (glyph 0)."""
    import uharfbuzz as hb

    version = version_tuple(hb.__version__)
    if not UHARFBUZZ_MIN <= version < UHARFBUZZ_BELOW:
        return False, (f"uharfbuzz {hb.__version__} is outside {_dotted(UHARFBUZZ_MIN)} to below "
                       f"{_dotted(UHARFBUZZ_BELOW)}")
    font_path = paths.resources_dir() / "fonts" / FONTS[0]
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_path))))
    buffer = hb.Buffer()
    buffer.add_str(SHAPING_SAMPLE)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    glyphs = [info.codepoint for info in buffer.glyph_infos]
    if len(glyphs) != len(SHAPING_SAMPLE) or 0 in glyphs:
        return False, f"uharfbuzz {hb.__version__} could not shape {SHAPING_SAMPLE!r} with {font_path.name}"
    return True, f"uharfbuzz {hb.__version__} (HarfBuzz {hb.version_string()}) shapes {SHAPING_SAMPLE!r}"


def _check_data_folder() -> tuple[bool, str]:
    folder = paths.data_dir()
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".self-test-") as handle:
        handle.write(b"cypdesk")
        handle.flush()
    return True, f"{folder} is writable"


def _check_writes_outside_program() -> tuple[bool, str]:
    """cypdesk's own files (data, settings) lie outside the program's folder, unless
    portable mode (the marker file beside the program) put them there on purpose."""
    program = paths.program_dir()
    portable = (program / paths.PORTABLE_MARKER).is_file()
    for what, folder in (("data", paths.data_dir()), ("settings", paths.config_dir())):
        inside = folder.resolve().is_relative_to(program.resolve())
        if inside and not portable:
            return False, (f"the {what} folder {folder} is inside the program's folder {program}: "
                           "cypdesk would write beside its own program")
    if portable:
        return True, f"portable mode ({paths.PORTABLE_MARKER} beside the program): writes go to {paths.data_dir().parent}"
    return True, f"nothing is written under {program}"


def _check_other_libraries() -> tuple[bool, str]:
    from importlib import metadata

    versions = []
    for name, distribution in OTHER_LIBRARIES.items():
        module = importlib.import_module(name)
        version = getattr(module, "__version__", None)
        if version is None:
            try:
                version = metadata.version(distribution)
            except metadata.PackageNotFoundError:  # frozen without its metadata
                version = "(version unknown)"
        versions.append(f"{name} {version}")
    return True, ", ".join(versions)


CHECKS: list[tuple[str, Callable[[], tuple[bool, str]]]] = [
    ("Python", _check_python),
    ("Qt", _check_qt),
    ("sorting", _check_collation),
    ("SQLite", _check_sqlite),
    ("SQLAlchemy", _check_sqlalchemy),
    ("alembic", _check_alembic),
    ("defusedxml", _check_defusedxml),
    ("expat", _check_expat),
    ("reportlab", _check_reportlab),
    ("fonts", _check_fonts),
    ("shaping", _check_shaping),
    ("data folder", _check_data_folder),
    ("program folder", _check_writes_outside_program),
    ("other libraries", _check_other_libraries),
]


def run_self_test() -> tuple[bool, list[Result]]:
    """Run every check; a check that raises has failed, with the error as its detail."""
    results: list[Result] = []
    for name, check in CHECKS:
        try:
            ok, detail = check()
        except Exception as exc:  # noqa: BLE001 - any failure is the answer
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        results.append((name, bool(ok), detail))
    return all(ok for _, ok, _ in results), results


def format_report(results: list[Result]) -> str:
    width = max((len(name) for name, _, _ in results), default=0)
    lines = [f"cypdesk {__version__} self-test"]
    lines += [f"  {'ok  ' if ok else 'FAIL'}  {name:<{width}}  {detail}" for name, ok, detail in results]
    failed = sum(not ok for _, ok, _ in results)
    if failed:
        lines.append(f"{failed} of {len(results)} checks failed.")
    else:
        lines.append(f"All {len(results)} checks passed.")
    return "\n".join(lines)
