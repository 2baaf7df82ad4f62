"""A paper's appendices, built from the document's data through the SAME services-layer
analysis the tab shows (one computation, two views): the action plan
(:func:`monitoring.action_plan`), pooled budgets (:mod:`budgets`), service performance
(:func:`monitoring.measure_ratings` / :func:`monitoring.service_ratings`), a needs
profile (:func:`needs.indicator_summaries` and :func:`needs.trend`), the service and
outcome map and contracts ending (:func:`service_map.outcome_map`), and the risk
register (:func:`monitoring.risk_register`).

Each kind has simple options (:data:`APPENDIX_KINDS_OPTIONS`, offered by the window
through :func:`option_choices`), stored as JSON on the appendix. :func:`build_appendix`
turns an appendix row into an :class:`~cypdesk.common.paperdoc.Appendix` of tables,
charts and text; every table's columns that count people are suppressed
(:func:`suppress_table`, reliability case 71). No Qt; reads a ``sqlite3`` connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from cypdesk.common.errors import ValidationError
from cypdesk.common.paperdoc import Appendix, Block, Cell, Run, Table, Text
from cypdesk.common.suppression import SUPPRESSED_TEXT, suppress, totals_hidden
from cypdesk.model.catalog import CATALOG

__all__ = ["APPENDIX_KINDS_OPTIONS", "APPENDIX_TITLES", "OptionSpec", "build_appendix", "document_settings",
           "option_choices", "read_options", "reading", "suppress_table"]


@dataclass(frozen=True)
class OptionSpec:
    """One option of an appendix kind, as the window's chooser offers it.

    ``kind``: "reference" (an id of ``references``), "references" (a list of ids),
    "choice" (one of ``choices``), "bool", "integer" or "financial_year" (a year's
    first calendar year, 2025 for 2025-26)."""

    name: str
    label: str
    kind: str
    references: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = None
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""


def _choices_of(kind: str, field: str) -> tuple[tuple[str, str], ...]:
    for spec in CATALOG[kind]["fields"]:
        if spec["name"] == field:
            return tuple((v, lab) for v, lab in spec.get("choices") or ())
    return ()


APPENDIX_TITLES = dict(_choices_of("appendices", "kind")) | {"contracts_ending": "Contracts ending"}

APPENDIX_KINDS_OPTIONS: dict[str, list[OptionSpec]] = {
    "action_plan": [
        OptionSpec("priority_id", "Priority", "reference", references="priorities",
                   help="Only the actions of this priority."),
        OptionSpec("status", "Status", "choice", choices=_choices_of("actions", "status"),
                   help="Only the actions with this status."),
        OptionSpec("overdue_only", "Overdue only", "bool", default=False),
    ],
    "pooled_budgets": [
        OptionSpec("agreement_id", "Agreement", "reference", references="agreements",
                   help="Left empty: every agreement still running."),
        OptionSpec("year", "Financial year", "financial_year", help="Left empty: the year of the paper's date."),
    ],
    "performance": [
        OptionSpec("service_id", "Service", "reference", references="services"),
        OptionSpec("priority_id", "Priority", "reference", references="priorities"),
        OptionSpec("exceptions_only", "Exceptions only", "bool", default=False,
                   help="Only measures rated red or amber (slippage or no progress), or red two periods running."),
    ],
    "needs_profile": [
        OptionSpec("outcome_id", "Outcome", "reference", references="outcomes",
                   help="The indicators of this outcome and its sub-outcomes."),
        OptionSpec("priority_id", "Priority", "reference", references="priorities",
                   help="The indicators and outcomes the priority rests on."),
        OptionSpec("indicator_ids", "Indicators", "references", references="indicators",
                   help="Only these indicators."),
        OptionSpec("area", "Locality", "reference", references="areas",
                   help="A locality's own values against England (its id or name)."),
    ],
    "service_map": [
        OptionSpec("priority_id", "Priority", "reference", references="priorities",
                   help="Only the outcomes this priority rests on."),
        OptionSpec("area", "Locality", "reference", references="areas",
                   help="Also list the services working in this locality (its id or name)."),
    ],
    "contracts_ending": [
        OptionSpec("within_days", "Ending within (days)", "integer", default=180, minimum=1, maximum=366),
    ],
    "risks": [
        OptionSpec("minimum_score", "Lowest score", "integer", minimum=1, maximum=25,
                   help="Only risks scoring this or more (likelihood x impact)."),
    ],
}


@contextmanager
def reading(source: Any) -> Iterator[sqlite3.Connection]:
    """A ``sqlite3`` connection on ``source``: itself; a SQLAlchemy connection's or
    session's own (inside their transaction); or one taken from an engine or a
    workspace's document for the duration."""
    if isinstance(source, sqlite3.Connection):
        yield source
        return
    if hasattr(source, "exec_driver_sql"):  # a SQLAlchemy Connection
        yield source.connection.driver_connection
        return
    if hasattr(source, "get_bind") and hasattr(source, "connection"):  # a Session
        yield source.connection().connection.driver_connection
        return
    doc = getattr(source, "doc", None)
    engine = doc.engine if doc is not None else source
    if not hasattr(engine, "connect"):
        raise TypeError(f"cannot read a document through {type(source).__name__}")
    with engine.connect() as conn:
        yield conn.connection.driver_connection


# --- options --------------------------------------------------------------------------------

def _title_sql(table: str) -> str:
    title = CATALOG[table]["title"]
    if table == "priorities":
        return "COALESCE(plan_reference || ': ', '') || statement"
    if table == "outcomes":
        return "COALESCE(code || ' ', '') || name"
    return f'"{title}"'


def option_choices(conn: Any, kind: str, option: str) -> list[tuple[Any, str]]:
    """The values the window offers for ``option`` of an appendix ``kind``, with their
    labels: records of the referenced table by title, a choice's values, the financial
    years with budget data, or yes/no."""
    spec = _spec(kind, option)
    with reading(conn) as db:
        return _choices(db, spec)


def _choices(conn: sqlite3.Connection, spec: OptionSpec) -> list[tuple[Any, str]]:
    if spec.kind in ("reference", "references"):
        table = spec.references or ""
        where = " WHERE kind != 'england'" if table == "areas" else ""
        sql = f'SELECT id, {_title_sql(table)} FROM "{table}"{where} ORDER BY 2 COLLATE NOCASE, id'
        return [(r[0], r[1] or "") for r in conn.execute(sql)]
    if spec.kind == "choice":
        return list(spec.choices)
    if spec.kind == "bool":
        return [(False, "No"), (True, "Yes")]
    if spec.kind == "financial_year":
        from cypdesk.common.periods import Period

        years = sorted({int(r[0]) for r in conn.execute(
            "SELECT financial_year FROM contributions UNION SELECT financial_year FROM returns") if r[0] is not None})
        return [(y, Period.financial_year(y).label()) for y in years]
    return []


def _spec(kind: str, option: str) -> OptionSpec:
    if kind not in APPENDIX_KINDS_OPTIONS:
        raise ValidationError(f"There is no kind of appendix called {kind!r}; it is one of "
                              + ", ".join(APPENDIX_KINDS_OPTIONS) + ".")
    for spec in APPENDIX_KINDS_OPTIONS[kind]:
        if spec.name == option:
            return spec
    raise ValidationError(f"An appendix of {APPENDIX_TITLES.get(kind, kind).lower()} has no option {option!r}; "
                          "it has " + ", ".join(s.name for s in APPENDIX_KINDS_OPTIONS[kind]) + ".")


def read_options(kind: str, raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """The options of an appendix of ``kind`` from its stored JSON (or a dict), with
    defaults filled in and each value checked; options the kind does not know (older
    or newer ones) are kept as they are, and ignored."""
    if raw is None or raw == "":
        given: dict[str, Any] = {}
    elif isinstance(raw, Mapping):
        given = dict(raw)
    else:
        try:
            given = json.loads(raw)
        except ValueError:
            raise ValidationError(f"The appendix's options are not readable ({raw[:60]!r}).") from None
        if not isinstance(given, dict):
            raise ValidationError(f"The appendix's options are not readable ({raw[:60]!r}).")
    out = dict(given)
    for spec in APPENDIX_KINDS_OPTIONS.get(kind, ()):
        value = given.get(spec.name, spec.default)
        if value in ("", None):
            out[spec.name] = spec.default
            continue
        if spec.kind in ("integer", "financial_year"):
            if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not str(value).strip().isdigit():
                raise ValidationError(f"{spec.label} is a whole number, not {value!r}.")
            value = int(str(value).strip())
            if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
                raise ValidationError(f"{spec.label} is from {spec.minimum} to {spec.maximum}, not {value}.")
        elif spec.kind == "bool":
            value = bool(value)
        elif spec.kind == "references":
            value = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        elif spec.kind == "choice" and value not in dict(spec.choices):
            raise ValidationError(f"{spec.label} is one of " + ", ".join(lab for _v, lab in spec.choices)
                                  + f", not {value!r}.")
        out[spec.name] = value
    return out


# --- the document's settings ----------------------------------------------------------------

def document_settings(conn: Any) -> dict[str, Any]:
    """The document's settings the appendices follow, read by the one reader the tabs
    use (:func:`cypdesk.services.settings.read_settings`): ``small_number_threshold``,
    ``tolerance_pct``, ``comparator_set``, ``trust_name`` and ``logo``."""
    from cypdesk.services.settings import read_settings

    found = read_settings(conn)
    return {
        "small_number_threshold": found.small_number_threshold,
        "tolerance_pct": found.tolerance_pct,
        "comparator_set": found.comparator_set,
        "trust_name": found.trust_name,
        "logo": found.logo,
    }


# --- suppression of a table's counts -----------------------------------------------------------

def _count(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return max(float(value), 0.0)


def suppress_table(table: Table, threshold: int) -> Table:
    """``table`` with the cells of its ``counts`` columns suppressed (case 71): counts
    from 1 to ``threshold - 1`` print "c" and, when the table has a totals row, enough
    other counts are hidden that none can be worked out from the totals (a total that
    would still give one away prints "c" too). A suppressed cell keeps no value."""
    counted = [i for i, col in enumerate(table.columns) if col.counts]
    body = [r for r in table.rows if not r.total]
    if not counted or not body:
        return table
    matrix = [[_count(row.cells[i].value) for i in counted] for row in body]
    has_totals = any(r.total for r in table.rows)
    hidden = suppress(matrix, threshold, row_totals=False, col_totals=has_totals)
    _rows_c, cols_c = totals_hidden(matrix, hidden, row_totals=False, col_totals=has_totals)
    body_index = 0
    for row in table.rows:
        if row.total:
            for j, i in enumerate(counted):
                if cols_c[j]:
                    row.cells[i] = _hidden_cell()
            continue
        for j, i in enumerate(counted):
            if hidden[body_index][j]:
                row.cells[i] = _hidden_cell()
        body_index += 1
    return table


def _hidden_cell() -> Cell:
    return Cell(SUPPRESSED_TEXT, None, suppressed=True)


# --- building --------------------------------------------------------------------------------------

def _get(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def text_item(*paragraphs: str) -> Text:
    return Text([Block("paragraph", [Run(p)]) for p in paragraphs if p])


def build_appendix(conn: Any, appendix_row: Any, *, today: date, threshold: int | None = None,
                   settings: Mapping[str, Any] | None = None) -> Appendix:
    """The appendix ``appendix_row`` (a mapping or a record with ``letter``, ``kind``,
    ``title`` and ``options``) built from the document's data on ``today``, with small
    numbers suppressed by ``threshold`` (the document's setting when None)."""
    with reading(conn) as db:
        return _build(db, appendix_row, today=today, threshold=threshold, settings=settings)


def _build(conn: sqlite3.Connection, appendix_row: Any, *, today: date, threshold: int | None,
           settings: Mapping[str, Any] | None) -> Appendix:
    from cypdesk.services.papers import appendix_kinds  # its builders import this module's helpers

    kind = _get(appendix_row, "kind") or ""
    letter = _get(appendix_row, "letter") or "A"
    title = _get(appendix_row, "title") or APPENDIX_TITLES.get(kind, kind)
    options = read_options(kind, _get(appendix_row, "options"))
    settings = dict(settings) if settings is not None else document_settings(conn)
    if threshold is not None:
        settings["small_number_threshold"] = threshold
    builder = appendix_kinds.BUILDERS.get(kind)
    if builder is None:
        items: list[Any] = [text_item(f"This appendix is built from {kind!r}, which this version of cypdesk "
                                      "does not know.")]
        wide = False
    else:
        items, wide = builder(conn, options, today=today, settings=settings)
    for item in items:
        if isinstance(item, Table):
            suppress_table(item, settings["small_number_threshold"])
    return Appendix(letter, title, kind, _json_options(options), items, wide=wide or any(
        isinstance(i, Table) and i.wide for i in items))


def _json_options(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v is not None}


def ids_of(values: Sequence[Any]) -> list[str]:
    return [v for v in values if v]
