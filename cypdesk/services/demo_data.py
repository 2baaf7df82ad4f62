"""The demo trust's fixed content: its organisations, people, outcomes, groups of
children, areas, indicators, services and their contracts, and the small helpers that
turn them into figures and dates. :mod:`cypdesk.services.demo` writes them."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from cypdesk.common.errors import CypdeskError


SIZES = ("small", "large")
SEED = 2026
CHUNK = 50_000

# Every demo id is uuid5(_NAMESPACE, "<table>|<name>"): the same name, the same id.
_NAMESPACE = uuid.UUID("3b0f5d1e-7c1a-4e8b-9d64-52c0a1f7e2d9")

TRUST_NAME = "Riverside Children's Trust"
TITLE = "Riverside Children's Trust (demo)"
BOARD = "Riverside Children's Trust Board"


class DemoCancelled(Exception):
    """The user cancelled the demo; the caller rolls its transaction back."""


class DemoNotEmpty(CypdeskError):
    """The demo is written only into an empty document."""

    code = "not_empty"


class Progress(Protocol):
    def report(self, done: int, total: int, text: str) -> None: ...

    def cancelled(self) -> bool: ...


def _uid(table: str, name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{table}|{name}"))


# =====================================================================================
# Reference data
# =====================================================================================

# key, name, kind, gss, ods, charity, company, partner, provider, sme, vcse, website
ORGANISATIONS: tuple[tuple[Any, ...], ...] = (
    ("rcc", "Riverside County Council", "local_authority", "E10000099", None, None, None, True, True, False, False, "https://www.riverside-cc.example.org"),
    ("icb", "NHS Riverside and Vale Integrated Care Board", "icb", None, "QX9", None, None, True, False, False, False, "https://www.riversideandvale.icb.example.org"),
    ("rch", "Riverside Community Health NHS Trust", "nhs_trust", None, "RZ9", None, None, True, True, False, False, "https://www.riversidecommunityhealth.example.org"),
    ("vpt", "Vale Partnership NHS Foundation Trust", "nhs_trust", None, "RZ8", None, None, False, True, False, False, "https://www.valepartnership.example.org"),
    ("pol", "Riverside Constabulary", "police", "E23000099", None, None, None, True, False, False, False, "https://www.riverside.police.example.org"),
    ("rlp", "Riverside Learning Partnership (multi-academy trust)", "school", None, None, None, "08012345", True, True, False, False, "https://www.rlp.example.org"),
    ("ndc", "Northbank District Council", "district_council", "E07000299", None, None, None, True, True, False, False, "https://www.northbank-dc.example.org"),
    ("bfs", "Brightside Family Support", "voluntary", None, None, "1098765", "04567890", True, True, True, True, "https://www.brightside.example.org"),
    ("ryc", "Riverside Young Carers", "voluntary", None, None, "1123456", None, False, True, True, True, "https://www.riversideyoungcarers.example.org"),
    ("odc", "Open Door Youth Counselling", "voluntary", None, None, "1056789", "03123456", False, True, True, True, "https://www.opendoor.example.org"),
    ("sfh", "Safe Haven Domestic Abuse Service", "voluntary", None, None, "298765", "01987654", False, True, True, True, "https://www.safehaven.example.org"),
    ("yar", "Youth Action Riverside", "voluntary", None, None, "1187654", "11234567", False, True, True, True, "https://www.youthaction.example.org"),
    ("pcic", "Pathways Community Interest Company", "social_enterprise", None, None, None, "09876543", False, True, True, True, "https://www.pathways-cic.example.org"),
    ("asb", "Acorn Short Breaks Ltd", "private", None, None, None, "02165763", False, True, True, False, "https://www.acornshortbreaks.example.org"),
    ("hfs", "Harbour Fostering Ltd", "private", None, None, None, "05432109", False, True, True, False, "https://www.harbourfostering.example.org"),
    ("lsn", "Little Steps Nurseries Ltd", "private", None, None, None, "00456123", False, True, True, False, "https://www.littlesteps.example.org"),
    ("nca", "Northstar Care Group plc", "private", None, None, None, "03987654", False, True, False, False, "https://www.northstarcare.example.org"),
    ("tdl", "Talkwell Digital Ltd", "private", None, None, None, "SC612345", False, True, True, False, "https://www.talkwell.example.org"),
)

ORG_NOTES = {
    "rcc": "Lead partner and host of the section 75 pooled fund. Directorate of Children's Services.",
    "icb": "The NHS commissioner for Riverside and the Vale (formerly Riverside Clinical Commissioning Group).",
    "bfs": "Represents the voluntary and community sector on the Children's Trust Board.",
    "rlp": "Represents schools and academies on the Children's Trust Board.",
    "tdl": "Registered in Scotland.",
}

# key, name, role, organisation, email, phone (01632 960xxx: Ofcom's numbers for drama)
PEOPLE: tuple[tuple[str, ...], ...] = (
    ("dcs", "Siân Llŷr", "Director of Children's Services", "rcc", "sian.llyr@riverside-cc.example.org", "01632 960001"),
    ("hjc", "Zoë O'Brien", "Head of Joint Commissioning", "rcc", "zoe.obrien@riverside-cc.example.org", "01632 960002"),
    ("pfm", "Łukasz Wąsik", "Pooled fund manager (Finance Business Partner, Children's Services)", "rcc", "lukasz.wasik@riverside-cc.example.org", "01632 960003"),
    ("perf", "Priya Raghunathan", "Performance and Intelligence Officer", "rcc", "priya.raghunathan@riverside-cc.example.org", "01632 960004"),
    ("yjm", "Mărioara Ionescu", "Head of Youth Justice Service", "rcc", "marioara.ionescu@riverside-cc.example.org", "01632 960005"),
    ("icb1", "Chloé Dubois-Hart", "Senior Commissioning Manager, Children and Maternity", "icb", "chloe.dubois-hart@riversideandvale.icb.example.org", "01632 960011"),
    ("icb2", "Rhodri ap Dafydd", "Commissioner, Children and Young People's Mental Health", "icb", "rhodri.apdafydd@riversideandvale.icb.example.org", "01632 960012"),
    ("fin", "Émile Durand", "Deputy Chief Finance Officer", "icb", "emile.durand@riversideandvale.icb.example.org", "01632 960013"),
    ("nhs1", "Dr Ayşe Yılmaz", "Clinical Director, Children's Community Services", "rch", "ayse.yilmaz@riversidecommunityhealth.example.org", "01632 960021"),
    ("pol1", "Søren Ødegård", "Detective Superintendent, Public Protection", "pol", "soren.odegard@riverside.police.example.org", "01632 960031"),
    ("edu", "Aoife Ní Bhriain", "Chief Executive Officer", "rlp", "aoife.nibhriain@rlp.example.org", "01632 960041"),
    ("vcs", "José Martínez Ruiz", "Chief Executive", "bfs", "jose.martinez@brightside.example.org", "01632 960051"),
    ("hsg", "Bethan Prŷs", "Head of Housing and Homelessness", "ndc", "bethan.prys@northbank-dc.example.org", "01632 960061"),
)

# The five Every Child Matters outcomes and their aims (Every Child Matters: Change for
# Children, 2004, outcomes framework).
OUTCOMES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("BH", "Be healthy", "Children and young people are physically, mentally, emotionally and sexually healthy, live healthy lifestyles and choose not to take illegal drugs.", (
        "Physically healthy",
        "Mentally and emotionally healthy",
        "Sexually healthy",
        "Healthy lifestyles",
        "Choose not to take illegal drugs",
        "Parents, carers and families promote healthy choices",
    )),
    ("SS", "Stay safe", "Children and young people are safe from harm and neglect and have security, stability and are cared for.", (
        "Safe from maltreatment, neglect, violence and sexual exploitation",
        "Safe from accidental injury and death",
        "Safe from bullying and discrimination",
        "Safe from crime and anti-social behaviour in and out of school",
        "Have security, stability and are cared for",
        "Parents, carers and families provide safe homes and stability",
    )),
    ("EA", "Enjoy and achieve", "Children and young people are ready for school, attend and enjoy school, achieve national standards and enjoy recreation.", (
        "Ready for school",
        "Attend and enjoy school",
        "Achieve stretching national educational standards at primary school",
        "Achieve personal and social development and enjoy recreation",
        "Achieve stretching national educational standards at secondary school",
        "Parents, carers and families support learning",
    )),
    ("PC", "Make a positive contribution", "Children and young people engage in decision-making, behave positively, develop relationships and self-confidence and are enterprising.", (
        "Engage in decision-making and support the community and environment",
        "Engage in law-abiding and positive behaviour in and out of school",
        "Develop positive relationships and choose not to bully and discriminate",
        "Develop self-confidence and successfully deal with significant life changes and challenges",
        "Develop enterprising behaviour",
        "Parents, carers and families promote positive behaviour",
    )),
    ("EW", "Achieve economic well-being", "Young people engage in further education, employment or training, are ready for work, and live in decent homes free from low income.", (
        "Engage in further education, employment or training on leaving school",
        "Ready for employment",
        "Live in decent homes and sustainable communities",
        "Access to transport and material goods",
        "Live in households free from low income",
        "Parents, carers and families are supported to be economically active",
    )),
)

# Sub-outcomes no service contributes to: the gaps the service map shows.
GAP_OUTCOMES = ("PC5", "EW4")

GROUPS: tuple[tuple[str, str, str], ...] = (
    ("LAC", "Looked-after children", "Children in the care of the local authority (Children Act 1989 s20 and s31)."),
    ("CIN", "Children in need", "Children assessed as in need under section 17 of the Children Act 1989."),
    ("CP", "Children subject to a child protection plan", "Children judged to be at risk of significant harm."),
    ("DIS", "Disabled children and children with learning difficulties and disabilities", "Including children with complex health needs."),
    ("SEN", "Children with special educational needs", "SEN support and education, health and care plans."),
    ("YC", "Young carers", "Children and young people who care for a family member."),
    ("TP", "Teenage parents", "Young mothers and fathers under 20 and their children."),
    ("YO", "Young offenders", "Young people known to the youth justice service."),
    ("SM", "Young people who misuse substances", "Young people misusing drugs, alcohol or volatile substances."),
    ("NEET", "Young people not in education, employment or training", "16 to 18 year olds who are NEET or whose activity is not known."),
    ("RAS", "Refugee and asylum-seeking children", "Including unaccompanied asylum-seeking children."),
    ("CL", "Care leavers", "Young people aged 16 to 25 who have left care."),
)

REGION = ("South West", "E12000009")
HOME = ("Riverside", "E10000099", "961", 118_400)  # name, GSS, DfE LA code, population aged 0-17
LOCALITIES = ("North Riverside", "South Riverside", "East Riverside", "West Riverside", "Riverside Town")
LOC_KEYS = {"N": 0, "S": 1, "E": 2, "W": 3, "T": 4}
# Statistical neighbours: name, GSS, DfE code, population aged 0-17 (closest first)
NEIGHBOURS: tuple[tuple[str, str, str, int], ...] = (
    ("Marlshire", "E10000091", "962", 126_900),
    ("Northdale", "E10000092", "963", 104_300),
    ("Wrekinmoor", "E10000093", "964", 141_700),
    ("Eastmere", "E10000094", "965", 97_800),
    ("Hollowdown", "E10000095", "966", 151_200),
    ("Severnvale", "E10000096", "967", 112_600),
)
ENGLAND_POP = 12_030_000


# =====================================================================================
# Indicators
# =====================================================================================

@dataclass(frozen=True)
class _Ind:
    code: str
    name: str
    unit: str
    polarity: str
    decimals: int
    period: str  # FY, AY or CY
    england: float  # England's latest value
    change: float  # England's change a year
    denom: float | None  # denominator as a share of the population aged 0-17
    design: str | None  # the trust against England in the latest year: b(etter), s(imilar), w(orse)
    outcomes: str
    group: str | None
    source: str
    definition: str


_FT = "OHID Fingertips: Child and Maternal Health"
_CLA = "DfE: Children looked after in England including adoption"
_CIN = "DfE: Characteristics of children in need"
_ABS = "DfE: Pupil absence in schools in England"
_EYFSP = "DfE: Early years foundation stage profile results"
_KS = "DfE: Key stage 2 and key stage 4 attainment"
_NEET = "DfE: Participation in education, training and NEET age 16 to 17"
_SEN = "DfE: Special educational needs in England"
_EXC = "DfE: Suspensions and permanent exclusions in England"
_YJB = "Youth Justice Board: Youth justice statistics"
_COVER = "UKHSA: Childhood vaccination coverage statistics (COVER)"
_DWP = "DWP: Children in low income families"
_HOM = "MHCLG: Statutory homelessness (H-CLIC)"

INDICATORS: tuple[_Ind, ...] = (
    _Ind("CLA_RATE", "Children in care (rate per 10,000 aged under 18)", "rate_10k", "no_judgement", 0, "FY", 70.0, 1.0, 1.0, None, "SS5", "LAC", _CLA,
         "Children looked after at 31 March per 10,000 children aged under 18."),
    _Ind("CLA_NUM", "Children in care at 31 March (number)", "count", "no_judgement", 0, "FY", 83_630, 900, None, None, "SS5", "LAC", _CLA,
         "Number of children looked after by the local authority at 31 March."),
    _Ind("CPP_RATE", "Child protection plans (rate per 10,000 aged under 18)", "rate_10k", "no_judgement", 1, "FY", 41.6, -0.4, 1.0, None, "SS1", "CP", _CIN,
         "Children who were the subject of a child protection plan at 31 March per 10,000 children aged under 18."),
    _Ind("CIN_RATE", "Children in need (rate per 10,000 aged under 18)", "rate_10k", "no_judgement", 1, "FY", 332.9, 1.5, 1.0, None, "SS1", "CIN", _CIN,
         "Children in need at 31 March per 10,000 children aged under 18."),
    _Ind("REREF", "Re-referrals to children's social care within 12 months (%)", "percent", "lower_better", 1, "FY", 22.4, 0.2, 0.05, "w", "SS1", "CIN", _CIN,
         "Referrals in the year that were within 12 months of a previous referral, as a percentage of all referrals."),
    _Ind("CPP_2ND", "Children becoming the subject of a child protection plan for a second or subsequent time (%)", "percent", "lower_better", 1, "FY", 23.6, 0.3, 0.0055, "s", "SS1", "CP", _CIN,
         "Child protection plans starting in the year that were a second or later plan, as a percentage of all plans starting."),
    _Ind("ASSESS45", "Children's social care assessments completed within 45 working days (%)", "percent", "higher_better", 1, "FY", 82.4, 0.4, 0.05, "b", "SS1", "CIN", _CIN,
         "Assessments completed in the year within 45 working days of the referral, as a percentage of all assessments completed."),
    _Ind("CLA_3PLAC", "Children in care with three or more placements during the year (%)", "percent", "lower_better", 1, "FY", 10.0, 0.0, 0.007, "s", "SS5", "LAC", _CLA,
         "Children looked after at 31 March who had three or more placements during the year."),
    _Ind("CLA_STAB", "Children in care under 16 in the same placement for at least two years (%)", "percent", "higher_better", 1, "FY", 68.0, -0.3, 0.0025, "s", "SS5", "LAC", _CLA,
         "Children aged under 16 looked after for 2.5 years or more who had lived in the same placement for at least two years."),
    _Ind("CL_EET", "Care leavers aged 19-21 in education, employment or training (%)", "percent", "higher_better", 1, "FY", 56.0, 0.5, 0.003, "s", "EW1", "CL", _CLA,
         "Care leavers aged 19 to 21 known to be in education, employment or training on or around their birthday."),
    _Ind("CL_ACCOM", "Care leavers aged 19-21 in suitable accommodation (%)", "percent", "higher_better", 1, "FY", 88.0, 0.3, 0.003, "s", "EW3", "CL", _CLA,
         "Care leavers aged 19 to 21 whose accommodation was judged suitable."),
    _Ind("CLA_SDQ", "Average Strengths and Difficulties Questionnaire score of children in care", "score", "lower_better", 1, "FY", 14.1, 0.05, None, None, "BH2", "LAC", _CLA,
         "Average SDQ score of children aged 5 to 16 looked after for at least 12 months. A score of 17 or more is a cause for concern."),
    _Ind("CLA_HEALTH", "Children in care with up-to-date health assessments (%)", "percent", "higher_better", 1, "FY", 91.0, 0.2, 0.0055, "w", "BH1", "LAC", _CLA,
         "Children looked after for at least 12 months whose annual health assessment was up to date."),
    _Ind("CLA_TEETH", "Children in care whose teeth have been checked by a dentist (%)", "percent", "higher_better", 1, "FY", 76.0, 1.5, 0.0055, "w", "BH1", "LAC", _CLA,
         "Children looked after for at least 12 months who had their teeth checked by a dentist in the year."),
    _Ind("OBES_Y6", "Obesity prevalence in Year 6 (%)", "percent", "lower_better", 1, "AY", 22.1, 0.15, 0.055, "s", "BH4", None, _FT,
         "Children in Year 6 (aged 10-11) classified as living with obesity, National Child Measurement Programme."),
    _Ind("OBES_R", "Obesity prevalence in Reception (%)", "percent", "lower_better", 1, "AY", 9.6, 0.05, 0.053, "b", "BH4", None, _FT,
         "Children in Reception (aged 4-5) classified as living with obesity, National Child Measurement Programme."),
    _Ind("INJ014", "Hospital admissions caused by injuries in children aged 0-14 (rate per 10,000)", "rate_10k", "lower_better", 1, "FY", 75.7, -1.8, 0.83, "w", "SS2", None, _FT,
         "Emergency hospital admissions caused by unintentional and deliberate injuries in children aged 0 to 14, per 10,000 resident population."),
    _Ind("INJ1524", "Hospital admissions caused by injuries in young people aged 15-24 (rate per 10,000)", "rate_10k", "lower_better", 1, "FY", 109.4, -2.0, 0.57, "s", "SS2", None, _FT,
         "Emergency hospital admissions caused by unintentional and deliberate injuries in young people aged 15 to 24, per 10,000 resident population."),
    _Ind("U18CONC", "Under-18 conception rate per 1,000", "rate_1k", "lower_better", 1, "CY", 13.1, -0.7, 0.079, "b", "BH3", "TP", "ONS: Conceptions in England and Wales",
         "Conceptions in women aged under 18 per 1,000 females aged 15 to 17."),
    _Ind("TEENMUM", "Teenage mothers (% of deliveries to mothers aged under 18)", "percent", "lower_better", 2, "FY", 0.5, -0.03, 0.047, "s", "BH3", "TP", _FT,
         "Deliveries to mothers aged under 18 as a percentage of all deliveries with a known age."),
    _Ind("FTE", "First-time entrants to the youth justice system (rate per 100,000 aged 10-17)", "rate_100k", "lower_better", 1, "CY", 149.0, -6.0, 0.46, "w", "PC2", "YO", _YJB,
         "Young people aged 10 to 17 receiving their first reprimand, warning, caution or conviction, per 100,000 aged 10 to 17."),
    _Ind("REOFF", "Proven re-offending by young people (%)", "percent", "lower_better", 1, "FY", 31.2, -0.2, 0.0012, "s", "PC2", "YO", _YJB,
         "Young offenders in the cohort who committed a proven re-offence within 12 months."),
    _Ind("NEET", "16-17 year olds not in education, employment or training (NEET) or whose activity is not known (%)", "percent", "lower_better", 1, "CY", 5.4, 0.1, 0.11, "w", "EW1", "NEET", _NEET,
         "16 and 17 year olds known to the local authority who were NEET or whose activity was not known, average of December to February."),
    _Ind("PARTIC", "16-17 year olds in education or training (%)", "percent", "higher_better", 1, "CY", 91.5, 0.2, 0.11, "b", "EW1", None, _NEET,
         "16 and 17 year olds known to the local authority who were in education or training that meets the duty to participate."),
    _Ind("L3AT19", "Level 3 qualifications by age 19 (%)", "percent", "higher_better", 1, "AY", 60.4, 0.3, 0.055, "s", "EW2", None, _KS,
         "Young people qualified to level 3 (two A levels or equivalent) by the age of 19."),
    _Ind("GLD", "Good level of development at the end of reception (%)", "percent", "higher_better", 1, "AY", 67.7, 0.5, 0.053, "b", "EA1", None, _EYFSP,
         "Children achieving a good level of development at the end of the early years foundation stage."),
    _Ind("GLD_FSM", "Good level of development at the end of reception: children eligible for free school meals (%)", "percent", "higher_better", 1, "AY", 51.5, 0.6, 0.013, "w", "EA1", None, _EYFSP,
         "Children eligible for free school meals achieving a good level of development at the end of reception."),
    _Ind("ASQ", "Child development: children achieving the expected level in all five areas at 2 to 2½ years (%)", "percent", "higher_better", 1, "FY", 79.2, 0.3, 0.045, "s", "EA1", None, _FT,
         "Children who received a 2 to 2½ year review and were at or above the expected level in all five ASQ-3 domains."),
    _Ind("KS2RWM", "Key stage 2 pupils meeting the expected standard in reading, writing and maths (%)", "percent", "higher_better", 0, "AY", 61.0, 1.0, 0.053, "s", "EA3", None, _KS,
         "Pupils at the end of key stage 2 meeting the expected standard in reading, writing and mathematics."),
    _Ind("ATT8", "Average Attainment 8 score", "score", "higher_better", 1, "AY", 45.9, -0.3, None, None, "EA5", None, _KS,
         "Average Attainment 8 score of pupils at the end of key stage 4."),
    _Ind("ATT8_CLA", "Average Attainment 8 score of children in care", "score", "higher_better", 1, "AY", 19.2, 0.1, None, None, "EA5", "LAC", _CLA,
         "Average Attainment 8 score of children looked after for at least 12 months at the end of key stage 4."),
    _Ind("PA_SEC", "Persistent absence, secondary (%)", "percent", "lower_better", 1, "AY", 25.6, -0.8, 0.30, "w", "EA2", None, _ABS,
         "Pupils in secondary schools missing 10% or more of their possible sessions."),
    _Ind("PA_PRI", "Persistent absence, primary (%)", "percent", "lower_better", 1, "AY", 14.6, -0.9, 0.38, "s", "EA2", None, _ABS,
         "Pupils in primary schools missing 10% or more of their possible sessions."),
    _Ind("SUSP", "Suspensions (% of pupils, all schools)", "percent", "lower_better", 2, "AY", 11.3, 0.8, 0.68, "b", "PC2", None, _EXC,
         "Suspensions in the year as a percentage of pupils on roll in state-funded schools."),
    _Ind("PERMEX", "Permanent exclusions (% of pupils, all schools)", "percent", "lower_better", 2, "AY", 0.13, 0.01, 0.68, "s", "PC2", None, _EXC,
         "Permanent exclusions in the year as a percentage of pupils on roll in state-funded schools."),
    _Ind("SEN_SUPP", "Pupils with SEN support (%)", "percent", "no_judgement", 1, "AY", 13.6, 0.3, 0.75, None, "EA3", "SEN", _SEN,
         "Pupils receiving SEN support, as a percentage of all pupils in January."),
    _Ind("EHCP_PCT", "Pupils with an education, health and care plan (%)", "percent", "no_judgement", 1, "AY", 4.8, 0.3, 0.75, None, "EA3", "SEN", _SEN,
         "Pupils with an EHC plan, as a percentage of all pupils in January."),
    _Ind("EHCP20", "New education, health and care plans issued within 20 weeks (%)", "percent", "higher_better", 1, "CY", 46.4, -2.0, 0.0066, "w", "EA3", "SEN", _SEN,
         "New EHC plans issued within 20 weeks, excluding exceptions, in the calendar year."),
    _Ind("FSM", "Pupils eligible for free school meals (%)", "percent", "no_judgement", 1, "AY", 24.6, 0.6, 0.75, None, "EW5", None, _SEN,
         "Pupils known to be eligible for and claiming free school meals, January census."),
    _Ind("LOWINC", "Children in relative low income families (under 16s) (%)", "percent", "lower_better", 1, "FY", 22.1, 0.4, 0.88, "b", "EW5", None, _DWP,
         "Children aged under 16 living in families with income below 60% of the median before housing costs."),
    _Ind("MMR2_5", "MMR vaccination coverage, 2 doses at age 5 (%)", "percent", "higher_better", 1, "FY", 83.9, -0.5, 0.055, "w", "BH1", None, _COVER,
         "Children who received two doses of MMR vaccine by their fifth birthday."),
    _Ind("MMR1_2", "MMR vaccination coverage, 1 dose at age 2 (%)", "percent", "higher_better", 1, "FY", 88.9, -0.4, 0.053, "s", "BH1", None, _COVER,
         "Children who received one dose of MMR vaccine by their second birthday."),
    _Ind("DTAP1", "Dtap/IPV/Hib/HepB vaccination coverage at 1 year (%)", "percent", "higher_better", 1, "FY", 91.3, -0.3, 0.052, "b", "BH1", None, _COVER,
         "Children who completed the primary course of the 6-in-1 vaccine by their first birthday."),
    _Ind("BF68", "Breastfeeding at 6-8 weeks (%)", "percent", "higher_better", 1, "FY", 49.2, 0.4, 0.047, "b", "BH4", None, _FT,
         "Infants totally or partially breastfed at their 6 to 8 week review."),
    _Ind("SATOD", "Smoking status at time of delivery (%)", "percent", "lower_better", 1, "FY", 7.4, -0.6, 0.047, "w", "BH4", None, _FT,
         "Mothers known to be smokers at the time of delivery, as a percentage of maternities with known smoking status."),
    _Ind("LBW", "Low birth weight of term babies (%)", "percent", "lower_better", 2, "CY", 2.9, 0.02, 0.042, "s", "BH1", None, _FT,
         "Live births at term (37 weeks or more) weighing under 2,500 grams."),
    _Ind("HV_NBV", "New birth visits completed within 14 days (%)", "percent", "higher_better", 1, "FY", 79.8, 0.5, 0.047, "b", "BH1", None, _FT,
         "Births that received a face-to-face new birth visit by a health visitor within 14 days."),
    _Ind("INFMORT", "Infant mortality rate per 1,000 live births", "rate_1k", "lower_better", 1, "CY", 4.1, 0.03, 0.047, "s", "SS2", None, _FT,
         "Deaths of infants aged under 1 year per 1,000 live births."),
    _Ind("CHMORT", "Child mortality rate, 1-17 years (rate per 100,000)", "rate_100k", "lower_better", 1, "CY", 11.4, 0.0, 0.94, "s", "SS2", None, _FT,
         "Deaths of children aged 1 to 17 per 100,000 children aged 1 to 17."),
    _Ind("AE04", "A&E attendances aged 0-4 (rate per 1,000)", "rate_1k", "no_judgement", 1, "FY", 655.0, 8.0, 0.27, None, "BH1", None, _FT,
         "A&E attendances by children aged 0 to 4 per 1,000 children aged 0 to 4."),
    _Ind("MHADM", "Hospital admissions for mental health conditions aged under 18 (rate per 100,000)", "rate_100k", "lower_better", 1, "FY", 99.8, 2.0, 1.0, "w", "BH2", None, _FT,
         "Hospital admissions for mental health conditions, children and young people aged under 18, per 100,000."),
    _Ind("SELFHARM", "Hospital admissions as a result of self-harm aged 10-24 (rate per 100,000)", "rate_100k", "lower_better", 1, "FY", 319.0, -5.0, 0.88, "w", "BH2", None, _FT,
         "Emergency hospital admissions for intentional self-harm, young people aged 10 to 24, per 100,000."),
    _Ind("ASTHMA", "Hospital admissions for asthma aged under 19 (rate per 100,000)", "rate_100k", "lower_better", 1, "FY", 112.0, -3.0, 1.05, "b", "BH1", None, _FT,
         "Emergency hospital admissions for asthma in children and young people aged under 19, per 100,000."),
    _Ind("ALCU18", "Hospital admissions due to alcohol-specific conditions aged under 18 (rate per 100,000)", "rate_100k", "lower_better", 1, "FY", 22.6, -1.0, 1.0, "s", "BH5", "SM", _FT,
         "Admissions of under 18s for alcohol-specific conditions per 100,000, pooled over three years."),
    _Ind("SUBMIS", "Hospital admissions due to substance misuse aged 15-24 (rate per 100,000)", "rate_100k", "lower_better", 1, "FY", 58.9, 0.5, 0.57, "s", "BH5", "SM", _FT,
         "Hospital admissions due to substance misuse, young people aged 15 to 24, per 100,000, pooled over three years."),
    _Ind("DECAY5", "Five-year-olds with experience of visibly obvious dental decay (%)", "percent", "lower_better", 1, "AY", 23.7, -0.2, 0.012, "s", "BH1", None, _FT,
         "Five-year-olds in the oral health survey sample with one or more decayed, missing or filled teeth."),
    _Ind("KSI", "Children killed or seriously injured in road traffic collisions (rate per 100,000 aged 0-15)", "rate_100k", "lower_better", 1, "CY", 16.9, -0.4, 0.88, "s", "SS2", None, _FT,
         "Children aged 0 to 15 killed or seriously injured on the roads, per 100,000, pooled over three years."),
    _Ind("CHLAM", "Chlamydia detection rate per 100,000 aged 15-24", "rate_100k", "higher_better", 0, "CY", 1334.0, -20.0, 0.29, "w", "BH3", None, _FT,
         "Chlamydia diagnoses in young women aged 15 to 24 per 100,000. A higher rate means more infections found and treated."),
    _Ind("HOMELESS", "Households with dependent children owed a homelessness duty (rate per 1,000)", "rate_1k", "lower_better", 1, "FY", 14.9, 0.6, 0.55, "b", "EW3", None, _HOM,
         "Households with dependent children owed a prevention or relief duty per 1,000 households with dependent children."),
)

_MULT = {"percent": 100.0, "rate_10k": 10_000.0, "rate_1k": 1_000.0, "rate_100k": 100_000.0}
_Z = 1.959964


def _wilson(num: float, den: float, z: float = _Z) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion (another with ``z``), as percentages."""
    p = num / den
    z2 = z * z
    d = 1 + z2 / den
    centre = (p + z2 / (2 * den)) / d
    half = z * math.sqrt(p * (1 - p) / den + z2 / (4 * den * den)) / d
    return max(0.0, centre - half) * 100, min(1.0, centre + half) * 100


def _byar(num: float, den: float, mult: float, z: float = _Z) -> tuple[float, float]:
    """Byar's approximation of the exact Poisson 95% interval of a rate (as Fingertips;
    another with ``z``)."""
    if num <= 0:
        lower = 0.0
    else:
        lower = num * (1 - 1 / (9 * num) - z / (3 * math.sqrt(num))) ** 3
    o = num + 1
    upper = o * (1 - 1 / (9 * o) + z / (3 * math.sqrt(o))) ** 3
    return lower / den * mult, upper / den * mult


def _half_width(ind: _Ind, value: float, den: float) -> float:
    """Roughly half the 95% interval around ``value`` for a denominator of ``den``."""
    mult = _MULT[ind.unit]
    if ind.unit == "percent":
        p = min(max(value / 100, 0.001), 0.999)
        return _Z * math.sqrt(p * (1 - p) / den) * 100
    events = max(value * den / mult, 1.0)
    return _Z * math.sqrt(events) / den * mult


def _clamp(ind: _Ind, value: float) -> float:
    if ind.unit == "percent":
        return min(max(value, 0.05), 99.5)
    return max(value, 0.01)


# =====================================================================================
# Services
# =====================================================================================

FUNDING = {
    "base": "Council base budget (children's services)",
    "dsg_hn": "Dedicated Schools Grant (high needs block)",
    "dsg_ey": "Dedicated Schools Grant (early years block)",
    "phg": "Public Health Grant",
    "icb_mh": "ICB baseline: children and young people's mental health",
    "icb_cs": "ICB baseline: community health services",
    "icb_chc": "ICB continuing care budget",
    "mhst": "NHS England mental health support teams funding",
    "yjb": "Youth Justice Board grant",
    "pcc": "Police and Crime Commissioner grant",
    "fh": "Family Hubs and Start for Life grant",
    "haf": "Holiday Activities and Food programme grant",
    "hpg": "Homelessness Prevention Grant",
    "sf": "Supporting Families grant",
    "uasc": "Home Office unaccompanied asylum-seeking children grant",
    "turn": "Ministry of Justice Turnaround grant",
    "ppp": "Pupil premium plus",
    "dist": "District council housing budget",
}


@dataclass(frozen=True)
class _Svc:
    name: str
    sector: str
    tier: str
    prevention: bool
    setting: str
    provider: str
    team: str | None
    cost_k: int  # annual cost in £ thousands
    primary: str
    secondary: str
    groups: str
    localities: str  # "*" every locality, or locality letters "N S"
    commissioners: str  # "rcc" or "rcc:60 icb:40"
    funding: str
    status: str = "active"
    lgsl: str | None = None
    level: str = "local"
    description: str | None = None


def _S(*args: Any, **kw: Any) -> _Svc:
    return _Svc(*args, **kw)


# Names follow Table 1 of seed 002 (the services pathfinder trusts most often jointly
# commissioned) and the services a children's trust register holds today.
SERVICES: tuple[_Svc, ...] = (
    # --- health ---------------------------------------------------------------------
    _S("Child and adolescent mental health service (CAMHS): targeted emotional wellbeing", "health", "targeted", True, "school", "odc", "camhs", 640, "BH2", "EA2 PC4", "CIN LAC", "*", "rcc:40 icb:60", "icb_mh base",
       description="Counselling and brief therapeutic work in schools and community venues for children and young people with mild to moderate emotional wellbeing needs."),
    _S("\u201cTier 3\u201d CAMH service (specialist community CAMHS)", "health", "level_3", False, "clinic", "vpt", "camhs", 2850, "BH2", "SS5", "DIS LAC", "*", "icb:100", "icb_mh", status="under_review", level="sub_regional",
       description="Multi-disciplinary specialist community mental health service for children and young people with moderate to severe mental health needs."),
    _S("CAMHS eating disorders service", "health", "specialist", False, "clinic", "vpt", "camhs", 780, "BH2", "BH1", "", "*", "icb:100", "icb_mh", level="sub_regional"),
    _S("Mental health support teams in schools", "health", "targeted", True, "school", "vpt", "camhs", 1100, "BH2", "EA2", "", "N E T", "icb:100", "mhst"),
    _S("Online counselling and wellbeing service for 11-25s", "health", "targeted", True, "online", "tdl", "camhs", 210, "BH2", "PC4", "YC CL", "*", "rcc:50 icb:50", "phg icb_mh"),
    _S("Health visiting service (0-5 Healthy Child Programme)", "health", "universal", True, "home", "rch", "eyc", 2950, "BH1", "EA1 SS1 SS2", "", "*", "rcc:100", "phg",
       description="Mandated health visitor reviews (antenatal, new birth, 6-8 weeks, 1 year, 2-2\u00bd years) and targeted support for families with young children."),
    _S("School nursing service (5-19 Healthy Child Programme)", "health", "universal", True, "school", "rch", "jcu", 1450, "BH1 BH4", "BH3", "", "*", "rcc:100", "phg"),
    _S("Family Nurse Partnership", "health", "targeted", True, "home", "rch", "eyc", 420, "BH1", "EW6", "TP", "*", "rcc:100", "phg"),
    _S("Child development centre", "health", "specialist", False, "clinic", "rch", "sbd", 960, "BH1", "EA1", "DIS SEN", "*", "icb:100", "icb_cs"),
    _S("Speech and language therapy for children", "health", "targeted", False, "clinic", "rch", "sbd", 1250, "EA1", "BH1", "SEN", "*", "icb:60 rcc:40", "icb_cs dsg_hn"),
    _S("Special equipment for children with disabilities", "health", "specialist", False, "home", "rch", "sbd", 185, "BH1", "EA4", "DIS", "*", "icb:50 rcc:50", "icb_cs base"),
    _S("Health assessment for children with disabilities", "health", "specialist", False, "clinic", "rch", "sbd", 240, "BH1", "", "DIS", "*", "icb:100", "icb_cs"),
    _S("Key worker service for children with complex health problems", "health", "specialist", False, "home", "rch", "sbd", 310, "BH1", "SS5", "DIS", "*", "icb:70 rcc:30", "icb_chc base"),
    _S("Respite care for children with complex health needs", "health", "specialist", False, "residential", "asb", "sbd", 690, "SS5", "BH1", "DIS", "*", "icb:60 rcc:40", "icb_chc base", status="under_review"),
    _S("Parenting education groups (health-led)", "health", "targeted", True, "area", "rch", "eyc", 95, "BH6", "EA6", "", "S W", "icb:50 rcc:50", "phg icb_cs"),
    _S("Healthy schools scheme", "health", "universal", True, "school", "rcc", "jcu", 120, "BH4", "EA2", "", "*", "rcc:100", "phg"),
    _S("Young people's sexual health and contraception service", "health", "targeted", True, "clinic", "rch", "jcu", 540, "BH3", "", "TP", "*", "rcc:100", "phg"),
    _S("Young people's substance misuse service", "health", "targeted", True, "area", "pcic", "yjp", 365, "BH5", "PC2", "SM YO", "*", "rcc:80 pol:20", "phg pcc"),
    _S("Looked-after children's health assessment service", "health", "specialist", False, "clinic", "rch", "sgp", 330, "BH1", "SS5", "LAC", "*", "icb:100", "icb_cs"),
    _S("Children's community nursing", "health", "specialist", False, "home", "rch", "sbd", 880, "BH1", "", "DIS", "*", "icb:100", "icb_cs"),
    _S("Infant feeding and breastfeeding peer support", "health", "universal", True, "area", "bfs", "eyc", 85, "BH4", "BH6", "", "N S T", "rcc:100", "phg"),
    _S("Parent-infant relationship service", "health", "targeted", True, "home", "vpt", "eyc", 260, "BH2", "SS6", "", "*", "icb:100", "icb_mh", status="in_procurement"),
    _S("Teenage pregnancy prevention programme", "health", "targeted", True, "school", "rch", "jcu", 110, "BH3", "PC3", "TP", "E W", "rcc:100", "phg", status="proposed"),
    # --- education ------------------------------------------------------------------
    _S("Family hub and children's centre \u2013 North Riverside", "education", "universal", True, "area", "rcc", "ehn", 480, "EA1", "BH1 SS6", "", "N", "rcc:100", "fh base"),
    _S("Family hub and children's centre \u2013 South Riverside", "education", "universal", True, "area", "bfs", "eyc", 410, "EA1", "BH1 SS6", "", "S", "rcc:100", "fh base"),
    _S("Family hub and children's centre \u2013 East Riverside", "education", "universal", True, "area", "rcc", "eyc", 395, "EA1", "BH1", "", "E", "rcc:100", "fh base"),
    _S("Family hub and children's centre \u2013 West Riverside", "education", "universal", True, "area", "bfs", "eyc", 380, "EA1", "SS6", "", "W", "rcc:100", "fh base"),
    _S("Family hub and children's centre \u2013 Riverside Town", "education", "universal", True, "area", "rcc", "eyc", 520, "EA1", "BH1 EW6", "", "T", "rcc:100", "fh base"),
    _S("Special education services for children with sensory impairment", "education", "specialist", False, "school", "rcc", "sbd", 610, "EA3", "EA5", "SEN DIS", "*", "rcc:100", "dsg_hn"),
    _S("Special education services for children with disabilities", "education", "specialist", False, "school", "rcc", "sbd", 540, "EA3", "EA5", "SEN DIS", "*", "rcc:100", "dsg_hn"),
    _S("Behaviour support service (special education for challenging behaviour)", "education", "targeted", True, "school", "rlp", "jcu", 470, "EA2", "PC2", "SEN", "*", "rcc:100", "dsg_hn"),
    _S("Parenting support and parenting education groups", "education", "targeted", True, "school", "bfs", "ehn", 150, "EA6", "SS6", "", "N E", "rcc:100", "sf"),
    _S("Early years funded places and pre-school playgroups", "education", "universal", True, "area", "lsn", "eyc", 2900, "EA1", "EW6", "", "*", "rcc:100", "dsg_ey"),
    _S("Mentoring for children needing support outside the classroom, including at home", "education", "targeted", True, "home", "yar", "ehn", 135, "EA2", "PC4", "CIN", "*", "rcc:100", "sf"),
    _S("Holiday activities and food programme", "education", "targeted", True, "area", "yar", "ehn", 1050, "BH4", "EA4", "", "*", "rcc:100", "haf"),
    _S("Virtual school (education of children in care)", "education", "specialist", False, "school", "rcc", "sgp", 720, "EA3 EA5", "", "LAC CL", "*", "rcc:100", "ppp base"),
    _S("Before and after school clubs", "education", "universal", True, "school", "rlp", "eyc", 60, "EW6", "EA4", "", "T", "rcc:100", "base", status="under_review"),
    _S("Educational psychology service", "education", "targeted", False, "school", "rcc", "sbd", 1300, "EA2", "BH2", "SEN", "*", "rcc:100", "dsg_hn base"),
    _S("Alternative provision (pupil referral unit)", "education", "specialist", False, "school", "rlp", "jcu", 2200, "EA5", "PC2", "YO SEN", "*", "rcc:100", "dsg_hn"),
    _S("Attendance and education welfare service", "education", "targeted", True, "school", "rcc", "ehn", 390, "EA2", "", "CIN", "*", "rcc:100", "base"),
    _S("SEND information, advice and support service (SENDIASS)", "education", "targeted", True, "online", "pcic", "sbd", 145, "PC1", "EA6", "SEN DIS", "*", "rcc:70 icb:30", "dsg_hn icb_cs"),
    _S("Portage home visiting", "education", "targeted", True, "home", "rcc", "eyc", 210, "EA1", "BH6", "DIS SEN", "*", "rcc:100", "dsg_hn"),
    _S("Careers guidance and NEET re-engagement (16-18)", "education", "targeted", True, "area", "yar", "yjp", 480, "EW1", "EW2", "NEET", "*", "rcc:100", "base"),
    # --- social care ----------------------------------------------------------------
    _S("Short breaks for disabled children (overnight and community)", "social_care", "specialist", False, "residential", "asb", "sbd", 1850, "SS5", "EA4", "DIS", "*", "rcc:70 icb:30", "base icb_chc",
       description="Overnight short breaks at Acorn House and community short breaks (sitting, befriending and clubs) for disabled children assessed under the Short Breaks Regulations 2010."),
    _S("Support services for children in need in the community", "social_care", "level_3", False, "home", "rcc", "sgp", 2400, "SS1", "SS5", "CIN", "*", "rcc:100", "base"),
    _S("Neighbourhood family centre \u2013 West Riverside (Old Mill)", "social_care", "targeted", True, "area", "bfs", "ehn", 210, "SS6", "BH6", "", "W", "rcc:100", "base", status="decommissioning",
       description="Drop-in family support, parenting groups and a toy library at the Old Mill centre. To close as its work moves into the West Riverside family hub."),
    _S("Assessment and planning for children needing out-of-home care (edge of care)", "social_care", "level_3", False, "home", "rcc", "sgp", 820, "SS5", "SS6", "CIN LAC", "*", "rcc:100", "base sf"),
    _S("Social work service to parents and children in need", "social_care", "level_3", False, "home", "rcc", "sgp", 2950, "SS1", "SS5", "CIN CP", "*", "rcc:100", "base"),
    _S("Services to vulnerable adolescents (adolescent exploitation team)", "social_care", "level_3", False, "area", "rcc", "sgp", 640, "SS1", "SS4", "CIN YO", "*", "rcc:80 pol:20", "base pcc"),
    _S("Arrangements to provide practical help to families (section 17)", "social_care", "targeted", False, "home", "rcc", "ehn", 180, "EW5", "SS6", "CIN", "*", "rcc:100", "base"),
    _S("Parenting education in groups and for individual parents", "social_care", "targeted", True, "home", "bfs", "ehn", 230, "SS6", "PC6", "", "*", "rcc:100", "sf"),
    _S("Early help family support \u2013 North Riverside", "social_care", "level_2", True, "home", "rcc", "ehn", 560, "SS6", "BH2", "", "N", "rcc:100", "sf base"),
    _S("Early help family support \u2013 South and East Riverside", "social_care", "level_2", True, "home", "bfs", "ehn", 690, "SS6", "BH2", "", "S E", "rcc:100", "sf base"),
    _S("In-house fostering service", "social_care", "level_4", False, "home", "rcc", "sgp", 2700, "SS5", "", "LAC", "*", "rcc:100", "base", lgsl="159"),
    _S("Independent fostering agency placements (framework)", "social_care", "level_4", False, "home", "hfs", "sgp", 2600, "SS5", "", "LAC", "*", "rcc:100", "base", level="sub_regional"),
    _S("Residential children's home placements", "social_care", "level_4", False, "residential", "nca", "sgp", 2980, "SS5", "", "LAC", "*", "rcc:100", "base", level="individual"),
    _S("Regional adoption agency", "social_care", "specialist", False, "home", "rcc", "sgp", 1100, "SS5", "", "LAC", "*", "rcc:100", "base", lgsl="160", level="regional"),
    _S("Adoption support services", "social_care", "specialist", False, "home", "bfs", "sgp", 180, "SS5", "BH2", "LAC", "*", "rcc:100", "base", lgsl="1828"),
    _S("Staying put arrangements for care leavers", "social_care", "specialist", False, "home", "rcc", "sgp", 240, "EW3", "SS5", "CL", "*", "rcc:100", "base", lgsl="1781"),
    _S("Leaving care service (personal advisers)", "social_care", "specialist", False, "area", "rcc", "sgp", 1050, "EW1", "EW3", "CL", "*", "rcc:100", "base"),
    _S("Young carers support service", "social_care", "targeted", True, "area", "ryc", "ehn", 175, "BH2", "EA4", "YC", "*", "rcc:60 icb:40", "base icb_cs"),
    _S("Family group conferencing", "social_care", "targeted", False, "home", "pcic", "sgp", 165, "SS5", "PC1", "CIN", "*", "rcc:100", "sf"),
    _S("Children affected by domestic abuse support service", "social_care", "targeted", False, "area", "sfh", "sgp", 240, "SS1", "BH2", "CIN", "*", "rcc:50 pol:30 icb:20", "base pcc icb_mh"),
    _S("Return home interviews for children missing from home or care", "social_care", "targeted", False, "home", "yar", "sgp", 95, "SS1", "SS4", "LAC CIN", "*", "rcc:80 pol:20", "base pcc"),
    _S("Independent advocacy and independent visitors for children in care", "social_care", "targeted", False, "home", "pcic", "sgp", 70, "PC1", "SS5", "LAC", "*", "rcc:100", "base"),
    _S("Supported accommodation for unaccompanied asylum-seeking children", "social_care", "specialist", False, "residential", "nca", "sgp", 1400, "SS5", "EW3", "RAS LAC", "*", "rcc:100", "uasc"),
    # --- youth justice --------------------------------------------------------------
    _S("Youth offending team services", "youth_justice", "specialist", False, "area", "rcc", "yjp", 1600, "PC2", "SS4", "YO", "*", "rcc:60 pol:25 icb:15", "base yjb pcc",
       description="The statutory multi-agency youth justice service (Crime and Disorder Act 1998 s39): court work, out-of-court disposals, supervision and resettlement."),
    _S("Youth inclusion support panels", "youth_justice", "targeted", True, "area", "yar", "yjp", 120, "PC2", "PC4", "YO", "N T", "rcc:70 pol:30", "base pcc"),
    _S("Youth justice prevention and out-of-court disposals (Turnaround)", "youth_justice", "targeted", True, "area", "rcc", "yjp", 210, "PC2", "SS4", "YO", "*", "rcc:100", "turn"),
    _S("Appropriate adult service for children", "youth_justice", "targeted", False, "area", "pcic", "yjp", 48, "SS4", "", "YO", "*", "rcc:50 pol:50", "base pcc"),
    _S("Restorative justice service for young people", "youth_justice", "targeted", True, "area", "pcic", "yjp", 62, "PC2", "PC3", "YO", "*", "rcc:60 pol:40", "base pcc", status="under_review"),
    # --- housing --------------------------------------------------------------------
    _S("Supported lodgings for 16-17 year olds", "housing", "targeted", False, "home", "bfs", "jcu", 260, "EW3", "SS5", "CL NEET", "*", "rcc:70 ndc:30", "base hpg"),
    _S("Young people's homelessness prevention and housing options", "housing", "targeted", True, "area", "ndc", "jcu", 140, "EW3", "", "NEET", "N", "ndc:100", "hpg"),
    _S("Supported accommodation for care leavers (16-25)", "housing", "specialist", False, "residential", "nca", "sgp", 980, "EW3", "EW1", "CL", "*", "rcc:100", "base"),
    _S("Family temporary accommodation support", "housing", "targeted", False, "area", "ndc", "ehn", 85, "EW3", "EW5", "", "N", "ndc:100", "dist"),
    # --- other ----------------------------------------------------------------------
    _S("Youth service and youth clubs", "other", "universal", True, "area", "yar", "ehn", 520, "PC1 PC4", "EA4", "", "*", "rcc:100", "base"),
    _S("Youth council and participation service", "other", "universal", True, "area", "rcc", "jcu", 65, "PC1", "PC3", "", "*", "rcc:100", "base"),
    _S("Anti-bullying programme in schools", "education", "universal", True, "school", "rlp", "jcu", 55, "SS3", "PC3", "", "*", "rcc:100", "base"),
    _S("Debt and welfare benefits advice for families", "other", "targeted", True, "area", "bfs", "ehn", 90, "EW5", "EW6", "", "S W T", "rcc:100", "sf"),
)

# Contract ends, in days from today, for the contracts the monitoring tab should flag.
CONTRACT_ENDS = {
    "Online counselling and wellbeing service for 11-25s": 75,
    "Young carers support service": 160,
    "Neighbourhood family centre \u2013 West Riverside (Old Mill)": 110,
    "Holiday activities and food programme": 250,
    "Family group conferencing": 300,
    "Supported lodgings for 16-17 year olds": 340,
    "Restorative justice service for young people": -45,
    "Before and after school clubs": -130,
    "Appropriate adult service for children": -300,
}
# Contracts that started recently (days ago): let under the Procurement Act 2023 or the PSR.
RECENT_STARTS = {
    "Young people's substance misuse service": 200,
    "Children affected by domestic abuse support service": 320,
    "Mental health support teams in schools": 260,
    "Debt and welfare benefits advice for families": 90,
}
# In-house services with no contract or service level agreement recorded.
NO_CONTRACT = {
    "Social work service to parents and children in need",
    "Youth council and participation service",
    "Arrangements to provide practical help to families (section 17)",
}

COST_CENTRES = {
    "social_care": "CS4100 Children's Social Care",
    "education": "CS4300 Education and Inclusion",
    "health": "PH2100 Public Health 0-19",
    "youth_justice": "CS4500 Youth Justice Service",
    "housing": "CS4700 Care Leavers and Housing",
    "other": "CS4200 Early Help and Prevention",
}


# =====================================================================================
# Dates
# =====================================================================================

def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    y, m = divmod(index, 12)
    return date(y, m + 1, min(d.day, _month_end(date(y, m + 1, 1)).day))


def _weekday_on_or_before(d: date, weekday: int) -> date:
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _money(x: float) -> str:
    return f"\u00a3{x:,.0f}"


# =====================================================================================
# The small demo: rows as dicts, table by table
# =====================================================================================


def _describe(s: _Svc, provider: str) -> str:
    tier = {"universal": "A universal", "targeted": "A targeted", "specialist": "A specialist", "level_1": "A level 1",
            "level_2": "A level 2 (early help)", "level_3": "A level 3 (complex needs)", "level_4": "A level 4 (acute)"}[s.tier]
    sector = {"health": "health", "education": "education", "social_care": "social care", "youth_justice": "youth justice",
              "housing": "housing", "other": "community"}[s.sector]
    setting = {"area": "in community venues", "school": "in schools", "home": "in families' homes", "clinic": "in clinics",
               "residential": "in residential settings", "online": "online and by telephone"}[s.setting]
    text = f"{tier} {sector} service provided by {provider} {setting}."
    if s.prevention:
        text += " Part of the trust's prevention and early intervention offer."
    return text


def _split(total: float, parts: int, rng: random.Random) -> list[float]:
    """``total`` in ``parts`` amounts rounded to £100 that add up to it exactly."""
    if parts == 1:
        return [total]
    weights = [rng.uniform(1, 3) for _ in range(parts)]
    weights.sort(reverse=True)
    s = sum(weights)
    amounts = [round(total * w / s, -2) for w in weights[:-1]]
    amounts.append(total - sum(amounts))
    return amounts


def _commentary(actual: float, target: float | None, tol: float | None, kind: str, polarity: str) -> str:
    if target is None or polarity == "no_judgement":
        return "Activity continues to rise; no target is set for this measure."
    gap = (target - actual) if polarity == "higher_better" else (actual - target)
    allowed = target * (tol or 0) / 100 if kind == "percent" else (tol or 0)
    if gap <= 0:
        return "On or better than target this quarter."
    if gap <= allowed:
        return "Slightly below target but within tolerance; the provider expects to recover next quarter."
    return "Below target and outside tolerance. A remedial action plan has been requested from the provider."


def _figure(ind: _Ind, target: float, den: int | None) -> tuple[float | None, float | None, float | None, float | None, float | None, str | None]:
    """(value, lower CI, upper CI, numerator, denominator, suppression marker if the
    count is too small to publish) for a value near ``target``."""
    if den is None:
        return round(target, ind.decimals), None, None, None, None, None
    mult = _MULT[ind.unit]
    target = _clamp(ind, target)
    num = max(round(target * den / mult), 0)
    if ind.unit == "percent":
        num = min(num, den)
    value = num / den * mult
    if ind.unit == "percent":
        lo, hi = _wilson(num, den)
    else:
        lo, hi = _byar(num, den, mult)
    marker = None
    if num < 5 or den < 10:
        marker = "c" if ind.source.startswith("DfE") else "*"
    # Stored with two more decimals than shown, as an extract carries them; the limits
    # rounded outwards so that they still hold the value.
    scale = 10.0 ** (ind.decimals + 2)
    return (round(value, ind.decimals + 2), math.floor(lo * scale) / scale, math.ceil(hi * scale) / scale,
            float(num), float(den), marker)
