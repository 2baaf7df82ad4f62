"""Reading a source's rows column by column (issue 9, Benchmarks): the rows come in
batches; each column of a batch is converted at once with the converter its field's
kind calls for, each distinct text once (a Fingertips column names a few indicators,
areas, periods, sexes and ages on thousands of rows; its figures are plain numbers,
read without the general converter). A row whose values are all readable and whose
references were already found or made by an earlier row goes straight to matching
(:meth:`_Planner.record`); any other row (a problem, a suppressed figure, a blank that
keeps a default, a reference not met yet, a blank row) goes through the engine's
row-by-row reading (:meth:`_Planner.row`), which reports it exactly as before, in the
order of the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import isfinite
from operator import itemgetter
from typing import Any

from cypdesk.io.cellvalues import PLAIN_NUMBER, Suppressed
from cypdesk.services.importing.resolve import _form_of, new_ids
from cypdesk.services.importing.values import IDENTIFIER_FIELDS, all_plain_figures, read_value, shown

BATCH_ROWS = 2_000      # rows converted together, column by column
MEMO_SIZE = 4_096       # distinct texts remembered per column (names, codes, periods repeat; figures rarely do)
_FLOAT_KINDS = frozenset({"money", "number", "percent"})
_MISSING = object()
SPECIAL = object()      # a cell the row-by-row reading must take (a problem, a suppressed figure)


@dataclass
class _Column:
    index: int
    header: str
    letter: str
    field: str          # the kind's field
    sub: str | None     # a referenced kind's field; "" for a bare reference
    meta: Any           # the FieldMeta the value is read with
    memo: dict[str, Any] = field(default_factory=dict)  # text -> its value (or _Unreadable), for repeated cells
    fraction: bool = False  # a percent field from a column formatted as percentages: 0.125 is 12.5
    seen: dict[str, Any] = field(default_factory=dict)  # text -> its value or SPECIAL, for column_values


@dataclass(frozen=True)
class _Unreadable:
    reason: str


def _read(column: _Column, meta: Any, raw: Any, name: str, date1904: bool) -> Any:
    """read_value, remembering the value of each text a column holds: a Fingertips file
    names one indicator, a few areas and periods on thousands of rows."""
    if not isinstance(raw, str):
        return None if raw is None else read_value(meta, raw, field=name, date1904=date1904,
                                                   fraction=column.fraction)
    if not raw:
        return None
    known = column.memo.get(raw)
    if known is not None:
        if isinstance(known, _Unreadable):
            raise ValueError(known.reason)
        return known
    try:
        value = read_value(meta, raw, field=name, date1904=date1904)
    except ValueError as exc:
        if len(column.memo) < MEMO_SIZE:
            column.memo[raw] = _Unreadable(str(exc))
        raise
    if value is not None and len(column.memo) < MEMO_SIZE:
        column.memo[raw] = value
    return value


def _value(column: _Column, meta: Any, raw: Any, name: str, date1904: bool) -> Any:
    """What :func:`_read` gives for one cell, SPECIAL for a problem or a suppressed figure."""
    try:
        value = read_value(meta, raw, field=name, date1904=date1904,
                           fraction=column.fraction if not isinstance(raw, str) else False)
    except ValueError:
        return SPECIAL
    return SPECIAL if isinstance(value, Suppressed) else value


def column_values(column: _Column, raws: list[Any] | tuple[Any, ...], date1904: bool,
                  blank_is_special: bool = False) -> tuple[list[Any], set[int]]:
    """The values of one column's cells (the same as :func:`_read` gives, or for a bare
    reference the text as written) and the positions of the cells the row-by-row reading
    must take: unreadable, suppressed, or blank where ``blank_is_special`` (a required
    field with a default keeps it)."""
    special: set[int] = set()
    if column.sub == "":  # a bare reference: resolved by the text as written
        out: list[Any] = []
        append = out.append
        for raw in raws:
            append(None if raw is None or (isinstance(raw, str) and not raw.strip()) else (shown(raw) or "").strip())
        if blank_is_special:
            special.update(i for i, v in enumerate(out) if v is None)
        return out, special
    meta = column.meta
    name = column.sub or column.field
    numeric = (meta.kind in _FLOAT_KINDS and meta.choices is None and meta.minimum is None
               and meta.maximum is None and name not in IDENTIFIER_FIELDS)
    plain_float = numeric and not column.fraction
    if numeric:
        figures = _plain_figures(raws, plain_float)
        if figures is not None:
            if blank_is_special and None in figures:
                special.update(i for i, value in enumerate(figures) if value is None)
            return figures, special
    if len(_NUMBER_TYPES.intersection(map(type, raws))) > 1:  # 1, 1.0 and True are one dict key: cell by cell
        distinct: dict[Any, Any] | list[Any] = list(raws)
    else:
        distinct = dict.fromkeys(raws)
    seen = column.seen
    fullmatch = PLAIN_NUMBER.fullmatch
    texts = [raw for raw in distinct if raw.__class__ is str and raw not in seen]
    if numeric and texts and all(map(fullmatch, texts)):  # plain figures: what convert's fast path makes of them
        found = dict(zip(texts, map(float, texts)))
    else:
        found = {}
    values = []
    any_special = False
    for raw in distinct:
        cls = raw.__class__
        if raw is None:
            value = None
        elif cls is str:
            value = found.get(raw, _MISSING)
            if value is _MISSING:
                value = seen.get(raw, _MISSING)
            if value is _MISSING:
                if not raw:
                    value = None
                elif numeric and fullmatch(raw):
                    value = float(raw)
                else:
                    value = _value(column, meta, raw, name, date1904)
                    if len(seen) < MEMO_SIZE:
                        seen[raw] = value
        elif cls is float and plain_float and raw - raw == 0.0:  # a finite number: itself
            value = raw
        else:
            value = _value(column, meta, raw, name, date1904)
        if value is SPECIAL or (value is None and blank_is_special):
            any_special = True
        values.append(value)
    if isinstance(distinct, dict):
        table = dict(zip(distinct, values))
        out = list(map(table.__getitem__, raws))
    else:
        out = values
    if any_special:
        special.update(i for i, value in enumerate(out) if value is SPECIAL or (value is None and blank_is_special))
    return out, special


_NUMBER_TYPES = frozenset({bool, int, float})
_TEXT_OR_BLANK = frozenset({str, type(None)})
_FLOAT_OR_BLANK = frozenset({float, type(None)})


def _plain_figures(raws: list[Any] | tuple[Any, ...], plain_float: bool) -> list[Any] | None:
    """A numeric column's values at once, without a step per cell, when every cell is a
    blank or a plain figure: text float() reads exactly (a CSV's "94.7261"), or a finite
    number (an xlsx cell) where the column is not formatted as percentages. None when
    any cell is anything else (the cells are then read one distinct cell at a time)."""
    types = set(map(type, raws))
    if types <= _TEXT_OR_BLANK:
        texts = set(raws)
        texts.discard(None)
        texts.discard("")
        if not all_plain_figures(texts):
            return None
        table: dict[Any, Any] = dict(zip(texts, map(float, texts)))
        table[None] = table[""] = None
        return list(map(table.__getitem__, raws))
    if plain_float and types <= _FLOAT_OR_BLANK:
        if not isfinite(sum(filter(None, raws), 0.0)):  # an infinity or NaN (or a sum past 1e308): cell by cell
            return None
        return list(raws)
    return None


@dataclass
class _Fast:
    """What the column-wise path needs of a planner's columns, worked out once."""

    plain_fields: tuple[str, ...]
    plain: Any                                   # row values -> the plain columns' values, in order
    refs: list[tuple[str, list[tuple[str, int]]]]  # (reference field, [(its sub-field, position)]), resolving order
    keeps_default: list[bool]                    # per column: a blank keeps the field's default


def _fast(planner: Any) -> _Fast | None:
    """The column-wise path for ``planner``, or None where only the row-by-row reading
    applies (a contract's service derived from its title)."""
    from cypdesk.services.importing.engine import _has_default

    if planner.derive_service:
        return None
    positions, fields, keeps = [], [], []
    groups: dict[str, list[tuple[str, int]]] = {}
    for position, column in enumerate(planner.columns):
        keeps.append(column.sub is None and column.meta.required and _has_default(planner.model, column.field))
        if column.sub is None:
            positions.append(position)
            fields.append(column.field)
            continue
        subs = groups.setdefault(column.field, [])
        if any(sub == column.sub for sub, _ in subs):
            return None  # two columns for one sub-field: the row-by-row reading's rules apply
        subs.append((column.sub, position))
    if len(positions) == 1:
        only = positions[0]
        plain = lambda values: (values[only],)  # noqa: E731
    elif positions:
        plain = itemgetter(*positions)
    else:
        plain = lambda values: ()  # noqa: E731
    order = sorted(groups, key=lambda f: f == "service_id")  # as _Planner.row resolves them
    return _Fast(tuple(fields), plain, [(name, groups[name]) for name in order], keeps)


def take_batch(planner: Any, batch: list[Any]) -> None:
    """Plan ``batch`` (source rows, in order) through ``planner``: column by column, then
    each row to matching, or to the row-by-row reading (see the module's notes)."""
    fast = planner.__dict__.get("_fast", _MISSING)
    if fast is _MISSING:
        fast = planner._fast = _fast(planner)
    if fast is None or not planner.columns:
        for source_row in batch:
            planner.row(source_row)
        return
    columns = planner.columns
    date1904 = planner.table.date1904
    rows = [source_row.values for source_row in batch]
    width = max(column.index for column in columns) + 1
    if min(map(len, rows)) >= width:
        cells = list(zip(*rows))
        raws = [cells[column.index] for column in columns]
    else:
        raws = [[values[column.index] if column.index < len(values) else None for values in rows]
                for column in columns]
    converted = []
    special: set[int] = set()
    for column, column_raws, keeps in zip(columns, raws, fast.keeps_default):
        values, odd = column_values(column, column_raws, date1904, keeps)
        converted.append(values)
        special |= odd
    fixed = planner.fixed
    plain, plain_fields = fast.plain, fast.plain_fields
    cache = planner.ref_cache
    refs = [(name, *_ref_keys(name, subs, converted, cache)) for name, subs in fast.refs]
    academic = planner.kind == "indicator_values"
    record = planner.record
    result = planner.result
    count = len(columns)
    new = planner.__dict__.get("_new", _MISSING)
    if new is _MISSING:
        new = planner._new = _new_path(planner)
    if new is not None:
        index, key_fields, first, forms, required, by_key = new.index, new.fields, new.first, new.forms, \
            new.required, new.by_key
        next_id = iter(new_ids(len(batch))).__next__
        pending, held, taken = index.pending, index.values, index.taken
        inserts = planner.plan.inserts
    academic_only = planner.__dict__.get("_academic_only")  # made by the first row that needs it
    for i, (source_row, row_values) in enumerate(zip(batch, zip(*converted))):
        if i in special or row_values.count(None) == count:
            planner.row(source_row)
            continue
        values = dict(fixed)
        values.update(zip(plain_fields, plain(row_values)))
        for name, keys, known in refs:
            record_id = known[i]
            if record_id is None:
                key = keys[i]
                record_id = cache.get(key) if key is not None else None  # found or made by a row of this batch
                if record_id is None:
                    break
            values[name] = record_id
        else:
            if academic and "period" in values and (academic_only is None or academic_only):
                planner.academic_if_indicator_is(values, source_row)
                academic_only = planner.__dict__.get("_academic_only")  # none: no row needs the call again
            keys = None
            if new is not None and values.get(first) is not None and not index.lookups:
                get = values.get
                try:  # the record's natural key, as KindIndex.key_of makes it
                    key = tuple(map(_form_of, forms, map(get, key_fields)))
                except TypeError:
                    key = None
                if key is not None:
                    found = by_key.get(key)
                    if found is None:
                        if None not in map(get, required):
                            # a record the index does not hold: added as _Planner.record adds it
                            record_id = next_id()
                            row = {"id": record_id, **values}
                            pending[record_id] = held[record_id] = row
                            by_key[key] = [record_id]
                            taken[record_id] = source_row.number
                            inserts.setdefault(planner.kind, []).append(row)
                            result.added += 1
                            continue
                    else:
                        record_id = found[0]
                        if record_id not in taken and record_id not in pending:
                            current = held[record_id]
                            if tuple(map(current.get, values)) == tuple(values.values()):
                                # a record of the document, the same in every field (the usual
                                # re-import): unchanged, as _Planner.record finds it
                                taken[record_id] = source_row.number
                                result.unchanged += 1
                                continue
                    keys = [key]
            if not record(source_row.number, values, {}, keys):
                result.rejected += 1
            continue
        planner.row(source_row)  # a reference not met yet: found or made row by row


@dataclass
class _New:
    """What adding a row whose natural key matches no record takes, worked out once."""

    index: Any                   # the planner's KindIndex of the kind imported
    fields: tuple[str, ...]      # its one natural key's fields
    first: str                   # the key's first field: blank, no key
    forms: list[Any]             # each key field's remembered key forms
    required: tuple[str, ...]    # fields a record cannot be without
    by_key: dict[tuple, list[str]]


def _new_path(planner: Any) -> _New | None:
    """The short way to add a row no record matches, for kinds with ONE natural key that
    rows may not repeat and no dates in order (indicator values, measurements...): the
    same checks and the same record as _Planner.record makes, without its general
    matching; None for other kinds (every row then goes through _Planner.record)."""
    from cypdesk.services.importing.engine import _has_default
    from cypdesk.services.importing.keys import REPEATABLE

    index = planner.main
    if planner.kind == "services" or planner.has_order or len(index.keys) != 1 or \
            (index.kind, index.keys[0]) in REPEATABLE:
        return None
    required = tuple(name for name, meta in planner.fields.items()
                     if meta.required and not _has_default(planner.model, name))
    fields = index.keys[0]
    return _New(index, fields, fields[0], index._forms[0], required, index.by_key[0])


def _ref_keys(name: str, subs: list[tuple[str, int]], converted: list[list[Any]],
              cache: dict[tuple, str]) -> tuple[list[tuple | None], list[str | None]]:
    """For one reference field, per row of a batch: the key _Planner.row caches its
    record under (None when the row names none) and the record the cache holds for it
    now (None when not yet: a row may still make it before the row that needs it)."""
    names = [sub for sub, _ in subs]
    keys: list[tuple | None] = []
    known: list[str | None] = []
    made: dict[tuple, tuple[tuple | None, str | None]] = {}
    for cells in zip(*(converted[position] for _, position in subs)):
        pair = made.get(cells)
        if pair is None:
            given = tuple((sub, value) for sub, value in zip(names, cells) if value is not None)
            key = (name, given) if given else None
            pair = made[cells] = (key, cache.get(key) if key is not None else None)
        keys.append(pair[0])
        known.append(pair[1])
    return keys, known


__all__ = ["BATCH_ROWS", "column_values", "take_batch"]
