"""The records of one kind an import can match, indexed by the kind's natural keys
(:mod:`cypdesk.services.importing.keys`) and, on demand, by any one field: the document's
records and those the import is adding, so a record is never created twice, within one
file either."""

from __future__ import annotations

import os
from itertools import repeat
from typing import Any

from sqlalchemy import literal_column, select

from cypdesk.services.importing.keys import REPEATABLE, key_value, natural_keys


KEY_FORMS = 20_000  # values per key field whose key form a KindIndex remembers


class _KeyForms(dict):
    """A key field's values -> their key_value, each worked out on first use. Values
    equal as dict keys (1, 1.0, True) have key forms equal as dict keys too."""

    __slots__ = ("kind", "field")

    def __init__(self, kind: str, field: str) -> None:
        super().__init__()
        self.kind, self.field = kind, field

    def __missing__(self, value: Any) -> Any:
        form = key_value(self.kind, self.field, value)
        if len(self) < KEY_FORMS:
            self[value] = form
        return form


_form_of = dict.__getitem__


def new_ids(count: int) -> list[str]:
    """``count`` new record ids, each as :func:`cypdesk.model.base.new_id` makes one (the
    text of a random version-4 UUID), from one read of the system's random source."""
    h = os.urandom(16 * count).hex()
    variant = _VARIANT
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-4{h[i + 13:i + 16]}-{variant[h[i + 16]]}{h[i + 17:i + 20]}-"
            f"{h[i + 20:i + 32]}" for i in range(0, 32 * count, 32)]


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}  # the RFC 4122 variant bits, 10xx


class KindIndex:
    def __init__(self, conn: Any, kind: str) -> None:
        from cypdesk.model.registry import kind_of
        from cypdesk.model.fields import fields_of

        self.model = kind_of(kind)
        self.kind = self.model.__tablename__
        self.title_field = self.model.__title__
        self.keys = natural_keys(self.kind)
        self.fields = [name for name, _ in fields_of(self.model)]
        table = self.model.__table__
        self.values: dict[str, dict[str, Any]] = {}
        self.created_hlc: dict[str, str] = {}
        self.by_key: list[dict[tuple, list[str]]] = [{} for _ in self.keys]
        self.lookups: dict[str, dict[Any, str]] = {}
        self.pending: dict[str, dict[str, Any]] = {}  # id -> values of a record this import adds
        self.by_reference: set[str] = set()  # pending records made because a row named them
        self.taken: dict[str, int] = {}  # id -> the source row that matched or made it
        self._forms = [[_KeyForms(self.kind, name) for name in fields] for fields in self.keys]
        columns = [*(table.c[name] for name in self.fields), table.c.id]  # the id last: zip() stops before it
        # In the order they were made (a batch shares one clock stamp: then by rowid, the
        # order of its rows), so the n-th row of a repeatable key meets the n-th record.
        result = conn.execute(select(*columns).order_by(table.c.created_hlc, literal_column("rowid")))
        while True:
            rows = result.fetchmany(5_000)  # in blocks: a big table's rows are not fetched one call each
            if not rows:
                break
            self._index_block(rows)

    def _index_block(self, rows: list[Any]) -> None:
        """Records read from the document (each row its fields, then its id), indexed as
        :meth:`_index` indexes each, a block at a time: values and keys made column by
        column."""
        fields = self.fields
        ids = [row[-1] for row in rows]
        values = list(map(dict, map(zip, repeat(fields), rows)))
        cells = list(zip(*rows))
        at = {name: position for position, name in enumerate(fields)}
        blank = [None] * len(rows)
        try:  # each key's fields through their remembered key forms, as key_of makes them
            forms = [[list(map(form.__getitem__, cells[at[name]] if name in at else blank))
                      for name, form in zip(key_fields, self._forms[position])]
                     for position, key_fields in enumerate(self.keys)]
        except TypeError:  # a value that cannot be remembered (a list): record by record
            for record_id, record in zip(ids, values):
                self._index(record_id, record)
            return
        for position, key_fields in enumerate(self.keys):
            firsts = cells[at[key_fields[0]]] if key_fields[0] in at else blank
            by_key = self.by_key[position]
            for record_id, first, key in zip(ids, firsts, zip(*forms[position])):
                if first is not None:  # a key whose first field is blank is no key (key_of)
                    by_key.setdefault(key, []).append(record_id)
        self.values.update(zip(ids, values))
        for record_id, record in zip(ids, values) if self.lookups else ():
            for name, lookup in self.lookups.items():
                value = key_value(self.kind, name, record.get(name))
                if value is not None:
                    lookup.setdefault(value, record_id)

    # --- keys -------------------------------------------------------------------------
    def key_of(self, values: dict[str, Any], position: int) -> tuple | None:
        fields = self.keys[position]
        get = values.get
        if get(fields[0]) is None:
            return None
        try:  # each field's value through its remembered key forms (the same few ids, periods, breakdowns)
            return tuple(map(_form_of, self._forms[position], map(get, fields)))
        except TypeError:  # a value that cannot be remembered (a list)
            return tuple(key_value(self.kind, f, get(f)) for f in fields)

    def keys_for(self, values: dict[str, Any]) -> list[tuple | None]:
        """Each natural key's form of ``values`` (None where its first field is blank)."""
        return [self.key_of(values, position) for position in range(len(self.keys))]

    def _index(self, record_id: str, values: dict[str, Any], keys: list[tuple | None] | None = None) -> None:
        self.values[record_id] = values
        for position, key in enumerate(keys if keys is not None else self.keys_for(values)):
            if key is not None:
                self.by_key[position].setdefault(key, []).append(record_id)
        for name, lookup in self.lookups.items():
            value = key_value(self.kind, name, values.get(name))
            if value is not None:
                lookup.setdefault(value, record_id)

    def find(self, values: dict[str, Any], keys: list[tuple | None] | None = None
             ) -> tuple[str | None, tuple[str, ...] | None]:
        """(the record these values identify, the key that found it), or (None, None).
        A later key matches only a record whose earlier keys are blank (a company
        number that differs is another company, whatever its name). For kinds whose
        key may repeat (payments), a record already matched by an earlier row is
        passed over for the next one with the same key. ``keys``: :meth:`keys_for` of
        ``values``, when the caller has them already."""
        applied: list[str] = []
        for position, fields in enumerate(self.keys):
            key = keys[position] if keys is not None else self.key_of(values, position)
            if key is None:
                continue
            candidates = [c for c in self.by_key[position].get(key, [])
                          if all(self.values[c].get(f) is None for f in applied)]
            applied.append(fields[0])
            if not candidates:
                continue
            if (self.kind, fields) in REPEATABLE:
                free = [c for c in candidates if c not in self.taken]
                if not free:
                    return None, None
                return free[0], fields
            return candidates[0], fields
        return None, None

    def lookup(self, field: str, value: Any) -> str | None:
        """The record whose ``field`` holds ``value`` (compared as keys compare)."""
        if field not in self.lookups:
            built: dict[Any, str] = {}
            for record_id, values in self.values.items():
                v = key_value(self.kind, field, values.get(field))
                if v is not None:
                    built.setdefault(v, record_id)
            self.lookups[field] = built
        return self.lookups[field].get(key_value(self.kind, field, value))

    def add(self, record_id: str, values: dict[str, Any], *, by_reference: bool = False,
            keys: list[tuple | None] | None = None) -> None:
        """A record this import adds; ``keys``: :meth:`keys_for` of ``values``, if known."""
        self.pending[record_id] = values
        if by_reference:
            self.by_reference.add(record_id)
        self._index(record_id, values, keys)

    def update(self, record_id: str, values: dict[str, Any]) -> None:
        """Values now held by a record (an earlier row changed it, or filled in one
        made by reference): later rows compare with these, and find it by them."""
        merged = {**self.values.get(record_id, {}), **values}
        self.values[record_id] = merged
        if record_id in self.pending:
            self.pending[record_id].update(values)
        for position in range(len(self.keys)):
            key = self.key_of(merged, position)
            if key is not None:
                ids = self.by_key[position].setdefault(key, [])
                if record_id not in ids:
                    ids.append(record_id)
        for name, lookup in self.lookups.items():
            value = key_value(self.kind, name, merged.get(name))
            if value is not None:
                lookup.setdefault(value, record_id)

    def title(self, record_id: str) -> str:
        value = self.values.get(record_id, {}).get(self.title_field)
        return str(value) if value not in (None, "") else record_id


class Links:
    """The officer's links (ImportOptions.links): (kind, a name or identifier as the
    source writes it) -> an existing record, found by the values a row names a record
    by, compared as keys compare (an organisation's name through the name normaliser,
    so "Brightpath Ltd" and "BRIGHTPATH LIMITED" take the same link)."""

    def __init__(self, links: dict[tuple[str, str], str]) -> None:
        from cypdesk.model.registry import kind_of

        self.by_kind: dict[str, dict[Any, tuple[str, str]]] = {}
        for (kind, text), record_id in (links or {}).items():
            model = kind_of(kind)
            forms = self.by_kind.setdefault(model.__tablename__, {})
            for name in (model.__title__, ""):
                form = key_value(model.__tablename__, name, str(text))
                if form is not None:
                    forms.setdefault(form, (str(text), record_id))

    def find(self, index: KindIndex, given: dict[str, Any]) -> tuple[str, str] | None:
        """(the link's text, its record id) for a record named by ``given`` (field ->
        value; "" for a bare name), else None."""
        forms = self.by_kind.get(index.kind)
        if not forms:
            return None
        for name, value in given.items():
            if value is None:
                continue
            text = str(value)
            found = forms.get(key_value(index.kind, name or index.title_field, text)) or \
                forms.get(key_value(index.kind, "", text))
            if found is not None:
                return found
        return None


class Indexes(dict):
    """KindIndex per kind, loaded on first use from one connection."""

    def __init__(self, conn: Any) -> None:
        super().__init__()
        self.conn = conn

    def __missing__(self, kind: str) -> KindIndex:
        index = KindIndex(self.conn, kind)
        self[kind] = index
        return index


__all__ = ["Indexes", "KindIndex", "Links"]
