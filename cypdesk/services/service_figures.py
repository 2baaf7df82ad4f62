"""A service's figures kept in step: the unit cost worked out from the annual cost and
the capacity (unless the officer set it by hand), and warnings, in words, where the
parts no longer add up: funding lines against the annual cost, and the commissioners'
shares of the cost.

Plain rules on plain values, no Qt: :mod:`cypdesk.services.records` applies
:func:`derive` to every create and update of a service (so the window, the command line
and imports all keep the figures in step), and the Services editor shows
:func:`unit_cost_note` beside the field and :func:`figure_warnings` above the money.
"""

from __future__ import annotations

from typing import Any

# Bases a capacity (children or places a year) divides into: a unit cost per session,
# hour or outcome cannot be worked out from a number of children.
CAPACITY_BASES = (None, "per_child", "per_place")
BASIS_WORDS = {None: "a child or place", "per_child": "a child", "per_place": "a place"}
PENNY = 0.005  # two figures within half a penny are the same money
POUND = 0.5  # totals within 50p of each other add up


def worked_out_unit_cost(annual_cost: Any, capacity: Any, basis: Any = None) -> float | None:
    """The annual cost divided by the capacity, to the penny; None when it cannot be
    worked out (no cost, no capacity or none, or a basis a capacity does not divide)."""
    if basis not in CAPACITY_BASES or annual_cost is None or not capacity or capacity <= 0:
        return None
    return round(float(annual_cost) / float(capacity), 2)


def derive(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The values to store when ``given`` (already checked) is applied to a service that
    holds ``current`` (empty for a new one): ``given`` with the unit cost and its
    "set by hand" flag kept in step.

    - A unit cost typed (and the flag not given) is set by hand when it differs from the
      worked-out figure; blanking it hands it back to the working out.
    - While the unit cost is not set by hand, a change of annual cost, capacity or basis
      (or clearing the flag) works it out again.
    - Given both, the caller's unit cost and flag stand (undo passes both)."""
    out = dict(given)
    merged = {**current, **given}
    worked = worked_out_unit_cost(merged.get("annual_cost"), merged.get("capacity"), merged.get("unit_cost_basis"))
    if "unit_cost" in given and "unit_cost_by_hand" not in given:
        typed = given["unit_cost"]
        by_hand = typed is not None and (worked is None or abs(typed - worked) > PENNY)
        if by_hand != bool(current.get("unit_cost_by_hand")) or not current:
            out["unit_cost_by_hand"] = by_hand
        if typed is None and worked is not None:
            out["unit_cost"] = worked
        return out
    if "unit_cost" in given:
        return out
    by_hand = bool(merged.get("unit_cost_by_hand"))
    inputs = ("annual_cost", "capacity", "unit_cost_basis", "unit_cost_by_hand")
    if not by_hand and worked is not None and (not current or any(k in given for k in inputs)):
        if current.get("unit_cost") is None or abs(current["unit_cost"] - worked) > PENNY:
            out["unit_cost"] = worked
    return out


def _money(value: float) -> str:
    from cypdesk.common.formats import money

    return money(value, pence=not float(value).is_integer())


def unit_cost_note(values: dict[str, Any]) -> str:
    """Beside the unit cost, in words: where the figure comes from."""
    basis = values.get("unit_cost_basis")
    worked = worked_out_unit_cost(values.get("annual_cost"), values.get("capacity"), basis)
    unit = values.get("unit_cost")
    words = BASIS_WORDS.get(basis, "a unit")
    if values.get("unit_cost_by_hand"):
        if unit is None:
            return "Set by hand: none given."
        if worked is None:
            return "Set by hand."
        return f"Set by hand. Worked out would be {_money(worked)} {words}."
    if worked is not None and unit is not None and abs(unit - worked) <= PENNY:
        return f"Worked out: {_money(worked)} {words} (annual cost ÷ capacity)."
    if worked is not None:
        return f"Worked out would be {_money(worked)} {words}; the figure shown was not."
    if basis not in CAPACITY_BASES:
        return "Not worked out: a capacity of children or places does not divide into this basis."
    return "Worked out from the annual cost and the capacity, once both are given."


def figure_warnings(service: dict[str, Any], funding: list[dict[str, Any]],
                    commissioners: list[dict[str, Any]]) -> list[str]:
    """Where a service's money no longer adds up, one sentence each: the funding lines
    against the annual cost, and the commissioners' shares of the cost."""
    out: list[str] = []
    cost = service.get("annual_cost")
    amounts = [f["amount"] for f in funding if f.get("amount") is not None]
    if cost is not None and amounts:
        total = sum(amounts)
        if abs(total - cost) > POUND:
            gap = abs(total - cost)
            side = "short of" if total < cost else "more than"
            out.append(f"The funding lines total {_money(total)} a year, {_money(gap)} {side} "
                       f"the annual cost of {_money(cost)}.")
    if commissioners:
        share = sum(c.get("share_pct") or 0 for c in commissioners)
        if abs(share - 100) > 0.01:
            if cost is not None:
                paid = cost * share / 100
                gap = abs(cost - paid)
                side = "uncovered" if paid < cost else "too much"
                out.append(f"The commissioners' shares total {share:g}%: they pay {_money(paid)} of the "
                           f"{_money(cost)} annual cost, {_money(gap)} {side}.")
            else:
                out.append(f"The commissioners' shares total {share:g}%, not 100%.")
    if cost is None and (amounts or commissioners):
        out.append("The annual cost is not recorded, so the funding and the commissioners' shares "
                   "cannot be checked against it.")
    return out
