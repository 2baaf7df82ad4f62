"""The demo's needs by place: figures for the trust's five localities, 99.8% limits,
and one indicator broken down by sex, so that choosing a locality in the Needs tab, its
Places view and the 99.8% setting all have something to show.

Called by :class:`cypdesk.services.demo._Builder` once the trust's, England's and the
neighbours' values are built; adds rows to the builder and changes none of its random
draws (its own ``random.Random``), so the rest of the demo is as before.

What it writes, by design:

- for each indicator of :data:`PLACE_INDICATORS`, the last :data:`PLACE_YEARS` years
  for every locality, each locality standing against the trust as :data:`LEAN` says
  (North and Riverside Town above the trust, West below), with 95% and 99.8% limits
  from the locality's own numerator and denominator;
- gaps an officer meets in real locality data: East Riverside has no figures at all
  for hospital admissions caused by injuries (``INJ014``), and its latest NEET figure
  is suppressed with ``:``;
- the 99.8% limits of every small-demo value that has a numerator and denominator
  (Fingertips gives both levels);
- the trust's latest Year 6 obesity figure also for boys and for girls (``sex``), which
  the Needs tab must never mix into the persons' figure.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cypdesk.services.demo import _Builder

PLACE_INDICATORS = ("REREF", "OBES_R", "OBES_Y6", "NEET", "INJ014", "SELFHARM", "MMR2_5", "GLD", "PA_SEC",
                    "U18CONC", "LOWINC", "CPP_RATE")
PLACE_YEARS = 3
# How each locality stands against the trust (its value / the trust's), before noise.
LEAN = {"North Riverside": 1.22, "South Riverside": 1.0, "East Riverside": 0.97, "West Riverside": 0.8,
        "Riverside Town": 1.15}
SHARE = {"North Riverside": 0.22, "South Riverside": 0.19, "East Riverside": 0.17, "West Riverside": 0.16,
         "Riverside Town": 0.26}  # of the trust's children
NO_VALUES = {("East Riverside", "INJ014")}
SUPPRESSED = {("East Riverside", "NEET", 0): (":", "Not available: the locality's return was incomplete")}
BY_SEX = ("OBES_Y6", {"Male": 1.12, "Female": 0.87})
Z_998 = 3.090232  # the normal quantile of a two-sided 99.8% interval


def add_place_values(b: _Builder) -> None:
    from cypdesk.services.demo_data import HOME, INDICATORS

    rng = random.Random(20260998)
    by_code = {ind.code: ind for ind in INDICATORS}
    rows = b.rows["indicator_values"]
    code_of = {iid: code for code, iid in b.indicator.items()}
    for row in rows:
        _add_998(row, by_code[code_of[row["indicator_id"]]])
    home = {(r["indicator_id"], r["period"]): r for r in rows if r["area_id"] == b.area["home"]}
    added: list[dict[str, Any]] = []
    for code in PLACE_INDICATORS:
        ind = by_code[code]
        latest = b.latest[ind.period]
        for name, lean in LEAN.items():
            if (name, code) in NO_VALUES:
                continue
            pop = HOME[3] * SHARE[name]
            for back in range(PLACE_YEARS - 1, -1, -1):
                period = b.period_of(ind.period, latest - back)
                trust = home.get((b.indicator[code], period.key()))
                if trust is None or trust["value"] is None:
                    continue
                target = trust["value"] * lean * (1 + rng.gauss(0, 0.03))
                den = None if ind.denom is None else max(round(pop * ind.denom * (1 - 0.006 * back)), 1)
                added.append(_value(b, ind, b.area[f"loc:{name}"], period, target, den,
                                    SUPPRESSED.get((name, code, back))))
    ind = by_code[BY_SEX[0]]
    period = b.period_of(ind.period, b.latest[ind.period])
    trust = home[(b.indicator[ind.code], period.key())]
    for sex, lean in BY_SEX[1].items():
        den = max(round((trust["denominator"] or 2) / 2), 1)
        row = _value(b, ind, b.area["home"], period, trust["value"] * lean, den, None)
        row["sex"] = sex
        added.append(row)
    rows.extend(added)


def _value(b: _Builder, ind: Any, area_id: str, period: Any, target: float, den: int | None,
           suppressed: tuple[str, str] | None) -> dict[str, Any]:
    from cypdesk.services.demo_data import _figure

    value, lo, hi, num, d, marker = _figure(ind, target, den)
    note = None
    if suppressed is not None or marker is not None:
        marker, note = suppressed or (marker, "Suppressed: small numbers")
        value = lo = hi = num = None
    row = dict(id=b.value_ids.next(), indicator_id=b.indicator[ind.code], area_id=area_id, period=period.key(),
               period_start=period.start_date(), group_id=None, value=value, lower_ci=lo, upper_ci=hi,
               numerator=num, denominator=d, suppressed=marker, note=note, import_id=b.import_id,
               source=ind.source.split(":")[0], extracted_on=b.extracted_on)
    _add_998(row, ind)
    return row


def _add_998(row: dict[str, Any], ind: Any) -> None:
    """The value's 99.8% limits from its numerator and denominator, by the method of its
    95% ones (Wilson for a percentage, Byar for a rate), rounded outwards as they are."""
    import math

    from cypdesk.services.demo_data import _MULT, _byar, _wilson

    num, den = row.get("numerator"), row.get("denominator")
    if row.get("value") is None or num is None or not den:
        return
    if ind.unit not in _MULT:
        return
    lo, hi = _wilson(num, den, Z_998) if ind.unit == "percent" else _byar(num, den, _MULT[ind.unit], Z_998)
    scale = 10.0 ** (ind.decimals + 2)
    row["lower_ci_998"] = math.floor(lo * scale) / scale
    row["upper_ci_998"] = math.ceil(hi * scale) / scale
