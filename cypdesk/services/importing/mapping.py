"""Which column of a source feeds which field (issue 9, item 5): guessed by the field's
name, its label and its synonyms (cypdesk.model.fields), compared without case, spaces,
underscores or punctuation, each guess with its reason; remembered per source layout
from the import records; read and written as JSON (``--mapping M.json``).

A target is a field name of the kind (``total_value``) or, for a reference, either the
bare field (``provider_id``: the value names the record by its title or an identifier)
or ``FIELD.SUBFIELD`` (``supplier_id.company_number``: the record is found by that
field, and filled in with it when the import creates it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cypdesk.services.importing.source import normalise_heading


@dataclass
class Mapping:
    kind: str                                # "contracts", "indicator_values", ...
    columns: dict[str, str | None]           # source header -> target, or None (ignored)
    fixed: dict[str, Any] = field(default_factory=dict)    # target -> constant for every row
    reasons: dict[str, str] = field(default_factory=dict)  # header -> why it was guessed

    def to_json(self) -> dict:
        return {"kind": self.kind, "columns": dict(self.columns), "fixed": dict(self.fixed)}

    @classmethod
    def from_json(cls, data: dict) -> Mapping:
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise ValueError('a mapping is a JSON object {"kind": ..., "columns": {"heading": "field", ...}}')
        columns = {str(k): (None if v in (None, "") else str(v)) for k, v in data["columns"].items()}
        fixed = data.get("fixed") or {}
        if not isinstance(fixed, dict):
            raise ValueError('"fixed" must be an object {"field": value}')
        given = data.get("reasons") if isinstance(data.get("reasons"), dict) else {}
        return cls(kind=str(data.get("kind") or ""), columns=columns, fixed=dict(fixed),
                   reasons={h: str(given.get(h) or "given in the mapping file") for h in columns})

    def target_of(self, header: str) -> str | None:
        return self.columns.get(header)


# Headings the field uses for a reference's identifying fields, beyond what the labels
# and synonyms give ("Area Code" in a Fingertips or DfE file is the area's GSS code).
REFERENCE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "indicator_values": {
        "indicator_id.code": ("indicator id", "indicator code", "indicatorid"),
        "indicator_id.name": ("indicator name", "indicator"),
        "area_id.gss_code": ("area code", "gss code", "ons code", "new la code", "geography code"),
        "area_id.name": ("area name", "la name", "geography", "area"),
        "area_id.la_code": ("old la code", "la code", "la number"),
    },
    "contracts": {
        "supplier_id.company_number": ("supplier registered company number", "supplier company number",
                                       "company number", "companies house number", "company registration number"),
        "supplier_id.charity_number": ("supplier registered charity number", "supplier charity number",
                                       "charity number", "registered charity number"),
        "service_id.name": ("service", "service name"),
    },
    "payments": {
        "supplier_id.company_number": ("supplier registered company number", "supplier company number",
                                       "company number", "companies house number"),
        "supplier_id.charity_number": ("supplier charity number", "charity number"),
        "contract_id.reference": ("contract reference", "contract ref", "contract number", "contract id"),
    },
    "areas": {
        "parent_id.gss_code": ("parent code", "parent gss code", "parent area code"),
        "parent_id.name": ("parent name", "parent", "parent area", "within"),
    },
    "services": {
        "provider_id.company_number": ("provider company number", "company number"),
        "provider_id.charity_number": ("provider charity number", "charity number"),
    },
}


def _fields(kind: str) -> list[tuple[str, Any]]:
    from cypdesk.model.registry import kind_of
    from cypdesk.model.fields import fields_of

    return fields_of(kind_of(kind))


def reference_subfields(ref_kind: str) -> list[str]:
    """The fields of a referenced kind a source may name it by: its natural keys' plain
    fields and its title field, in order of preference."""
    from cypdesk.model.registry import kind_of
    from cypdesk.services.importing.keys import natural_keys

    model = kind_of(ref_kind)
    plain = {name for name, meta in _fields(ref_kind) if meta.kind != "reference"}
    out: list[str] = []
    for key in natural_keys(ref_kind):
        for name in key:
            if name in plain and name not in out:
                out.append(name)
    if model.__title__ in plain and model.__title__ not in out:
        out.append(model.__title__)
    return out


def targets(kind: str) -> list[tuple[str, str]]:
    """(target, label) of every choice the wizard offers for a column, references'
    identifying fields included ("supplier_id.company_number", "Supplier (Companies
    House number)")."""
    out: list[tuple[str, str]] = []
    for name, meta in _fields(kind):
        out.append((name, meta.label))
        if meta.kind == "reference" and meta.references:
            sub_meta = dict(_fields(meta.references))
            for sub in reference_subfields(meta.references):
                out.append((f"{name}.{sub}", f"{meta.label} ({sub_meta[sub].label})"))
    return out


def _candidates(kind: str) -> list[list[tuple[str, str, str]]]:
    """Per level of confidence, (normalised phrase, target, reason) to match headings."""
    levels: list[list[tuple[str, str, str]]] = [[], [], [], []]
    for name, meta in _fields(kind):
        levels[0].append((normalise_heading(name), name, "field name"))
        levels[1].append((normalise_heading(meta.label), name, f"label {meta.label!r}"))
        for synonym in meta.synonyms:
            levels[2].append((normalise_heading(synonym), name, f"synonym {synonym!r}"))
        if meta.kind == "reference" and meta.references:
            sub_meta = dict(_fields(meta.references))
            stem = name[:-3] if name.endswith("_id") else name
            for sub in reference_subfields(meta.references):
                target = f"{name}.{sub}"
                levels[0].append((normalise_heading(target), target, "field name"))
                sm = sub_meta[sub]
                phrases = {f"{meta.label} {sm.label}", f"{stem} {sm.label}", f"{meta.label} {sub}", f"{stem} {sub}"}
                phrases |= {f"{meta.label} {s}" for s in sm.synonyms}
                for phrase in sorted(phrases):
                    levels[3].append((normalise_heading(phrase), target, f"{meta.label}'s {sm.label.lower()}"))
    for target, synonyms in REFERENCE_SYNONYMS.get(kind, {}).items():
        for synonym in synonyms:
            levels[2].append((normalise_heading(synonym), target, f"synonym {synonym!r}"))
    return levels


def guess_mapping(kind: str, headers: list[str], *, remembered: Mapping | None = None) -> Mapping:
    """A mapping for ``headers``: remembered targets first, then by field name, label,
    synonym and a reference's label with its field's, in that order of confidence; a
    target goes to one column only. Unmatched headings map to None ("ignored")."""
    from cypdesk.model.registry import kind_of

    kind = kind_of(kind).__tablename__
    columns: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    taken: dict[str, str] = {}
    valid = {t for t, _ in targets(kind)}
    if remembered is not None and remembered.kind in ("", kind):
        for header in headers:
            target = remembered.columns.get(header)
            if header in remembered.columns and (target is None or target in valid) and target not in taken:
                columns[header] = target
                reasons[header] = remembered.reasons.get(header) or "remembered"
                if target:
                    taken[target] = header
    for level in _candidates(kind):
        phrases: dict[str, tuple[str, str]] = {}
        for phrase, target, reason in level:
            phrases.setdefault(phrase, (target, reason))
        for header in headers:
            if header in columns or not normalise_heading(header):
                continue
            found = phrases.get(normalise_heading(header))
            if found is None:
                continue
            target, reason = found
            if target in taken:
                continue  # a target is fed by one column: the first, most confident match
            columns[header] = target
            reasons[header] = reason
            taken[target] = header
    for header in headers:
        if header not in columns and normalise_heading(header):
            columns[header] = None
            reasons.setdefault(header, "no field with this name, label or synonym")
    return Mapping(kind=kind, columns=columns, reasons=reasons)


def remembered_mapping(ws: Any, layout: str, kind: str) -> Mapping | None:
    """The mapping of the last import of this layout into this kind, from the import
    records, with each column's reason naming that import."""
    import json

    from sqlalchemy import select

    from cypdesk.model.registry import kind_of
    from cypdesk.model.system import ImportRecord

    kind = kind_of(kind).__tablename__
    t = ImportRecord.__table__
    with ws.doc.engine.connect() as conn:
        row = conn.execute(select(t.c.source_name, t.c.created_at, t.c.mapping)
                           .where(t.c.layout == layout, t.c.kind == kind, t.c.mapping.is_not(None))
                           .order_by(t.c.created_at.desc()).limit(1)).first()
    if row is None:
        return None
    try:
        mapping = Mapping.from_json(json.loads(row.mapping))
    except (ValueError, TypeError):
        return None
    when = row.created_at.strftime("%d/%m/%Y") if row.created_at else "an earlier date"
    mapping.reasons = {h: f"remembered from import of {row.source_name} on {when}" for h in mapping.columns}
    mapping.kind = kind
    return mapping


__all__ = ["Mapping", "REFERENCE_SYNONYMS", "guess_mapping", "reference_subfields", "remembered_mapping", "targets"]
