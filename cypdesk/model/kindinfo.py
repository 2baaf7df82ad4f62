"""The record kinds as the merge reads them, as plain data: table, label, title column,
columns, the fields a merge compares and those that point at an organisation, read
from the generated catalog (:mod:`cypdesk.model.catalog`), never from the mapped
classes.

``cypdesk merge`` is a whole process: importing SQLAlchemy and forty mapped classes
cost it more than half a second, for names it can read here. The rules are those of
:mod:`cypdesk.model.versions` (``merged_fields``) and of the mapped classes
(``RECORD_CLASSES``' order, ``__label__``, ``__title__``); tests/model/test_kindinfo.py
checks that every kind here says exactly what its mapped class says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cypdesk.model.catalog import CATALOG, DOCUMENT_FIELDS

# Columns never merged, whatever their declaration says.
NEVER_MERGED = frozenset({"id", "created_at", "created_by", "updated_at", "updated_by", "created_hlc", "hlc"})
# The document's own: each file keeps its own (DocumentInfo).
DOCUMENT_OWN = ("id", "owner_org_id", "created_at", "created_by", "hlc")
ORGANISATIONS = "organisations"


@dataclass(frozen=True)
class KindInfo:
    """One Record kind: ``table`` (its ``__tablename__``), ``label`` (``__label__``),
    ``title`` (the title column, None when ``__title__`` is not a column), every column
    in table order, ``merged`` (what :func:`cypdesk.model.versions.merged_fields`
    gives), ``org_refs`` (the merged fields that point at an organisation, owner
    included) and each column's label."""

    table: str
    label: str | None
    title: str | None
    columns: tuple[str, ...]
    merged: tuple[str, ...]
    org_refs: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def _is_merged(entry: dict) -> bool:
    name = entry["name"]
    if name in NEVER_MERGED:
        return False
    return name == "owner_org_id" or not entry.get("system") or bool(entry.get("data"))


def _kind(table: str, spec: dict) -> KindInfo:
    fields = spec["fields"]
    columns = tuple(f["name"] for f in fields)
    merged = tuple(f["name"] for f in fields if _is_merged(f))
    refs = {f["name"] for f in fields if f.get("references") == ORGANISATIONS}
    org_refs = () if table == "organisation_merges" else tuple(  # the record of a merge keeps the ids it names
        n for n in merged if n == "owner_org_id" or n in refs)
    title = spec.get("title") or "name"
    return KindInfo(table=table, label=spec.get("label"), title=title if title in columns else None,
                    columns=columns, merged=merged, org_refs=org_refs, labels={f["name"]: f["label"] for f in fields})


# In dependency order (the catalog is written in RECORD_CLASSES' order): a kind only
# refers to kinds before it.
KIND_INFOS: tuple[KindInfo, ...] = tuple(_kind(table, spec) for table, spec in CATALOG.items())
KIND_INFO: dict[str, KindInfo] = {k.table: k for k in KIND_INFOS}

# The document's settings a merge compares (all but its id, owner and creation), and
# every document column's label.
SETTINGS_LABELS: dict[str, str] = {f["name"]: f["label"] for f in DOCUMENT_FIELDS}
SETTINGS_FIELDS: tuple[str, ...] = tuple(f["name"] for f in DOCUMENT_FIELDS if f["name"] not in DOCUMENT_OWN)


__all__ = ["DOCUMENT_OWN", "KIND_INFO", "KIND_INFOS", "KindInfo", "NEVER_MERGED", "SETTINGS_FIELDS",
           "SETTINGS_LABELS"]
