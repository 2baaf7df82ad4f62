"""Writes ``cypdesk/model/catalog.py``: the field metadata of every kind as plain
Python data, generated from the mapped classes (the one declaration).

The window's first paint and anything else that must start fast reads the catalog
instead of importing SQLAlchemy and 40 mapped classes (about 0.4 s here). A test
regenerates it and fails if the committed copy differs. Run after changing a model:

    python -m cypdesk.model.catalog_build
"""

from __future__ import annotations

import pprint
import sys
from pathlib import Path

HEADER = '''"""Field metadata of every kind, and the document row's labels, as plain data. GENERATED from the models by
``python -m cypdesk.model.catalog_build``: do not edit by hand (a test checks it)."""

# fmt: off
'''


def build() -> dict:
    from cypdesk.model import KINDS
    from cypdesk.model.fields import fields_of

    catalog = {}
    for kind, model in KINDS.items():
        fields = []
        for name, meta in fields_of(model, include_system=True):
            entry = {"name": name, "label": meta.label, "kind": meta.kind}
            for key in ("help", "unit", "references", "not_before"):
                value = getattr(meta, key)
                if value:
                    entry[key] = value
            for key in ("confidential", "personal", "counts", "required", "system", "data"):
                if getattr(meta, key):
                    entry[key] = True
            for key in ("minimum", "maximum"):
                if getattr(meta, key) is not None:
                    entry[key] = getattr(meta, key)
            if meta.choices is not None:
                entry["choices"] = [list(item) for item in meta.choices.items]
            if meta.synonyms:
                entry["synonyms"] = list(meta.synonyms)
            fields.append(entry)
        catalog[kind] = {"label": model.__label__, "title": model.__title__, "fields": fields}
    return catalog


def document_fields() -> list[dict]:
    """Every column of the document's own row (its settings, id, owner...) with its
    label, in table order: the merge compares the settings without the mapped classes."""
    from cypdesk.model.fields import meta_of
    from cypdesk.model.system import DocumentInfo

    out = []
    for column in DocumentInfo.__table__.columns:
        meta = meta_of(column)
        out.append({"name": column.key, "label": meta.label if meta is not None else column.key})
    return out


def render() -> str:
    body = pprint.pformat(build(), width=120, sort_dicts=False)
    document = pprint.pformat(document_fields(), width=120, sort_dicts=False)
    return HEADER + "CATALOG = " + body + "\n\nDOCUMENT_FIELDS = " + document + "\n"


def target() -> Path:
    return Path(__file__).with_name("catalog.py")


def main() -> int:
    target().write_text(render(), encoding="utf-8")
    print(f"wrote {target()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
