"""Monitoring and the board (framework step 9): measures and measurements, the action
plan, the risk register, meetings and papers with the board's decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, relationship, validates

from cypdesk.model.base import Record, period_key_and_start
from cypdesk.model.fields import Choices, field
from cypdesk.model.needs import POLARITIES

if TYPE_CHECKING:
    from cypdesk.model.papers import PaperSection

MEASURE_KINDS = Choices(
    ("how_much", "How much did we do?"),
    ("how_well", "How well did we do it?"),
    ("better_off", "Is anyone better off?"),
)

FREQUENCIES = Choices(
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("termly", "Termly"),
    ("annual", "Annual"),
)

TOLERANCE_KINDS = Choices(
    ("percent", "Percentage of target"),
    ("absolute", "Absolute amount"),
)

ACTION_STATUSES = Choices(
    ("not_started", "Not started"),
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("off_track", "Off track"),
    ("done", "Done"),
)

PROTECTIVE_MARKINGS = Choices(
    ("official", "OFFICIAL"),
    ("official_sensitive", "OFFICIAL-SENSITIVE"),
    ("not_for_publication", "NOT FOR PUBLICATION"),
)

PAPER_STATUSES = Choices(("draft", "Draft"), ("final", "Final"))

DECISIONS = Choices(
    ("agreed", "Agreed"),
    ("amended", "Agreed as amended"),
    ("deferred", "Deferred"),
    ("rejected", "Rejected"),
)

APPENDIX_KINDS = Choices(
    ("action_plan", "Action plan progress"),
    ("pooled_budgets", "Pooled budget monitoring"),
    ("performance", "Service performance"),
    ("needs_profile", "Needs profile"),
    ("service_map", "Service and outcome map"),
    ("risks", "Risk register"),
    ("contracts_ending", "Contracts ending"),
)


class Measure(Record):
    """A performance measure of a service, contract, priority or team (one of them)."""

    __tablename__ = "measures"
    __label__ = "measure"

    name: Mapped[str] = field(String(300), "Measure", required=True, synonyms=("kpi", "indicator", "performance measure"))
    kind: Mapped[str | None] = field(String(20), "Kind", choices=MEASURE_KINDS)
    service_id: Mapped[str | None] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", index=True)
    contract_id: Mapped[str | None] = field(String(36), "Contract", ForeignKey("contracts.id", ondelete="CASCADE"), kind="reference", references="contracts", index=True)
    priority_id: Mapped[str | None] = field(String(36), "Priority", ForeignKey("priorities.id", ondelete="CASCADE"), kind="reference", references="priorities", index=True)
    team_id: Mapped[str | None] = field(String(36), "Team", ForeignKey("teams.id", ondelete="CASCADE"), kind="reference", references="teams", index=True)
    unit: Mapped[str | None] = field(String(40), "Unit", help="e.g. %, days, children.")
    polarity: Mapped[str] = field(String(20), "Polarity", choices=POLARITIES, default="higher_better", required=True)
    frequency: Mapped[str] = field(String(20), "Frequency", choices=FREQUENCIES, default="quarterly", required=True)
    target: Mapped[float | None] = field(Float, "Target")
    tolerance: Mapped[float | None] = field(Float, "Amber tolerance", minimum=0, help="How far from target is still amber.")
    tolerance_kind: Mapped[str] = field(String(10), "Tolerance is", choices=TOLERANCE_KINDS, default="percent", required=True)
    definition: Mapped[str | None] = field(Text, "Definition")

    measurements: Mapped[list[Measurement]] = relationship(cascade="all, delete-orphan")


class Measurement(Record):
    __tablename__ = "measurements"
    __label__ = "measurement"
    __title__ = "period"

    measure_id: Mapped[str] = field(String(36), "Measure", ForeignKey("measures.id", ondelete="CASCADE"), kind="reference", references="measures", required=True, index=True)
    period: Mapped[str] = field(String(16), "Period", kind="period", required=True, help="e.g. 2025-26 Q1.")
    period_start: Mapped[date] = field(Date, "Period starts", required=True, system=True, data=True)
    actual: Mapped[float | None] = field(Float, "Actual")
    commentary: Mapped[str | None] = field(Text, "Commentary")

    @validates("period")
    def _normalise_period(self, _key: str, value: object) -> str:
        """Any written form of a period is stored as its key, with its start date."""
        key, self.period_start = period_key_and_start(value)
        return key


class Action(Record):
    """A line of the commissioning strategy's action plan (as in seed 004)."""

    __tablename__ = "actions"
    __label__ = "action"
    __title__ = "number"

    number: Mapped[str | None] = field(String(20), "No.", kind="identifier")
    action: Mapped[str] = field(Text, "Action", required=True)
    plan_reference: Mapped[str | None] = field(String(40), "Plan reference", kind="identifier", help="e.g. section 4.2 of the strategy, or WT5.")
    owner_id: Mapped[str | None] = field(String(36), "Owner", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people")
    due_date: Mapped[date | None] = field(Date, "Due")
    report_to_board: Mapped[date | None] = field(Date, "Report to board")
    progress: Mapped[str | None] = field(Text, "Progress")
    status: Mapped[str] = field(String(20), "Status", choices=ACTION_STATUSES, default="not_started", required=True)
    completed_on: Mapped[date | None] = field(Date, "Completed")
    priority_id: Mapped[str | None] = field(String(36), "Priority", ForeignKey("priorities.id", ondelete="SET NULL"), kind="reference", references="priorities")
    recommendation_id: Mapped[str | None] = field(String(36), "Started by recommendation", ForeignKey("recommendations.id", ondelete="SET NULL"), kind="reference", references="recommendations", index=True, help="The board's recommendation this action carries out.")


class Risk(Record):
    __tablename__ = "risks"
    __label__ = "risk"
    __title__ = "description"

    description: Mapped[str] = field(Text, "Risk", required=True)
    owner_id: Mapped[str | None] = field(String(36), "Owner", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people")
    likelihood: Mapped[int] = field(Integer, "Likelihood", required=True, default=3, minimum=1, maximum=5)
    impact: Mapped[int] = field(Integer, "Impact", required=True, default=3, minimum=1, maximum=5)
    previous_score: Mapped[int | None] = field(Integer, "Previous score", minimum=1, maximum=25, help="The score at the last review, for the trend.")
    mitigation: Mapped[str | None] = field(Text, "Mitigation")
    target_score: Mapped[int | None] = field(Integer, "Target score", minimum=1, maximum=25)
    review_date: Mapped[date | None] = field(Date, "Review date")
    service_id: Mapped[str | None] = field(String(36), "Service", ForeignKey("services.id", ondelete="SET NULL"), kind="reference", references="services")
    agreement_id: Mapped[str | None] = field(String(36), "Agreement", ForeignKey("agreements.id", ondelete="SET NULL"), kind="reference", references="agreements")
    priority_id: Mapped[str | None] = field(String(36), "Priority", ForeignKey("priorities.id", ondelete="SET NULL"), kind="reference", references="priorities")
    team_id: Mapped[str | None] = field(String(36), "Team", ForeignKey("teams.id", ondelete="SET NULL"), kind="reference", references="teams")

    @property
    def score(self) -> int:
        return (self.likelihood or 0) * (self.impact or 0)


class Meeting(Record):
    __tablename__ = "meetings"
    __label__ = "meeting"
    __title__ = "board"

    board: Mapped[str] = field(String(200), "Board", required=True, help="e.g. Children's Trust Board, Cabinet.")
    held_on: Mapped[date] = field(Date, "Date", required=True)
    place: Mapped[str | None] = field(String(300), "Place")

    papers: Mapped[list[Paper]] = relationship(cascade="all, delete-orphan")


class Paper(Record):
    __tablename__ = "papers"
    __label__ = "board paper"
    __title__ = "title"

    meeting_id: Mapped[str | None] = field(String(36), "Meeting", ForeignKey("meetings.id", ondelete="SET NULL"), kind="reference", references="meetings", index=True)
    title: Mapped[str] = field(String(300), "Title", required=True)
    author_id: Mapped[str | None] = field(String(36), "Author", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people")
    marking: Mapped[str] = field(String(30), "Protective marking", choices=PROTECTIVE_MARKINGS, default="official", required=True)
    status: Mapped[str] = field(String(10), "Status", choices=PAPER_STATUSES, default="draft", required=True)
    key_decision: Mapped[bool] = field(Boolean, "Key decision", default=False, server_default=text("0"), required=True, help="A decision with significant spending or effects on communities, published in the forward plan.")
    wards_affected: Mapped[str | None] = field(String(300), "Wards affected", help="e.g. County-wide.")
    agenda_item: Mapped[str | None] = field(String(20), "Agenda item", kind="identifier", help="e.g. 7 or 5b.")
    contact_id: Mapped[str | None] = field(String(36), "Contact", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people", help="Who to ask about the paper; their email and phone are left out of provider-safe copies.")
    template_id: Mapped[str | None] = field(String(36), "Template", ForeignKey("paper_templates.id", ondelete="SET NULL"), kind="reference", references="paper_templates")
    version: Mapped[int] = field(Integer, "Version", default=1, server_default=text("1"), required=True, minimum=1)
    previous_id: Mapped[str | None] = field(String(36), "Reopened from", ForeignKey("papers.id", ondelete="SET NULL"), kind="reference", references="papers", help="The final paper this draft was reopened from.")
    finalised_at: Mapped[datetime | None] = field(DateTime, "Finalised")
    data_taken_at: Mapped[datetime | None] = field(DateTime, "Data taken", help="When the figures of the final paper were read from the data.")
    purpose: Mapped[str | None] = field(Text, "Purpose")

    sections: Mapped[list[PaperSection]] = relationship(order_by="PaperSection.position", cascade="all, delete-orphan")
    recommendations: Mapped[list[Recommendation]] = relationship(cascade="all, delete-orphan")
    appendices: Mapped[list[Appendix]] = relationship(cascade="all, delete-orphan")


class Recommendation(Record):
    __tablename__ = "recommendations"
    __label__ = "recommendation"
    __title__ = "text"

    paper_id: Mapped[str] = field(String(36), "Paper", ForeignKey("papers.id", ondelete="CASCADE"), kind="reference", references="papers", required=True, index=True)
    number: Mapped[int] = field(Integer, "No.", required=True, default=1, minimum=1)
    text: Mapped[str] = field(Text, "Recommendation", required=True)
    decision: Mapped[str | None] = field(String(20), "Board's decision", choices=DECISIONS)
    decision_note: Mapped[str | None] = field(Text, "Decision note")


class Appendix(Record):
    __tablename__ = "appendices"
    __label__ = "appendix"
    __title__ = "title"

    paper_id: Mapped[str] = field(String(36), "Paper", ForeignKey("papers.id", ondelete="CASCADE"), kind="reference", references="papers", required=True, index=True)
    letter: Mapped[str] = field(String(4), "Appendix", required=True, default="A")
    kind: Mapped[str] = field(String(20), "Built from", choices=APPENDIX_KINDS, required=True)
    title: Mapped[str | None] = field(String(300), "Title")
    options: Mapped[str | None] = field(Text, "Options", help="Filters for the appendix, as JSON.", system=True, data=True)
