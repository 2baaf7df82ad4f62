"""A source cell as a field's value: through :func:`cypdesk.io.cellvalues.convert` (the
forms of the field: £1.2m, (500), Excel serial dates, suppression markers...), then the
same conversion and checks as a typed value (:func:`cypdesk.services.records.coerce`
and :func:`~cypdesk.services.records.check_value`), then the identifiers' form."""

from __future__ import annotations

from typing import Any

from cypdesk.io.cellvalues import SUPPRESSION_MARKERS, Suppressed, convert
from cypdesk.model.fields import FieldMeta
from cypdesk.services.importing.keys import check_identifier

IDENTIFIER_FIELDS = ("gss_code", "ods_code", "charity_number", "company_number")


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
