"""Reading back what the renderer wrote, with pypdf: text per page (whitespace made
single spaces), fonts, images, links, bookmarks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader

STANDARD_14 = {"Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
               "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
               "Times-BoldItalic", "Symbol", "ZapfDingbats"}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pages_text(path: Path) -> list[str]:
    return [squash(p.extract_text() or "") for p in PdfReader(str(path)).pages]


def all_text(path: Path) -> str:
    return " ".join(pages_text(path))


def fonts(path: Path) -> dict[str, Any]:
    """Every font any page (or form) uses: base name -> font dictionary."""
    found: dict[str, Any] = {}
    for page in PdfReader(str(path)).pages:
        res = page.get("/Resources")
        res = res.get_object() if res is not None else {}
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"]).lstrip("/")] = font
    return found


def embedded_file(font: Any) -> str | None:
    """"FontFile2" (TrueType) etc. when the font's program is in the file."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    desc = font.get("/FontDescriptor")
    if desc is None:
        return None
    desc = desc.get_object()
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        if key in desc:
            return key.lstrip("/")
    return None


def image_xobjects(path: Path) -> int:
    n = 0
    for page in PdfReader(str(path)).pages:
        res = page.get("/Resources")
        res = res.get_object() if res is not None else {}
        for xo in (res.get("/XObject") or {}).values():
            if xo.get_object().get("/Subtype") == "/Image":
                n += 1
    return n


def link_annotations(path: Path) -> list[Any]:
    found = []
    for page in PdfReader(str(path)).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link":
                found.append(annot)
    return found


def outline(path: Path) -> list[tuple[int, str, int]]:
    """Bookmarks as (level, title, 1-based page)."""
    reader = PdfReader(str(path))
    out: list[tuple[int, str, int]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def layout_lines(path: Path, page: int) -> list[str]:
    """Page ``page`` (1-based) as laid out: one line per printed line, single-spaced
    words, so that a label and the number printed at the right margin share a line."""
    text = PdfReader(str(path)).pages[page - 1].extract_text(extraction_mode="layout")
    return [squash(line) for line in text.splitlines() if line.strip()]
