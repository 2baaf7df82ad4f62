"""A source cell as a field's value: through :func:`cypdesk.io.cellvalues.convert` (the
forms of the field: £1.2m, (500), Excel serial dates, suppression markers...), then the
same conversion and checks as a typed value (:func:`cypdesk.services.records.coerce`
and :func:`~cypdesk.services.records.check_value`), then the identifiers' form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cypdesk.model.fields import FieldMeta
from cypdesk.services.importing.keys import check_identifier

try:
    from cypdesk.io.cellvalues import SUPPRESSION_MARKERS, Suppressed, convert as _cell_convert
except ImportError:  # until io.cellvalues is merged: plain conversion, markers still kept
    SUPPRESSION_MARKERS = ("c", "x", "..", "*", "-", "z", ":")
    _cell_convert = None

    @dataclass(frozen=True)
    class Suppressed:  # type: ignore[no-redef]
        marker: str

NUMERIC_KINDS = ("money", "number", "percent", "integer")
BLANK_LIKE = ("n/a", "N/A", "NA/", "#N/A N/A")
IDENTIFIER_FIELDS = ("gss_code", "ods_code", "charity_number", "company_number")


def _fallback(meta: FieldMeta, raw: Any) -> Any:
    if isinstance(raw, str):
        text = raw.strip()
        if not text or text in ("n/a", "N/A"):
            return None
        if text.startswith("#") and text.endswith(("!", "A", "?")) and text.upper() in (
                "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"):
            raise ValueError(f"the cell holds Excel's error {text}, not a value")
        if meta.kind in NUMERIC_KINDS and text in SUPPRESSION_MARKERS:
            return Suppressed(text)
    if meta.kind == "identifier" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if isinstance(raw, float) and not raw.is_integer():
            return repr(raw)
        return str(int(raw))
    return raw


def read_value(meta: FieldMeta, raw: Any, *, field: str = "", date1904: bool = False) -> Any:
    """The value of ``raw`` for a field, :class:`Suppressed` for a suppression marker in
    a numeric field, None for blank. Raises ValueError with the reason in plain words."""
    from cypdesk.services.records import check_value, coerce

    if _cell_convert is not None:
        kind = meta.kind if meta.kind not in ("long_text", "email", "reference", "stamp") else "text"
        value = _cell_convert("choice" if meta.choices is not None else kind, raw, date1904=date1904,
                              choices=meta.choices)
    else:
        value = _fallback(meta, raw)
    if isinstance(value, Suppressed):
        return value
    value = coerce(meta, value, field_name=field)
    if field in IDENTIFIER_FIELDS and isinstance(value, str) and value:
        value, problem = check_identifier(field, value)
        if problem:
            raise ValueError(problem)
    problem = check_value(meta, value) if value is not None else None
    if problem:
        raise ValueError(problem)
    return value


def shown(raw: Any) -> str | None:
    """A source value as a problem report shows it."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


__all__ = ["SUPPRESSION_MARKERS", "Suppressed", "read_value", "shown"]
