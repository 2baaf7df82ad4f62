"""The needs assessment: indicators and their values, consultation evidence, and the
priorities that follow from them (framework steps 1-4)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship, validates

from cypdesk.model.base import Record, period_key_and_start
from cypdesk.model.fields import Choices, field

POLARITIES = Choices(
    ("higher_better", "Higher is better"),
    ("lower_better", "Lower is better"),
    ("no_judgement", "No judgement"),
)

UNITS = Choices(
    ("percent", "%"),
    ("rate_10k", "Rate per 10,000"),
    ("rate_1k", "Rate per 1,000"),
    ("rate_100k", "Rate per 100,000"),
    ("count", "Count"),
    ("score", "Score"),
    ("days", "Days"),
    ("pounds", "£"),
    ("ratio", "Ratio"),
)

SUPPRESSION_MARKERS = Choices(
    ("c", "c (confidential)"),
    ("x", "x (not available)"),
    ("..", ".. (not available)"),
    ("*", "* (suppressed)"),
    ("-", "- (nil or not applicable)"),
    ("z", "z (not applicable)"),
    ("k", "k (rounds to zero)"),
    ("low", "low (small number)"),
    (":", ": (not available)"),
)

EVIDENCE_WHO = Choices(
    ("children", "Children and young people"),
    ("parents", "Parents and carers"),
    ("staff", "Staff"),
    ("community", "Community"),
    ("providers", "Providers"),
)

EVIDENCE_METHODS = Choices(
    ("survey", "Survey"),
    ("focus_group", "Focus group"),
    ("interview", "Interviews"),
    ("consultation_event", "Consultation event"),
    ("youth_council", "Youth council"),
    ("complaints", "Complaints and compliments"),
    ("inspection", "Inspection report"),
    ("other", "Other"),
)

PRIORITY_STATUSES = Choices(
    ("proposed", "Proposed"),
    ("agreed", "Agreed"),
    ("in_progress", "In progress"),
    ("achieved", "Achieved"),
    ("dropped", "Dropped"),
)


class Indicator(Record):
    __tablename__ = "indicators"
    __label__ = "indicator"

    code: Mapped[str | None] = field(String(40), "Code", kind="identifier", help="e.g. a Fingertips indicator id.", synonyms=("indicator id", "indicator_id", "indicator code"))
    name: Mapped[str] = field(String(400), "Indicator", required=True, synonyms=("indicator name", "indicator", "measure"))
    group_id: Mapped[str | None] = field(String(36), "Group of children", ForeignKey("groups.id", ondelete="SET NULL"), kind="reference", references="groups")
    unit: Mapped[str | None] = field(String(20), "Unit", choices=UNITS, synonyms=("value type", "units"))
    polarity: Mapped[str] = field(String(20), "Polarity", choices=POLARITIES, required=True, default="no_judgement", synonyms=("direction",))
    decimals: Mapped[int] = field(Integer, "Decimal places", default=1, required=True, minimum=0, maximum=4)
    source: Mapped[str | None] = field(String(300), "Source", synonyms=("publisher", "data source"))
    definition: Mapped[str | None] = field(Text, "Definition")
    commentary: Mapped[str | None] = field(Text, "The story behind the trend", help="What the trend shows and why, as a report card tells it.")

    outcomes: Mapped[list[IndicatorOutcome]] = relationship(cascade="all, delete-orphan")


class IndicatorOutcome(Record):
    __tablename__ = "indicator_outcomes"
    __label__ = "indicator outcome"
    __title__ = "outcome_id"

    indicator_id: Mapped[str] = field(String(36), "Indicator", ForeignKey("indicators.id", ondelete="CASCADE"), kind="reference", references="indicators", required=True, index=True)
    outcome_id: Mapped[str] = field(String(36), "Outcome", ForeignKey("outcomes.id", ondelete="CASCADE"), kind="reference", references="outcomes", required=True, index=True)


class IndicatorValue(Record):
    """One figure: an indicator for an area and a period, with where it came from."""

    __tablename__ = "indicator_values"
    __label__ = "indicator value"
    __title__ = "period"
    __table_args__ = (
        Index("ix_indicator_values_lookup", "indicator_id", "area_id", "period_start"),
    )

    indicator_id: Mapped[str] = field(String(36), "Indicator", ForeignKey("indicators.id", ondelete="CASCADE"), kind="reference", references="indicators", required=True)
    area_id: Mapped[str] = field(String(36), "Area", ForeignKey("areas.id", ondelete="CASCADE"), kind="reference", references="areas", required=True, index=True)
    period: Mapped[str] = field(String(16), "Period", kind="period", required=True, help="e.g. 2025-26, 2024/25, 2025, Mar 2026.", synonyms=("time period", "time_period", "year", "time period range"))
    period_start: Mapped[date] = field(Date, "Period starts", required=True, system=True, data=True)
    group_id: Mapped[str | None] = field(String(36), "Group of children", ForeignKey("groups.id", ondelete="SET NULL"), kind="reference", references="groups")
    value: Mapped[float | None] = field(Float, "Value", synonyms=("value", "rate", "percentage"))
    lower_ci: Mapped[float | None] = field(Float, "Lower 95% CI", synonyms=("lower ci 95.0 limit", "lower ci", "lcl", "lower confidence limit"))
    upper_ci: Mapped[float | None] = field(Float, "Upper 95% CI", synonyms=("upper ci 95.0 limit", "upper ci", "ucl", "upper confidence limit"))
    lower_ci_998: Mapped[float | None] = field(Float, "Lower 99.8% CI", synonyms=("lower ci 99.8 limit", "lower 99.8% ci"))
    upper_ci_998: Mapped[float | None] = field(Float, "Upper 99.8% CI", synonyms=("upper ci 99.8 limit", "upper 99.8% ci"))
    sex: Mapped[str | None] = field(String(20), "Sex", synonyms=("gender",), help="The breakdown a value is for: blank for persons.")
    age: Mapped[str | None] = field(String(40), "Age", synonyms=("age group", "age band"), help="The breakdown a value is for, e.g. 0-4 yrs.")
    category: Mapped[str | None] = field(String(200), "Category", synonyms=("category type", "breakdown"), help="Any other breakdown, e.g. a deprivation decile.")
    numerator: Mapped[float | None] = field(Float, "Numerator", synonyms=("count",), counts=True)
    denominator: Mapped[float | None] = field(Float, "Denominator", counts=True)
    suppressed: Mapped[str | None] = field(String(8), "Suppressed", choices=SUPPRESSION_MARKERS, help="The marker the source showed instead of a value.")
    note: Mapped[str | None] = field(String(500), "Note", synonyms=("value note",))
    import_id: Mapped[str | None] = field(String(36), "Import", ForeignKey("import_records.id", ondelete="SET NULL"), kind="reference", references="import_records", system=True, data=True)
    source: Mapped[str | None] = field(String(200), "Source", synonyms=("publisher",))
    extracted_on: Mapped[date | None] = field(Date, "Extract date")

    @validates("period")
    def _normalise_period(self, _key: str, value: object) -> str:
        """Any written form of a period is stored as its key, with its start date."""
        key, self.period_start = period_key_and_start(value)
        return key


class Evidence(Record):
    """Consultation findings: what children, families and staff said."""

    __tablename__ = "evidence"
    __label__ = "evidence"
    __title__ = "title"

    title: Mapped[str] = field(String(300), "Title", required=True)
    who: Mapped[str | None] = field(String(20), "Who was heard", choices=EVIDENCE_WHO)
    method: Mapped[str | None] = field(String(30), "Method", choices=EVIDENCE_METHODS)
    held_on: Mapped[date | None] = field(Date, "Date")
    participants: Mapped[int | None] = field(Integer, "Participants", minimum=0, counts=True)
    summary: Mapped[str | None] = field(Text, "What we heard")
    source_document: Mapped[str | None] = field(String(300), "Report or source")

    tags: Mapped[list[EvidenceTag]] = relationship(cascade="all, delete-orphan")


class EvidenceTag(Record):
    """Evidence tagged with an outcome, a group or a locality (one of the three)."""

    __tablename__ = "evidence_tags"
    __label__ = "evidence tag"
    __title__ = "evidence_id"

    evidence_id: Mapped[str] = field(String(36), "Evidence", ForeignKey("evidence.id", ondelete="CASCADE"), kind="reference", references="evidence", required=True, index=True)
    outcome_id: Mapped[str | None] = field(String(36), "Outcome", ForeignKey("outcomes.id", ondelete="CASCADE"), kind="reference", references="outcomes")
    group_id: Mapped[str | None] = field(String(36), "Group of children", ForeignKey("groups.id", ondelete="CASCADE"), kind="reference", references="groups")
    area_id: Mapped[str | None] = field(String(36), "Locality", ForeignKey("areas.id", ondelete="CASCADE"), kind="reference", references="areas")


class Priority(Record):
    __tablename__ = "priorities"
    __label__ = "priority"
    __title__ = "statement"

    statement: Mapped[str] = field(String(500), "Priority", required=True)
    plan_reference: Mapped[str | None] = field(String(20), "Plan reference", kind="identifier", help="e.g. WT5.")
    rank: Mapped[int | None] = field(Integer, "Rank", minimum=1)
    status: Mapped[str] = field(String(20), "Status", choices=PRIORITY_STATUSES, default="proposed", required=True)
    rationale: Mapped[str | None] = field(Text, "Rationale")

    links: Mapped[list[PriorityLink]] = relationship(cascade="all, delete-orphan")


class PriorityLink(Record):
    """What a priority is about or rests on: an outcome, a group, an indicator or a
    piece of evidence (one of the four)."""

    __tablename__ = "priority_links"
    __label__ = "priority link"
    __title__ = "priority_id"

    priority_id: Mapped[str] = field(String(36), "Priority", ForeignKey("priorities.id", ondelete="CASCADE"), kind="reference", references="priorities", required=True, index=True)
    outcome_id: Mapped[str | None] = field(String(36), "Outcome", ForeignKey("outcomes.id", ondelete="CASCADE"), kind="reference", references="outcomes")
    group_id: Mapped[str | None] = field(String(36), "Group of children", ForeignKey("groups.id", ondelete="CASCADE"), kind="reference", references="groups")
    indicator_id: Mapped[str | None] = field(String(36), "Indicator", ForeignKey("indicators.id", ondelete="CASCADE"), kind="reference", references="indicators")
    evidence_id: Mapped[str | None] = field(String(36), "Evidence", ForeignKey("evidence.id", ondelete="CASCADE"), kind="reference", references="evidence")
