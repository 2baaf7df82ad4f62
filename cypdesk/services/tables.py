"""Tables read lazily from SQLite: a count, then pages of rows as tuples, sorted and
filtered in SQL. The window's table models sit on this; so does export. Never loads
all rows, never builds ORM objects for a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, func, literal, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement, Select

from cypdesk.model import KINDS, Record
from cypdesk.model.fields import FieldMeta, fields_of


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    meta: FieldMeta
    expr: Any  # the SQL expression selected (a referenced record's title for references)

    @property
    def numeric(self) -> bool:
        return self.meta.kind in ("money", "number", "percent", "integer", "financial_year", "quarter")


def default_columns(model: type[Record], limit: int = 9) -> list[str]:
    """The first fields an officer scans: declared order, long text left out."""
    names = [name for name, meta in fields_of(model) if meta.kind != "long_text"]
    return names[:limit]


class TableQuery:
    """A sorted, filtered view of one kind of record, read a page at a time."""

    def __init__(self, engine: Engine, kind: str, columns: list[str] | None = None) -> None:
        self.engine = engine
        self.model = KINDS[kind]
        table = self.model.__table__
        metas = dict(fields_of(self.model, include_system=True))
        self._joins: list[tuple[Any, Any]] = []
        self.columns: list[Column] = []
        for name in columns or default_columns(self.model):
            meta = metas[name]
            expr: Any = table.c[name]
            if meta.kind == "reference" and meta.references in KINDS:
                target_model = KINDS[meta.references]
                target = target_model.__table__.alias(f"ref_{name}")
                self._joins.append((target, target.c.id == table.c[name]))
                expr = target.c[target_model.__title__]
            self.columns.append(Column(name, meta.label, meta, expr.label(name)))
        self.filter_text = ""
        self.conditions: dict[str, Any] = {}
        self.sort_column: int | None = None
        self.descending = False
        self._count: int | None = None

    # --- query state ---------------------------------------------------------------
    def set_filter(self, text: str = "", **conditions: Any) -> None:
        self.filter_text = text.strip()
        self.conditions = {k: v for k, v in conditions.items() if v not in (None, "")}
        self._count = None

    def set_sort(self, column: int | None, descending: bool = False) -> None:
        self.sort_column, self.descending = column, descending

    def _base(self, *cols: Any) -> Select:
        table = self.model.__table__
        frm: Any = table
        for target, on in self._joins:
            frm = frm.outerjoin(target, on)
        stmt = select(*cols).select_from(frm)
        where: list[ColumnElement[bool]] = []
        if self.filter_text:
            pattern = f"%{self.filter_text}%"
            texts = [c.expr for c in self.columns if c.meta.kind in ("text", "long_text", "identifier", "reference", "email")]
            if texts:
                where.append(or_(*[cast(e, String).ilike(pattern) for e in _unlabel(texts)]))
            else:
                where.append(literal(False))
        for name, value in self.conditions.items():
            where.append(table.c[name] == value)
        if where:
            stmt = stmt.where(and_(*where))
        return stmt

    # --- reading -------------------------------------------------------------------
    def count(self) -> int:
        if self._count is None:
            with self.engine.connect() as conn:
                self._count = conn.execute(self._base(func.count()).order_by(None)).scalar_one()
        return self._count

    def rows(self, offset: int, limit: int) -> list[tuple[str, tuple[Any, ...]]]:
        """(id, values) for rows ``offset`` to ``offset + limit`` in the current order."""
        table = self.model.__table__
        stmt = self._base(table.c.id, *[c.expr for c in self.columns])
        order: list[Any] = []
        if self.sort_column is not None:
            expr = _unlabel([self.columns[self.sort_column].expr])[0]
            order.append(expr.desc() if self.descending else expr.asc())
        order.append(table.c.id)
        stmt = stmt.order_by(*order).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [(row[0], tuple(row[1:])) for row in conn.execute(stmt)]


def _unlabel(exprs: list[Any]) -> list[Any]:
    return [getattr(e, "element", e) for e in exprs]


def display(column: Column, value: Any) -> str:
    """A value as an officer reads it: UK money and dates, choice labels, Yes/No."""
    if value is None:
        return ""
    meta = column.meta
    if meta.choices is not None:
        return meta.choices.label(value)
    kind = meta.kind
    if kind == "bool":
        return "Yes" if value else "No"
    from cypdesk.common import formats

    if kind == "money":
        return formats.money(value)
    if kind == "percent":
        return formats.percent(value, 0 if float(value).is_integer() else 1)
    if kind == "date":
        return formats.date_uk(value) if not isinstance(value, str) else _date_text(value)
    if kind == "financial_year":
        from cypdesk.common.periods import format_financial_year

        return format_financial_year(int(value))
    if kind == "period":
        from cypdesk.common.periods import Period

        try:
            return Period.from_key(value).label()
        except ValueError:
            return str(value)
    if kind == "number":
        return formats.number(value, 0 if float(value).is_integer() else 1)
    return str(value)


def _date_text(value: str) -> str:
    from datetime import date

    from cypdesk.common import formats

    try:
        return formats.date_uk(date.fromisoformat(value[:10]))
    except ValueError:
        return value
