"""The import use case (issue 9, items 1, 2, 6, 7, 8 and 11): a source table into
records of one kind, matched by the kind's natural keys, as ONE edit.

:func:`plan_import` reads every row and works out what the import would do (added,
changed, unchanged, rejected, every problem with its file, sheet, row, column and
reason, the organisations, areas, indicators and services it would create) without
writing; :func:`run_import` does the same and then writes it all in one transaction
(:mod:`cypdesk.services.importing.writing`): nothing at all when there is a problem and
``skip_invalid`` is not set (:class:`ImportRefused`, exit 1), or the user cancelled
(:class:`Cancelled`). :func:`undo_import` takes a whole import back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cypdesk.common.errors import Cancelled, CypdeskError  # noqa: F401  (Cancelled: this module's API before it moved to common.errors)
from cypdesk.model.base import new_id
from cypdesk.services.importing.columns import BATCH_ROWS, _Column, _read, take_batch
from cypdesk.services.importing.keys import CREATABLE
from cypdesk.services.importing.mapping import Mapping, guess_mapping, remembered_mapping
from cypdesk.services.importing.resolve import Indexes, KindIndex, Links
from cypdesk.services.importing.source import SourceTable, normalise_heading
from cypdesk.services.importing.values import Suppressed, read_value, shown

PROBLEM_LIMIT = 1_000   # problems listed; the count of rejected rows is always whole
POLL_ROWS = 500         # rows between progress reports and cancel checks


@dataclass
class Problem:
    file: str
    sheet: str | None
    row: int | None
    column: str | None  # column LETTER(s)
    header: str | None
    value: str | None
    reason: str

    def where(self) -> str:
        """"contracts.xlsx, sheet 'Register', row 12, column D (End date)"."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "header": self.header, "value": self.value, "reason": self.reason, "where": self.where()}

    def __str__(self) -> str:
        value = f" {self.value!r}:" if self.value not in (None, "") else ""
        return f"{self.where()}:{value} {self.reason}"


@dataclass
class ImportOptions:
    kind: str
    mapping: Mapping | None = None
    where: list[tuple[str, str]] = field(default_factory=list)   # (source header, value): keep only matching rows
    skip_invalid: bool = False
    dry_run: bool = False
    create_missing: bool = True
    # (referenced kind, a name or identifier as the source writes it) -> an existing record's id:
    # a reference the import would create is taken as that record instead (the officer's "same as ...")
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    progress: Callable[[int, int | None, str], None] | None = None
    cancelled: Callable[[], bool] | None = None


@dataclass
class ImportUndo:
    import_id: str
    source: str
    added: list[tuple[str, str, str]] = field(default_factory=list)     # (table, id, title), in insert order
    changed: list[tuple[str, str, str, Any, Any]] = field(default_factory=list)  # (table, id, field, old, new)


@dataclass
class ImportResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    created: dict[str, list[str]] = field(default_factory=dict)
    linked: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> {name as linked: record id} used
    notes: list[str] = field(default_factory=list)
    import_id: str | None = None
    undo: ImportUndo | None = None
    mapping: Mapping | None = None
    rows_read: int = 0
    problem_count: int = 0  # all problems, also those beyond PROBLEM_LIMIT
    changes: list[dict[str, Any]] = field(default_factory=list)  # each changed field: kind, id, title, field, old, new (up to PROBLEM_LIMIT)

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged, "rejected": self.rejected,
                "problems": [p.to_json() for p in self.problems], "created": {k: list(v) for k, v in self.created.items()},
                "linked": {k: dict(v) for k, v in self.linked.items()},
                "notes": list(self.notes), "import_id": self.import_id, "rows_read": self.rows_read,
                "problem_count": self.problem_count, "changes": [dict(c) for c in self.changes]}


class ImportRefused(CypdeskError):
    """Problems were found and ``skip_invalid`` was not set (or the columns themselves
    are wrong): nothing was imported. ``result`` lists every problem."""

    code = "import_refused"
    exit_code = 1

    def __init__(self, message: str, result: ImportResult, **facts: Any) -> None:
        super().__init__(message, **facts)
        self.result = result


# --- planning -----------------------------------------------------------------------

@dataclass
class Plan:
    """What an import would do: the result, and the rows to write."""

    result: ImportResult
    kind: str
    table: SourceTable
    mapping: Mapping
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # table -> rows with ids, in order
    updates: list[tuple[str, str, str, dict[str, tuple[Any, Any]]]] = field(default_factory=list)  # (table, id, title, {field: (old, new)})
    structural: bool = False  # the columns are wrong: no row can be imported


def _fields(model: Any) -> dict[str, Any]:
    from cypdesk.model.fields import fields_of

    return dict(fields_of(model))


def _has_default(model: Any, name: str) -> bool:
    column = model.__table__.columns[name]
    return column.default is not None or column.server_default is not None


def _choose_mapping(ws: Any, table: SourceTable, options: ImportOptions, kind: str) -> Mapping:
    if options.mapping is not None:
        return options.mapping
    if table.preset:
        preset = table.preset
        if isinstance(preset, Mapping):
            return preset
        return Mapping.from_json({"kind": kind, **dict(preset)}) if "columns" in preset else \
            Mapping(kind=kind, columns=dict(preset), reasons={h: f"the {table.format} format" for h in preset})
    return guess_mapping(kind, table.headers, remembered=remembered_mapping(ws, table.layout, kind))


class _Planner:
    def __init__(self, ws: Any, table: SourceTable, options: ImportOptions) -> None:
        from cypdesk.model.fields import fields_of
        from cypdesk.model.registry import kind_of

        self.ws, self.table, self.options = ws, table, options
        self.model = kind_of(options.kind)
        self.kind = self.model.__tablename__
        self.fields = _fields(self.model)
        self.mapping = _choose_mapping(ws, table, options, self.kind)
        self.result = ImportResult(mapping=self.mapping)
        self.plan = Plan(result=self.result, kind=self.kind, table=table, mapping=self.mapping)
        self.file = table.path.name
        self.columns: list[_Column] = []
        self.fixed: dict[str, Any] = {}
        self.filters: list[tuple[int, str]] = []
        self.derive_service = False
        self.ref_info: dict[str, tuple[str, KindIndex, dict[str, Any], list[str]]] = {}
        self.ref_cache: dict[tuple, str] = {}  # (field, the values naming it) -> the record found or made
        self.links = Links(options.links)
        self.required: list[tuple[str, str]] | None = None  # (field, label) a record cannot be without
        self.has_order = any(meta.not_before for _, meta in fields_of(self.model, include_system=True))

    def order_problems(self, model: Any, values: dict[str, Any]) -> list[Any]:
        """records.order_problems (an end before its start), skipped for kinds without dates in order."""
        if not self.has_order:
            return []
        from cypdesk.services.records import order_problems

        return order_problems(model, values)

    # -- problems ----------------------------------------------------------------------
    def problem(self, row: int | None, column: _Column | None, value: Any, reason: str, *,
                letters: str | None = None, header: str | None = None) -> None:
        self.result.problem_count += 1
        if len(self.result.problems) < PROBLEM_LIMIT:
            self.result.problems.append(Problem(
                self.file, self.table.sheet, row, letters or (column.letter if column else None),
                header or (column.header if column else None), shown(value), reason))

    # -- the columns -------------------------------------------------------------------
    def check_columns(self) -> None:
        from cypdesk.model.registry import kind_of

        table, mapping = self.table, self.mapping
        letters = table.letters or []
        groups: dict[str, list[int]] = {}
        for i, header in enumerate(table.headers):
            norm = normalise_heading(header)
            if norm:
                groups.setdefault(norm, []).append(i)
        for norm, indexes in groups.items():
            if len(indexes) > 1 and any(mapping.columns.get(table.headers[i]) for i in indexes):
                named = " and ".join(f"{letters[i]} ({table.headers[i]!r})" for i in indexes)
                self.problem(None, None, None,
                             f"columns {named} have the same heading once case, spaces and punctuation are "
                             "ignored, so cypdesk cannot tell which to import: rename or delete all but one",
                             letters=", ".join(letters[i] for i in indexes), header=table.headers[indexes[0]])
                self.plan.structural = True
        known = set(table.headers)
        for header, target in mapping.columns.items():
            if target and header not in known:
                self.problem(None, None, None, f"the mapping names a column {header!r}, which the file does not have")
                self.plan.structural = True
        ignored = []
        for i, header in enumerate(table.headers):
            target = mapping.columns.get(header) if header else None
            if not target:
                if normalise_heading(header):
                    ignored.append(f"{letters[i]} ({header})")
                continue
            name, _, sub = target.partition(".")
            meta = self.fields.get(name)
            if meta is None:
                self.problem(None, None, None, f"{target!r} is not a field of {self.kind}",
                             letters=letters[i], header=header)
                self.plan.structural = True
                continue
            if "." in target:
                if meta.kind != "reference" or not meta.references:
                    self.problem(None, None, None, f"{name!r} is not a reference, so {target!r} means nothing",
                                 letters=letters[i], header=header)
                    self.plan.structural = True
                    continue
                sub_meta = _fields(kind_of(meta.references)).get(sub)
                if sub_meta is None:
                    self.problem(None, None, None, f"{meta.references} have no field {sub!r}", letters=letters[i],
                                 header=header)
                    self.plan.structural = True
                    continue
                self.columns.append(_Column(i, header, letters[i], name, sub, sub_meta))
            else:
                self.columns.append(_Column(i, header, letters[i], name, "" if meta.kind == "reference" else None,
                                            meta, fraction=meta.kind == "percent" and
                                            letters[i] in table.percent_letters))
        if ignored:
            self.result.notes.append("Columns ignored (no field chosen for them): " + ", ".join(ignored) + ".")
        for target, value in mapping.fixed.items():
            name = target.partition(".")[0]
            meta = self.fields.get(name)
            if meta is None or "." in target:
                self.problem(None, None, value, f"{target!r} is not a field of {self.kind} a fixed value can fill")
                self.plan.structural = True
                continue
            try:
                converted = read_value(meta, value, field=name)
            except ValueError as exc:
                self.problem(None, None, value, f"the fixed value for {meta.label}: {exc}")
                self.plan.structural = True
                continue
            self.fixed[name] = converted
        mapped = {c.field for c in self.columns} | set(self.fixed)
        if self.kind == "contracts" and "service_id" not in mapped:
            if mapped & {"title", "description", "reference"}:
                self.derive_service = True
                mapped.add("service_id")
        heads = ", ".join(f"{letters[i]} {h!r}" for i, h in enumerate(table.headers) if normalise_heading(h))
        for name, meta in self.fields.items():
            if meta.required and name not in mapped and not _has_default(self.model, name):
                self.problem(None, None, None, f"no column for {meta.label}, which every {self.model.__label__ or self.kind} "
                             f"needs (the file's headings: {heads or 'none'})", header=meta.label)
                self.plan.structural = True
        for header, value in self.options.where:
            found = [i for i, h in enumerate(table.headers) if normalise_heading(h) == normalise_heading(header)]
            if not found:
                from cypdesk.common.errors import UsageError

                raise UsageError(f"--where names a column {header!r}, which {self.file} does not have "
                                 f"(its headings: {heads}).")
            self.filters.append((found[0], " ".join(str(value).split()).casefold()))

    # -- the rows ----------------------------------------------------------------------
    def keep(self, values: list[Any]) -> bool:
        for index, wanted in self.filters:
            cell = values[index] if index < len(values) else None
            text = shown(cell) or ""
            if " ".join(text.split()).casefold() != wanted:
                return False
        return True

    def run(self) -> Plan:
        self.check_columns()
        if self.plan.structural:
            return self.plan
        options = self.options
        with self.ws.doc.engine.connect() as conn:
            self.indexes = Indexes(conn)
            self.main = self.indexes[self.kind]
            for kind in {self.fields[c.field].references for c in self.columns if c.sub is not None}:
                self.indexes[kind]  # loaded while the connection is open
            if self.derive_service or self.kind == "contracts":
                self.indexes["services"], self.indexes["organisations"]
            filtered = 0
            batch: list[Any] = []
            for source_row in self.table.rows():
                self.result.rows_read += 1
                if self.result.rows_read % POLL_ROWS == 0:
                    if options.cancelled is not None and options.cancelled():
                        raise Cancelled("The import was cancelled: nothing was imported.")
                    if options.progress is not None:
                        options.progress(self.result.rows_read, None, f"Reading row {source_row.number:,}")
                if self.filters and not self.keep(source_row.values):
                    filtered += 1
                    continue
                batch.append(source_row)
                if len(batch) >= BATCH_ROWS:
                    take_batch(self, batch)
                    batch = []
            if batch:
                take_batch(self, batch)
        if filtered:
            where_text = ", ".join(f"{header} = {value}" for header, value in self.options.where)
            self.result.notes.append(f"{filtered:,} row(s) left out by the row filter ({where_text}).")
        skipped = self.table.skipped
        if skipped:
            shown_rows = ", ".join(f"row {n} ({why})" for n, why in skipped[:20])
            self.result.notes.append(f"Skipped {len(skipped)} row(s) that are not data: {shown_rows}"
                                     + (" ..." if len(skipped) > 20 else "") + ".")
        self.result.notes[:0] = list(self.table.notes)
        return self.plan

    def row(self, source_row: Any) -> None:
        number = source_row.number
        values: dict[str, Any] = dict(self.fixed)
        refs: dict[str, dict[str, tuple[Any, _Column]]] = {}
        bad = False
        blank = True
        for column in self.columns:
            raw = source_row.values[column.index] if column.index < len(source_row.values) else None
            if raw is not None and not (isinstance(raw, str) and not raw.strip()):
                blank = False
            if column.sub is not None:  # a reference: resolved below
                meta = column.meta if column.sub else None
                if meta is None:
                    value = None if raw is None or (isinstance(raw, str) and not raw.strip()) else \
                        (shown(raw) or "").strip()
                else:
                    try:
                        value = _read(column, meta, raw, column.sub, self.table.date1904)
                    except ValueError as exc:
                        self.problem(number, column, raw, str(exc))
                        bad = True
                        continue
                    if isinstance(value, Suppressed):
                        self.problem(number, column, raw, f"{meta.label} cannot be suppressed")
                        bad = True
                        continue
                if value is not None:
                    refs.setdefault(column.field, {})[column.sub] = (value, column)
                continue
            meta = column.meta
            try:
                value = _read(column, meta, raw, column.field, self.table.date1904)
            except ValueError as exc:
                self.problem(number, column, raw, str(exc))
                bad = True
                continue
            if isinstance(value, Suppressed):
                if "suppressed" not in self.fields:
                    self.problem(number, column, raw, f"{value.marker!r} marks a suppressed figure, which "
                                 f"{self.model.__label__ or self.kind} records cannot hold")
                    bad = True
                    continue
                values.setdefault("suppressed", value.marker)
                value = None
            if value is None and meta.required and _has_default(self.model, column.field):
                continue  # blank: the field keeps its default (or its value)
            values[column.field] = value
        if blank:
            return
        creations: list[tuple[str, str, dict[str, Any]]] = []
        resolved: list[tuple[tuple, str]] = []  # remembered once the row is accepted
        if not bad:
            order = sorted(refs, key=lambda f: f == "service_id")  # the supplier first: a new service's provider
            for name in order:
                cache_key = (name, tuple((s, v) for s, (v, _) in refs[name].items()))
                record_id = self.ref_cache.get(cache_key)
                if record_id is None:
                    record_id = self.resolve(number, name, refs[name], values, creations)
                    if record_id is not None:
                        resolved.append((cache_key, record_id))
                if record_id is None:
                    bad = True
                else:
                    values[name] = record_id
            if not bad and self.derive_service:
                record_id = self.service_for_contract(number, values, creations)
                if record_id is None:
                    bad = True
                else:
                    values["service_id"] = record_id
        if bad:
            self.result.rejected += 1
            return
        if self.kind == "indicator_values" and "period" in values:
            self.academic_if_indicator_is(values, source_row)
        position = len(self.plan.inserts.get(self.kind, []))
        if not self.record(number, values, refs):
            self.result.rejected += 1
            return
        self.ref_cache.update(resolved)
        for kind, record_id, new in creations:
            index = self.indexes[kind]
            row = {"id": record_id, **new}  # one dict: a later row that fills it in changes what is inserted
            index.add(record_id, row, by_reference=True)
            rows = self.plan.inserts.setdefault(kind, [])
            if kind == self.kind:  # a record of the kind being imported, named by this row: inserted before it
                rows.insert(position, row)
                position += 1
            else:
                rows.append(row)
            self.result.created.setdefault(kind, []).append(index.title(record_id))

    def academic_if_indicator_is(self, values: dict[str, Any], source_row: Any) -> None:
        """A pair of years ("2020/21") is a financial year unless the field or the source
        says otherwise (cypdesk.common.periods): an indicator whose values so far are all
        academic years says so, and the period is read again as one."""
        period = values["period"]
        indicator = values.get("indicator_id")
        if not isinstance(period, str) or not period.startswith("FY") or indicator is None:
            return
        if not hasattr(self, "_period_kinds"):
            self._period_kinds: dict[str, set[str]] = {}
            for record in self.main.values.values():
                key = record.get("period")
                if isinstance(key, str):
                    self._period_kinds.setdefault(record.get("indicator_id"), set()).add(key[:2])
        if self._period_kinds.get(indicator) != {"AY"}:
            return
        column = next((c for c in self.columns if c.field == "period"), None)
        if column is None:
            return
        raw = source_row.values[column.index] if column.index < len(source_row.values) else None
        from cypdesk.io.cellvalues import convert

        try:
            values["period"] = convert("period", raw, date1904=self.table.date1904, hint="academic")
        except ValueError:
            pass

    # -- references --------------------------------------------------------------------
    def resolve(self, number: int, name: str, given: dict[str, tuple[Any, _Column]], values: dict[str, Any],
                creations: list[tuple[str, str, dict[str, Any]]]) -> str | None:
        if name not in self.ref_info:
            from cypdesk.model.registry import kind_of

            ref_kind = kind_of(self.fields[name].references).__tablename__
            index = self.indexes[ref_kind]
            ref_fields = _fields(index.model)
            # Only identifying fields find a record (a key's first field, the title); the
            # others (an area's kind, an indicator's unit) only fill in one the import makes.
            identifying = [key[0] for key in index.keys if key[0] in ref_fields] + [index.title_field]
            self.ref_info[name] = (ref_kind, index, ref_fields, identifying)
        ref_kind, index, ref_fields, identifying = self.ref_info[name]
        first_column = next(iter(given.values()))[1]
        for kind, record_id, new in creations:  # made for another reference of this row
            if kind == ref_kind and any(new.get(s) is not None and given.get(s, (None,))[0] is not None and
                                        str(new.get(s)).casefold() == str(given[s][0]).casefold()
                                        for s in identifying):
                return record_id
        if "" in given:
            bare = given[""][0]
            if bare in index.values:
                return bare
            for sub in [index.title_field, *identifying]:
                found = index.lookup(sub, bare)
                if found is not None:
                    return found
            for kind, record_id, new in creations:
                if kind == ref_kind and index.title_field in new and \
                        str(new[index.title_field]).casefold() == str(bare).casefold():
                    return record_id
        for position, key in enumerate(index.keys):
            if key[0] not in given:
                continue
            if len(key) > 1 and all(f in given for f in key):  # the whole key given: it must all match
                ids = index.by_key[position].get(index.key_of({f: given[f][0] for f in key}, position))
                if ids:
                    return ids[0]
                continue
            found = index.lookup(key[0], given[key[0]][0])
            if found is not None:
                return found
        if index.title_field in given:
            found = index.lookup(index.title_field, given[index.title_field][0])
            if found is not None:
                return found
        label = index.model.__label__ or ref_kind
        linked = self.linked(number, first_column, index, {s: v for s, (v, _) in given.items()})
        if linked is not None:
            return linked or None
        described = " and ".join(
            (f"{ref_fields[s].label.lower()} {v!r}" if s else repr(v)) for s, (v, _) in given.items())
        if not self.options.create_missing or ref_kind not in CREATABLE:
            self.problem(number, first_column, given[next(iter(given))][0],
                         f"there is no {label} {described}" + (
                             "" if ref_kind in CREATABLE else f": add the {label} first, or correct the name"))
            return None
        new = {s: v for s, (v, _) in given.items() if s}
        title = new.get(index.title_field) or (given[""][0] if "" in given else None)
        if not title:
            self.problem(number, first_column, given[next(iter(given))][0],
                         f"there is no {label} {described}, and no {ref_fields[index.title_field].label.lower()} "
                         f"to create one with")
            return None
        new[index.title_field] = str(title)
        if ref_kind == "services":
            new["to_classify"] = True
            if values.get("supplier_id"):
                new.setdefault("provider_id", values["supplier_id"])
        from cypdesk.model.base import new_id

        record_id = new_id()
        creations.append((ref_kind, record_id, new))
        return record_id

    def linked(self, number: int, column: _Column | None, index: KindIndex, given: dict[str, Any]) -> str | None:
        """The record the officer linked these values to instead of creating one (None:
        no link; "": linked to a record the document no longer has, a problem)."""
        found = self.links.find(index, given)
        if found is None:
            return None
        text, record_id = found
        if record_id not in index.values or record_id in index.pending:
            label = index.model.__label__ or index.kind
            self.problem(number, column, text, f"the {label} chosen for {text!r} is not in the document any more: "
                                               "choose again")
            return ""
        self.result.linked.setdefault(index.kind, {})[text] = record_id
        return record_id

    def service_for_contract(self, number: int, values: dict[str, Any],
                             creations: list[tuple[str, str, dict[str, Any]]]) -> str | None:
        """The service of a contract from a register without a service column: by its
        title (else description, else reference) and its supplier as provider; made,
        marked 'to classify', when there is none."""
        name = values.get("title") or values.get("description") or values.get("reference")
        if not name:
            self.problem(number, None, None, "the contract has no title, description or reference to name its "
                                             "service by")
            return None
        name = " ".join(str(name).split())[:300]
        index = self.indexes["services"]
        found, _ = index.find({"name": name, "provider_id": values.get("supplier_id")})
        if found is not None:
            return found
        for kind, record_id, new in creations:
            if kind == "services" and new.get("name") == name:
                return record_id
        linked = self.linked(number, None, index, {"name": name})
        if linked is not None:
            return linked or None
        if not self.options.create_missing:
            self.problem(number, None, name, f"there is no service {name!r}")
            return None
        from cypdesk.model.base import new_id

        record_id = new_id()
        creations.append(("services", record_id, {"name": name, "provider_id": values.get("supplier_id"),
                                                  "to_classify": True}))
        return record_id

    # -- the record itself -------------------------------------------------------------
    def record(self, number: int, values: dict[str, Any], refs: dict[str, Any]) -> bool:
        """Match ``values`` (a fresh dict, kept as the new record's values) to a record."""
        if self.kind == "services":
            from cypdesk.services.records import _derived

        order_problems = self.order_problems

        index = self.main
        model = self.model
        keys = index.keys_for(values)
        found, key = index.find(values, keys)
        if found is not None and found in index.taken and found not in index.by_reference:
            before = index.values[found]  # a second row for one record: fine if it says nothing else
            differing = [f for f, v in values.items() if v is not None and before.get(f) is not None
                         and f not in (key or ()) and not _same(before.get(f), v)]
            if not differing:
                self.result.unchanged += 1
                return True
            labels = ", ".join(self.fields[f].label for f in differing if f in self.fields)
            key_words = ", ".join(self.fields[f].label for f in (key or ()) if f in self.fields)
            self.problem(number, None, None, f"the same {key_words} as row {index.taken[found]}, with different "
                                             f"{labels}: which is right?")
            return False
        if found is not None and found in index.pending:  # made by reference earlier: this row fills it in
            merged = _derived(model, dict(index.pending[found]), values) if self.kind == "services" else values
            problems = order_problems(model, {**index.pending[found], **merged})
            if problems:
                self.problem(number, None, None, problems[0].message)
                return False
            index.update(found, merged)
            index.by_reference.discard(found)
            index.taken[found] = number
            title = index.title(found)
            created = self.result.created.get(self.kind, [])
            if title in created:
                created.remove(title)
            self.result.added += 1
            return True
        if found is not None:
            current = index.values[found]
            clean = _derived(model, current, values) if self.kind == "services" else values
            problems = order_problems(model, {**current, **clean})
            if problems:
                self.problem(number, None, None, problems[0].message)
                return False
            if tuple(map(current.get, clean)) == tuple(clean.values()):  # all the same (the usual re-import)
                changes = {}
            else:
                changes = {f: (current.get(f), v) for f, v in clean.items() if not _same(current.get(f), v)}
            index.taken[found] = number
            if changes:
                self.plan.updates.append((self.kind, found, index.title(found), changes))
                for name, (old, new) in changes.items():
                    if len(self.result.changes) < PROBLEM_LIMIT:
                        self.result.changes.append({"kind": self.kind, "id": found, "title": index.title(found),
                                                    "field": name, "old": old, "new": new})
                index.update(found, {f: new for f, (_, new) in changes.items()})
                self.result.changed += 1
            else:
                self.result.unchanged += 1
            return True
        if self.required is None:
            self.required = [(name, meta.label) for name, meta in self.fields.items()
                             if meta.required and not _has_default(model, name)]
        missing = [label for name, label in self.required if values.get(name) is None]
        if missing:
            self.problem(number, None, None, ", ".join(missing) + " is required" if len(missing) == 1 else
                         ", ".join(missing) + " are required")
            return False
        clean = _derived(model, {}, values) if self.kind == "services" else values
        problems = order_problems(model, clean)
        if problems:
            self.problem(number, None, None, problems[0].message)
            return False
        record_id = new_id()
        row = {"id": record_id, **clean}
        index.add(record_id, row, keys=keys if self.kind != "services" else None)  # the values find() keyed
        index.taken[record_id] = number
        self.plan.inserts.setdefault(self.kind, []).append(row)
        self.result.added += 1
        return True


def _same(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool):
        return abs(float(old) - float(new)) <= 1e-9 * max(1.0, abs(float(old)))
    return old == new


def make_plan(ws: Any, table: SourceTable, options: ImportOptions) -> Plan:
    return _Planner(ws, table, options).run()


def plan_import(ws: Any, table: SourceTable, options: ImportOptions) -> ImportResult:
    """What the import would do, without writing: the preview."""
    return make_plan(ws, table, options).result


def refusal(plan: Plan) -> ImportRefused:
    result = plan.result
    count = result.problem_count
    first = "; ".join(str(p) for p in result.problems[:3])
    more = f" (and {count - 3:,} more)" if count > 3 else ""
    where = plan.table.name + (f", sheet {plan.table.sheet!r}," if plan.table.sheet else "")
    text = f"{first}{more}"
    return ImportRefused(f"{where} was not imported: {count:,} problem{'s' if count != 1 else ''}, so nothing was "
                         f"changed. {text}" + ("" if text.endswith((".", "?", "!")) else "."),
                         result, path=str(plan.table.path), problems=count)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_import(ws: Any, table: SourceTable, options: ImportOptions) -> ImportResult:
    """Plan the import, then write it in ONE transaction (see the module's notes); a
    payments import matches the payments it added to suppliers and contracts in that
    transaction too (:func:`~cypdesk.services.importing.writing.match_new_payments`)."""
    plan = make_plan(ws, table, options)
    result = plan.result
    if plan.structural or (result.problem_count and not options.skip_invalid):
        raise refusal(plan)
    if options.dry_run:
        return result
    from cypdesk.services.importing.writing import match_new_payments, page_cache, write_plan

    digest = file_sha256(table.path)
    with ws.bulk() as conn, page_cache(conn):
        undo = write_plan(conn, ws, plan, digest, cancelled=options.cancelled, progress=options.progress)
        if plan.kind == "payments":
            match_new_payments(conn, ws, undo, result, options)
    result.import_id = undo.import_id
    result.undo = undo
    return result


def undo_import(ws: Any, undo: ImportUndo) -> None:
    """Take a whole import back, as one step: the records it added deleted (with
    tombstones and history), the fields it changed restored, its import record gone."""
    from cypdesk.services.importing.writing import revert

    with ws.bulk() as conn:
        revert(conn, ws, undo)


__all__ = ["Cancelled", "ImportOptions", "ImportRefused", "ImportResult", "ImportUndo", "KindIndex", "Plan",
           "Problem", "make_plan", "plan_import", "run_import", "undo_import"]
