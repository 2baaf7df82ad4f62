"""A source cell as a field's value: through :func:`cypdesk.io.cellvalues.convert` (the
forms of the field: £1.2m, (500), Excel serial dates, suppression markers...), then the
same conversion and checks as a typed value (:func:`cypdesk.services.records.coerce`
and :func:`~cypdesk.services.records.check_value`), then the identifiers' form."""

from __future__ import annotations

import re
from typing import Any

from cypdesk.io.cellvalues import SUPPRESSION_MARKERS, Suppressed, convert
from cypdesk.model.fields import FieldMeta
from cypdesk.services.importing.keys import check_identifier

IDENTIFIER_FIELDS = ("gss_code", "ods_code", "charity_number", "company_number")


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _needs_check(meta: FieldMeta, value: Any) -> bool:
    """Whether records.check_value could find anything wrong (its character-by-character
    scan for control characters costs more than the rest of a cell's reading)."""
    if isinstance(value, str):
        return (meta.max_length is not None and len(value) > meta.max_length) or _CONTROL.search(value) is not None
    return True


def read_value(meta: FieldMeta, raw: Any, *, field: str = "", date1904: bool = False) -> Any:
    """The value of ``raw`` for a field, :class:`Suppressed` for a suppression marker in
    a numeric field, None for blank. Raises ValueError with the reason in plain words."""
    from cypdesk.services.records import check_value, coerce

    if raw is None or raw == "":
        return None
    value = convert("choice" if meta.choices is not None else meta.kind, raw, date1904=date1904,
                    choices=meta.choices)
    if isinstance(value, Suppressed):
        return value
    value = coerce(meta, value, field_name=field)
    if field in IDENTIFIER_FIELDS and isinstance(value, str) and value:
        value, problem = check_identifier(field, value)
        if problem:
            raise ValueError(problem)
    problem = check_value(meta, value) if value is not None and _needs_check(meta, value) else None
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
