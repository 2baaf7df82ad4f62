"""Pooled, aligned and joint budgets (framework step 7): agreements, partners'
contributions and quarterly monitoring returns."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from cypdesk.model.base import Record
from cypdesk.model.fields import Choices, field

AGREEMENT_TYPES = Choices(
    ("pooled", "Formal pooled budget"),
    ("aligned", "Aligned budget"),
    ("joint", "Joint budget"),
    ("individual", "Individual budget"),
)

LEGAL_BASES = Choices(
    ("s75_nhs_2006", "Section 75, NHS Act 2006"),
    ("s31_health_1999", "Section 31, Health Act 1999"),
    ("s28a_nhs_1977", "Section 28A, NHS Act 1977"),
    ("s10_children_2004", "Section 10, Children Act 2004"),
    ("other", "Other"),
)

AGREEMENT_STATUSES = Choices(
    ("draft", "Draft"),
    ("negotiating", "Negotiating"),
    ("signed", "Signed"),
    ("operating", "Operating"),
    ("ended", "Ended"),
)

VARIANCE_RULES = Choices(
    ("proportional", "In proportion to contributions"),
    ("host", "Host bears it"),
    ("agreed_pct", "Agreed percentages"),
    ("case_by_case", "Case by case"),
)


class Agreement(Record):
    __tablename__ = "agreements"
    __label__ = "budget agreement"
    __title__ = "title"

    title: Mapped[str] = field(String(300), "Agreement", required=True)
    type: Mapped[str] = field(String(20), "Type", choices=AGREEMENT_TYPES, default="pooled", required=True)
    legal_basis: Mapped[str | None] = field(String(30), "Legal basis", choices=LEGAL_BASES)
    host_id: Mapped[str | None] = field(String(36), "Host partner", ForeignKey("organisations.id", ondelete="SET NULL"), kind="reference", references="organisations")
    manager_id: Mapped[str | None] = field(String(36), "Pooled fund manager", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people")
    aims: Mapped[str | None] = field(Text, "Aims")
    start_date: Mapped[date | None] = field(Date, "Start")
    review_date: Mapped[date | None] = field(Date, "Review date")
    end_date: Mapped[date | None] = field(Date, "End", not_before="start_date")
    status: Mapped[str] = field(String(20), "Status", choices=AGREEMENT_STATUSES, default="draft", required=True)
    governance: Mapped[str | None] = field(Text, "Governance")
    overspend_rule: Mapped[str] = field(String(20), "Overspends shared", choices=VARIANCE_RULES, default="proportional", required=True)
    underspend_rule: Mapped[str] = field(String(20), "Underspends shared", choices=VARIANCE_RULES, default="proportional", required=True)
    vat: Mapped[str | None] = field(Text, "VAT arrangements")
    audit: Mapped[str | None] = field(Text, "Audit arrangements")
    disputes: Mapped[str | None] = field(Text, "Disputes")
    termination_notice_months: Mapped[int | None] = field(Integer, "Termination notice", unit="months", minimum=0)

    partners: Mapped[list[AgreementPartner]] = relationship(cascade="all, delete-orphan")
    services: Mapped[list[AgreementService]] = relationship(cascade="all, delete-orphan")
    contributions: Mapped[list[Contribution]] = relationship(cascade="all, delete-orphan")
    returns: Mapped[list[BudgetReturn]] = relationship(cascade="all, delete-orphan")


class AgreementPartner(Record):
    """A partner to an agreement, with its agreed shares where the rule is
    "agreed percentages"."""

    __tablename__ = "agreement_partners"
    __label__ = "agreement partner"
    __title__ = "organisation_id"

    agreement_id: Mapped[str] = field(String(36), "Agreement", ForeignKey("agreements.id", ondelete="CASCADE"), kind="reference", references="agreements", required=True, index=True)
    organisation_id: Mapped[str] = field(String(36), "Partner", ForeignKey("organisations.id", ondelete="CASCADE"), kind="reference", references="organisations", required=True)
    overspend_pct: Mapped[float | None] = field(Float, "Share of overspends", kind="percent", unit="%", minimum=0, maximum=100)
    underspend_pct: Mapped[float | None] = field(Float, "Share of underspends", kind="percent", unit="%", minimum=0, maximum=100)


class AgreementService(Record):
    __tablename__ = "agreement_services"
    __label__ = "service in scope"
    __title__ = "service_id"

    agreement_id: Mapped[str] = field(String(36), "Agreement", ForeignKey("agreements.id", ondelete="CASCADE"), kind="reference", references="agreements", required=True, index=True)
    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)


class Contribution(Record):
    __tablename__ = "contributions"
    __label__ = "contribution"
    __title__ = "financial_year"

    agreement_id: Mapped[str] = field(String(36), "Agreement", ForeignKey("agreements.id", ondelete="CASCADE"), kind="reference", references="agreements", required=True, index=True)
    organisation_id: Mapped[str] = field(String(36), "Partner", ForeignKey("organisations.id", ondelete="CASCADE"), kind="reference", references="organisations", required=True)
    financial_year: Mapped[int] = field(Integer, "Financial year", kind="financial_year", required=True, synonyms=("year", "fy"))
    cash: Mapped[float] = field(Float, "Cash", kind="money", unit="£", default=0.0, required=True, minimum=0)
    in_kind_description: Mapped[str | None] = field(String(300), "In kind", help="e.g. 2.0 FTE health visitors; office space at Castle House.")
    in_kind_fte: Mapped[float | None] = field(Float, "In-kind staff (FTE)", minimum=0)
    in_kind_value: Mapped[float | None] = field(Float, "In-kind value", kind="money", unit="£", minimum=0)


class BudgetReturn(Record):
    """A quarterly monitoring return: budget, spend to date and forecast outturn."""

    __tablename__ = "returns"
    __label__ = "monitoring return"
    __title__ = "quarter"

    agreement_id: Mapped[str] = field(String(36), "Agreement", ForeignKey("agreements.id", ondelete="CASCADE"), kind="reference", references="agreements", required=True, index=True)
    financial_year: Mapped[int] = field(Integer, "Financial year", kind="financial_year", required=True)
    quarter: Mapped[int] = field(Integer, "Quarter", kind="quarter", required=True, minimum=1, maximum=4)
    budget: Mapped[float] = field(Float, "Budget", kind="money", unit="£", required=True, minimum=0)
    spend_to_date: Mapped[float] = field(Float, "Spend to date", kind="money", unit="£", required=True)
    forecast_outturn: Mapped[float] = field(Float, "Forecast outturn", kind="money", unit="£", required=True)
    commentary: Mapped[str | None] = field(Text, "Commentary")
    submitted_on: Mapped[date | None] = field(Date, "Submitted")
