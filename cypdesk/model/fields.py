"""Field metadata, declared once beside each column and read by everything else.

``field(...)`` wraps ``mapped_column`` and puts a :class:`FieldMeta` into the column's
``info``. Table columns, forms, import mapping, export headers, redaction and merge
read it through :func:`fields_of` and :func:`meta_of`; nothing repeats a label.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any

from sqlalchemy.orm import mapped_column


@dataclass(frozen=True)
class Choices:
    """A closed list of values with their labels, stored as the value."""

    items: tuple[tuple[str, str], ...]

    def __init__(self, *items: tuple[str, str]) -> None:
        object.__setattr__(self, "items", tuple(items))

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.items)

    def label(self, value: str | None) -> str:
        for v, lab in self.items:
            if v == value:
                return lab
        return value or ""

    def __contains__(self, value: object) -> bool:
        return value in self.values

    def lookup(self, text: str) -> str | None:
        """The value for a written value or label, ignoring case and spacing."""
        norm = " ".join(str(text).replace("_", " ").split()).casefold()
        for v, lab in self.items:
            if norm in (v.replace("_", " ").casefold(), lab.casefold()):
                return v
        return None


# What a value is, beyond its SQL type: drives formatting, parsing and widgets.
KINDS = (
    "text", "long_text", "choice", "money", "percent", "number", "integer", "date",
    "datetime", "bool", "financial_year", "quarter", "period", "identifier", "email",
    "reference", "stamp",
)


@dataclass(frozen=True)
class FieldMeta:
    label: str
    kind: str = "text"
    help: str = ""
    choices: Choices | None = None
    unit: str | None = None
    confidential: bool = False
    personal: bool = False  # contact details: left out of shared copies unless chosen
    counts: bool = False  # counts people (children, families, cases): small numbers print suppressed
    synonyms: tuple[str, ...] = ()
    required: bool = False
    references: str | None = None  # table a reference points at
    minimum: float | None = None
    maximum: float | None = None
    system: bool = False  # bookkeeping: not shown in forms, not imported
    data: bool = False  # a system field that is really data (a snapshot, a mapping): merged and versioned like any field
    max_length: int | None = None  # the most characters a text value may hold (its column's declared length)
    not_before: str | None = None  # a date that cannot be earlier than this other field (an end and its start)
    extra: dict[str, Any] = dc_field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


def field(
    sqltype: Any,
    label: str,
    *args: Any,
    kind: str | None = None,
    help: str = "",
    choices: Choices | None = None,
    unit: str | None = None,
    confidential: bool = False,
    personal: bool = False,
    counts: bool = False,
    synonyms: tuple[str, ...] | list[str] = (),
    required: bool = False,
    references: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    system: bool = False,
    data: bool = False,
    not_before: str | None = None,
    **column_kw: Any,
) -> Any:
    """A ``mapped_column`` carrying its :class:`FieldMeta`."""
    if kind is None:
        kind = "choice" if choices is not None else _default_kind(sqltype)
    meta = FieldMeta(
        label=label, kind=kind, help=help, choices=choices, unit=unit,
        confidential=confidential, personal=personal, counts=counts, synonyms=tuple(synonyms),
        required=required, references=references, minimum=minimum, maximum=maximum,
        system=system, data=data, max_length=_declared_length(sqltype), not_before=not_before,
    )
    if not column_kw.get("primary_key"):
        column_kw.setdefault("nullable", not required)
    info = dict(column_kw.pop("info", {}) or {})
    info["meta"] = meta
    return mapped_column(sqltype, *args, info=info, **column_kw)


def _declared_length(sqltype: Any) -> int | None:
    """The length a column type declares (``String(300)``: 300), or None for no limit."""
    length = getattr(sqltype, "length", None)
    return length if isinstance(length, int) and not isinstance(length, bool) else None


def _default_kind(sqltype: Any) -> str:
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, Text

    t = sqltype if isinstance(sqltype, type) else type(sqltype)
    if issubclass(t, Boolean):
        return "bool"
    if issubclass(t, DateTime):
        return "datetime"
    if issubclass(t, Date):
        return "date"
    if issubclass(t, Integer):
        return "integer"
    if issubclass(t, (Float, Numeric)):
        return "number"
    if issubclass(t, Text):
        return "long_text"
    return "text"


def meta_of(column: Any) -> FieldMeta | None:
    return column.info.get("meta") if hasattr(column, "info") else None


def fields_of(model: Any, *, include_system: bool = False) -> list[tuple[str, FieldMeta]]:
    """(attribute name, metadata) of a mapped class's declared fields, in order."""
    out = []
    for column in model.__table__.columns:
        meta = meta_of(column)
        if meta is None or (meta.system and not include_system):
            continue
        out.append((column.key, meta))
    return out


def confidential_fields(model: Any) -> list[str]:
    return [name for name, meta in fields_of(model, include_system=True) if meta.confidential]


def personal_fields(model: Any) -> list[str]:
    return [name for name, meta in fields_of(model, include_system=True) if meta.personal]


def counts_fields(model: Any) -> list[str]:
    """The fields that count people (``counts``): published with small numbers suppressed."""
    return [name for name, meta in fields_of(model, include_system=True) if meta.counts]
