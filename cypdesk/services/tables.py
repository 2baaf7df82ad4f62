"""Tables read lazily from SQLite: a count, then pages of rows as tuples, sorted and
filtered in SQL. The window's table models sit on this. It never loads all rows and
never builds ORM objects; it reads the generated catalog and the standard ``sqlite3``
module only, so the window's first paint does not wait for SQLAlchemy to import.

Sorting: blanks last, text without regard to case, then by id so pages are stable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from cypdesk.model.catalog import CATALOG

TEXT_KINDS = ("text", "long_text", "identifier", "reference", "email", "choice")
NUMERIC_KINDS = ("money", "number", "percent", "integer", "financial_year", "quarter")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str
    help: str
    choices: dict[str, str] | None
    sql: str  # the expression selected: the column, or the referenced record's title

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


# Columns a table shows that are not fields of its own records: read from related
# records in SQL, so they sort and filter like any other column.
DERIVED: dict[str, dict[str, dict[str, Any]]] = {
    "services": {
        "commissioners": {
            "name": "commissioners", "label": "Commissioner", "kind": "text",
            "help": "The partners that commission the service, with their shares.",
            "sql": ("(SELECT group_concat(o.name || CASE WHEN sc.share_pct < 100 THEN ' ' || "
                    "CAST(ROUND(sc.share_pct) AS INTEGER) || '%' ELSE '' END, ', ') "
                    "FROM service_commissioners sc JOIN organisations o ON o.id = sc.organisation_id "
                    "WHERE sc.service_id = t.id)"),
        },
        "contract_end": {
            "name": "contract_end", "label": "Contract end", "kind": "contract_end",
            "help": "When the service's current contract ends; flagged when that is within 6 or 12 months.",
            "sql": "(SELECT max(c.end_date) FROM contracts c WHERE c.service_id = t.id)",
        },
    },
    "import_records": {
        "imported_at": {
            "name": "imported_at", "label": "Imported", "kind": "datetime",
            "help": "When the import was made (UTC).", "sql": "t.created_at",
        },
        "imported_by": {
            "name": "imported_by", "label": "Imported by", "kind": "text",
            "help": "Who made the import, as the person on the computer.",
            "sql": "(SELECT i.user || ' on ' || i.host FROM installations i WHERE i.id = t.created_by)",
        },
    },
    "organisations": {
        "services_provided": {
            "name": "services_provided", "label": "Services provided", "kind": "integer",
            "help": "How many services in the register name it as their provider.",
            "sql": "(SELECT count(*) FROM services s WHERE s.provider_id = t.id)",
        },
        "people_count": {
            "name": "people_count", "label": "People", "kind": "integer",
            "help": "How many of its people (contacts) are recorded.",
            "sql": "(SELECT count(*) FROM people p WHERE p.organisation_id = t.id)",
        },
    },
}


def field_spec(kind: str, name: str) -> dict[str, Any]:
    for spec in CATALOG[kind]["fields"]:
        if spec["name"] == name:
            return spec
    if name in DERIVED.get(kind, {}):
        return DERIVED[kind][name]
    raise KeyError(f"{kind} has no field {name!r}")


def default_columns(kind: str, limit: int = 9) -> list[str]:
    """The first fields an officer scans: declared order, long text and bookkeeping left out."""
    names = [f["name"] for f in CATALOG[kind]["fields"] if not f.get("system") and f["kind"] != "long_text"]
    return names[:limit]


# The columns the window's tabs show, in their order (the tabs read them from here, so
# an export of a table has the headers the window shows).
WINDOW_COLUMNS: dict[str, tuple[str, ...]] = {
    "services": ("name", "provider_id", "commissioners", "sector", "tier", "prevention", "status",
                 "annual_cost", "contract_end", "to_classify"),
    "organisations": ("name", "kind", "is_partner", "is_provider", "services_provided", "people_count"),
    "people": ("name", "role", "organisation_id", "email"),
    "teams": ("name", "kind", "focus", "focus_value", "stage", "reports_to_id", "lead_id"),
    "indicator_values": ("indicator_id", "area_id", "period", "sex", "age", "category", "group_id", "value",
                         "lower_ci", "upper_ci", "suppressed"),
    "agreements": ("title", "type", "legal_basis", "host_id", "status", "start_date", "review_date", "end_date"),
    # what `cypdesk imports` lists: every count, and when and by whom
    "import_records": ("imported_at", "imported_by", "source_name", "sheet", "kind", "source_sha256", "rows_read",
                       "rows_added", "rows_updated", "rows_unchanged", "rows_rejected", "publisher"),
}


def window_columns(kind: str) -> list[str]:
    """The columns a table of ``kind`` shows in the window: its tab's, else the
    :func:`default_columns`."""
    if kind in WINDOW_COLUMNS:
        return list(WINDOW_COLUMNS[kind])
    return default_columns(kind)


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class TableQuery:
    """A sorted, filtered view of one kind of record, read a page at a time."""

    def __init__(self, conn: sqlite3.Connection, kind: str, columns: list[str] | None = None) -> None:
        if kind not in CATALOG:
            raise KeyError(f"unknown kind {kind!r}")
        self.conn = conn
        self.kind = kind
        self.columns: list[Column] = []
        joins = []
        for i, name in enumerate(columns or default_columns(kind)):
            spec = field_spec(kind, name)
            sql = spec.get("sql") or f"t.{_q(name)}"
            target = spec.get("references")
            if spec["kind"] == "reference" and target in CATALOG:
                alias = f"r{i}"
                joins.append(f"LEFT JOIN {_q(target)} {alias} ON {alias}.id = t.{_q(name)}")
                sql = f"{alias}.{_q(CATALOG[target]['title'])}"
            choices = {v: label for v, label in spec["choices"]} if "choices" in spec else None
            self.columns.append(Column(name, spec["label"], spec["kind"], spec.get("help", ""), choices, sql))
        self._from = f"{_q(kind)} t " + " ".join(joins)
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

    def _where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.filter_text:
            needle = self.filter_text.casefold()
            pattern = "%" + self.filter_text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            alternatives: list[str] = []
            for c in self.columns:
                if c.choices:  # a choice matches by its label, as the officer sees it
                    hits = [v for v, label in c.choices.items() if needle in label.casefold()]
                    if hits:
                        alternatives.append(f"{c.sql} IN ({', '.join('?' * len(hits))})")
                        params.extend(hits)
                elif c.kind in TEXT_KINDS:
                    alternatives.append(f"{c.sql} LIKE ? ESCAPE '\\'")
                    params.append(pattern)
            clauses.append("(" + " OR ".join(alternatives) + ")" if alternatives else "0")
        for name, value in self.conditions.items():
            spec = field_spec(self.kind, name)  # refuses unknown names: they become SQL identifiers
            clauses.append(f"{spec.get('sql') or 't.' + _q(name)} = ?")
            params.append(value)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    # --- reading -------------------------------------------------------------------
    def count(self) -> int:
        if self._count is None:
            where, params = self._where()
            self._count = self.conn.execute(f"SELECT count(*) FROM {self._from}{where}", params).fetchone()[0]
        return self._count

    def _order(self) -> str:
        if self.sort_column is None:
            return "t.id"
        column = self.columns[self.sort_column]
        collate = " COLLATE NOCASE" if column.kind in TEXT_KINDS else ""
        direction = " DESC" if self.descending else ""
        return f"({column.sql} IS NULL), {column.sql}{collate}{direction}, t.id"

    def position_of(self, record_id: str) -> int | None:
        """The row a record is on in the current order and filter, or None if hidden."""
        where, params = self._where()
        sql = (f"SELECT n FROM (SELECT t.id AS id, ROW_NUMBER() OVER (ORDER BY {self._order()}) - 1 AS n "
               f"FROM {self._from}{where}) WHERE id = ?")
        row = self.conn.execute(sql, [*params, record_id]).fetchone()
        return None if row is None else int(row[0])

    def ids(self, limit: int = 100_000) -> list[str]:
        """The ids of the rows the current filter keeps, in the current order."""
        where, params = self._where()
        sql = f"SELECT t.id FROM {self._from}{where} ORDER BY {self._order()} LIMIT ?"
        return [row[0] for row in self.conn.execute(sql, [*params, limit])]

    def stream(self, batch: int = 5_000) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
        """Every row in the current order, a batch at a time, from ONE statement (deep
        OFFSETs re-sort the table for each page: minutes at a million rows)."""
        where, params = self._where()
        select = ", ".join(c.sql for c in self.columns)
        cursor = self.conn.execute(f"SELECT t.id, {select} FROM {self._from}{where} ORDER BY {self._order()}", params)
        try:
            while True:
                chunk = cursor.fetchmany(batch)
                if not chunk:
                    return
                yield [(row[0], tuple(row[1:])) for row in chunk]
        finally:
            cursor.close()

    def rows(self, offset: int, limit: int) -> list[tuple[str, tuple[Any, ...]]]:
        """(id, values) for rows ``offset`` to ``offset + limit`` in the current order."""
        where, params = self._where()
        select = ", ".join(c.sql for c in self.columns)
        sql = f"SELECT t.id, {select} FROM {self._from}{where} ORDER BY {self._order()} LIMIT ? OFFSET ?"
        return [(row[0], tuple(row[1:])) for row in self.conn.execute(sql, [*params, limit, offset])]


def display(column: Column, value: Any) -> str:
    """A value as an officer reads it: UK money and dates, choice labels, Yes/No."""
    if value is None:
        return ""
    if column.choices is not None:
        return column.choices.get(value, str(value))
    kind = column.kind
    if kind == "bool":
        return "Yes" if value else "No"
    from cypdesk.common import formats

    if kind == "money":
        return formats.money(value)
    if kind == "percent":
        return formats.percent(value, 0 if float(value).is_integer() else 1)
    if kind in ("date", "contract_end"):
        return formats.date_uk(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))
    if kind == "financial_year":
        from cypdesk.common.periods import format_financial_year

        return format_financial_year(int(value))
    if kind == "period":
        from cypdesk.common.periods import Period

        try:
            return Period.from_key(str(value)).label()
        except ValueError:
            return str(value)
    if kind == "number":
        return formats.number(value, 0 if float(value).is_integer() else 1)
    return str(value)


def months_until(end: Any, today: date) -> int | None:
    """Whole months from ``today`` to an end date (negative once it has passed)."""
    if end in (None, ""):
        return None
    when = end if isinstance(end, date) else date.fromisoformat(str(end)[:10])
    months = (when.year - today.year) * 12 + (when.month - today.month)
    if when.day < today.day:
        months -= 1
    return months


def ending_flag(end: Any, today: date) -> str | None:
    """"ended", "within 6 months", "within 12 months" or None: the words every flag
    carries beside its colour."""
    if end in (None, ""):
        return None
    when = end if isinstance(end, date) else date.fromisoformat(str(end)[:10])
    if when < today:
        return "ended"
    months = months_until(when, today)
    if months is not None and months < 6:
        return "within 6 months"
    if months is not None and months < 12:
        return "within 12 months"
    return None
