"""Bookkeeping: the document's own identity and settings, the installations that have
edited it, import records, and what merging needs (history, field versions and
tombstones). Only ``import_records`` is a record partners exchange; the rest belongs
to the file and is read by the merge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cypdesk.model.base import Base, Record, new_id, utcnow
from cypdesk.model.fields import Choices, field

RATING_SCALES = Choices(
    ("rag", "Red, amber, green"),
    ("trajectory", "Five-level trajectory (ahead, on course, slippage, no progress, not assessed)"),
)

COMPARATOR_CHOICES = Choices(
    ("statistical_neighbours", "Statistical neighbours"),
    ("region", "Region"),
    ("england", "England only"),
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
    logo: Mapped[bytes | None] = field(LargeBinary, "Logo", help="PNG or JPEG, at most 1 MB, printed on board papers.")
    small_number_threshold: Mapped[int] = field(Integer, "Small-number threshold", default=5, server_default=text("5"), required=True, minimum=2, maximum=50, help="Counts of people from 1 to one below this print suppressed.")
    comparator_set: Mapped[str] = field(String(40), "Compare with", choices=COMPARATOR_CHOICES, default="statistical_neighbours", server_default=text("'statistical_neighbours'"), required=True)
    tolerance_pct: Mapped[float] = field(Float, "Tolerance without an interval (%)", default=5.0, server_default=text("5.0"), required=True, minimum=0, maximum=50)
    review_window_days: Mapped[int] = field(Integer, "Reviews due within (days)", default=30, server_default=text("30"), required=True, minimum=1, maximum=365)
    return_grace_days: Mapped[int] = field(Integer, "Grace after a quarter ends (days)", default=30, server_default=text("30"), required=True, minimum=0, maximum=120)
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
    mapping: Mapped[str | None] = field(Text, "Column mapping", help="As JSON.", system=True, data=True)
    publisher: Mapped[str | None] = field(String(200), "Publisher")
    rows_read: Mapped[int] = field(Integer, "Rows read", default=0, required=True)
    rows_added: Mapped[int] = field(Integer, "Added", default=0, required=True)
    rows_updated: Mapped[int] = field(Integer, "Updated", default=0, required=True)
    rows_rejected: Mapped[int] = field(Integer, "Rejected", default=0, required=True)
    rows_unchanged: Mapped[int] = field(Integer, "Unchanged", default=0, server_default=text("0"), required=True)
    layout: Mapped[str | None] = field(String(64), "Layout", kind="identifier", index=True, help="A fingerprint of the source's headings, so the mapping is offered again for the same layout.", system=True, data=True)


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




class MergePeer(Base):
    """A partner's document merged into this one: the state both last shared, so a
    field changed on both sides since then is seen as a conflict, not overwritten."""

    __tablename__ = "merge_peers"

    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(300))
    owner_org_id: Mapped[str | None] = mapped_column(String(36))
    first_merged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_merged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    their_hlc_seen: Mapped[str | None] = mapped_column(String(48))  # their newest stamp we have merged
    our_hlc_at_merge: Mapped[str | None] = mapped_column(String(48))  # our newest stamp at that merge
    merges: Mapped[int] = mapped_column(Integer, default=0)


class Conflict(Base):
    """A value both sides changed since they last shared a state, or a deletion on one
    side against an edit on the other: both values kept until a person chooses."""

    __tablename__ = "conflicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str | None] = mapped_column(String(60))  # None: the whole record (delete against edit)
    kind: Mapped[str] = mapped_column(String(20))  # "field" or "delete_edit"
    ours_value: Mapped[str | None] = mapped_column(Text)  # JSON
    theirs_value: Mapped[str | None] = mapped_column(Text)  # JSON
    ours_hlc: Mapped[str | None] = mapped_column(String(48))
    theirs_hlc: Mapped[str | None] = mapped_column(String(48))
    theirs_author: Mapped[str | None] = mapped_column(String(300))
    peer_document_id: Mapped[str | None] = mapped_column(String(36))
    detected_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(20))  # "ours", "theirs", "edited"
    resolved_by: Mapped[str | None] = mapped_column(String(36))


class WithheldField(Base):
    """A field left out of a share copy: which value (its record and field) and the
    stamp (``field_versions`` rule) of the value withheld. A merge never takes that
    field from the file that withholds it unless the file's version of the field is
    later than this stamp (the partner typed a new value); a file made from a share
    keeps the table."""

    __tablename__ = "withheld_fields"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(48))
    reason: Mapped[str | None] = mapped_column(String(40))


# Tables that belong to the file, not to the trust's data: not records, not merged row
# by row (the merge reads them), and exempt from the UUID-primary-key rule.
BOOKKEEPING_TABLES = ("document", "installations", "history", "field_versions", "tombstones", "merge_peers",
                      "conflicts", "withheld_fields", "alembic_version")
