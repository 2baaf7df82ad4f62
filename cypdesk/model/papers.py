"""Board papers beyond their header (schema 9): a paper's sections, the templates that
choose and order them, the forward plan, and the snapshot a final paper keeps of what
the board saw. Meetings, papers, recommendations and appendices are in
:mod:`cypdesk.model.monitoring`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped

from cypdesk.model.base import Record
from cypdesk.model.fields import Choices, field

FORWARD_PLAN_STATUSES = Choices(
    ("planned", "Planned"),
    ("written", "Written"),
    ("deferred", "Deferred"),
    ("withdrawn", "Withdrawn"),
)


class PaperTemplate(Record):
    """Which sections a paper has, named and in order (JSON list of key and heading)."""

    __tablename__ = "paper_templates"
    __label__ = "paper template"
    __title__ = "name"

    name: Mapped[str] = field(String(200), "Template", required=True)
    sections: Mapped[str] = field(Text, "Sections", required=True, help="As JSON: a list of {key, heading} in order.")
    is_default: Mapped[bool] = field(Boolean, "Default template", default=False, server_default=text("0"), required=True)


class PaperSection(Record):
    """One section of a paper's body: its heading and its text (Markdown subset, see
    :mod:`cypdesk.common.richtext`)."""

    __tablename__ = "paper_sections"
    __label__ = "paper section"
    __title__ = "heading"

    paper_id: Mapped[str] = field(String(36), "Paper", ForeignKey("papers.id", ondelete="CASCADE"), kind="reference", references="papers", required=True, index=True)
    key: Mapped[str] = field(String(40), "Key", kind="identifier", required=True, help="A template key such as background, or section-2 for one the officer added.")
    heading: Mapped[str] = field(String(200), "Heading", required=True)
    position: Mapped[int] = field(Integer, "Position", default=0, server_default=text("0"), required=True)
    body: Mapped[str | None] = field(Text, "Text")
    confidential: Mapped[bool] = field(Boolean, "Confidential section", default=False, server_default=text("0"), required=True, help="Left out, whole, of provider-safe versions.")


class ForwardPlanItem(Record):
    """A decision the board is due to take at a meeting, with or without a paper yet."""

    __tablename__ = "forward_plan_items"
    __label__ = "forward plan item"
    __title__ = "title"

    meeting_id: Mapped[str | None] = field(String(36), "Meeting", ForeignKey("meetings.id", ondelete="SET NULL"), kind="reference", references="meetings", index=True)
    title: Mapped[str] = field(String(300), "Title", required=True)
    key_decision: Mapped[bool] = field(Boolean, "Key decision", default=False, server_default=text("0"), required=True)
    decision_sought: Mapped[str | None] = field(Text, "Decision sought")
    lead_id: Mapped[str | None] = field(String(36), "Lead officer", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people")
    paper_id: Mapped[str | None] = field(String(36), "Paper", ForeignKey("papers.id", ondelete="SET NULL"), kind="reference", references="papers")
    status: Mapped[str] = field(String(20), "Status", choices=FORWARD_PLAN_STATUSES, default="planned", required=True)


class PaperSnapshot(Record):
    """What a final paper showed, as structured values (``PaperDoc.to_json()``). One per
    paper: its id is ``link_id("paper_snapshots", paper_id)``, so two partners who
    finalise the same paper make the same row (a unique index would make their rows
    collide on merge, and merged tables have none)."""

    __tablename__ = "paper_snapshots"
    __label__ = "paper snapshot"
    __title__ = "taken_at"

    paper_id: Mapped[str] = field(String(36), "Paper", ForeignKey("papers.id", ondelete="CASCADE"), kind="reference", references="papers", required=True, index=True)
    taken_at: Mapped[datetime] = field(DateTime, "Taken", required=True)
    content: Mapped[str] = field(Text, "Content", required=True, system=True, data=True, help="The paper's content as JSON.")
    content_version: Mapped[int] = field(Integer, "Content version", default=1, server_default=text("1"), required=True, system=True, data=True)
