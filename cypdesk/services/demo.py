"""The demo document: a fictional but believable children's trust, written in one go.

:func:`generate_demo` fills an empty schema with "Riverside Children's Trust": the
council, the NHS, the police, schools and the voluntary sector; the Every Child Matters
outcomes; a needs assessment (indicators with six years of values for the trust,
England and six statistical neighbours, consultation evidence, priorities); a services
register with contracts and payments; the joint commissioning unit and its
sub-groups; a section 75 pooled budget and an aligned budget with their quarterly
returns; performance measures, the action plan, the risk register, and two board
meetings with their papers.

Everything is deterministic given ``today``: the random numbers come from
``random.Random(2026)`` and every id is derived from a name (``uuid5``) or, for the
indicator values, from a counter, so two runs write the same content. Dates are
relative to ``today`` so that something is always "ending soon", "overdue" or "past
its review date".

``size="large"`` adds, for benchmarks, more than 10,000 services and 1,000,000
indicator values (150 more local authorities and some 800 wards, over twenty years),
built as tuples and written with ``executemany`` in chunks of 50,000, with progress and
cancel between chunks.

Rows go in through SQLAlchemy Core (never ORM objects), in the order of
``RECORD_CLASSES``, on the caller's connection and inside the caller's transaction:
this module never commits, and a caller that rolls back after :class:`DemoCancelled`
is left with the empty schema it started with.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from cypdesk.common.hlc import Clock
from cypdesk.common.periods import academic_year_of, financial_year_of
from cypdesk.model import RECORD_CLASSES, DocumentInfo, PaperSnapshot, link_id
from cypdesk.model.base import new_id
from cypdesk.model.tracking import Author, bulk_history, record_settings, stamp_rows
from cypdesk.services.demo_data import (  # noqa: F401  (DemoCancelled, DemoNotEmpty, Progress, SIZES: this module's API)
    CHUNK, CONTRACT_ENDS, COST_CENTRES, FUNDING, GAP_OUTCOMES, GROUPS, HOME, LOC_KEYS, LOCALITIES, NEIGHBOURS,
    NO_CONTRACT, ORG_NOTES, ORGANISATIONS, OUTCOMES, PEOPLE, RECENT_STARTS, REGION, SEED, SERVICES, SIZES, TITLE,
    TRUST_NAME, DemoCancelled, DemoNotEmpty, Progress, _add_months, _describe, _month_end, _split, _Svc, _uid,
    _weekday_on_or_before,
)
from cypdesk.services.demo_needs import NeedsPart
from cypdesk.services.demo_plans import PlansPart
from cypdesk.services.demo_large import VALUE_COLUMNS, _Large, _SequentialIds, _sql_value


__all__ = ["DemoCancelled", "DemoNotEmpty", "Progress", "SIZES", "generate_demo"]

class _Builder(NeedsPart, PlansPart):
    """Builds the small demo as plain row dicts, keyed by table name."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.org: dict[str, str] = {}
        self.org_name: dict[str, str] = {}
        self.person: dict[str, str] = {}
        self.outcome: dict[str, str] = {}
        self.group: dict[str, str] = {}
        self.area: dict[str, str] = {}
        self.team: dict[str, str] = {}
        self.service: dict[str, str] = {}
        self.service_spec: dict[str, _Svc] = {}
        self.contract_of: dict[str, dict[str, Any]] = {}
        self.contract_lead: dict[str, str] = {}
        self.indicator: dict[str, str] = {}
        self.priority: dict[str, str] = {}
        self.evidence: dict[str, str] = {}
        self.agreement: dict[str, str] = {}
        self.home_ratio: dict[tuple[str, str], float] = {}  # (area key, indicator code) -> value / England
        self.value_counter = 0
        self.fy0 = financial_year_of(today)
        self.latest = {"FY": self.fy0 - 1, "AY": academic_year_of(today) - 1, "CY": today.year - 1}
        self.extracted_on = today - timedelta(days=18)
        self.import_id = _uid("import_records", "fingertips-extract")
        past = _weekday_on_or_before(today - timedelta(days=45), 3)  # a Thursday
        upcoming = _weekday_on_or_before(today + timedelta(days=26), 3)
        self.past_meeting, self.next_meeting = past, upcoming
        self.value_ids = _SequentialIds(today)

    def add(self, table: str, **row: Any) -> dict[str, Any]:
        self.rows[table].append(row)
        return row

    # --- build everything ---------------------------------------------------------

    def build(self) -> None:
        self.organisations()
        self.people()
        self.outcomes()
        self.groups()
        self.areas()
        self.indicators()
        from cypdesk.services.demo_places import add_place_values

        add_place_values(self)
        self.evidence_and_priorities()
        self.teams()
        self.services()
        self.contracts()
        self.payments()
        self.decommissioning()
        self.agreements()
        self.measures()
        self.actions()
        self.risks()
        self.meetings()
        self.import_record()

    # --- reference ----------------------------------------------------------------

    def organisations(self) -> None:
        for key, name, kind, gss, ods, charity, company, partner, provider, sme, vcse, web in ORGANISATIONS:
            oid = _uid("organisations", name)
            self.org[key], self.org_name[key] = oid, name
            self.add("organisations", id=oid, name=name, kind=kind, gss_code=gss, ods_code=ods,
                     charity_number=charity, company_number=company, is_partner=partner,
                     is_provider=provider, is_sme=sme, is_vcse=vcse, website=web, notes=ORG_NOTES.get(key))

    def people(self) -> None:
        for key, name, role, org, email, phone in PEOPLE:
            pid = _uid("people", name)
            self.person[key] = pid
            self.add("people", id=pid, name=name, role=role, organisation_id=self.org[org], email=email,
                     phone=phone, owner_org_id=self.org[org])

    def outcomes(self) -> None:
        for rank, (code, name, description, subs) in enumerate(OUTCOMES, start=1):
            oid = _uid("outcomes", code)
            self.outcome[code] = oid
            self.add("outcomes", id=oid, code=code, name=name, parent_id=None, rank=rank, description=description)
            for i, sub in enumerate(subs, start=1):
                sid = _uid("outcomes", f"{code}{i}")
                self.outcome[f"{code}{i}"] = sid
                self.add("outcomes", id=sid, code=f"{code}{i}", name=sub, parent_id=oid, rank=i, description=None)

    def groups(self) -> None:
        for code, name, description in GROUPS:
            gid = _uid("groups", code)
            self.group[code] = gid
            self.add("groups", id=gid, name=name, code=code, description=description)

    def areas(self) -> None:
        def area(key: str, name: str, kind: str, gss: str | None, la: str | None, parent: str | None, home: bool = False) -> str:
            aid = _uid("areas", key)
            self.area[key] = aid
            self.add("areas", id=aid, name=name, kind=kind, gss_code=gss, la_code=la,
                     parent_id=self.area[parent] if parent else None, is_home=home)
            return aid

        area("england", "England", "england", "E92000001", None, None)
        area("region", REGION[0], "region", REGION[1], None, "england")
        area("home", HOME[0], "local_authority", HOME[1], HOME[2], "region", home=True)
        for name in LOCALITIES:
            area(f"loc:{name}", name, "locality", None, None, "home")
        for name, gss, la, _pop in NEIGHBOURS:
            area(f"sn:{name}", name, "local_authority", gss, la, "england")
        set_id = _uid("comparator_sets", "statistical-neighbours")
        self.add("comparator_sets", id=set_id, name="Statistical neighbours", area_id=self.area["home"],
                 source="DfE children's services statistical neighbour benchmarking tool (fictional neighbours for the demo)")
        for rank, (name, *_rest) in enumerate(NEIGHBOURS, start=1):
            aid = self.area[f"sn:{name}"]
            self.add("comparator_members", id=link_id("comparator_members", set_id, aid),
                     comparator_set_id=set_id, area_id=aid, rank=rank)

    # --- needs ----------------------------------------------------------------------

    def teams(self) -> None:
        teams = (
            ("jcu", "Riverside Joint Commissioning Unit", "jcu", None, None, "in_place", None, "hjc", "s10",
             "The Joint Commissioning Unit commissions services for children, young people and families on behalf of the partners of the Riverside Children's Trust. It:\n"
             "1. maintains the joint needs assessment and the commissioning strategy;\n"
             "2. keeps the register of services and contracts and advises the Board on commissioning, re-commissioning and decommissioning;\n"
             "3. manages the section 75 pooled fund and the aligned early help budget on behalf of the partners;\n"
             "4. reports to each meeting of the Children's Trust Board.\n"
             "Quorum: one member each from the council and the ICB. Meets monthly.", None),
            ("camhs", "Emotional wellbeing and mental health (CAMHS) commissioning group", "sub_group", "outcome", "Mentally and emotionally healthy", "in_place", "jcu", "icb2", "s75",
             "Commissions the whole pathway of emotional wellbeing and mental health support, from schools-based help to specialist CAMHS, under the section 75 agreement. Reports quarterly to the Joint Commissioning Unit.",
             "Vale County Council and NHS Riverside and Vale ICB (Vale place) for the shared specialist CAMHS contract"),
            ("sbd", "Short breaks and disabled children commissioning group", "sub_group", "key_group", "Disabled children and children with learning difficulties and disabilities", "in_place", "jcu", "icb1", "send_s26",
             "The joint commissioning arrangements for children and young people with SEND required by section 26 of the Children and Families Act 2014: short breaks, therapies, equipment and the local offer.", None),
            ("ehn", "Early help North locality commissioning group", "sub_group", "locality", "North Riverside", "under_development", "jcu", "hjc", None,
             "A locality group bringing together schools, health visiting, the police and the voluntary sector to plan early help in North Riverside. Terms of reference in draft.", None),
            ("yjp", "Youth justice partnership", "sub_group", "service", "Youth offending team services", "in_place", "jcu", "yjm", None,
             "The management board of the youth justice service (Crime and Disorder Act 1998 s39): oversees the youth justice plan, prevention and the use of the Youth Justice Board grant.", None),
            ("eyc", "0-5 years and children's centres group", "working_group", "age_band", "0-5 years", "to_be_developed", "jcu", None, None,
             "Proposed: to plan the Healthy Child Programme 0-5, family hubs and early years places together.", None),
            ("sgp", "Safeguarding children partnership commissioning group", "sub_group", "level_of_need", "Level 3 and 4 (specialist and acute)", "in_place", "jcu", "dcs", "safeguarding_partnership",
             "Commissions specialist and placement services for children at risk of significant harm and children in care, on behalf of the three safeguarding partners (council, police and ICB).", None),
        )
        for key, name, kind, focus, value, stage, parent, lead, footing, tor, cross in teams:
            tid = _uid("teams", key)
            self.team[key] = tid
            self.add("teams", id=tid, name=name, kind=kind, focus=focus, focus_value=value, stage=stage,
                     reports_to_id=self.team[parent] if parent else None, lead_id=self.person.get(lead or ""),
                     statutory_footing=footing, terms_of_reference=tor, cross_boundary_partners=cross)
        # Each member's sector (memberships.represents): left empty where a council
        # officer speaks for both education and social care, so the sector comes from
        # the organisation's kind. The youth justice partnership has no education member
        # (no school or academy trust, and its council members speak for youth justice
        # and social care), and the early help North group has no health member: the
        # "sector without a member" warning has something to show.
        members = {
            "jcu": [("rcc", "hjc", "Chair", None), ("icb", "icb1", "Vice-chair", "health"),
                    ("rch", "nhs1", "Provider adviser (health)", "health"), ("pol", "pol1", "Police lead", "youth_justice"),
                    ("rlp", "edu", "Schools representative", "education"), ("bfs", "vcs", "Voluntary sector representative", "other"),
                    ("ndc", "hsg", "District councils representative", "housing"),
                    ("rcc", "pfm", "Finance lead and pooled fund manager", None), ("rcc", "perf", "Performance lead", None)],
            "camhs": [("icb", "icb2", "Chair", "health"), ("rcc", "hjc", "Commissioner", "social_care"),
                      ("rlp", "edu", "Schools representative", "education"), ("rcc", "perf", "Performance lead", None),
                      ("icb", "fin", "Finance lead", "health")],
            "sbd": [("icb", "icb1", "Chair", "health"), ("rcc", "hjc", "Commissioner", None),
                    ("rlp", None, "SENCo representative", "education"), ("rch", "nhs1", "Designated clinical officer for SEND", "health")],
            "ehn": [("rcc", "hjc", "Chair", "social_care"), ("pol", "pol1", "Neighbourhood policing", "youth_justice"),
                    ("rlp", None, "Head teacher, North Riverside cluster", "education"), ("bfs", "vcs", "Voluntary sector", "other"),
                    ("ndc", "hsg", "Housing", "housing")],
            "yjp": [("rcc", "yjm", "Chair", "youth_justice"), ("pol", "pol1", "Police", "youth_justice"),
                    ("icb", "icb1", "Health commissioner", "health"), ("rch", "nhs1", "Health provider", "health"),
                    ("rcc", "pfm", "Finance", "social_care")],
            "eyc": [("rcc", "hjc", "Convenor", None), ("rch", "nhs1", "Health visiting", "health"),
                    ("rlp", None, "Early years lead", "education")],
            "sgp": [("rcc", "dcs", "Chair", "social_care"), ("pol", "pol1", "Safeguarding partner (police)", "youth_justice"),
                    ("icb", "icb1", "Safeguarding partner (ICB)", "health"), ("rlp", "edu", "Relevant agency (schools)", "education")],
        }
        for team, rows in members.items():
            tid = self.team[team]
            for org, person, role, represents in rows:
                pid = self.person.get(person or "")
                self.add("memberships", id=link_id("memberships", tid, self.org[org], pid or "", role), team_id=tid,
                         organisation_id=self.org[org], person_id=pid, role=role, represents=represents)

    # --- services -------------------------------------------------------------------

    def services(self) -> None:
        rng = self.rng
        tier_cost = {"universal": (180, 450), "targeted": (900, 2600), "specialist": (4000, 18000),
                     "level_1": (150, 300), "level_2": (1200, 2800), "level_3": (5000, 15000), "level_4": (38000, 62000)}
        for n, s in enumerate(SERVICES, start=1):
            sid = _uid("services", s.name)
            self.service[s.name], self.service_spec[s.name] = sid, s
            cost = s.cost_k * 1000.0
            lo, hi = tier_cost[s.tier]
            per = rng.uniform(lo, hi)
            placements = s.tier == "level_4" or s.provider == "nca"
            capacity = max(int(round(cost / per)), 3)
            basis = "per_place" if placements or "short breaks" in s.name.lower() or "places" in s.name else (
                "per_session" if "group" in s.name.lower() else "per_child")
            fte = None if placements and s.provider != "rcc" else round(cost * rng.uniform(0.55, 0.75) / 43_000, 1)
            shares = [(c.split(":")[0], float(c.split(":")[1]) if ":" in c else 100.0) for c in s.commissioners.split()]
            lead = max(shares, key=lambda x: x[1])[0]
            description = s.description or _describe(s, self.org_name[s.provider])
            self.add("services", id=sid, name=s.name, description=description, provider_id=self.org[s.provider],
                     sector=s.sector, tier=s.tier, prevention=s.prevention, setting=s.setting, capacity=capacity,
                     annual_cost=cost, staff_fte=fte, unit_cost=round(cost / capacity, 2), unit_cost_basis=basis,
                     unit_cost_by_hand=basis not in ("per_child", "per_place"), commissioning_level=s.level, team_id=self.team.get(s.team or ""), status=s.status,
                     lgsl_code=s.lgsl, oruk_id=_uid("oruk", s.name) if s.prevention and n % 3 == 0 else None,
                     owner_org_id=self.org[lead])
            for kind, codes in (("primary", s.primary), ("secondary", s.secondary)):
                for code in codes.split():
                    assert code not in GAP_OUTCOMES, code
                    oid = self.outcome[code]
                    self.add("service_outcomes", id=link_id("service_outcomes", sid, oid), service_id=sid,
                             outcome_id=oid, contribution=kind, owner_org_id=self.org[lead])
            for code in s.groups.split():
                gid = self.group[code]
                self.add("service_groups", id=link_id("service_groups", sid, gid), service_id=sid, group_id=gid,
                         owner_org_id=self.org[lead])
            locs = LOCALITIES if s.localities == "*" else [LOCALITIES[LOC_KEYS[k]] for k in s.localities.split()]
            for loc in locs:
                aid = self.area[f"loc:{loc}"]
                self.add("service_areas", id=link_id("service_areas", sid, aid), service_id=sid, area_id=aid,
                         owner_org_id=self.org[lead])
            assert abs(sum(p for _o, p in shares) - 100.0) < 1e-9, s.name
            for org, pct in shares:
                self.add("service_commissioners", id=link_id("service_commissioners", sid, self.org[org]), service_id=sid,
                         organisation_id=self.org[org], share_pct=pct, owner_org_id=self.org[org])
            sources = s.funding.split()
            amounts = _split(cost, len(sources), rng)
            for src, amount in zip(sources, amounts):
                self.add("service_funding", id=link_id("service_funding", sid, FUNDING[src]), service_id=sid,
                         source=FUNDING[src], amount=amount, owner_org_id=self.org[lead])

    def contracts(self) -> None:
        rng, today = self.rng, self.today
        counters: dict[str, int] = defaultdict(int)
        for s in SERVICES:
            if s.status in ("proposed", "in_procurement") or s.name in NO_CONTRACT:
                continue
            sid = self.service[s.name]
            shares = [(c.split(":")[0], float(c.split(":")[1]) if ":" in c else 100.0) for c in s.commissioners.split()]
            lead = max(shares, key=lambda x: x[1])[0]
            provider_kind = next(o[2] for o in ORGANISATIONS if o[0] == s.provider)
            vcse = next(o[10] for o in ORGANISATIONS if o[0] == s.provider)
            in_house = s.provider == "rcc" or (s.provider == "ndc" and lead == "ndc")
            if s.name in RECENT_STARTS:
                start = _add_months(today - timedelta(days=RECENT_STARTS[s.name]), 0).replace(day=1)
                term = rng.choice((3, 5))
                end = _add_months(start, 12 * term) - timedelta(days=1)
            else:
                if s.name in CONTRACT_ENDS:
                    end = _month_end(today + timedelta(days=CONTRACT_ENDS[s.name]))
                else:
                    end = _month_end(today + timedelta(days=rng.randint(400, 1500)))
                term = rng.choice((2, 3, 3, 5))
                term = max(term, math.ceil(((end - today).days + 200) / 365))
                start = _add_months(end + timedelta(days=1), -12 * term)
            if in_house:
                route, regime, model = "in_house", "in_house", "block"
            elif provider_kind == "nhs_trust":
                route, model = "direct_award", "block"
                regime = "psr" if start >= date(2024, 1, 1) else "pcr_2015"
            elif s.provider == "hfs":
                route, model = "framework", "cost_volume"
                regime = "procurement_act_2023" if start >= date(2025, 2, 24) else "pcr_2015"
            elif s.provider == "nca":
                route, model = "spot_purchase", "spot"
                regime = "procurement_act_2023" if start >= date(2025, 2, 24) else "pcr_2015"
            elif vcse and s.cost_k < 250 and s.name not in RECENT_STARTS:
                route, regime, model = "grant", "grant", "block"
            else:
                route = "tender"
                model = "outcomes_based" if s.name == "Family group conferencing" else (
                    "cost_volume" if s.provider in ("lsn", "asb") else "block")
                regime = "procurement_act_2023" if start >= date(2025, 2, 24) else "pcr_2015"
            prefix = {"rcc": "RCC-CYP", "icb": "QX9-CYP", "ndc": "NDC-HSG", "pol": "RC-OPCC"}[lead]
            counters[prefix] += 1
            reference = f"{prefix}-{start.year}-{counters[prefix]:03d}" if lead != "icb" else f"{prefix}-{counters[prefix]:04d}"
            annual = s.cost_k * 1000.0
            years = round((end - start).days / 365.25)
            extension = None if route in ("in_house", "spot_purchase", "grant") else rng.choice(("2 x 12 months", "1 x 24 months", "12 months", None))
            cid = _uid("contracts", reference)
            row = self.add("contracts", id=cid, service_id=sid, reference=reference, route=route, start_date=start,
                           end_date=end, extension_options=extension, annual_value=annual,
                           total_value=annual * max(years, 1), payment_model=model, regime=regime,
                           social_value_pct=(10.0 if regime == "procurement_act_2023" and route == "tender" else
                                             (5.0 if route in ("tender", "framework") else None)),
                           review_date=end - timedelta(days=270), risk_assessed=rng.random() > 0.12,
                           equality_assessed=rng.random() > 0.2, contracting_org_id=self.org[lead],
                           owner_org_id=self.org[lead])
            self.contract_of[s.name] = row
            self.contract_lead[s.name] = lead

    def payments(self) -> None:
        """Monthly payments for the council's external contracts over the last year, as
        in the council's spend-over-£500 file."""
        rng, today = self.rng, self.today
        months = [_month_end(_add_months(today.replace(day=1), -k)) for k in range(12, 0, -1)]
        n = 0
        for s in SERVICES:
            row = self.contract_of.get(s.name)
            if row is None or self.contract_lead[s.name] != "rcc" or row["route"] == "in_house":
                continue
            supplier = self.org_name[s.provider]
            if s.provider in ("nca", "hfs"):
                supplier = supplier.upper()
            for month_end in months:
                paid = month_end - timedelta(days=rng.randint(3, 12))
                if not (row["start_date"] <= paid <= row["end_date"]):
                    continue
                monthly = row["annual_value"] / 12
                if row["payment_model"] in ("spot", "cost_volume"):
                    parts = rng.randint(2, 4)
                    amounts = [round(monthly * rng.uniform(0.8, 1.2) / parts, 2) for _ in range(parts)]
                else:
                    amounts = [round(monthly, 2)]
                for amount in amounts:
                    n += 1
                    description = {
                        "spot": "PRIVATE RESIDENTIAL HOMES",
                        "cost_volume": "INDEPENDENT FOSTERING AGENCIES" if s.provider == "hfs" else "CONTRACT PAYMENTS - COST AND VOLUME",
                    }.get(row["payment_model"], "GRANTS - VOLUNTARY ORGANISATIONS" if row["route"] == "grant" else (
                        "PUBLIC HEALTH CONTRACTS" if s.sector == "health" else "CONTRACT PAYMENTS - BLOCK"))
                    centre = "CS4200 Early Help and Prevention" if s.prevention and s.sector != "health" else COST_CENTRES[s.sector]
                    self.add("payments", id=_uid("payments", f"{row['reference']}|{n}"), paid_on=paid, supplier=supplier,
                             amount=amount, cost_centre=centre, description=description,
                             transaction_ref=f"RCC{5_100_000 + n:07d}", contract_id=row["id"], payer_id=self.org["rcc"])

    def decommissioning(self) -> None:
        name = "Neighbourhood family centre \u2013 West Riverside (Old Mill)"
        s = self.service_spec[name]
        signoff = self.past_meeting
        self.add("decommissioning", id=link_id("decommissioning", self.service[name]), service_id=self.service[name],
                 status="notice_given",
                 rationale="The Old Mill centre duplicates the offer of the West Riverside family hub 1.2 miles away. Attendance has fallen by 40% in two years, and the building needs £180,000 of repairs. Moving its groups into the hub lets the trust keep the work and stop paying for two buildings.",
                 evidence="Attendance figures for the last three years; the family hub's reach data; the condition survey of the Old Mill building; the West Riverside needs profile.",
                 risk_assessment="Risk that some families, especially those without a car in Millbrook, stop using family support (medium). Mitigation: outreach sessions in Millbrook village hall and a bus pass scheme for the first year. Risk of staff loss at Brightside (low): TUPE does not apply as staff move to the hub contract.",
                 equality_impact="Full equality impact assessment completed. Disproportionate effect on families without a car and on Polish-speaking families who use the centre's English classes; English classes will continue at the hub.",
                 affected="About 140 families a year, of whom 35 have a child under two; 4.5 FTE Brightside staff; the toddler group and the English conversation class.",
                 market_viability="Brightside Family Support remains viable: the West Riverside hub contract is worth more than the Old Mill grant. No other provider is affected.",
                 consultation="Eight-week public consultation; 96 responses. 61% disagreed with closure, most citing travel; outreach in Millbrook was added in response.",
                 notice_date=signoff + timedelta(days=7),
                 transition_plan="1. Notice served on the grant agreement.\n2. Groups move one at a time into the family hub, each with a joint session before the move.\n3. Outreach sessions start in Millbrook village hall.\n4. The building is handed back to the council's estates team at the end of the contract.\n5. Attendance of former Old Mill families is tracked for six months after closure.",
                 savings_target=round(s.cost_k * 1000 * 0.4, -3), savings_achieved=None, board_signoff=signoff,
                 owner_org_id=self.org["rcc"])

    # --- budgets --------------------------------------------------------------------

    def import_record(self) -> None:
        name = f"fingertips_cyp_riverside_neighbours_{self.extracted_on:%Y-%m-%d}.csv"
        count = len(self.rows["indicator_values"])
        self.add("import_records", id=self.import_id, source_name=name,
                 source_sha256=hashlib.sha256(name.encode()).hexdigest(), sheet=None, kind="indicator_values",
                 mapping=json.dumps({"Indicator ID": "code", "Area Code": "area", "Time period": "period", "Value": "value",
                                     "Lower CI 95.0 limit": "lower_ci", "Upper CI 95.0 limit": "upper_ci", "Count": "numerator",
                                     "Denominator": "denominator", "Value note": "note"}),
                 publisher="Office for Health Improvement and Disparities", rows_read=count, rows_added=count,
                 rows_updated=0, rows_rejected=0)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class _Writer:
    def __init__(self, conn: Connection, author: Author, clock: Clock, progress: Progress | None, total: int) -> None:
        self.conn, self.author, self.clock, self.progress = conn, author, clock, progress
        self.total, self.done = total, 0

    def check(self) -> None:
        if self.progress is not None and self.progress.cancelled():
            raise DemoCancelled("Writing the demo was cancelled.")

    def advance(self, n: int, text: str) -> None:
        self.done += n
        if self.progress is not None:
            self.progress.report(self.done, self.total, text)

    def insert_dicts(self, table: Any, rows: list[dict[str, Any]], owner: str, text: str) -> int:
        """The small demo's rows of one table, through a Core insert."""
        if not rows:
            return 0
        self.check()
        rows = stamp_rows(rows, self.author, self.clock, owner_org_id=owner)
        defaults = {}
        for column in table.columns:
            default = column.default
            defaults[column.key] = default.arg if default is not None and default.is_scalar else None
        for row in rows:  # an executemany needs every key in every row
            for key, value in defaults.items():
                if key not in row:
                    row[key] = value
        self.conn.execute(table.insert(), rows)
        self.advance(len(rows), text)
        return len(rows)

    def stamp(self) -> tuple[str, str, str]:
        """(created_at, author id, clock stamp) for a batch of raw rows: one tick for the
        batch, as :func:`stamp_rows` does."""
        return _utc_now().strftime("%Y-%m-%d %H:%M:%S.%f"), self.author.id, self.clock.tick()

    def insert_tuples(self, table: Any, columns: Sequence[str], chunks: Iterator[list[tuple[Any, ...]]], text: str) -> int:
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        n = 0
        for chunk in chunks:
            self.check()
            self.conn.exec_driver_sql(sql, chunk)
            n += len(chunk)
            self.advance(len(chunk), text)
        return n

    def insert_large_dicts(self, table: Any, rows: list[dict[str, Any]], text: str, chunk: int = CHUNK) -> int:
        """The large demo's extra rows of one table: converted to tuples and written
        with a raw executemany, in chunks."""
        if not rows:
            return 0
        columns = [c.key for c in table.columns]
        defaults = {c.key: c.default.arg for c in table.columns if c.default is not None and c.default.is_scalar}
        now, author_id, stamp = self.stamp()
        shared = {"created_at": now, "updated_at": now, "created_by": author_id, "updated_by": author_id,
                  "created_hlc": stamp, "hlc": stamp}

        def chunks() -> Iterator[list[tuple[Any, ...]]]:
            for start in range(0, len(rows), chunk):
                yield [tuple(_sql_value(shared[c] if c in shared else row.get(c, defaults.get(c))) for c in columns)
                       for row in rows[start:start + chunk]]

        return self.insert_tuples(table, columns, chunks(), text)


def _check_empty(conn: Connection) -> None:
    for cls in RECORD_CLASSES:
        if conn.execute(select(cls.__table__.c.id).limit(1)).first() is not None:
            raise DemoNotEmpty(f"The demo can only be written into an empty document: it already has {cls.__tablename__}.",
                               table=cls.__tablename__)


def generate_demo(conn: Connection, author: Author, clock: Clock, *, size: str = "small", today: date | None = None,
                  progress: Progress | None = None, scale: float = 1.0) -> dict[str, int]:
    """Write the demo trust into the empty schema behind ``conn``, inside the caller's
    transaction (this never commits). Returns the number of rows written per table.

    ``today`` anchors every relative date (contracts ending, overdue actions, the
    meetings). ``progress`` gets ``report(done, total, text)`` after each table or
    chunk and is asked ``cancelled()`` before each; cancelling raises
    :class:`DemoCancelled`, after which the caller rolls back.

    ``scale`` (large only, 0 < scale <= 1) writes that fraction of the large demo by
    the same code, in chunks scaled alike: the tests run it at 1% in a few seconds.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    if not 0 < scale <= 1 or (scale != 1 and size != "large"):
        raise ValueError(f"scale must be above 0 and at most 1, and only for the large demo, not {scale!r}")
    today = today or date.today()
    _check_empty(conn)
    builder = _Builder(today)
    builder.build()
    large = None
    if size == "large":
        large = _Large(builder, scale)
        large.build()
        record = builder.rows["import_records"][0]
        record["rows_read"] = record["rows_added"] = record["rows_read"] + large.value_count
    snapshots = sum(1 for r in builder.rows["papers"] if r.get("status") == "final" and r.get("finalised_at"))
    total = sum(len(rows) for rows in builder.rows.values()) + (large.row_count() if large else 0) + snapshots
    writer = _Writer(conn, author, clock, progress, total)
    owner = builder.org["rcc"]
    counts: dict[str, int] = {}
    for cls in RECORD_CLASSES:
        table = cls.__table__
        name = cls.__tablename__
        text = f"Writing {name.replace('_', ' ')}"
        n = writer.insert_dicts(table, builder.rows.get(name, []), owner, text)
        if large is not None:
            if name == "indicator_values":
                now, author_id, stamp = writer.stamp()
                n += writer.insert_tuples(table, VALUE_COLUMNS, large.value_chunks((now, author_id, stamp)), text)
            else:
                n += writer.insert_large_dicts(table, large.rows.get(name, []), text, large.chunk)
        if n:
            bulk_history(conn, author, clock, name, n, f"demo document ({size})")
        counts[name] = n
    writer.check()
    _write_document(conn, author, clock, owner)
    n = writer.insert_dicts(PaperSnapshot.__table__, paper_snapshots(conn), owner, "Writing paper snapshots")
    if n:
        bulk_history(conn, author, clock, "paper_snapshots", n, f"demo document ({size})")
    counts["paper_snapshots"] = n
    return counts


def paper_snapshots(conn: Connection) -> list[dict[str, Any]]:
    """The snapshot of each final paper, built from the demo's data as finalising does
    (at the paper's ``finalised_at``), so the demo's final papers show what the board
    saw, however the data changes after."""
    from dataclasses import replace

    from cypdesk.common.paperdoc import CONTENT_VERSION
    from cypdesk.services.papers.content import build_paper_doc

    rows = []
    for paper_id, finalised in conn.exec_driver_sql(
            "SELECT id, finalised_at FROM papers WHERE status = 'final' AND finalised_at IS NOT NULL ORDER BY id"):
        moment = finalised if isinstance(finalised, datetime) else datetime.fromisoformat(str(finalised))
        doc = replace(build_paper_doc(conn, paper_id, now=moment), status="final")
        rows.append({"id": link_id("paper_snapshots", paper_id), "paper_id": paper_id, "taken_at": moment,
                     "content": doc.to_json(), "content_version": CONTENT_VERSION})
    return rows


def _write_document(conn: Connection, author: Author, clock: Clock, owner: str) -> None:
    """The demo's settings and owner. The document keeps the id it was made with (its
    own, fresh: ``dbfile.create_document_file``); a file without a settings row gets a
    fresh one, never an id shared by every demo. The settings set are versioned and in
    history (``tracking.record_settings``), like any edit of them."""
    settings = dict(title=TITLE, trust_name=TRUST_NAME, rating_scale="rag")
    stamp = clock.tick()
    table = DocumentInfo.__table__
    old = conn.execute(select(*[table.c[k] for k in settings]).limit(1)).first()
    if old is not None:
        conn.execute(update(table).values(owner_org_id=owner, hlc=stamp, **settings))
    else:
        conn.execute(table.insert().values(id=new_id(), created_at=_utc_now(), created_by=author.id, owner_org_id=owner,
                                           hlc=stamp, **settings))
    before = dict(old._mapping) if old is not None else {}
    record_settings(conn, author, stamp, {k: (before.get(k), v) for k, v in settings.items() if before.get(k) != v},
                    note="demo document")
