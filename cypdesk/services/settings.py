"""The document's settings: what the Document settings dialog shows and the tabs read
(one place for each): the title and the trust's name and logo for board papers, the
rating scale, the small-number threshold, whom Needs compares the trust with and its
tolerance for values without an interval, Monitoring's window for reviews due, and
Pooled budgets' grace after a quarter ends before its return counts as missing.

They live in the one row of the ``document`` table. Reading them
(:func:`read_settings`) is plain SQL through :func:`query_rows`, so the window's first
paint (the Needs tab reads the comparator set and the tolerance) does not bring in
SQLAlchemy; a document from before schema 9 reads with the defaults. Saving
(:func:`save_settings`) checks every value first (nothing is written if one is
refused) and records each changed setting like any record field: the row's clock
stamp, a field version and a history line naming the author, in one transaction.
Versions and history name table ``"document"``, record ``"settings"`` (not the
document's own id: a copy's settings and the original's merge as one record).
"""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cypdesk.common.errors import ValidationError

# Whom Needs compares the trust's values with (besides England, always shown).
COMPARATOR_SETS: tuple[tuple[str, str], ...] = (
    ("statistical_neighbours", "Statistical neighbours"),
    ("region", "Region"),
    ("england", "England only"),
)
COMPARATOR_WORDS = dict(COMPARATOR_SETS)

LOGO_MAX_BYTES = 1024 * 1024  # what the document keeps
LOGO_MAX_SIDE = 1000  # pixels: sharp at 8 cm wide in print, small in the file
LOGO_READ_LIMIT = 25 * 1024 * 1024  # a file bigger than this is not read at all


@dataclass(frozen=True)
class DocumentSettings:
    title: str = "Untitled trust"
    trust_name: str | None = None
    logo: bytes | None = None
    rating_scale: str = "rag"
    small_number_threshold: int = 5
    comparator_set: str = "statistical_neighbours"
    tolerance_pct: float = 5.0
    review_window_days: int = 30
    return_grace_days: int = 30


DEFAULTS = DocumentSettings()
SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(DocumentSettings))

# name: (label, kind, minimum, maximum); the labels are the fields' in the model.
SETTINGS: dict[str, tuple[str, str, float | None, float | None]] = {
    "title": ("Title", "text", None, None),
    "trust_name": ("Trust name", "text", None, None),
    "logo": ("Logo", "logo", None, None),
    "rating_scale": ("Rating scale", "choice", None, None),
    "small_number_threshold": ("Small-number threshold", "integer", 2, 50),
    "comparator_set": ("Compare with", "choice", None, None),
    "tolerance_pct": ("Tolerance without an interval (%)", "number", 0, 50),
    "review_window_days": ("Reviews due within (days)", "integer", 1, 365),
    "return_grace_days": ("Grace after a quarter ends (days)", "integer", 0, 120),
}
TEXT_LIMITS = {"title": 300, "trust_name": 300}


def choices(name: str) -> dict[str, str]:
    """value -> words of a setting with choices: the comparator sets, or the rating
    scales (Monitoring's words for them)."""
    if name == "comparator_set":
        return COMPARATOR_WORDS
    from cypdesk.services.monitoring import SCALE_WORDS

    return dict(SCALE_WORDS)


# --- reading ----------------------------------------------------------------------------------

def read_settings(conn: Any, *, logo: bool = True) -> DocumentSettings:
    """The document's settings, over any way of reaching it (a ``sqlite3`` connection,
    a SQLAlchemy connection or session, a workspace). A setting the file does not hold
    yet (no settings row, a schema older than 9, an empty value) reads as its default.
    ``logo=False`` leaves the logo's bytes unread (the tabs never need them)."""
    from cypdesk.services.query import query_rows

    with query_rows(conn) as run:
        present = {r[1] for r in run("PRAGMA table_info(document)")}
        names = [n for n in SETTING_NAMES if n in present and (logo or n != "logo")]
        if not names:
            return DEFAULTS
        rows = run(f"SELECT {', '.join(names)} FROM document ORDER BY created_at, id LIMIT 1")
    if not rows:
        return DEFAULTS
    values: dict[str, Any] = {}
    for name, value in zip(names, rows[0]):
        if value is None or (isinstance(value, str) and not value.strip() and name != "trust_name"):
            continue
        values[name] = _typed(name, value)
    return DocumentSettings(**values)


def _typed(name: str, value: Any) -> Any:
    kind = SETTINGS[name][1]
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "logo":
        return bytes(value)
    return value


def setting_of(conn: Any, name: str, given: Any = None) -> Any:
    """``given`` when it is not None (a caller's own choice), else the document's
    setting ``name`` (its default when the document does not hold it)."""
    if given is not None:
        return given
    return getattr(read_settings(conn, logo=name == "logo"), name)


def comparator_options(conn: sqlite3.Connection) -> list[tuple[str, str, bool, str]]:
    """What "Compare with" may be set to, as the document's data supports it:
    ``(value, label, supported, note)`` for statistical neighbours (the home area's
    comparator set and its members), region (the other local authorities within the
    home area's region) and England only (always). ``note`` says what each holds or why
    it holds nothing; an unsupported choice may still be saved (data may come later),
    and then ranks the trust among no one, saying so. ``conn``: a ``sqlite3``
    connection, as the Needs service reads."""
    from cypdesk.services.needs import resolve_areas

    out = []
    for value, label in COMPARATOR_SETS:
        areas = resolve_areas(conn, compare_with=value)
        if value == "england":
            out.append((value, label, True, f"compared with {areas.england_name} only; not ranked"))
            continue
        count = len(areas.neighbour_ids)
        if value == "statistical_neighbours":
            note = (f"{areas.set_name}: {count} area{'s' if count != 1 else ''}" if areas.set_id else
                    "no comparator set in the document (import statistical neighbours first)")
        else:
            note = (f"{areas.set_name}: {count} other area{'s' if count != 1 else ''}" if count else
                    f"{areas.set_name}: no other area of the trust's kind is recorded in it"
                    if not areas.set_name.startswith("Region") else "the trust's area is in no region")
        out.append((value, label, count > 0, note))
    return out


# --- checking ---------------------------------------------------------------------------------

def _problem(name: str, message: str) -> dict[str, str]:
    return {"field": name, "label": SETTINGS[name][0], "message": message}


def check_settings(changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` converted and checked: a dict of clean values, or ValidationError
    naming every refused setting (its ``problems`` list gives field, label and message
    for each, so the dialog shows each beside its field). Text is converted the UK way
    (``"7,5"`` is refused, ``"7.5"`` is 7.5); a logo must already be bytes (see
    :func:`load_logo` for a file)."""
    clean: dict[str, Any] = {}
    problems: list[dict[str, str]] = []
    for name, raw in changes.items():
        if name not in SETTINGS:
            problems.append({"field": name, "label": name,
                             "message": f"{name!r} is not a document setting; the settings are "
                                        + ", ".join(SETTING_NAMES)})
            continue
        try:
            clean[name] = _convert(name, raw)
        except ValueError as exc:
            problems.append(_problem(name, str(exc)))
        except ValidationError as exc:  # a logo refused: its own words, naming the file
            problems.extend(exc.facts.get("problems") or [_problem(name, exc.message)])
    if problems:
        raise ValidationError("The document settings were not saved: "
                              + "; ".join(p["message"] for p in problems) + ".", problems=problems)
    return clean


def _convert(name: str, raw: Any) -> Any:
    label, kind, low, high = SETTINGS[name]
    if isinstance(raw, str):
        raw = raw.strip()
    empty = raw is None or raw == "" or raw == b""
    if kind == "logo":
        if empty:
            return None
        if not isinstance(raw, (bytes, bytearray, memoryview)):
            raise ValueError(f"{label}: give a PNG or JPEG file")
        return check_logo(bytes(raw), "the logo")
    if kind == "text":
        if empty:
            if name == "title":
                raise ValueError(f"{label} is required")
            return None
        text = str(raw)
        if len(text) > TEXT_LIMITS[name]:
            raise ValueError(f"{label} is {len(text):,} characters long; the most it can hold is {TEXT_LIMITS[name]}")
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
            raise ValueError(f"{label} holds a control character; it must be one line of text")
        return text
    if empty:
        raise ValueError(f"{label} is required")
    if kind == "choice":
        words = choices(name)
        if raw in words:
            return raw
        for value, word in words.items():  # the words as shown will do too
            if str(raw).casefold() in (word.casefold(), value.replace("_", " ")):
                return value
        raise ValueError(f"{label}: {raw!r} is not one of: {', '.join(words.values())}")
    number = _number(raw, label, whole=kind == "integer")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{label} must be from {low:g} to {high:g}; {number:g} is outside that")
    return number


def _number(raw: Any, label: str, *, whole: bool) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"{label}: {raw!r} is not a number")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip().rstrip("%").strip()
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{label}: {raw!r} is not a {'whole ' if whole else ''}number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{label}: {raw!r} is not a number")
    if whole:
        if not value.is_integer():
            raise ValueError(f"{label}: {raw!r} is not a whole number")
        return int(value)
    return value


# --- the logo ---------------------------------------------------------------------------------

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def logo_format(data: bytes) -> str | None:
    """"PNG" or "JPEG" by the file's first bytes, else None."""
    if data.startswith(PNG_MAGIC):
        return "PNG"
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    return None


def load_logo(path: str | Path) -> bytes:
    """The logo in the image file at ``path``, as the document keeps it (see
    :func:`check_logo`). ValidationError naming the file for anything else."""
    target = Path(path)
    if not target.is_file():
        from cypdesk.common.errors import DocumentMissing  # "missing", exit 2, as for any file not there

        raise DocumentMissing(f"{target} does not exist (or is a folder, not a file): check the name and the "
                              "folder. The logo has not been changed.", path=target)
    try:
        size = target.stat().st_size
        if size > LOGO_READ_LIMIT:
            raise ValidationError(f"{target.name} is {size / 1024 / 1024:.0f} MB: too big for a logo. "
                                  "Choose a PNG or JPEG image of at most 1 MB.", path=target, field="logo")
        data = target.read_bytes()
    except OSError as exc:
        from cypdesk.common.errors import error_from

        raise error_from(exc, path=target, doing="read", consequence="The logo has not been changed.") from None
    return check_logo(data, target.name)


def check_logo(data: bytes, name: str) -> bytes:
    """``data`` if it is a PNG or JPEG image (by its first bytes, and read whole by
    Pillow when Pillow is installed) of at most 1 MB and at most 1000 pixels on its
    longer side; a bigger image is scaled down (Pillow) to fit. ``name`` (the file's)
    words the refusal: a ValidationError whose message names it."""
    fmt = logo_format(data)
    if fmt is None:
        raise ValidationError(f"{name} is not a PNG or JPEG image: a logo must be one of those.",
                              field="logo", problems=[_problem("logo", f"{name} is not a PNG or JPEG image")])
    try:
        from PIL import Image
    except ImportError:  # no Pillow (matplotlib brings it): the first bytes and the size must do
        if len(data) > LOGO_MAX_BYTES:
            raise _too_big(name, len(data)) from None
        return data
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.format != fmt:
                raise ValueError(f"{image.format} inside a {fmt} header")
            width, height = image.size
            if len(data) <= LOGO_MAX_BYTES and max(width, height) <= LOGO_MAX_SIDE:
                return data
            side = min(LOGO_MAX_SIDE, max(width, height))
            while True:  # smaller until it fits in 1 MB (a photograph as a logo), down to 200 pixels
                scale = side / max(width, height)
                fitted = image if scale >= 1.0 else image.resize(
                    (max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                if fmt == "JPEG":
                    fitted.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
                else:
                    fitted.save(out, "PNG", optimize=True)
                if out.tell() <= LOGO_MAX_BYTES or side <= 200:
                    break
                side = max(200, int(side * 0.7))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"{name} could not be read as a {fmt} image ({exc}): it may be damaged. "
                              "Choose another PNG or JPEG file.", field="logo",
                              problems=[_problem("logo", f"{name} could not be read as a {fmt} image")]) from None
    scaled = out.getvalue()
    if len(scaled) > LOGO_MAX_BYTES:
        raise _too_big(name, len(data))
    return scaled


def _too_big(name: str, size: int) -> ValidationError:
    text = f"{name} is {size / 1024 / 1024:.1f} MB; a logo may be at most 1 MB"
    return ValidationError(f"{text}. Choose a smaller PNG or JPEG image.", field="logo",
                           problems=[_problem("logo", text)])


def logo_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels of a PNG or JPEG, read from its header (no Pillow)."""
    import struct

    if data.startswith(PNG_MAGIC) and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data.startswith(JPEG_MAGIC):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            i += 2 + length
    return None


# --- saving -----------------------------------------------------------------------------------

def save_settings(ws: Any, changes: dict[str, Any]) -> Any:
    """Save ``changes`` (setting name -> value, as typed or already typed) to the
    document, all or nothing: every value is checked first (ValidationError naming
    each refused one; nothing written). Each setting whose value changes gets the
    row's new clock stamp, a field version and a history line, in one transaction
    (a document without a settings row gets one first). Returns a
    :class:`~cypdesk.services.records.Change` of kind "document" whose ``before`` and
    ``after`` hold the changed settings, so saving ``before`` undoes it."""
    from cypdesk.model.system import DocumentInfo
    from cypdesk.model.tracking import record_settings
    from cypdesk.services.records import Change

    clean = check_settings(changes)
    with ws.write() as session:
        doc = session.query(DocumentInfo).order_by(DocumentInfo.created_at, DocumentInfo.id).first()
        if doc is None:  # a new document has no settings row until one is first set
            doc = DocumentInfo(rating_scale="rag", created_by=session.author.id, hlc=session.clock.tick())
            session.add(doc)
            session.flush()
        before = {name: getattr(doc, name) for name in clean}
        changed = {name: value for name, value in clean.items() if before[name] != value}
        change = Change("update", "document", doc.id, "Document settings")
        if changed:
            stamp = session.clock.tick()
            shown = {}
            for name, value in changed.items():
                setattr(doc, name, value)
                old, new = before[name], value
                if name == "logo":  # history keeps what happened, not a megabyte twice
                    old, new = logo_words(old), logo_words(new)
                shown[name] = (old, new)
            record_settings(session, session.author, stamp, shown)
            doc.hlc = stamp
            change.before = {k: before[k] for k in changed}
            change.after = changed
    if change.after:
        ws.doc.mark_dirty()  # the document row is not a record: the session did not count it as a change
    return change


def save_settings_of(ws: Any, document_id: str | None, changes: dict[str, Any]) -> Any:
    """:func:`save_settings`, refused (RecordNotFound) when ``document_id`` is given and
    is not the document's own id (``cypdesk set FILE document ID FIELD=VALUE``)."""
    if document_id is not None:
        from cypdesk.common.errors import RecordNotFound
        from cypdesk.services.query import query_rows

        with query_rows(ws) as run:
            ids = [r[0] for r in run("SELECT id FROM document")]
        if document_id not in ids:
            raise RecordNotFound(f"This document's id is {ids[0] if ids else 'not set yet'}, not {document_id}: "
                                 "give the document's id or none (cypdesk set FILE document FIELD=VALUE).",
                                 id=document_id)
    return save_settings(ws, changes)


def logo_words(data: bytes | None) -> str | None:
    if not data:
        return None
    import hashlib

    size = logo_size(data)
    shape = f" {size[0]}x{size[1]}" if size else ""
    return f"{logo_format(data) or 'image'}{shape}, {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def describe(settings: DocumentSettings) -> dict[str, Any]:
    """The settings as plain values for ``info`` (the logo as its format, size and
    bytes, never the bytes themselves)."""
    out: dict[str, Any] = {}
    for name in SETTING_NAMES:
        value = getattr(settings, name)
        if name == "logo":
            size = logo_size(value) if value else None
            value = ({"format": logo_format(value), "bytes": len(value),
                      "width": size[0] if size else None, "height": size[1] if size else None} if value else None)
        out[name] = value
    return out


__all__ = [
    "COMPARATOR_SETS", "COMPARATOR_WORDS", "DEFAULTS", "DocumentSettings", "LOGO_MAX_BYTES", "SETTINGS",
    "SETTING_NAMES", "check_logo", "check_settings", "choices", "comparator_options", "describe", "load_logo", "logo_format", "logo_size",
    "logo_words", "read_settings", "save_settings", "save_settings_of", "setting_of",
]
