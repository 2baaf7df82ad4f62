"""Commissioning teams: the tree (never losing a team with a bad reports-to), a team's
detail, the "sector without a member" warnings, and membership operations with undo."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, select

from cypdesk.common.errors import RecordNotFound, ValidationError
from cypdesk.model import Base, Membership, Organisation, Person, Service, ServiceCommissioner, Team, Tombstone, link_id
from cypdesk.model.changes import Author
from cypdesk.model.installation import Installation
from cypdesk.services.teams import (
    PROBLEM_LOOP, PROBLEM_UNKNOWN_PARENT, add_member, member_sectors, remove_member, restore_member, sector_warnings,
    team_detail, team_tree,
)
from cypdesk.services.workspace import Workspace

TODAY = date(2026, 3, 15)
ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
DEMO_AUTHOR = Author(str(uuid.UUID(int=0xDE30)), "demo", "test-host")
YJP = "Youth justice partnership"
EHN = "Early help North locality commissioning group"


def _id(ws, model, **where):
    with ws.read() as s:
        stmt = select(model.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return s.scalar(stmt)


# --- the tree ---------------------------------------------------------------------------

def test_the_demo_tree_has_the_unit_at_the_top_and_its_sub_groups_below(ws):
    roots = team_tree(ws)
    (jcu,) = roots
    assert jcu.kind == "jcu" and jcu.name == "Riverside Joint Commissioning Unit" and jcu.lead == "Zoë O'Brien"
    assert jcu.depth == 0 and not jcu.flagged
    names = [c.name for c in jcu.children]
    assert names == sorted(names, key=str.casefold) and len(names) == 6
    yjp = next(c for c in jcu.children if c.name == YJP)
    assert (yjp.depth, yjp.reports_to_id, yjp.focus, yjp.stage) == (1, jcu.id, "service", "in_place")
    assert [t.name for t in jcu.walk()][0] == jcu.name and len(jcu.walk()) == 7


def test_a_team_with_an_unknown_or_looping_reports_to_is_kept_at_the_top_and_flagged(tmp_path):
    path = tmp_path / "teams.sqlite"
    engine = create_engine(f"sqlite:///{path}")  # foreign keys off: a merged file can hold anything
    Base.metadata.create_all(engine)
    engine.dispose()
    conn = sqlite3.connect(path)
    stamp = "2026-01-01 00:00:00"
    conn.executemany(
        "INSERT INTO teams (id, name, kind, stage, reports_to_id, created_at, updated_at, created_hlc, hlc) "
        "VALUES (?, ?, ?, 'in_place', ?, ?, ?, '', '')",
        [(tid, name, kind, parent, stamp, stamp) for tid, name, kind, parent in (
            ("u", "Unit", "jcu", None), ("a", "Alpha group", "sub_group", "u"), ("b", "Beta group", "sub_group", "c"),
            ("c", "Gamma group", "sub_group", "b"), ("d", "Delta group", "sub_group", "gone"),
            ("e", "Echo group", "sub_group", "e"), ("f", "Foxtrot", "working_group", "a"))],
    )
    conn.commit()
    roots = team_tree(conn)
    conn.close()
    flat = [(n.name, n.depth, n.problem) for r in roots for n in r.walk()]
    assert flat == [
        ("Unit", 0, None), ("Alpha group", 1, None), ("Foxtrot", 2, None),
        ("Delta group", 0, PROBLEM_UNKNOWN_PARENT),
        ("Echo group", 0, PROBLEM_LOOP),
        ("Beta group", 0, PROBLEM_LOOP), ("Gamma group", 1, None),
    ]


# --- sector warnings --------------------------------------------------------------------

def test_demo_warnings_name_the_missing_sector_and_how_many_services_it_commissions(ws):
    warnings = {n.name: sector_warnings(ws, n.id) for r in team_tree(ws) for n in r.walk()}
    # the partnership's one education service (careers and NEET re-engagement); its youth justice
    # services paid for by the council do not count for education (a council holds both duties)
    assert warnings[YJP] == ["No member represents education, which commissions 1 of this team's services."]
    assert warnings[EHN] == ["No member represents health, which commissions 1 of this team's services."]
    assert all(not w for name, w in warnings.items() if name not in (YJP, EHN)), warnings


def test_a_school_member_answers_the_warning_and_undo_brings_it_back(ws):
    yjp = _id(ws, Team, name=YJP)
    school = _id(ws, Organisation, name="Riverside Learning Partnership (multi-academy trust)")
    head = _id(ws, Person, name="Aoife Ní Bhriain")
    made = add_member(ws, yjp, school, head, "Education representative", None)
    assert made.op == "create" and made.kind == "memberships"
    assert made.id == link_id("memberships", yjp, school, head, "Education representative")
    assert sector_warnings(ws, yjp) == []
    with pytest.raises(ValidationError, match="Aoife Ní Bhriain is already a member of Youth justice partnership"):
        add_member(ws, yjp, school, head, "Education representative", None)

    gone = remove_member(ws, made.id)  # the undo of add_member
    assert gone.op == "delete" and gone.before["role"] == "Education representative"
    with ws.read() as s:
        assert s.get(Tombstone, ("memberships", made.id)) is not None
    assert len(sector_warnings(ws, yjp)) == 1
    back = restore_member(ws, gone)  # the undo of remove_member
    assert back.id == made.id and sector_warnings(ws, yjp) == []
    from cypdesk.services import records

    again = records.get(ws, "memberships", made.id)
    assert (again["owner_org_id"], again["created_hlc"]) == (gone.before["owner_org_id"], gone.before["created_hlc"])


def test_represents_overrides_the_organisation_kind(ws):
    yjp = _id(ws, Team, name=YJP)
    council = _id(ws, Organisation, name="Riverside County Council")
    # Left empty, a council member speaks for education and social care...
    made = add_member(ws, yjp, council, None, "Virtual school head", "")
    assert sector_warnings(ws, yjp) == []
    remove_member(ws, made.id)
    # ...but one recorded as representing youth justice does not.
    add_member(ws, yjp, council, None, "Virtual school head", "Youth justice")
    assert len(sector_warnings(ws, yjp)) == 1
    with pytest.raises(ValidationError, match="Represents"):
        add_member(ws, yjp, council, None, "Someone", "astrology")
    with pytest.raises(ValidationError, match="needs an organisation or a person"):
        add_member(ws, yjp, None, None, "Nobody", None)
    with pytest.raises(RecordNotFound):
        add_member(ws, "no-team", council, None, "Chair", None)


def test_member_sectors():
    assert member_sectors(None, "local_authority") == ("education", "social_care")
    assert member_sectors(None, "icb") == ("health",) and member_sectors(None, "nhs_trust") == ("health",)
    assert member_sectors(None, "school") == ("education",) and member_sectors(None, "police") == ("youth_justice",)
    assert member_sectors(None, "voluntary") == ()
    assert member_sectors("housing", "local_authority") == ("housing",)


def test_a_joint_commissioning_unit_answers_for_the_whole_register(tmp_path):
    from cypdesk.model.document import Document

    doc = Document.create(tmp_path / "small.cypdesk", installation=ALICE)
    ws = Workspace(doc, ALICE)
    try:
        with ws.write() as s:
            s.add_all([
                Organisation(id="icb", name="The ICB", kind="icb"),
                Organisation(id="sch", name="A school", kind="school"),
                Team(id="jcu", name="The unit", kind="jcu"),
                Team(id="sub", name="A sub-group", kind="sub_group", reports_to_id="jcu"),
                Membership(id="m1", team_id="jcu", organisation_id="icb", role="Chair"),
            ])
            s.flush()  # teams before the services that name them
            s.add_all([
                Service(id="s1", name="Speech therapy", sector="health", team_id="sub", status="active"),
                Service(id="s2", name="Inclusion", sector="education", status="active"),  # no team, no commissioner
                Service(id="s3", name="Tutoring", sector="other", status="active"),
                Service(id="s4", name="Old", sector="education", status="decommissioned"),
                ServiceCommissioner(service_id="s1", organisation_id="icb", share_pct=100),
                ServiceCommissioner(service_id="s3", organisation_id="sch", share_pct=100),
            ])
        # s2 counts for its own sector (no commissioner); s3 for its commissioner's; s4 not at all.
        assert sector_warnings(ws, "jcu") == [
            "No member represents education, which commissions 2 of the services in the register."]
        # The sub-group owns s1 only, and has no members.
        assert sector_warnings(ws, "sub") == [
            "No member represents health, which commissions 1 of this team's services."]
    finally:
        doc.close(discard=True)


def test_team_detail(ws):
    yjp = _id(ws, Team, name=YJP)
    d = team_detail(ws, yjp)
    assert d["title"] == YJP and d["team"]["focus"] == "service"
    assert d["lead"]["name"] == "Mărioara Ionescu" and d["reports_to"]["name"] == "Riverside Joint Commissioning Unit"
    members = {(m["organisation"], m["person"], m["role"], m["represents"]) for m in d["members"]}
    assert ("Riverside County Council", "Mărioara Ionescu", "Chair", "youth_justice") in members
    assert ("NHS Riverside and Vale Integrated Care Board", "Chloé Dubois-Hart", "Health commissioner", "health") in members
    chair = next(m for m in d["members"] if m["role"] == "Chair")
    assert chair["represents_label"] == "Youth justice" and chair["sectors"] == ["youth_justice"]
    names = [s["name"] for s in d["services"]]
    assert "Youth offending team services" in names and len(names) == 7
    yot = next(s for s in d["services"] if s["name"] == "Youth offending team services")
    assert yot["sector"] == "youth_justice" and yot["annual_cost"] == 1_600_000
    assert d["warnings"] == ["No member represents education, which commissions 1 of this team's services."]
    with pytest.raises(RecordNotFound):
        team_detail(ws, "nope")
