"""The services register (framework steps 4-6 and 8): services with their outcomes,
groups, localities and commissioners, contracts, payments, and decommissioning."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, relationship

from cypdesk.model.base import Record
from cypdesk.model.fields import Choices, field

SECTORS = Choices(
    ("health", "Health"),
    ("education", "Education"),
    ("social_care", "Social care"),
    ("youth_justice", "Youth justice"),
    ("housing", "Housing"),
    ("other", "Other"),
)

TIERS = Choices(
    ("universal", "Universal"),
    ("targeted", "Targeted"),
    ("specialist", "Specialist"),
    ("level_1", "Level 1"),
    ("level_2", "Level 2"),
    ("level_3", "Level 3"),
    ("level_4", "Level 4"),
)

SETTINGS = Choices(
    ("area", "Area or neighbourhood"),
    ("school", "School"),
    ("home", "Home"),
    ("clinic", "Clinic or hospital"),
    ("residential", "Residential"),
    ("online", "Online or telephone"),
)

COMMISSIONING_LEVELS = Choices(
    ("individual", "Individual"),
    ("practice", "Practice"),
    ("cluster", "Cluster"),
    ("local", "Local"),
    ("sub_regional", "Sub-regional"),
    ("regional", "Regional"),
    ("national", "National"),
)

SERVICE_STATUSES = Choices(
    ("proposed", "Proposed"),
    ("in_procurement", "In procurement"),
    ("active", "Active"),
    ("under_review", "Under review"),
    ("decommissioning", "Decommissioning"),
    ("decommissioned", "Decommissioned"),
)

UNIT_COST_BASES = Choices(
    ("per_child", "Per child"),
    ("per_place", "Per place"),
    ("per_outcome", "Per outcome"),
    ("per_session", "Per session"),
    ("per_hour", "Per hour"),
)

CONTRIBUTION_KINDS = Choices(("primary", "Primary"), ("secondary", "Secondary"))

PROCUREMENT_ROUTES = Choices(
    ("tender", "Tender"),
    ("direct_award", "Direct award"),
    ("grant", "Grant"),
    ("in_house", "In-house agreement"),
    ("spot_purchase", "Spot purchase"),
    ("framework", "Framework call-off"),
)

PAYMENT_MODELS = Choices(
    ("block", "Block"),
    ("cost_volume", "Cost and volume"),
    ("spot", "Spot"),
    ("outcomes_based", "Outcomes-based"),
)

REGIMES = Choices(
    ("procurement_act_2023", "Procurement Act 2023"),
    ("pcr_2015", "Public Contracts Regulations 2015"),
    ("psr", "NHS Provider Selection Regime"),
    ("grant", "Grant"),
    ("in_house", "In-house"),
)

DECOMMISSIONING_STATUSES = Choices(
    ("considering", "Being considered"),
    ("consulting", "Consulting"),
    ("agreed", "Agreed by the board"),
    ("notice_given", "Notice given"),
    ("in_transition", "In transition"),
    ("completed", "Completed"),
    ("withdrawn", "Withdrawn"),
)


class Service(Record):
    __tablename__ = "services"
    __label__ = "service"

    name: Mapped[str] = field(String(300), "Service", required=True, synonyms=("service name", "title", "contract title"))
    description: Mapped[str | None] = field(Text, "Description")
    provider_id: Mapped[str | None] = field(String(36), "Provider", ForeignKey("organisations.id", ondelete="SET NULL"), kind="reference", references="organisations", index=True, synonyms=("supplier", "supplier name", "provider"))
    sector: Mapped[str | None] = field(String(20), "Sector", choices=SECTORS)
    tier: Mapped[str | None] = field(String(20), "Tier", choices=TIERS, synonyms=("level", "level of need"))
    prevention: Mapped[bool] = field(Boolean, "Prevention or early intervention", default=False, required=True, synonyms=("early help", "early intervention"))
    setting: Mapped[str | None] = field(String(20), "Setting", choices=SETTINGS)
    capacity: Mapped[int | None] = field(Integer, "Capacity", unit="children or places a year", minimum=0)
    annual_cost: Mapped[float | None] = field(Float, "Annual cost", kind="money", unit="£", minimum=0, synonyms=("cost", "annual value", "budget"))
    staff_fte: Mapped[float | None] = field(Float, "Staff (FTE)", minimum=0)
    unit_cost: Mapped[float | None] = field(Float, "Unit cost", kind="money", unit="£", minimum=0)
    unit_cost_basis: Mapped[str | None] = field(String(20), "Unit cost basis", choices=UNIT_COST_BASES)
    commissioning_level: Mapped[str | None] = field(String(20), "Commissioning level", choices=COMMISSIONING_LEVELS)
    team_id: Mapped[str | None] = field(String(36), "Owning team", ForeignKey("teams.id", ondelete="SET NULL"), kind="reference", references="teams", index=True)
    status: Mapped[str] = field(String(20), "Status", choices=SERVICE_STATUSES, default="active", required=True)
    lgsl_code: Mapped[str | None] = field(String(10), "LGSL code", kind="identifier", help="Local Government Service List code, so registers merge and publish cleanly.")
    oruk_id: Mapped[str | None] = field(String(64), "Open Referral UK id", kind="identifier", help="The service's id in an Open Referral UK directory.")
    to_classify: Mapped[bool] = field(Boolean, "To classify", default=False, server_default=text("0"), required=True, help="Made by an import: its sector, tier and outcomes are not known yet.")
    unit_cost_by_hand: Mapped[bool] = field(Boolean, "Unit cost set by hand", default=False, server_default=text("0"), required=True, help="Ticked: the unit cost is the one typed. Not ticked: it is worked out from the annual cost and the capacity.")

    outcomes: Mapped[list[ServiceOutcome]] = relationship(cascade="all, delete-orphan")
    groups: Mapped[list[ServiceGroup]] = relationship(cascade="all, delete-orphan")
    localities: Mapped[list[ServiceArea]] = relationship(cascade="all, delete-orphan")
    commissioners: Mapped[list[ServiceCommissioner]] = relationship(cascade="all, delete-orphan")
    funding: Mapped[list[ServiceFunding]] = relationship(cascade="all, delete-orphan")
    contracts: Mapped[list[Contract]] = relationship(cascade="all, delete-orphan")
    decommissioning: Mapped[list[Decommissioning]] = relationship(cascade="all, delete-orphan")


class ServiceOutcome(Record):
    __tablename__ = "service_outcomes"
    __label__ = "service outcome"
    __title__ = "outcome_id"

    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)
    outcome_id: Mapped[str] = field(String(36), "Outcome", ForeignKey("outcomes.id", ondelete="CASCADE"), kind="reference", references="outcomes", required=True, index=True)
    contribution: Mapped[str] = field(String(10), "Contribution", choices=CONTRIBUTION_KINDS, default="primary", required=True)


class ServiceGroup(Record):
    __tablename__ = "service_groups"
    __label__ = "service target group"
    __title__ = "group_id"

    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)
    group_id: Mapped[str] = field(String(36), "Group of children", ForeignKey("groups.id", ondelete="CASCADE"), kind="reference", references="groups", required=True, index=True)


class ServiceArea(Record):
    __tablename__ = "service_areas"
    __label__ = "service locality"
    __title__ = "area_id"

    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)
    area_id: Mapped[str] = field(String(36), "Locality", ForeignKey("areas.id", ondelete="CASCADE"), kind="reference", references="areas", required=True, index=True)


class ServiceCommissioner(Record):
    """A commissioning partner of a service and its share (a service's shares total 100%)."""

    __tablename__ = "service_commissioners"
    __label__ = "commissioner's share"
    __title__ = "organisation_id"

    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)
    organisation_id: Mapped[str] = field(String(36), "Commissioner", ForeignKey("organisations.id", ondelete="CASCADE"), kind="reference", references="organisations", required=True, index=True)
    share_pct: Mapped[float] = field(Float, "Share", kind="percent", unit="%", required=True, default=100.0, minimum=0, maximum=100)


class ServiceFunding(Record):
    __tablename__ = "service_funding"
    __label__ = "funding source"
    __title__ = "source"

    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)
    source: Mapped[str] = field(String(200), "Funding source", required=True, help="e.g. Dedicated Schools Grant, Public Health Grant, ICB baseline.")
    amount: Mapped[float | None] = field(Float, "Amount a year", kind="money", unit="£", minimum=0)


class Contract(Record):
    __tablename__ = "contracts"
    __label__ = "contract"
    __title__ = "reference"

    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)
    contracting_org_id: Mapped[str | None] = field(String(36), "Contracting partner", ForeignKey("organisations.id", ondelete="SET NULL"), kind="reference", references="organisations", help="The partner that holds the contract.", synonyms=("organisation name", "contracting authority", "buyer"))
    reference: Mapped[str | None] = field(String(60), "Contract reference", kind="identifier", synonyms=("contract reference number", "reference", "contract id", "ref"))
    route: Mapped[str | None] = field(String(20), "Procurement route", choices=PROCUREMENT_ROUTES, synonyms=("procurement type", "route to market"))
    start_date: Mapped[date | None] = field(Date, "Start", synonyms=("start date", "contract start date"))
    end_date: Mapped[date | None] = field(Date, "End", index=True, not_before="start_date", synonyms=("end date", "contract end date", "expiry date"))
    extension_options: Mapped[str | None] = field(String(200), "Extension options", help="e.g. 2 x 12 months.", synonyms=("extension period", "extension"))
    annual_value: Mapped[float | None] = field(Float, "Annual value", kind="money", unit="£", confidential=True, minimum=0, synonyms=("annual value", "value per annum"))
    total_value: Mapped[float | None] = field(Float, "Total value", kind="money", unit="£", confidential=True, minimum=0, synonyms=("contract value", "total value", "value"))
    payment_model: Mapped[str | None] = field(String(20), "Payment model", choices=PAYMENT_MODELS)
    regime: Mapped[str | None] = field(String(30), "Regime", choices=REGIMES)
    social_value_pct: Mapped[float | None] = field(Float, "Social value weighting", kind="percent", unit="%", minimum=0, maximum=100)
    review_date: Mapped[date | None] = field(Date, "Review date", synonyms=("review date",))
    risk_assessed: Mapped[bool] = field(Boolean, "Risk assessed", default=False, required=True)
    equality_assessed: Mapped[bool] = field(Boolean, "Equality impact assessed", default=False, required=True)
    title: Mapped[str | None] = field(String(300), "Title", synonyms=("contract title", "title of agreement", "grant title"))
    description: Mapped[str | None] = field(Text, "Description", synonyms=("contract description", "description of goods and services"))
    supplier_id: Mapped[str | None] = field(String(36), "Supplier", ForeignKey("organisations.id", ondelete="SET NULL"), kind="reference", references="organisations", index=True, help="Who delivers the contract; one service can hold contracts with several suppliers.", synonyms=("supplier name", "supplier", "recipient org:name", "provider"))
    cpv_code: Mapped[str | None] = field(String(20), "CPV code", kind="identifier", synonyms=("cpv", "cpv code", "proclass", "cpv/proclass"))
    supplier_is_sme: Mapped[bool] = field(Boolean, "SME supplier", default=False, server_default=text("0"), required=True, synonyms=("sme supplier", "sme"))
    supplier_is_vcse: Mapped[bool] = field(Boolean, "VCSE supplier", default=False, server_default=text("0"), required=True, synonyms=("vcse supplier", "vcse"))
    irrecoverable_vat: Mapped[float | None] = field(Float, "Irrecoverable VAT", kind="money", unit="£", minimum=0, synonyms=("irrecoverable vat",))

    payments: Mapped[list[Payment]] = relationship(passive_deletes=True)


class Payment(Record):
    """A payment from the council's spend-over-£500 file, matched to a contract."""

    __tablename__ = "payments"
    __label__ = "payment"
    __title__ = "description"

    paid_on: Mapped[date] = field(Date, "Date", required=True, synonyms=("payment date", "date paid", "transaction date"))
    supplier: Mapped[str] = field(String(300), "Supplier", required=True, synonyms=("supplier name", "payee", "vendor"))
    amount: Mapped[float] = field(Float, "Amount", kind="money", unit="£", required=True, synonyms=("net amount", "amount (£)", "value"))
    cost_centre: Mapped[str | None] = field(String(100), "Cost centre", synonyms=("service area", "expense area", "cost centre name"))
    description: Mapped[str | None] = field(String(500), "Description", synonyms=("expense type", "purpose"))
    transaction_ref: Mapped[str | None] = field(String(60), "Transaction reference", kind="identifier", synonyms=("transaction number", "invoice number"))
    contract_id: Mapped[str | None] = field(String(36), "Contract", ForeignKey("contracts.id", ondelete="SET NULL"), kind="reference", references="contracts", index=True)
    supplier_id: Mapped[str | None] = field(String(36), "Supplier organisation", ForeignKey("organisations.id", ondelete="SET NULL"), kind="reference", references="organisations", index=True, help="The organisation the supplier's name was matched to.")
    payer_id: Mapped[str | None] = field(String(36), "Paid by", ForeignKey("organisations.id", ondelete="SET NULL"), kind="reference", references="organisations", help="The partner whose spend file the payment came from.", synonyms=("organisation name", "body name", "body"))


class Decommissioning(Record):
    """A decision to decommission a service, with its deliberations (confidential)."""

    __tablename__ = "decommissioning"
    __label__ = "decommissioning decision"
    __title__ = "service_id"

    service_id: Mapped[str] = field(String(36), "Service", ForeignKey("services.id", ondelete="CASCADE"), kind="reference", references="services", required=True, index=True)
    status: Mapped[str] = field(String(20), "Status", choices=DECOMMISSIONING_STATUSES, default="considering", required=True)
    rationale: Mapped[str | None] = field(Text, "Rationale", confidential=True)
    evidence: Mapped[str | None] = field(Text, "Evidence", confidential=True)
    risk_assessment: Mapped[str | None] = field(Text, "Risk assessment", confidential=True)
    equality_impact: Mapped[str | None] = field(Text, "Equality impact assessment", confidential=True)
    affected: Mapped[str | None] = field(Text, "Who is affected")
    market_viability: Mapped[str | None] = field(Text, "Market viability", confidential=True)
    consultation: Mapped[str | None] = field(Text, "Consultation")
    notice_date: Mapped[date | None] = field(Date, "Notice date")
    transition_plan: Mapped[str | None] = field(Text, "Transition plan")
    savings_target: Mapped[float | None] = field(Float, "Savings target", kind="money", unit="£", confidential=True, minimum=0)
    savings_achieved: Mapped[float | None] = field(Float, "Savings achieved", kind="money", unit="£", confidential=True, minimum=0)
    board_signoff: Mapped[date | None] = field(Date, "Board sign-off")
