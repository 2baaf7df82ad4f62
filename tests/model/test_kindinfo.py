"""The kinds as plain data (cypdesk.model.kindinfo, read from the generated catalog)
say exactly what the mapped classes say: the merge reads them instead of importing
SQLAlchemy, so a drift would merge the wrong fields. The title column and the
organisation references are derived here from the mapped classes' own declarations."""

from __future__ import annotations

import subprocess
import sys

from cypdesk.model import RECORD_CLASSES, kindinfo, versions
from cypdesk.model.fields import meta_of
from cypdesk.model.system import DocumentInfo


def title_column(model):
    """The title column as the mapped class declares it (``__title__``, else "name"),
    None when that is not a column."""
    name = getattr(model, "__title__", "name")
    return name if name in model.__table__.columns else None


def org_reference_fields(model):
    """The merged fields of a mapped class that point at an organisation (owner
    included); none for the record of an organisation merge, which keeps the ids it names."""
    if model.__tablename__ == "organisation_merges":
        return ()
    out = []
    for name in versions.merged_fields(model):
        meta = meta_of(model.__table__.columns[name])
        if name == "owner_org_id" or (meta is not None and meta.references == "organisations"):
            out.append(name)
    return tuple(out)


def test_every_kind_in_the_order_of_the_mapped_classes():
    assert [k.table for k in kindinfo.KIND_INFOS] == [m.__tablename__ for m in RECORD_CLASSES]


def test_each_kind_has_the_columns_labels_title_and_merged_fields_of_its_class():
    for kind, model in zip(kindinfo.KIND_INFOS, RECORD_CLASSES):
        assert kind.columns == tuple(c.key for c in model.__table__.columns), model
        assert kind.merged == versions.merged_fields(model), model
        assert kind.org_refs == org_reference_fields(model), model
        assert kind.title == title_column(model), model
        assert kind.label == model.__label__, model
        for column in model.__table__.columns:
            meta = meta_of(column)
            assert kind.labels[column.key] == (meta.label if meta is not None else column.key), (model, column.key)


def test_the_settings_are_the_document_rows_columns_but_its_own():
    assert kindinfo.SETTINGS_FIELDS == tuple(
        c.key for c in DocumentInfo.__table__.columns if c.key not in versions.DOCUMENT_OWN)
    assert versions.merged_fields(DocumentInfo) == kindinfo.SETTINGS_FIELDS
    for column in DocumentInfo.__table__.columns:
        assert kindinfo.SETTINGS_LABELS[column.key] == meta_of(column).label


def test_the_merge_modules_import_without_sqlalchemy():
    """What cypdesk merge imports loads neither SQLAlchemy nor a mapped class."""
    code = ("import sys\n"
            "import cypdesk.cli, cypdesk.cli_merge\n"
            "from cypdesk.services.documents import open_workspace\n"
            "from cypdesk.services.exchange import apply, intake, plan, rules, sqlmerge\n"
            "from cypdesk.model import document, saving\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy' or m == 'cypdesk.model.registry')\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
