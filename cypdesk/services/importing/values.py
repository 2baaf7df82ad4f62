"""A source cell as a field's value: through :func:`cypdesk.io.cellvalues.convert` (the
forms of the field: £1.2m, (500), Excel serial dates, suppression markers...), then the
checks as a typed value (:func:`~cypdesk.services.records.check_value`; a value convert
did not already give in its final form goes through
:func:`cypdesk.services.records.coerce` too), then the identifiers' form."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from cypdesk.io.cellvalues import SUPPRESSION_MARKERS, Suppressed, convert
from cypdesk.model.fields import FieldMeta
from cypdesk.services.importing.keys import check_identifier

IDENTIFIER_FIELDS = ("gss_code", "ods_code", "charity_number", "company_number")


# What convert gives for each kind, already in the form records.coerce would make of it
# (coerce of it changes nothing): such a value is not converted a second time.
_CONVERTED = {
    **dict.fromkeys(("text", "long_text", "email", "reference", "stamp"), str),
    **dict.fromkeys(("money", "number", "percent"), float),
    **dict.fromkeys(("integer", "quarter", "financial_year"), int),
    "bool": bool, "period": str, "date": date, "datetime": datetime,
}


def read_value(meta: FieldMeta, raw: Any, *, field: str = "", date1904: bool = False,
               fraction: bool = False) -> Any:
    """The value of ``raw`` for a field, :class:`Suppressed` for a suppression marker in
    a numeric field, None for blank. ``fraction``: the cell is formatted as a percentage
    (Excel stores 12.5% as 0.125), for a percent field. Raises ValueError with the reason
    in plain words."""
    from cypdesk.services.records import check_value, coerce

    if raw is None or raw == "":
        return None
    value = convert("choice" if meta.choices is not None else meta.kind, raw, date1904=date1904,
                    choices=meta.choices, fraction=fraction and meta.kind == "percent")
    if isinstance(value, Suppressed):
        return value
    if meta.choices is not None or type(value) is not _CONVERTED.get(meta.kind):
        value = coerce(meta, value, field_name=field)
    if field in IDENTIFIER_FIELDS and isinstance(value, str) and value:
        value, problem = check_identifier(field, value)
        if problem:
            raise ValueError(problem)
    problem = check_value(meta, value) if value is not None else None
    if problem:
        raise ValueError(problem)
    return value


_PLAIN_LINES = re.compile(r"(?:-?\d{1,15}(?:\.\d{1,15})?\n)*")  # PLAIN_NUMBER, one a line


def all_plain_figures(texts: Collection[str]) -> bool:
    """Whether every one of ``texts`` is a plain figure
    (:data:`cypdesk.io.cellvalues.PLAIN_NUMBER`: "94.7261", "-12"), found by one match
    over them all, a line each, instead of one match per text (a text holding a line
    break is no plain figure, and makes the count of lines differ)."""
    if not texts:
        return True
    joined = "\n".join(texts) + "\n"
    return joined.count("\n") == len(texts) and _PLAIN_LINES.fullmatch(joined) is not None


def shown(raw: Any) -> str | None:
    """A source value as a problem report shows it."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


__all__ = ["SUPPRESSION_MARKERS", "Suppressed", "all_plain_figures", "read_value", "shown"]
