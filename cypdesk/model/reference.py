"""Reference data, editable per trust: organisations, people, outcomes, groups of
children, areas and comparator sets."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from cypdesk.model.base import Record
from cypdesk.model.fields import Choices, field

ORGANISATION_KINDS = Choices(
    ("local_authority", "Local authority"),
    ("icb", "Integrated care board"),
    ("nhs_trust", "NHS trust"),
    ("police", "Police"),
    ("school", "School or academy trust"),
    ("voluntary", "Voluntary or community organisation"),
    ("private", "Private company"),
    ("social_enterprise", "Social enterprise"),
    ("district_council", "District council"),
    ("other", "Other"),
)

AREA_KINDS = Choices(
    ("ward", "Ward"),
    ("district", "District"),
    ("locality", "Locality"),
    ("local_authority", "Local authority"),
    ("region", "Region"),
    ("england", "England"),
)


class Organisation(Record):
    __tablename__ = "organisations"
    __label__ = "organisation"

    name: Mapped[str] = field(String(200), "Name", required=True, synonyms=("organisation", "organisation name", "supplier name", "provider name"))
    kind: Mapped[str | None] = field(String(40), "Kind", choices=ORGANISATION_KINDS, synonyms=("type", "organisation type"))
    gss_code: Mapped[str | None] = field(String(9), "ONS GSS code", kind="identifier", help="Nine characters, e.g. E10000020 for a county council.", synonyms=("gss", "ons code", "la code"))
    ods_code: Mapped[str | None] = field(String(10), "NHS ODS code", kind="identifier", synonyms=("ods", "org code"))
    charity_number: Mapped[str | None] = field(String(20), "Charity number", kind="identifier", synonyms=("charity no", "registered charity number"))
    company_number: Mapped[str | None] = field(String(20), "Companies House number", kind="identifier", help="Eight characters, keeping leading zeros (e.g. 02165763, SC123456).", synonyms=("company number", "supplier registered company number", "company no"))
    is_partner: Mapped[bool] = field(Boolean, "Partner (sits on the board)", default=False, required=True)
    is_provider: Mapped[bool] = field(Boolean, "Provider", default=False, required=True)
    is_sme: Mapped[bool] = field(Boolean, "SME", default=False, required=True, synonyms=("sme supplier",))
    is_vcse: Mapped[bool] = field(Boolean, "VCSE", default=False, required=True, synonyms=("vcse supplier", "voluntary sector"))
    website: Mapped[str | None] = field(String(300), "Website")
    notes: Mapped[str | None] = field(Text, "Notes")

    people: Mapped[list[Person]] = relationship(back_populates="organisation", passive_deletes=True)


class Person(Record):
    __tablename__ = "people"
    __label__ = "person"

    name: Mapped[str] = field(String(200), "Name", required=True, synonyms=("full name", "contact name"))
    role: Mapped[str | None] = field(String(200), "Role", synonyms=("job title", "title"))
    organisation_id: Mapped[str | None] = field(String(36), "Organisation", ForeignKey("organisations.id", ondelete="SET NULL"), kind="reference", references="organisations", index=True)
    email: Mapped[str | None] = field(String(254), "Email", kind="email", personal=True, synonyms=("e-mail", "email address"))
    phone: Mapped[str | None] = field(String(40), "Telephone", personal=True, synonyms=("phone", "tel", "telephone number"))

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")


class OrganisationMerge(Record):
    """One organisation merged into another as a duplicate: every reference to it was
    moved to the survivor and it was deleted. Kept, and exchanged with partners, so a
    partner's file that still points at the merged one can be redirected
    (``services.organisations.redirect_organisation``). The id is made from the merged
    organisation's id, so two partners who merge the same duplicate make one record."""

    __tablename__ = "organisation_merges"
    __label__ = "organisation merge"
    __title__ = "merged_name"

    merged_id: Mapped[str] = field(String(36), "Merged organisation's id", kind="identifier", required=True, index=True, help="The id the merged organisation had; files made before the merge may still use it.")
    merged_name: Mapped[str | None] = field(String(200), "Merged organisation", help="Its name when it was merged.")
    survivor_id: Mapped[str] = field(String(36), "Merged into", ForeignKey("organisations.id", ondelete="CASCADE"), kind="reference", references="organisations", required=True, index=True)


class Outcome(Record):
    """An outcome of the trust's framework (default: the five Every Child Matters
    outcomes) or a sub-outcome of one (``parent_id``)."""

    __tablename__ = "outcomes"
    __label__ = "outcome"

    code: Mapped[str | None] = field(String(20), "Code", kind="identifier", help="Short reference, e.g. BH or BH2.")
    name: Mapped[str] = field(String(300), "Outcome", required=True)
    parent_id: Mapped[str | None] = field(String(36), "Part of", ForeignKey("outcomes.id", ondelete="CASCADE"), kind="reference", references="outcomes", index=True)
    rank: Mapped[int | None] = field(Integer, "Order")
    description: Mapped[str | None] = field(Text, "Description")

    children: Mapped[list[Outcome]] = relationship(cascade="all, delete-orphan")


class Group(Record):
    """A group of children: looked-after children, children in need, young carers..."""

    __tablename__ = "groups"
    __label__ = "group of children"

    name: Mapped[str] = field(String(200), "Group", required=True)
    code: Mapped[str | None] = field(String(20), "Code", kind="identifier")
    description: Mapped[str | None] = field(Text, "Description")


class Area(Record):
    __tablename__ = "areas"
    __label__ = "area"

    name: Mapped[str] = field(String(200), "Area", required=True, synonyms=("area name", "la name", "la_name", "geography"))
    kind: Mapped[str | None] = field(String(30), "Kind", choices=AREA_KINDS, synonyms=("area type", "geographic level"))
    gss_code: Mapped[str | None] = field(String(9), "ONS GSS code", kind="identifier", synonyms=("area code", "gss", "new_la_code", "ons code"))
    la_code: Mapped[str | None] = field(String(3), "DfE LA code", kind="identifier", help="Three digits, e.g. 926.", synonyms=("old_la_code", "la number"))
    parent_id: Mapped[str | None] = field(String(36), "Within", ForeignKey("areas.id", ondelete="SET NULL"), kind="reference", references="areas", index=True)
    is_home: Mapped[bool] = field(Boolean, "This trust's area", default=False, required=True)


class ComparatorSet(Record):
    """A set of areas to compare with: statistical neighbours, a region..."""

    __tablename__ = "comparator_sets"
    __label__ = "comparator set"

    name: Mapped[str] = field(String(200), "Comparator set", required=True)
    area_id: Mapped[str | None] = field(String(36), "Neighbours of", ForeignKey("areas.id", ondelete="CASCADE"), kind="reference", references="areas")
    source: Mapped[str | None] = field(String(300), "Source", help="e.g. CIPFA nearest neighbours, DfE statistical neighbours 2025.")

    members: Mapped[list[ComparatorMember]] = relationship(cascade="all, delete-orphan")


class ComparatorMember(Record):
    __tablename__ = "comparator_members"
    __label__ = "comparator"
    __title__ = "area_id"

    comparator_set_id: Mapped[str] = field(String(36), "Comparator set", ForeignKey("comparator_sets.id", ondelete="CASCADE"), kind="reference", references="comparator_sets", required=True, index=True)
    area_id: Mapped[str] = field(String(36), "Area", ForeignKey("areas.id", ondelete="CASCADE"), kind="reference", references="areas", required=True, index=True)
    rank: Mapped[int | None] = field(Integer, "Closeness rank")
