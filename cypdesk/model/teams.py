"""Commissioning teams (framework step 6): the joint commissioning unit, its
sub-groups and their members."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, relationship

from cypdesk.model.base import Record
from cypdesk.model.fields import Choices, field
from cypdesk.model.services import SECTORS

TEAM_KINDS = Choices(
    ("jcu", "Joint commissioning unit"),
    ("sub_group", "Sub-group"),
    ("working_group", "Working group"),
    ("mini_trust", "Service-specific \"mini trust\""),
    ("board", "Board"),
)

TEAM_FOCI = Choices(
    ("service", "Service"),
    ("locality", "Locality"),
    ("level_of_need", "Level of need"),
    ("outcome", "Outcome"),
    ("key_group", "Key group"),
    ("sector", "Sector"),
    ("age_band", "Age band"),
)

TEAM_STAGES = Choices(
    ("in_place", "In place"),
    ("under_development", "Under development"),
    ("to_be_developed", "To be developed"),
)

STATUTORY_FOOTINGS = Choices(
    ("safeguarding_partnership", "Safeguarding partnership (council, police, ICB)"),
    ("send_s26", "SEND joint commissioning (Children and Families Act 2014 s26)"),
    ("s75", "Section 75 partnership (NHS Act 2006)"),
    ("s10", "Co-operation to improve well-being (Children Act 2004 s10)"),
    ("none", "None"),
)


class Team(Record):
    __tablename__ = "teams"
    __label__ = "commissioning team"

    name: Mapped[str] = field(String(200), "Team", required=True)
    kind: Mapped[str | None] = field(String(20), "Kind", choices=TEAM_KINDS)
    focus: Mapped[str | None] = field(String(20), "Focus", choices=TEAM_FOCI)
    focus_value: Mapped[str | None] = field(String(200), "Focused on", help="e.g. the locality, the age band or the group it works for.")
    stage: Mapped[str] = field(String(20), "Stage", choices=TEAM_STAGES, default="in_place", required=True)
    reports_to_id: Mapped[str | None] = field(String(36), "Reports to", ForeignKey("teams.id", ondelete="SET NULL"), kind="reference", references="teams", index=True, help="Another team; empty means the board.")
    lead_id: Mapped[str | None] = field(String(36), "Lead", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people")
    statutory_footing: Mapped[str | None] = field(String(30), "Statutory footing", choices=STATUTORY_FOOTINGS)
    terms_of_reference: Mapped[str | None] = field(Text, "Terms of reference")
    cross_boundary_partners: Mapped[str | None] = field(String(500), "Cross-boundary partners")

    members: Mapped[list[Membership]] = relationship(cascade="all, delete-orphan")


class Membership(Record):
    __tablename__ = "memberships"
    __label__ = "membership"
    __title__ = "role"

    team_id: Mapped[str] = field(String(36), "Team", ForeignKey("teams.id", ondelete="CASCADE"), kind="reference", references="teams", required=True, index=True)
    organisation_id: Mapped[str | None] = field(String(36), "Organisation", ForeignKey("organisations.id", ondelete="CASCADE"), kind="reference", references="organisations", index=True)
    person_id: Mapped[str | None] = field(String(36), "Person", ForeignKey("people.id", ondelete="SET NULL"), kind="reference", references="people")
    role: Mapped[str | None] = field(String(200), "Role", help="e.g. chair, commissioner, finance lead.")
    represents: Mapped[str | None] = field(String(20), "Represents", choices=SECTORS, help="The sector this member speaks for; empty: taken from the organisation's kind.")
