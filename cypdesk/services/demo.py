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

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from cypdesk.common.hlc import Clock
from cypdesk.common.periods import Period, academic_year_of, financial_year_of
from cypdesk.model import RECORD_CLASSES, DocumentInfo, link_id
from cypdesk.model.tracking import Author, bulk_history, stamp_rows
from cypdesk.services.demo_data import (  # noqa: F401  (DemoCancelled, DemoNotEmpty, Progress, SIZES: this module's API)
    BOARD, CHUNK, CONTRACT_ENDS, COST_CENTRES, ENGLAND_POP, FUNDING, GAP_OUTCOMES, GROUPS, HOME, INDICATORS,
    LOC_KEYS, LOCALITIES, NEIGHBOURS, NO_CONTRACT, ORG_NOTES, ORGANISATIONS, OUTCOMES, PEOPLE, RECENT_STARTS, REGION,
    SEED, SERVICES, SIZES, TITLE, TRUST_NAME, DemoCancelled, DemoNotEmpty, Progress, _add_months,
    _clamp, _commentary, _describe, _figure, _half_width, _Ind, _money, _month_end, _split, _Svc, _uid,
    _weekday_on_or_before,
)
from cypdesk.services.demo_large import VALUE_COLUMNS, _Large, _SequentialIds, _sql_value


__all__ = ["DemoCancelled", "DemoNotEmpty", "Progress", "SIZES", "generate_demo"]

class _Builder:
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

    def period_of(self, kind: str, year: int) -> Period:
        if kind == "FY":
            return Period.financial_year(year)
        if kind == "AY":
            return Period.academic_year(year)
        return Period.calendar_year(year)

    def indicators(self) -> None:
        rng = self.rng
        for ind in INDICATORS:
            iid = _uid("indicators", ind.code)
            self.indicator[ind.code] = iid
            self.add("indicators", id=iid, code=ind.code, name=ind.name, group_id=self.group.get(ind.group or ""),
                     unit=ind.unit, polarity=ind.polarity, decimals=ind.decimals, source=ind.source,
                     definition=ind.definition, commentary=None)
            for code in ind.outcomes.split():
                oid = self.outcome[code]
                self.add("indicator_outcomes", id=link_id("indicator_outcomes", iid, oid), indicator_id=iid, outcome_id=oid)

        # Values: six years for England, the trust and its six neighbours.
        forced = {("CL_EET", 4, 5): ("x", "Not available: data quality issue in the return"),
                  ("ALCU18", 1, 1): ("c", "Suppressed: fewer than 10 admissions"),
                  ("CHMORT", 3, 2): ("*", "Suppressed: small number of deaths"),
                  ("REOFF", 5, 3): ("c", "Suppressed: cohort smaller than 20")}
        areas = [("england", ENGLAND_POP), ("home", HOME[3])] + [(f"sn:{n}", pop) for n, _g, _l, pop in NEIGHBOURS]
        for ind in INDICATORS:
            latest = self.latest[ind.period]
            years = list(range(latest - 5, latest + 1))
            home_latest = self._design_home(ind)
            offsets = {f"sn:{n}": rng.gauss(0, 0.08) for n, *_ in NEIGHBOURS}
            noise = {key: [rng.gauss(0, 0.015) for _ in years] for key, _ in areas}
            for a_index, (key, pop) in enumerate(areas):
                aid = self.area[key]
                for y_index, year in enumerate(years):
                    back = latest - year
                    eng = _clamp(ind, ind.england - ind.change * back)
                    scale = pop / ENGLAND_POP if ind.unit == "count" else 1.0
                    if key == "england":
                        target = eng * (1 + noise[key][y_index] * 0.1)
                    elif key == "home":
                        target = home_latest * eng / ind.england * (1 + (noise[key][y_index] if back else 0))
                    else:
                        target = eng * scale * (1 + offsets[key]) * (1 + noise[key][y_index])
                    den = None if ind.denom is None else max(round(pop * ind.denom * (1 - 0.006 * back)), 1)
                    figure = _figure(ind, target, den)
                    suppressed = note = None
                    hit = forced.get((ind.code, a_index - 1, back))
                    if hit is not None:
                        suppressed, note = hit
                    elif key not in ("england", "home") and rng.random() < 0.015:
                        suppressed, note = ("x", "Not available") if rng.random() < 0.5 else ("..", "Not yet published")
                    elif figure[5] is not None and key != "home":
                        suppressed, note = figure[5], "Suppressed: small numbers"
                    if back == 0 and key != "england":
                        # How this area stands against England: the large demo's wards
                        # and earlier years follow it.
                        self.home_ratio[(key, ind.code)] = (figure[0] or eng * scale) / (eng * scale)
                    value, lo, hi, num, d, _s = figure
                    if suppressed is not None:
                        value = lo = hi = num = None
                    period = self.period_of(ind.period, year)
                    self.add("indicator_values", id=self.value_ids.next(), indicator_id=self.indicator[ind.code],
                             area_id=aid, period=period.key(), period_start=period.start_date(), group_id=None,
                             value=value, lower_ci=lo, upper_ci=hi, numerator=num, denominator=d,
                             suppressed=suppressed, note=note, import_id=self.import_id,
                             source=ind.source.split(":")[0], extracted_on=self.extracted_on)

    def _design_home(self, ind: _Ind) -> float:
        """The trust's latest value: better, similar or worse than England by design,
        far enough from England that the confidence interval says so."""
        rng, e = self.rng, ind.england
        if ind.denom is None:
            return e * (1 + rng.uniform(-0.08, 0.08)) if ind.unit != "count" else e * HOME[3] / ENGLAND_POP * rng.uniform(0.85, 1.15)
        den = HOME[3] * ind.denom
        h = _half_width(ind, e, den)
        if ind.design is None:
            return _clamp(ind, e * (1 + rng.uniform(-0.15, 0.15)))
        if ind.design == "s":
            return _clamp(ind, e + rng.uniform(-0.3, 0.3) * h)
        delta = max(2.4 * h, 0.06 * e) * rng.uniform(1.0, 1.15)
        good_is_up = ind.polarity == "higher_better"
        up = (ind.design == "b") == good_is_up
        if ind.unit == "percent" and up:
            delta = min(delta, max(3.2 * h, (100 - e) * 0.5))
        return _clamp(ind, e + delta if up else e - delta)

    def evidence_and_priorities(self) -> None:
        t = self.today
        items = (
            ("ev-survey", "Young people's health and wellbeing survey", "children", "survey", t - timedelta(days=260), 2314,
             "2,314 pupils in Years 8 and 10 from 21 secondary schools took part. 38% said they often feel anxious or worried, up from 31% two years ago; girls in Year 10 reported the lowest wellbeing. Half of those who had asked for help with their mental health said they waited too long. Young people in West Riverside were least likely to know where to go for help.",
             "Riverside Young People's Health and Wellbeing Survey report", ("o:BH2", "o:BH4", "l:West Riverside")),
            ("ev-parents", "Parents of disabled children: focus groups on short breaks", "parents", "focus_group", t - timedelta(days=190), 18,
             "Three focus groups with 18 parents and carers, arranged with the parent carer forum. Parents valued overnight short breaks highly but described waits of up to nine months and little choice outside Riverside Town. Several said they had to tell their story again to each service.",
             "Short breaks consultation: what parents told us", ("o:SS5", "g:DIS", "l:Riverside Town")),
            ("ev-staff", "Early help staff workshop: thresholds and step-down", "staff", "consultation_event", t - timedelta(days=140), 45,
             "45 practitioners from the council, health visiting, schools and the voluntary sector. They reported confusion about the threshold between early help and children's social care, and that families stepped down from social care often lose their key worker. Re-referrals were seen as a symptom of this.",
             "Workshop notes, Joint Commissioning Unit", ("o:SS1", "o:SS6", "g:CIN", "l:North Riverside")),
            ("ev-youthcouncil", "Youth council: what matters to young people in care", "children", "youth_council", t - timedelta(days=100), 23,
             "The Children in Care Council and the youth council met jointly. Young people in care asked for the same social worker for longer, help with dentists and health checks, and more say in where they live. Care leavers asked for help with rent deposits and finding work.",
             "Children in Care Council minutes", ("o:SS5", "o:EW3", "g:LAC", "g:CL")),
            ("ev-carers", "Young carers: interviews and case reviews", "children", "interview", t - timedelta(days=75), 31,
             "Interviews with 31 young carers aged 9 to 17. Most were known to their school but only a third had had a young carer's needs assessment. Many missed school on days their parent was unwell.",
             "Riverside Young Carers annual report", ("o:EA2", "g:YC")),
            ("ev-ofsted", "Ofsted inspection of local authority children's services (ILACS)", "community", "inspection", t - timedelta(days=420), None,
             "Overall effectiveness judged 'requires improvement to be good'. Inspectors found that the response to children at risk of exploitation was strong, but that too many children were re-referred and that care leavers' pathway plans were not always up to date.",
             "Ofsted ILACS report", ("o:SS1", "o:SS4", "g:CL")),
            ("ev-complaints", "Complaints and compliments: children's services annual report", "parents", "complaints", t - timedelta(days=60), 212,
             "212 complaints and 340 compliments. The largest group of complaints was about waiting times for speech and language therapy and for CAMHS assessments.",
             "Annual complaints report to the Children's Trust Board", ("o:BH2", "o:EA1", "g:SEN")),
        )
        for key, title, who, method, held, participants, summary, source, tags in items:
            eid = _uid("evidence", key)
            self.evidence[key] = eid
            self.add("evidence", id=eid, title=title, who=who, method=method, held_on=held,
                     participants=participants, summary=summary, source_document=source)
            for tag in tags:
                kind, value = tag.split(":", 1)
                row = dict(outcome_id=None, group_id=None, area_id=None)
                if kind == "o":
                    row["outcome_id"] = target = self.outcome[value]
                elif kind == "g":
                    row["group_id"] = target = self.group[value]
                else:
                    row["area_id"] = target = self.area[f"loc:{value}"]
                self.add("evidence_tags", id=link_id("evidence_tags", eid, target), evidence_id=eid, **row)

        priorities = (
            ("WT1", 1, "in_progress", "Improve the emotional wellbeing and mental health of children and young people, with help available sooner",
             "Hospital admissions for mental health conditions and self-harm are significantly worse than England, and young people tell us they wait too long for help.",
             ("o:BH2", "i:MHADM", "i:SELFHARM", "e:ev-survey", "e:ev-complaints")),
            ("WT2", 2, "in_progress", "Strengthen early help so that fewer families need children's social care, and fewer are re-referred",
             "Re-referrals within 12 months are significantly worse than England; staff describe unclear thresholds and lost key workers on step-down.",
             ("o:SS1", "o:SS6", "g:CIN", "i:REREF", "e:ev-staff", "e:ev-ofsted")),
            ("WT3", 3, "agreed", "Give disabled children and their families timely short breaks and joined-up support",
             "Parents describe long waits for short breaks; new EHC plans issued within 20 weeks are worse than England.",
             ("o:SS5", "g:DIS", "g:SEN", "i:EHCP20", "e:ev-parents")),
            ("WT4", 4, "agreed", "Reduce the number of young people who are not in education, employment or training",
             "The proportion of 16-17 year olds NEET or not known is significantly worse than England, and care leavers' EET is below our neighbours.",
             ("o:EW1", "g:NEET", "g:CL", "i:NEET", "i:CL_EET", "e:ev-youthcouncil")),
            ("WT5", 5, "in_progress", "Commission for better outcomes: a joint commissioning strategy, pooled budgets and shared performance management",
             "The framework for joint planning and commissioning asks the trust to align or pool resources where that improves outcomes.",
             ("o:SS", "o:BH", "e:ev-staff")),
            ("WT6", 6, "proposed", "Support young carers to attend and enjoy school",
             "Young carers miss school when their parent is unwell, and few have had a needs assessment.",
             ("o:EA2", "g:YC", "i:PA_SEC", "e:ev-carers")),
        )
        for ref, rank, status, statement, rationale, links in priorities:
            pid = _uid("priorities", ref)
            self.priority[ref] = pid
            self.add("priorities", id=pid, statement=statement, plan_reference=ref, rank=rank, status=status, rationale=rationale)
            for link in links:
                kind, value = link.split(":", 1)
                row = dict(outcome_id=None, group_id=None, indicator_id=None, evidence_id=None)
                target = {"o": self.outcome, "g": self.group, "i": self.indicator, "e": self.evidence}[kind][value]
                row[{"o": "outcome_id", "g": "group_id", "i": "indicator_id", "e": "evidence_id"}[kind]] = target
                self.add("priority_links", id=link_id("priority_links", pid, target), priority_id=pid, **row)

    # --- teams ----------------------------------------------------------------------

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

    def agreements(self) -> None:
        rng, today = self.rng, self.today
        fys = (self.fy0 - 2, self.fy0 - 1, self.fy0)
        specs = (
            ("s75", "Section 75 pooled fund: children's emotional wellbeing, mental health and short breaks", "pooled", "s75_nhs_2006",
             "rcc", "pfm", "operating", "proportional", "agreed_pct", _add_months(date(self.fy0 - 3, 4, 1), 0), today - timedelta(days=40),
             date(self.fy0 + 2, 3, 31),
             [("rcc", 2_150_000.0, "Contract management and finance support from the host", 1.5, 96_000.0, None, 40.0),
              ("icb", 3_420_000.0, "Clinical psychologists seconded to the CAMHS single point of access", 2.0, 134_000.0, None, 60.0)],
             ["Child and adolescent mental health service (CAMHS): targeted emotional wellbeing",
              "\u201cTier 3\u201d CAMH service (specialist community CAMHS)",
              "Online counselling and wellbeing service for 11-25s",
              "Key worker service for children with complex health problems",
              "Respite care for children with complex health needs",
              "Short breaks for disabled children (overnight and community)",
              "SEND information, advice and support service (SENDIASS)"],
             [0.024, -0.018, 0.036], 12),
            ("aligned", "Aligned budget: early help and family support", "aligned", None,
             "rcc", "pfm", "signed", "case_by_case", "case_by_case", date(self.fy0 - 2, 4, 1), today + timedelta(days=200),
             None,
             [("rcc", 1_540_000.0, None, None, None, None, None),
              ("icb", 220_000.0, "Health visitor time in the family hubs", 3.0, 165_000.0, None, None),
              ("pol", 120_000.0, "Neighbourhood police officers attending locality panels", 0.5, 28_000.0, None, None)],
             ["Early help family support \u2013 North Riverside",
              "Early help family support \u2013 South and East Riverside",
              "Parenting education in groups and for individual parents",
              "Parenting support and parenting education groups",
              "Arrangements to provide practical help to families (section 17)",
              "Young carers support service"],
             [-0.031, 0.009, -0.022], 6),
        )
        for (key, title, kind, basis, host, manager, status, over, under, start, review, end, partners, scope, variances,
             notice) in specs:
            aid = _uid("agreements", key)
            self.agreement[key] = aid
            pooled = kind == "pooled"
            self.add("agreements", id=aid, title=title, type=kind, legal_basis=basis, host_id=self.org[host],
                     manager_id=self.person[manager],
                     aims=("To commission a single pathway of emotional wellbeing, mental health and short break services for children and young people, "
                           "with one budget, one set of outcomes and one performance framework." if pooled else
                           "To plan the partners' early help spending together, so that families get one offer in each locality, "
                           "without transferring money between the partners."),
                     start_date=start, review_date=review, end_date=end, status=status,
                     governance=("The pooled fund is managed by the host's pooled fund manager and overseen by the Emotional wellbeing and mental health "
                                 "(CAMHS) commissioning group, which reports quarterly to the Joint Commissioning Unit and twice a year to the Children's Trust Board." if pooled else
                                 "Each partner keeps its own budget; the Joint Commissioning Unit reviews spending against the shared plan each quarter."),
                     overspend_rule=over, underspend_rule=under,
                     vat=("The host accounts for VAT on the pooled fund's expenditure under its section 33 status; the ICB's contribution is treated as a contribution to the host's functions." if pooled else None),
                     audit=("The host's internal audit reviews the pooled fund each year; the annual statement of the fund is reported to both partners' audit committees." if pooled else
                            "Each partner's own audit arrangements apply."),
                     disputes=("Disputes are referred first to the Director of Children's Services and the ICB Chief Nursing Officer, then to the two chief executives, then to mediation." if pooled else
                               "Disagreements are resolved by the Joint Commissioning Unit, or by the Children's Trust Board."),
                     termination_notice_months=notice, owner_org_id=self.org[host])
            for org, _cash, _desc, _fte, _val, over_pct, under_pct in partners:
                oid = self.org[org]
                self.add("agreement_partners", id=link_id("agreement_partners", aid, oid), agreement_id=aid, organisation_id=oid,
                         overspend_pct=over_pct, underspend_pct=under_pct, owner_org_id=oid)
            for name in scope:
                sid = self.service[name]
                self.add("agreement_services", id=link_id("agreement_services", aid, sid), agreement_id=aid, service_id=sid)
            budgets = {}
            for i, fy in enumerate(fys):
                total = 0.0
                for org, cash, desc, fte, value, _o, _u in partners:
                    uplift = (1.031 ** i) * (1 + rng.uniform(-0.01, 0.01))
                    amount = round(cash * uplift, -3)
                    total += amount
                    oid = self.org[org]
                    self.add("contributions", id=link_id("contributions", aid, oid, str(fy)), agreement_id=aid,
                             organisation_id=oid, financial_year=fy, cash=amount, in_kind_description=desc,
                             in_kind_fte=fte, in_kind_value=round(value * uplift, -2) if value else None, owner_org_id=oid)
                budgets[fy] = total
            # Quarterly returns for every quarter that has ended; the pooled fund's
            # return for one quarter of the current year is missing (not zero).
            ended = [(fy, q) for fy in fys for q in (1, 2, 3, 4)
                     if Period.financial_quarter(fy, q).end_date() < today]
            missing = None
            if pooled:
                current = [(fy, q) for fy, q in ended if fy == self.fy0]
                missing = current[-2] if len(current) >= 2 else (current[0] if current else (self.fy0 - 1, 4))
            for fy, q in ended:
                if (fy, q) == missing:
                    continue
                budget = budgets[fy]
                v = variances[fys.index(fy)] * (0.4 + 0.2 * q)
                spend = round(budget * q / 4 * (1 + v + rng.uniform(-0.01, 0.01)), -2)
                forecast = round(budget * (1 + v), -2)
                word = "overspend" if forecast > budget else "underspend"
                self.add("returns", id=link_id("returns", aid, str(fy), str(q)), agreement_id=aid, financial_year=fy,
                         quarter=q, budget=budget, spend_to_date=spend, forecast_outturn=forecast,
                         commentary=(f"Forecast {word} of {_money(abs(forecast - budget))} "
                                     + ("driven by demand for specialist CAMHS and agency staffing." if pooled and word == "overspend" else
                                        "from vacancies in the locality teams." if word == "underspend" else "from higher demand.")),
                         submitted_on=Period.financial_quarter(fy, q).end_date() + timedelta(days=25),
                         owner_org_id=self.org[host])

    # --- monitoring -----------------------------------------------------------------

    def measures(self) -> None:
        quarters = []
        p = Period.of("financial_quarter", self.today).previous()
        for _ in range(8):
            quarters.append(p)
            p = p.previous()
        quarters.reverse()
        camhs3 = "\u201cTier 3\u201d CAMH service (specialist community CAMHS)"
        specs = (
            ("service", camhs3, "Children and young people seen within 18 weeks of referral (%)", "how_well", "%", "higher_better", 92, 5, "percent",
             [86.0, 85.2, 84.1, 83.5, 82.0, 80.6, 79.5, 78.2]),
            ("service", camhs3, "Referrals received", "how_much", "referrals", "no_judgement", None, None, "percent",
             [612, 655, 598, 701, 688, 720, 690, 744]),
            ("service", "Health visiting service (0-5 Healthy Child Programme)", "New birth visits completed within 14 days (%)", "how_well", "%", "higher_better", 90, 5, "percent",
             [88.2, 89.5, 90.3, 88.9, 87.0, 89.1, 88.6, 87.4]),
            ("service", "Short breaks for disabled children (overnight and community)", "Children and young people receiving a short break", "how_much", "children", "higher_better", 420, 10, "percent",
             [402, 398, 415, 421, 418, 425, 430, 436]),
            ("service", "Early help family support \u2013 North Riverside", "Families whose early help plan closed with their needs met (%)", "better_off", "%", "higher_better", 75, 5, "absolute",
             [71.0, 72.5, 74.0, 73.1, 76.2, 75.8, 77.0, 78.5]),
            ("service", "Youth offending team services", "Young people in the cohort who re-offend within 12 months (%)", "better_off", "%", "lower_better", 30, 3, "absolute",
             [31.0, 32.4, 30.8, 31.9, 33.0, 32.2, 34.1, 35.8]),
            ("service", "Speech and language therapy for children", "Children waiting more than 18 weeks for a first appointment", "how_well", "children", "lower_better", 40, 25, "percent",
             [38, 41, 45, 49, 52, 58, 64, 71]),
            ("service", "School nursing service (5-19 Healthy Child Programme)", "Year 6 pupils measured for the National Child Measurement Programme (%)", "how_much", "%", "higher_better", 95, 3, "percent",
             [93.0, 94.1, 95.2, 95.8, 94.0, 94.9, 95.5, 96.2]),
            ("service", "Family hub and children's centre \u2013 North Riverside", "Families with children under five registered with the family hub (%)", "how_much", "%", "higher_better", 80, 5, "percent",
             [70.2, 72.0, 73.5, 74.1, 75.8, 76.3, 76.9, 77.1]),
            ("contract", "Independent fostering agency placements (framework)", "Placements made with framework providers (%)", "how_well", "%", "higher_better", 85, 5, "percent",
             [88.0, 86.5, 85.2, 84.0, 86.1, 83.9, 84.4, 82.0]),
            ("contract", "Young people's substance misuse service", "Young people leaving treatment in a planned way (%)", "better_off", "%", "higher_better", 80, 10, "percent",
             [74.0, 76.5, 78.0, 79.2, 81.0, 80.4, 82.1, 83.0]),
            ("priority", "WT1", "Young people reporting good or very good wellbeing in the school survey (%)", "better_off", "%", "higher_better", 70, 5, "percent",
             [64.0, 64.8, 65.5, 66.0, 66.4, 66.9, 67.0, 67.4]),
            ("priority", "WT2", "Re-referrals to children's social care within 12 months (%)", "better_off", "%", "lower_better", 20, 2, "absolute",
             [24.6, 23.9, 23.1, 22.0, 21.2, 20.5, 19.8, 19.1]),
            ("priority", "WT4", "16-17 year olds NEET or whose activity is not known (%)", "better_off", "%", "lower_better", 4.5, 10, "percent",
             [5.9, 5.7, 5.6, 5.4, 5.2, 5.0, 4.9, 4.8]),
            ("team", "jcu", "Contracts reviewed by their review date (%)", "how_well", "%", "higher_better", 100, 10, "percent",
             [92.0, 88.0, 85.0, 90.0, 84.0, 81.0, 78.0, 76.0]),
            ("team", "sbd", "EHC plans with health advice returned within six weeks (%)", "how_well", "%", "higher_better", 90, 5, "percent",
             [81.0, 84.0, 86.5, 88.0, 89.2, 91.0, 92.4, 93.0]),
        )
        for owner, ref, name, kind, unit, polarity, target, tol, tol_kind, actuals in specs:
            mid = _uid("measures", f"{owner}|{ref}|{name}")
            row = dict(service_id=None, contract_id=None, priority_id=None, team_id=None)
            if owner == "service":
                row["service_id"] = self.service[ref]
            elif owner == "contract":
                row["contract_id"] = self.contract_of[ref]["id"]
            elif owner == "priority":
                row["priority_id"] = self.priority[ref]
            else:
                row["team_id"] = self.team[ref]
            self.add("measures", id=mid, name=name, kind=kind, unit=unit, polarity=polarity, frequency="quarterly",
                     target=float(target) if target is not None else None, tolerance=float(tol) if tol is not None else None,
                     tolerance_kind=tol_kind, definition=None, **row)
            for i, (period, actual) in enumerate(zip(quarters, actuals)):
                comment = None
                if i == len(actuals) - 1:
                    comment = _commentary(actual, target, tol, tol_kind, polarity)
                self.add("measurements", id=link_id("measurements", mid, period.key()), measure_id=mid, period=period.key(),
                         period_start=period.start_date(), actual=float(actual), commentary=comment)

    def actions(self) -> None:
        t, past, nxt = self.today, self.past_meeting, self.next_meeting
        later = _add_months(nxt, 3)
        actions = (
            ("1", "Develop a clear joint commissioning framework (assess, plan, do, review).", "WT5", "hjc", t - timedelta(days=200), past,
             "Framework agreed by the Board at its last meeting, with the assess-plan-do-review cycle at its heart.", "done", "WT5"),
            ("2", "Produce a commissioning handbook for officers of all partners.", "4.2", "hjc", nxt + timedelta(days=14), nxt,
             "Draft handbook written, based on the national commissioning support programme guidance; being tested with the locality groups.", "on_track", "WT5"),
            ("3", "Refresh the joint strategic needs assessment for children and young people, by outcome, group and locality.", "3.1", "perf", t + timedelta(days=60), nxt,
             "Indicator set agreed and Fingertips extract loaded; locality profiles in progress.", "on_track", "WT5"),
            ("4", "Establish the Performance and Commissioning Sub-Group and agree its membership.", "WT4", "hjc", t - timedelta(days=120), past,
             "Established; terms of reference agreed and first meeting held.", "done", "WT5"),
            ("5", "Agree quarterly financial monitoring of the section 75 pooled fund with both partners' finance teams.", "WT3", "pfm", t - timedelta(days=30), nxt,
             "Quarterly returns in place, but the latest quarter's return is outstanding while the ICB confirms its CAMHS activity figures.", "at_risk", "WT5"),
            ("6", "Review the section 75 agreement before its review date and bring a revised agreement to the Board.", "5.3", "pfm", t - timedelta(days=21), nxt,
             "Review delayed: legal advice on the revised risk-share is awaited. The agreement is now past its review date.", "off_track", "WT5"),
            ("7", "Re-commission the online counselling service before the current contract ends.", "4.4", "icb2", t + timedelta(days=45), nxt,
             "Market engagement done; the Board will be asked to choose between a direct award and an open procedure.", "at_risk", "WT1"),
            ("8", "Reduce waits for specialist CAMHS to 18 weeks, with a recovery plan agreed with Vale Partnership.", "WT1", "icb2", t + timedelta(days=150), later,
             "Recovery plan agreed; waits are still rising (see the performance appendix).", "off_track", "WT1"),
            ("9", "Agree thresholds and a step-down protocol between early help and children's social care.", "WT2", "dcs", t - timedelta(days=10), past,
             "Protocol drafted after the staff workshop; sign-off by the safeguarding partners delayed to the next meeting.", "off_track", "WT2"),
            ("10", "Commission a short breaks offer in every locality, with a shorter wait for overnight breaks.", "WT3", "icb1", t + timedelta(days=240), later,
             "Needs analysis complete; market engagement event planned.", "not_started", "WT3"),
            ("11", "Develop a workforce development programme in commissioning for all partners.", "6.7", "hjc", t + timedelta(days=120), later,
             "Training modules proposed within the children's workforce programme; multi-agency training to be considered.", "not_started", "WT5"),
            ("12", "Close the Old Mill neighbourhood family centre and move its groups into the West Riverside family hub.", "4.6", "hjc", t + timedelta(days=110), nxt,
             "Notice given after the Board's decision; first two groups have moved.", "on_track", "WT2"),
            ("13", "Carry out young carers' needs assessments through schools.", "WT6", "vcs", t + timedelta(days=90), later,
             "Not started: awaiting agreement of the priority.", "not_started", "WT6"),
        )
        for number, text, ref, owner, due, report, progress, status, priority in actions:
            self.add("actions", id=_uid("actions", number), number=number, action=text, plan_reference=ref,
                     owner_id=self.person[owner], due_date=due, report_to_board=report, progress=progress,
                     status=status, priority_id=self.priority[priority])

    def risks(self) -> None:
        t = self.today
        risks = (
            ("Demand for specialist CAMHS continues to grow faster than capacity, and waits lengthen further.", "icb2", 4, 4, 12,
             "Recovery plan with Vale Partnership; more early help in schools through the mental health support teams; monthly waiting list review.",
             8, 30, ("service", "\u201cTier 3\u201d CAMH service (specialist community CAMHS)")),
            ("The section 75 pooled fund overspends and the partners disagree on how to share it.", "pfm", 3, 4, 9,
             "Risk-share in the agreement; quarterly monitoring; review of the agreement now due.", 6, 14, ("agreement", "s75")),
            ("Re-referrals stay high because thresholds between early help and social care are unclear.", "dcs", 3, 3, 12,
             "Step-down protocol; locality panels; audit of re-referred cases.", 4, 60, ("priority", "WT2")),
            ("The online counselling contract ends before a new service is in place, leaving a gap for 11-25 year olds.", "icb2", 3, 4, 8,
             "Timetable for re-commissioning agreed; option of a short direct award under the PSR if needed.", 4, 20, ("service", "Online counselling and wellbeing service for 11-25s")),
            ("Sufficiency of local foster carers and children's home places is too low, driving up the cost of placements.", "dcs", 4, 5, 20,
             "Sufficiency strategy; foster carer recruitment campaign; regional framework for residential care.", 12, 45, ("service", "Residential children's home placements")),
            ("The early help North locality group does not gain enough commitment from partners to become established.", "hjc", 2, 3, 6,
             "Terms of reference agreed with partners; chair from the council until a partner chair is found.", 4, 90, ("team", "ehn")),
            ("Closing the Old Mill centre leaves families without a car unable to reach family support.", "hjc", 3, 3, 9,
             "Outreach in Millbrook village hall; bus passes for the first year; tracking of former Old Mill families.", 4, 50, ("service", "Neighbourhood family centre \u2013 West Riverside (Old Mill)")),
        )
        for i, (text, owner, likelihood, impact, previous, mitigation, target, review_in, link) in enumerate(risks, start=1):
            row = dict(service_id=None, agreement_id=None, priority_id=None, team_id=None)
            kind, ref = link
            if kind == "service":
                row["service_id"] = self.service[ref]
            elif kind == "agreement":
                row["agreement_id"] = self.agreement[ref]
            elif kind == "priority":
                row["priority_id"] = self.priority[ref]
            else:
                row["team_id"] = self.team[ref]
            self.add("risks", id=_uid("risks", str(i)), description=text, owner_id=self.person[owner], likelihood=likelihood,
                     impact=impact, previous_score=previous, mitigation=mitigation, target_score=target,
                     review_date=t + timedelta(days=review_in), **row)

    def meetings(self) -> None:
        past, nxt = self.past_meeting, self.next_meeting
        fy_label = Period.financial_year(self.fy0).label()
        past_id = _uid("meetings", "past")
        next_id = _uid("meetings", "next")
        self.add("meetings", id=past_id, board=BOARD, held_on=past, place="Council Chamber, County Hall, Riverside")
        self.add("meetings", id=next_id, board=BOARD, held_on=nxt, place="Committee Room 2, Vale House (NHS Riverside and Vale ICB)")
        pooled_total = sum(r["cash"] for r in self.rows["contributions"]
                           if r["agreement_id"] == self.agreement["s75"] and r["financial_year"] == self.fy0)
        papers = (
            ("p1", past_id, "Joint commissioning strategy: update", "hjc", "official", "final",
             "1.1 To update the Board on progress towards the development and implementation of a joint commissioning strategy for the Children's Trust.\n"
             "1.2 To seek the Board's agreement to the establishment of a Performance and Commissioning Sub-Group.",
             f"2.1 The Children and Young People's Plan commits the Riverside Children's Trust to developing a joint commissioning strategy. This is presented in the Working Together section of the plan as improvement priority WT5 (Commissioning for Better Outcomes).\n"
             f"2.2 The key actions agreed for {fy_label} are located across numerous areas of activity within the plan, including communications, workforce development and use of resources. A summary of progress against these actions is presented at Appendix A.",
             "3.1 At its last meeting the Board considered a consultation document which proposed changes to the structure and reporting arrangements of the Trust, including a new sub-group to take forward performance management and strategic commissioning.\n"
             "3.2 Responses have been received from five partner organisations. All support the establishment of the Performance and Commissioning Sub-Group.\n"
             "3.3 The needs assessment shows that hospital admissions for mental health conditions and for self-harm, re-referrals to children's social care and the proportion of 16-17 year olds NEET are significantly worse than England.",
             "4.1 Option 1: establish the sub-group now (recommended). Option 2: extend the remit of the Joint Commissioning Unit instead. Option 2 was rejected because the Unit does not include schools or the voluntary sector as full members.",
             "5.1 There are increased financial and reputational risks to the partners unless a more structured commissioning strategy is in place, particularly for emotional wellbeing and for placements. The risk register is at Appendix C.",
             f"6.1 There are no direct financial implications of establishing the sub-group. The section 75 pooled fund totals {_money(pooled_total)} in {fy_label}.",
             "7.1 The Children Act 2004 (section 10) requires the council and its relevant partners to co-operate to improve the well-being of children. Pooling of budgets is under section 75 of the National Health Service Act 2006.",
             "8.1 An equality impact assessment is not required for a change to governance arrangements. Each commissioning decision that follows will be assessed.",
             "Partner organisations of the Children's Trust; the Children in Care Council; the youth council; the parent carer forum.",
             "Children and Young People's Plan; Joint planning and commissioning framework for children, young people and maternity services (DfES/DH, 2006); consultation responses on the structure of the Trust.",
             (("The Board approves the establishment of the Performance and Commissioning Sub-Group.", "agreed", "Approved. Membership to be confirmed by the Director of Children's Services."),
              ("The Board comments on the proposed arrangements for quarterly monitoring of the pooled budgets.", "amended", "Agreed, with the addition of a six-monthly report on in-kind contributions."),
              ("The Board agrees to receive a fuller report on the commissioning handbook at its next meeting.", "deferred", "Deferred to the following meeting to allow the locality groups to test the handbook.")),
             (("A", "action_plan", "Action plan progress"), ("B", "pooled_budgets", "Pooled budget monitoring"), ("C", "risks", "Risk register"))),
            ("p2", past_id, "Proposal to decommission the Old Mill neighbourhood family centre", "dcs", "not_for_publication", "final",
             "1.1 To seek the Board's decision on the proposal to decommission the Old Mill neighbourhood family centre in West Riverside and to move its work into the West Riverside family hub.",
             "2.1 The Old Mill centre has been grant funded since 2011. The West Riverside family hub opened 1.2 miles away in 2023 and now offers most of the same groups.",
             "3.1 Attendance at the Old Mill has fallen by 40% in two years. The building needs £180,000 of repairs.\n3.2 Consultation drew 96 responses; most concern was about travel for families without a car.",
             "4.1 Option 1: close the centre and move its groups to the hub, with outreach in Millbrook (recommended). Option 2: keep the centre open and repair it. Option 3: close without outreach.",
             "5.1 The main risk is that families without a car stop using family support. Outreach sessions and a bus pass scheme mitigate this.",
             "6.1 The saving is about 40% of the current grant; the repair liability is avoided.",
             "7.1 Notice under the grant agreement is three months. The council must have regard to its sufficiency duty for children's centres (Childcare Act 2006 s5A).",
             "8.1 A full equality impact assessment is attached. The effect on families without a car and on Polish-speaking families is mitigated by outreach and by keeping the English classes at the hub.",
             "Families using the centre; Brightside Family Support; West Riverside councillors; the parent carer forum.",
             "Equality impact assessment; consultation report; building condition survey.",
             (("The Board agrees to decommission the Old Mill neighbourhood family centre.", "agreed", None),
              ("The Board agrees that outreach in Millbrook continues for at least twelve months after closure.", "agreed", "The Board asked for a report on take-up after six months.")),
             (("A", "service_map", "Family support services in West Riverside"), ("B", "needs_profile", "West Riverside needs profile"))),
            ("p3", next_id, "Joint commissioning strategy: progress and forward plan", "hjc", "official", "draft",
             "1.1 To update the Board on progress against the joint commissioning action plan and on the performance of commissioned services.\n1.2 To agree the forward plan of commissioning decisions for the coming year.",
             "2.1 At its last meeting the Board established the Performance and Commissioning Sub-Group and agreed quarterly monitoring of the pooled budgets.",
             "3.1 Thirteen actions are in the plan: two are done, three are off track. The section 75 agreement is past its review date and a revised agreement will come to the Board.\n"
             "3.2 Specialist CAMHS has been rated red for two quarters running; a recovery plan has been agreed with the provider.\n"
             "3.3 One contract ends within the next three months (online counselling) and needs a decision.",
             "4.1 For the online counselling service: Option 1, a direct award to the current provider for up to two years while the wider mental health pathway is re-designed; Option 2, an open procedure under the Procurement Act 2023.",
             "5.1 The risk register at Appendix C shows two risks scoring 16 or more.",
             "6.1 The section 75 pooled fund forecasts an overspend this year; under the agreement it is shared in proportion to contributions.",
             "7.1 Any direct award for a healthcare service must follow the Provider Selection Regime; other services fall under the Procurement Act 2023.",
             "8.1 No decision in this paper changes a service for a protected group; equality impact assessments will accompany each commissioning decision.",
             "Members of the Joint Commissioning Unit and its sub-groups.",
             "Report to the Board, previous meeting: Joint commissioning strategy: update.",
             (("The Board notes progress against the action plan at Appendix A.", None, None),
              ("The Board agrees the forward plan of commissioning decisions.", None, None),
              ("The Board asks the pooled fund manager to bring the revised section 75 agreement to its next meeting.", None, None)),
             (("A", "action_plan", "Action plan progress"), ("B", "performance", "Service performance"), ("C", "risks", "Risk register"),
              ("D", "pooled_budgets", "Pooled budget monitoring"))),
            ("p4", next_id, "Children and young people's needs assessment: headline findings", "perf", "official", "draft",
             "1.1 To present the headline findings of the refreshed needs assessment, by outcome, group of children and locality, with comparisons with England and our statistical neighbours.",
             "2.1 The needs assessment brings together national indicators, local data and what children, young people, parents and staff have told us.",
             "3.1 Appendix A shows each indicator against England and our statistical neighbours. Where a confidence interval is available the comparison is by confidence interval.",
             None, None, None, None, None,
             "Performance and Commissioning Sub-Group.",
             "OHID Fingertips Child and Maternal Health profile; DfE statistical releases.",
             (("The Board notes the findings and agrees that they inform the refresh of the Children and Young People's Plan.", None, None),),
             (("A", "needs_profile", "Needs profile"), ("B", "service_map", "Service and outcome map"))),
        )
        for key, meeting, title, author, marking, status, purpose, background, considerations, options, risk, fin, legal, equality, consultees, bg, recs, apps in papers:
            pid = _uid("papers", key)
            self.add("papers", id=pid, meeting_id=meeting, title=title, author_id=self.person[author], marking=marking, status=status,
                     purpose=purpose, background=background, considerations=considerations, options=options,
                     risk_management=risk, financial=fin, legal=legal, equality=equality, consultees=consultees,
                     background_papers=bg, key_decision=options is not None, wards_affected="All wards",
                     reasons=("To let the Board decide between the options set out in section 4." if options else None))
            for number, (text, decision, note) in enumerate(recs, start=1):
                self.add("recommendations", id=link_id("recommendations", pid, str(number)), paper_id=pid, number=number,
                         text=text, decision=decision, decision_note=note)
            for letter, kind, app_title in apps:
                options_json = json.dumps({"area": "West Riverside"}) if "West Riverside" in app_title else None
                self.add("appendices", id=link_id("appendices", pid, letter), paper_id=pid, letter=letter, kind=kind,
                         title=app_title, options=options_json)

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
    total = sum(len(rows) for rows in builder.rows.values()) + (large.row_count() if large else 0)
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
    return counts


def _write_document(conn: Connection, author: Author, clock: Clock, owner: str) -> None:
    values = dict(title=TITLE, trust_name=TRUST_NAME, owner_org_id=owner, rating_scale="rag", hlc=clock.tick())
    table = DocumentInfo.__table__
    if conn.execute(select(func.count()).select_from(table)).scalar():
        conn.execute(update(table).values(**values))
    else:
        conn.execute(table.insert().values(id=_uid("document", TRUST_NAME), created_at=_utc_now(), created_by=author.id, **values))
