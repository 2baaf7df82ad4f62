"""Bookkeeping: the document's own identity and settings, the installations that have
edited it, import records, and what merging needs (history, field versions and
tombstones). Only ``import_records`` is a record partners exchange; the rest belongs
to the file and is read by the merge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cypdesk.model.base import Base, Record, new_id, utcnow
from cypdesk.model.fields import Choices, field

RATING_SCALES = Choices(
    ("rag", "Red, amber, green"),
    ("trajectory", "Five-level trajectory (ahead, on course, slippage, no progress, not assessed)"),
)


class DocumentInfo(Base):
    """One row: the document's own id (kept by copies, so two copies of one file merge
    like any other pair), its owner and its settings."""

    __tablename__ = "document"

    id: Mapped[str] = field(String(36), "Document id", primary_key=True, default=new_id, kind="identifier", system=True)
    title: Mapped[str] = field(String(300), "Title", required=True, default="Untitled trust")
    owner_org_id: Mapped[str | None] = field(String(36), "Owner", kind="reference", references="organisations")
    trust_name: Mapped[str | None] = field(String(300), "Trust name", help="As it appears on board papers.")
    rating_scale: Mapped[str] = field(String(20), "Rating scale", choices=RATING_SCALES, default="rag", required=True)
    created_at: Mapped[datetime] = field(DateTime, "Created", default=utcnow, required=True, system=True)
    created_by: Mapped[str | None] = field(String(36), "Created by", system=True, kind="identifier")
    hlc: Mapped[str] = field(String(48), "Changed (clock)", system=True, required=True, kind="stamp", default="")


class InstallationSeen(Base):
    """An installation (a person on a computer) that has changed this document: the
    names behind the ids in ``history``."""

    __tablename__ = "installations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ImportRecord(Record):
    __tablename__ = "import_records"
    __label__ = "import"
    __title__ = "source_name"

    source_name: Mapped[str] = field(String(300), "Source file", required=True)
    source_sha256: Mapped[str | None] = field(String(64), "File hash", kind="identifier")
    sheet: Mapped[str | None] = field(String(100), "Sheet")
    kind: Mapped[str] = field(String(40), "Imported into", required=True)
    mapping: Mapped[str | None] = field(Text, "Column mapping", help="As JSON.", system=True)
    publisher: Mapped[str | None] = field(String(200), "Publisher")
    rows_read: Mapped[int] = field(Integer, "Rows read", default=0, required=True)
    rows_added: Mapped[int] = field(Integer, "Added", default=0, required=True)
    rows_updated: Mapped[int] = field(Integer, "Updated", default=0, required=True)
    rows_rejected: Mapped[int] = field(Integer, "Rejected", default=0, required=True)


HISTORY_OPS = ("insert", "update", "delete", "bulk_insert", "restore", "merge")


class History(Base):
    """Who changed what: one row per inserted or deleted record and per changed field."""

    __tablename__ = "history"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    hlc: Mapped[str] = mapped_column(String(48), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    author_id: Mapped[str] = mapped_column(String(36))
    author_name: Mapped[str] = mapped_column(String(300))
    op: Mapped[str] = mapped_column(String(12))
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(36))
    record_title: Mapped[str | None] = mapped_column(String(300))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)  # JSON
    new_value: Mapped[str | None] = mapped_column(Text)  # JSON
    note: Mapped[str | None] = mapped_column(Text)


class FieldVersion(Base):
    """The clock of the last edit of one field. A field with no row here has the
    version of its record's ``created_hlc``."""

    __tablename__ = "field_versions"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(48))
    author_id: Mapped[str] = mapped_column(String(36))


class Tombstone(Base):
    """A deleted record: its id and clock travel to partners so the deletion merges."""

    __tablename__ = "tombstones"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(48))
    author_id: Mapped[str] = mapped_column(String(36))
    deleted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    title: Mapped[str | None] = mapped_column(String(300))


# Tables that belong to the file, not to the trust's data: not records, not merged row
# by row (the merge reads them), and exempt from the UUID-primary-key rule.
BOOKKEEPING_TABLES = ("document", "installations", "history", "field_versions", "tombstones", "alembic_version")
