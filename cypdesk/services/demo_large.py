"""The large demo's extra rows, for benchmarks: some 150 more local authorities, 800
wards, 10,000 services and a million indicator values over twenty years, built as
tuples for ``executemany``. :mod:`cypdesk.services.demo` writes them in chunks."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from cypdesk.model import link_id
from cypdesk.services.demo_data import (
    CHUNK, ENGLAND_POP, FUNDING, HOME, INDICATORS, LOCALITIES, NEIGHBOURS, SEED, _MULT, _add_months, _clamp, _figure,
    _month_end, _uid,
)

if TYPE_CHECKING:
    from cypdesk.services.demo import _Builder


class _SequentialIds:
    """UUIDv7-shaped ids for the indicator values: the day as the time part, then a
    counter and seeded random bits. They sort in insertion order, so a million of them
    append to the primary key instead of scattering (about twice as fast)."""

    def __init__(self, today: date) -> None:
        ms = int(datetime(today.year, today.month, today.day, tzinfo=timezone.utc).timestamp() * 1000)
        self.prefix = f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7"
        self.counter = 0
        self.rng = random.Random(SEED + 7)

    def next(self) -> str:
        c = self.counter
        self.counter += 1
        return (f"{self.prefix}{(c >> 18) & 0xFFF:03x}-{0x8000 | ((c >> 4) & 0x3FFF):04x}-"
                f"{((c & 0xF) << 44) | self.rng.getrandbits(44):012x}")


# =====================================================================================
# The large demo: more areas, years, services and values, as tuples
# =====================================================================================

_PREFIXES = (
    "Ash", "Beck", "Birch", "Bram", "Brook", "Burn", "Calder", "Castle", "Chalk", "Clay", "Cold", "Crow",
    "Dale", "Deer", "Elm", "Fair", "Fern", "Flint", "Fox", "Glen", "Gold", "Green", "Hazel", "Heath",
    "High", "Holly", "Kings", "Lark", "Lea", "Long", "Mill", "Moor", "Nether", "Oak", "Pen", "Queens",
    "Red", "Rook", "Rush", "Salt", "Sand", "Stone", "Thorn", "Wall", "Well", "Whit", "Wick", "Wil",
    "Wood", "Yew", "Alder", "Bar", "Cherry",
)
_SUFFIXES = (
    "bury", "by", "combe", "cote", "dale", "den", "don", "field", "ford", "gate", "ham", "hill", "hurst",
    "ley", "mere", "minster", "moor", "port", "stead", "stoke", "thorpe", "ton", "wick", "well", "worth", "wood",
)
_LA_SUFFIXES = ("shire", " Vale", " Downs", " Forest", " Marches", "borough", " Fen", " Wolds")

# Service types for generated neighbourhood services: name, sector, tier, prevention,
# setting, outcomes (first primary), groups, health-led.
_LOCAL_TYPES: tuple[tuple[str, str, str, bool, str, str, str, bool], ...] = (
    ("stay and play group", "education", "universal", True, "area", "EA1 BH6", "", False),
    ("breakfast club", "education", "universal", True, "school", "BH4 EA2", "", False),
    ("youth club", "other", "universal", True, "area", "PC1 EA4", "", False),
    ("parenting group", "social_care", "targeted", True, "area", "SS6 PC6", "", False),
    ("school counselling service", "health", "targeted", True, "school", "BH2 EA2", "", True),
    ("family support outreach", "social_care", "level_2", True, "home", "SS6 BH2", "CIN", False),
    ("health visiting clinic", "health", "universal", True, "clinic", "BH1 BH6", "", True),
    ("school nursing drop-in", "health", "universal", True, "school", "BH1 BH3", "", True),
    ("speech and language drop-in", "health", "targeted", True, "clinic", "EA1", "SEN", True),
    ("holiday activities programme", "education", "targeted", True, "area", "BH4 EA4", "", False),
    ("homework club", "education", "universal", True, "school", "EA3 EA6", "", False),
    ("young carers group", "social_care", "targeted", True, "area", "BH2 EA4", "YC", False),
    ("short breaks club", "social_care", "specialist", False, "area", "SS5 EA4", "DIS", False),
    ("sports and physical activity programme", "other", "universal", True, "area", "BH4", "", False),
    ("mentoring scheme", "education", "targeted", True, "area", "PC4 EA2", "", False),
    ("detached youth work", "other", "targeted", True, "area", "PC2 SS4", "YO", False),
    ("reading volunteers scheme", "education", "universal", True, "school", "EA3", "", False),
    ("baby feeding support group", "health", "universal", True, "area", "BH4", "", True),
    ("emotional wellbeing group", "health", "targeted", True, "school", "BH2 PC4", "", True),
    ("SEND parent support group", "education", "targeted", True, "area", "EA6 PC1", "SEN DIS", False),
    ("food and household support hub", "other", "targeted", True, "area", "EW5 EW6", "", False),
    ("antenatal and parentcraft class", "health", "universal", True, "clinic", "BH1 BH6", "", True),
    ("domestic abuse support group", "social_care", "targeted", False, "area", "SS1 BH2", "", False),
    ("youth employability project", "education", "targeted", True, "area", "EW1 EW2", "NEET", False),
    ("drug and alcohol education programme", "health", "universal", True, "school", "BH5", "SM", True),
    ("anti-bullying project", "education", "universal", True, "school", "SS3 PC3", "", False),
    ("police school liaison scheme", "youth_justice", "universal", True, "school", "SS4 PC2", "", False),
    ("tenancy support for young people", "housing", "targeted", True, "home", "EW3", "CL", False),
    ("toy library", "education", "universal", True, "area", "EA1", "", False),
    ("young parents group", "health", "targeted", True, "area", "BH3 EW6", "TP", True),
)
_LOCAL_PROVIDERS = ("rcc", "bfs", "yar", "pcic", "ryc", "lsn", "rlp", "odc", "sfh", "asb")
_LOCAL_TEAMS = ("ehn", "eyc", "camhs", "sbd", "yjp", "sgp", "jcu")

LARGE_SERVICES = 10_000
LARGE_VALUES = 1_010_000  # aim a little above a million
LARGE_LAS = 150
LARGE_YEARS = 20
HOME_WARDS = 400


class _Large:
    """What ``size="large"`` adds to the small demo. ``scale`` (0 < scale <= 1) builds
    that fraction of it with the same code: as many services, values, local
    authorities, home wards and rows per chunk, times ``scale`` (tests run 1% of it)."""

    def __init__(self, b: _Builder, scale: float = 1.0) -> None:
        self.b = b
        self.rng = random.Random(SEED * 31 + 1)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.n_services = max(1, round(LARGE_SERVICES * scale))
        self.n_las = max(1, round(LARGE_LAS * scale))
        self.n_home_wards = max(math.ceil(self.n_services / len(_LOCAL_TYPES)), round(HOME_WARDS * scale))
        self.chunk = max(100, round(CHUNK * scale))
        n_ind = len(INDICATORS)
        small_extra = 8 * (LARGE_YEARS - 6)
        per_indicator = math.ceil(LARGE_VALUES * scale / n_ind)
        neighbour_wards = 6 * max(1, round(20 * scale))
        self.n_wards = max(self.n_home_wards + neighbour_wards,
                           math.ceil((per_indicator - small_extra) / LARGE_YEARS) - self.n_las)
        self.value_count = n_ind * (small_extra + (self.n_las + self.n_wards) * LARGE_YEARS)
        # (area id, population, ratio source, kind) for the areas that get values
        self.value_areas: list[tuple[str, int, str, str]] = []
        self.ratio: dict[tuple[str, str], float] = dict(b.home_ratio)

    def build(self) -> None:
        self.areas()
        self.services()

    def areas(self) -> None:
        b, rng = self.b, self.rng
        combos = [p + s for p in _PREFIXES for s in _SUFFIXES]
        rng.shuffle(combos)
        la_names = [p + s for p in _PREFIXES for s in _LA_SUFFIXES]
        rng.shuffle(la_names)
        taken = {HOME[0], *LOCALITIES, *(n for n, *_ in NEIGHBOURS)}
        la_names = [n for n in la_names if n not in taken][: self.n_las]
        ward_names = [n for n in combos if n not in taken][: self.n_wards]
        if len(ward_names) < self.n_wards:  # more wards than names: number the rest
            ward_names += [f"{combos[i % len(combos)]} {i // len(combos) + 2}" for i in range(len(ward_names), self.n_wards)]
        england = b.area["england"]
        for i, name in enumerate(la_names):
            key = f"la:{name}"
            aid = _uid("areas", key)
            pop = int(min(max(rng.lognormvariate(math.log(75_000), 0.6), 18_000), 320_000))
            self.rows["areas"].append(dict(id=aid, name=name, kind="local_authority", gss_code=f"E069{i + 1:05d}",
                                           la_code=None, parent_id=england, is_home=False))
            self.value_areas.append((aid, pop, key, "la"))
            for ind in INDICATORS:
                self.ratio[(key, ind.code)] = max(rng.gauss(1.0, 0.12), 0.3)
        # Wards: most in the trust's own area (under its localities), the rest in the
        # statistical neighbours.
        self.home_wards: list[tuple[str, str, str]] = []  # (id, name, locality id)
        neighbour_keys = [f"sn:{n}" for n, *_ in NEIGHBOURS]
        for i, name in enumerate(ward_names):
            if i < self.n_home_wards:
                parent_key = f"loc:{LOCALITIES[i % len(LOCALITIES)]}"
                ratio_key = "home"
            else:
                parent_key = neighbour_keys[(i - self.n_home_wards) % len(neighbour_keys)]
                ratio_key = parent_key
            key = f"ward:{name}"
            aid = _uid("areas", key)
            pop = rng.randint(1_200, 4_800)
            self.rows["areas"].append(dict(id=aid, name=name, kind="ward", gss_code=f"E059{i + 1:05d}", la_code=None,
                                           parent_id=b.area[parent_key], is_home=False))
            self.value_areas.append((aid, pop, key, "ward"))
            for ind in INDICATORS:
                self.ratio[(key, ind.code)] = max(self.ratio.get((ratio_key, ind.code), 1.0) * rng.gauss(1.0, 0.2), 0.2)
            if i < self.n_home_wards:
                self.home_wards.append((aid, name, b.area[parent_key]))

    def services(self) -> None:
        b, rng = self.b, self.rng
        pairs = [(w, t) for w in range(len(self.home_wards)) for t in range(len(_LOCAL_TYPES))]
        chosen = sorted(rng.sample(pairs, self.n_services))
        rows = self.rows
        teams = [b.team[k] for k in _LOCAL_TEAMS]
        today = b.today
        for n, (w, t) in enumerate(chosen, start=1):
            ward_id, ward, _loc = self.home_wards[w]
            tname, sector, tier, prevention, setting, outcomes, groups, health = _LOCAL_TYPES[t]
            name = f"{ward} {tname}"
            sid = _uid("services", name)
            provider = "rch" if health and rng.random() < 0.6 else rng.choice(_LOCAL_PROVIDERS)
            r = rng.random()
            status = ("active" if r < 0.93 else "under_review" if r < 0.97 else "proposed" if r < 0.985
                      else "in_procurement" if r < 0.995 else "decommissioning")
            cost = rng.randint(15, 240) * 1000.0
            capacity = max(int(cost / rng.uniform(150, 1800)), 5)
            if health:
                shares = [("icb", 100.0)] if rng.random() < 0.3 else [("rcc", 60.0), ("icb", 40.0)]
            else:
                shares = [("rcc", 100.0)] if rng.random() < 0.8 else [("rcc", 70.0), ("icb", 30.0)]
            lead = b.org[shares[0][0]]
            rows["services"].append(dict(
                id=sid, owner_org_id=lead, name=name,
                description=f"A {tname} for families in {ward} ward.", provider_id=b.org[provider], sector=sector,
                tier=tier, prevention=prevention, setting=setting, capacity=capacity, annual_cost=cost,
                staff_fte=round(cost * 0.65 / 41_000, 1), unit_cost=round(cost / capacity, 2),
                unit_cost_basis="per_session" if "group" in tname or "club" in tname else "per_child",
                unit_cost_by_hand="group" in tname or "club" in tname,  # a capacity does not divide into sessions
                commissioning_level="local", team_id=teams[n % len(teams)], status=status, lgsl_code=None,
                oruk_id=_uid("oruk", name) if n % 4 == 0 else None))
            for i, code in enumerate(outcomes.split()):
                oid = b.outcome[code]
                rows["service_outcomes"].append(dict(id=link_id("service_outcomes", sid, oid), owner_org_id=lead, service_id=sid,
                                                     outcome_id=oid, contribution="primary" if i == 0 else "secondary"))
            for code in groups.split():
                gid = b.group[code]
                rows["service_groups"].append(dict(id=link_id("service_groups", sid, gid), owner_org_id=lead, service_id=sid, group_id=gid))
            rows["service_areas"].append(dict(id=link_id("service_areas", sid, ward_id), owner_org_id=lead, service_id=sid, area_id=ward_id))
            for org, pct in shares:
                oid = b.org[org]
                rows["service_commissioners"].append(dict(id=link_id("service_commissioners", sid, oid), owner_org_id=oid,
                                                          service_id=sid, organisation_id=oid, share_pct=pct))
            source = FUNDING["phg"] if health and shares[0][0] == "rcc" else (FUNDING["icb_cs"] if health else FUNDING["base"])
            rows["service_funding"].append(dict(id=link_id("service_funding", sid, source), owner_org_id=lead, service_id=sid,
                                                source=source, amount=cost))
            if status in ("proposed", "in_procurement") or rng.random() > 0.72:
                continue
            end = _month_end(today + timedelta(days=rng.randint(-200, 1500)))
            term = max(rng.choice((1, 2, 3)), math.ceil(((end - today).days + 60) / 365))
            start = _add_months(end + timedelta(days=1), -12 * term)
            grant = provider in ("bfs", "yar", "ryc", "odc", "sfh", "pcic") and cost < 100_000
            route = "in_house" if provider == "rcc" else ("grant" if grant else ("direct_award" if provider == "rch" else "tender"))
            regime = {"in_house": "in_house", "grant": "grant", "direct_award": "psr"}.get(
                route, "procurement_act_2023" if start >= date(2025, 2, 24) else "pcr_2015")
            reference = f"RCC-LOC-{n:05d}"
            rows["contracts"].append(dict(
                id=_uid("contracts", reference), owner_org_id=lead, service_id=sid, reference=reference, route=route,
                start_date=start, end_date=end, extension_options=None, annual_value=cost, total_value=cost * term,
                payment_model="block", regime=regime, social_value_pct=10.0 if regime == "procurement_act_2023" else None,
                review_date=end - timedelta(days=180), risk_assessed=True, equality_assessed=rng.random() > 0.1))

    def row_count(self) -> int:
        return sum(len(v) for v in self.rows.values()) + self.value_count

    def value_chunks(self, stamp_cols: tuple[Any, ...], size: int | None = None) -> Iterator[list[tuple[Any, ...]]]:
        """The extra indicator values, as tuples in ``VALUE_COLUMNS`` order, in chunks."""
        size = size or self.chunk
        b, rng = self.b, self.rng
        gauss = rng.gauss
        ids = b.value_ids
        prefix, getbits = ids.prefix, ids.rng.getrandbits
        counter = ids.counter
        import_id, extracted = b.import_id, b.extracted_on.isoformat()
        owner = b.org["rcc"]
        now, author_id, stamp = stamp_cols
        inds = [(ind, b.indicator[ind.code], _MULT.get(ind.unit), ind.source.split(":")[0]) for ind in INDICATORS]
        periods: dict[tuple[str, int], tuple[str, str]] = {}
        for ind in INDICATORS:
            latest = b.latest[ind.period]
            for year in range(latest - LARGE_YEARS + 1, latest + 1):
                p = b.period_of(ind.period, year)
                periods[(ind.period, year)] = (p.key(), p.start_date().isoformat())
        # The small demo's areas get the earlier years; the new areas all twenty.
        plan: list[tuple[str, int, str, int]] = [(b.area["england"], ENGLAND_POP, "england", 6), (b.area["home"], HOME[3], "home", 6)]
        plan += [(b.area[f"sn:{n}"], pop, f"sn:{n}", 6) for n, _g, _l, pop in NEIGHBOURS]
        plan += [(aid, pop, key, 0) for aid, pop, key, _kind in self.value_areas]
        out: list[tuple[Any, ...]] = []
        append = out.append
        for aid, pop, key, skip_latest in plan:
            count_scale = pop / ENGLAND_POP
            for ind, iid, mult, source in inds:
                latest = b.latest[ind.period]
                ratio = 1.0 if key == "england" else self.ratio.get((key, ind.code), 1.0)
                denom = ind.denom
                for back in range(LARGE_YEARS - 1, skip_latest - 1, -1):
                    eng = _clamp(ind, ind.england - ind.change * back)
                    target = eng * ratio * (1 + gauss(0, 0.015) if key != "england" else 1.0)
                    if ind.unit == "count" and key != "england":
                        target *= count_scale
                    den = None if denom is None else max(round(pop * denom * (1 - 0.006 * back)), 1)
                    value, lo, hi, num, d, marker = _figure(ind, target, den)
                    note = None
                    if marker is not None:
                        value = lo = hi = num = None
                        note = "Suppressed: small numbers"
                    pkey, pstart = periods[(ind.period, latest - back)]
                    c = counter
                    counter += 1
                    vid = (f"{prefix}{(c >> 18) & 0xFFF:03x}-{0x8000 | ((c >> 4) & 0x3FFF):04x}-"
                           f"{((c & 0xF) << 44) | getbits(44):012x}")
                    append((vid, now, now, author_id, author_id, stamp, stamp, owner, iid, aid, pkey, pstart, None,
                            value, lo, hi, num, d, marker, note, import_id, source, extracted))
                    if len(out) >= size:
                        ids.counter = counter
                        yield out
                        out = []
                        append = out.append
        ids.counter = counter
        if out:
            yield out


VALUE_COLUMNS = (
    "id", "created_at", "updated_at", "created_by", "updated_by", "created_hlc", "hlc", "owner_org_id",
    "indicator_id", "area_id", "period", "period_start", "group_id", "value", "lower_ci", "upper_ci",
    "numerator", "denominator", "suppressed", "note", "import_id", "source", "extracted_on",
)


# =====================================================================================
# Writing
# =====================================================================================

def _sql_value(value: Any) -> Any:
    """A Python value as SQLAlchemy stores it in SQLite (for the raw executemany path)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
