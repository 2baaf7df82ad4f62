"""The Monitoring tab's operations: what an officer starts from a rating (an action
for a service red twice running, a decommissioning record), a quarter's actual typed in,
the document's rating scale, and a view's rows exported. Each writes through the
services' records operations (history, field versions) and returns what undo needs.
The ratings and registers themselves are :mod:`cypdesk.services.monitoring`'s."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from cypdesk.common.errors import UsageError
from cypdesk.services.monitoring import SCALES, _date, red_two_periods
from cypdesk.services.service_map import query_rows


def next_action_number(conn: Any) -> str:
    with query_rows(conn) as run:
        numbers = [n for (n,) in run("SELECT number FROM actions WHERE number IS NOT NULL")]
    whole = [int(m.group()) for n in numbers if (m := re.match(r"\d+", str(n).strip()))]
    return str(max(whole, default=0) + 1)


def _service_facts(conn: Any, service_id: str) -> tuple[str, str | None]:
    """(name, the owning team's lead) of a service."""
    with query_rows(conn) as run:
        rows = run("SELECT s.name, t.lead_id FROM services s LEFT JOIN teams t ON t.id = s.team_id WHERE s.id = ?",
                   (service_id,))
    if not rows:
        from cypdesk.common.errors import RecordNotFound

        raise RecordNotFound(f"There is no service with id {service_id}.", id=service_id)
    return rows[0][0] or "", rows[0][1]


def _red_words(conn: Any, service_id: str) -> str:
    found = next((r for r in red_two_periods(conn) if r.service_id == service_id), None)
    return found.summary if found else ""


def suggest_action(conn: Any, service_id: str, today: date) -> dict[str, Any]:
    """What a new action for a service red twice starts with: the next number, a
    review of the service, the owning team's lead, due in four weeks, to report at the
    next board meeting."""
    name, lead = _service_facts(conn, service_id)
    red = _red_words(conn, service_id)
    with query_rows(conn) as run:
        meeting = run("SELECT min(held_on) FROM meetings WHERE held_on >= ?", (today.isoformat(),))
    values: dict[str, Any] = {
        "number": next_action_number(conn),
        "action": f"Review {name} with the provider and agree a recovery plan"
                  + (f": {red}." if red else "."),
        "status": "not_started",
        "due_date": today + timedelta(days=28),
        "progress": "Started from the Monitoring tab: rated red for two periods running.",
    }
    if lead:
        values["owner_id"] = lead
    if meeting and meeting[0][0]:
        values["report_to_board"] = _date(meeting[0][0])
    return values


def start_action_for(ws: Any, service_id: str, values: dict[str, Any] | None = None, *,
                     today: date | None = None) -> Any:
    """Add an action to the plan for a service (one red for two periods running):
    :func:`suggest_action`'s values, overridden by ``values``. Returns the Change."""
    from cypdesk.services import records

    start = suggest_action(ws, service_id, today or date.today()) if values is None else dict(values)
    return records.create(ws, "actions", start)


def suggest_decommissioning(conn: Any, service_id: str) -> dict[str, Any]:
    name, _lead = _service_facts(conn, service_id)
    red = _red_words(conn, service_id)
    return {
        "service_id": service_id,
        "status": "considering",
        "rationale": f"{name} has been rated red for two periods running" + (f": {red}." if red else "."),
    }


def start_decommissioning_for(ws: Any, service_id: str, values: dict[str, Any] | None = None) -> Any:
    """Start a decommissioning decision ("being considered") for a service, with the
    performance that prompted it as the first rationale. Returns the Change."""
    from cypdesk.services import records

    start = suggest_decommissioning(ws, service_id)
    if values is not None:
        start.update(values)
    start["service_id"] = service_id
    return records.create(ws, "decommissioning", start)


def save_actual(ws: Any, measure_id: str, values: dict[str, Any], measurement_id: str | None = None) -> Any:
    """Add or change a measure's actual for a period (``values``: period, actual,
    commentary, as typed). A period the measure already has is updated, not added
    twice. Returns the Change."""
    from cypdesk.common.errors import ValidationError
    from cypdesk.services import records

    values = {k: v for k, v in values.items() if k != "measure_id"}
    if measurement_id is None and values.get("period") not in (None, ""):
        from cypdesk.common.periods import Period, parse_period

        text = str(values["period"]).strip()
        try:
            key = Period.from_key(text).key()
        except ValueError:
            try:
                key = parse_period(text).key()
            except ValueError as exc:
                raise ValidationError(f"The measurement was not saved: Period: {exc}.",
                                      problems=[{"field": "period", "label": "Period",
                                                 "message": f"Period: {exc}"}]) from None
        with query_rows(ws) as run:
            found = run("SELECT id FROM measurements WHERE measure_id = ? AND period = ?", (measure_id, key))
        if found:
            measurement_id = found[0][0]
        values["period"] = key
    if measurement_id is None:
        return records.create(ws, "measurements", {"measure_id": measure_id, **values})
    return records.update(ws, "measurements", measurement_id, values)


def set_rating_scale(ws: Any, scale: str) -> Any:
    """Set the document's rating scale ("rag" or "trajectory"): a document setting,
    saved by :func:`cypdesk.services.settings.save_settings` (history and a field
    version; a new document's settings row is made first). Returns a Change (kind
    "document") whose ``before`` holds the old scale, for undo."""
    from cypdesk.services.settings import save_settings

    if scale not in SCALES:
        raise UsageError(f"{scale!r} is not a rating scale: use one of {', '.join(SCALES)}.")
    change = save_settings(ws, {"rating_scale": scale})
    change.title = "Rating scale"
    return change


def export_rows(path: Any, title: str, headers: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    """Write one of the tab's tables (as shown, ratings as words) to ``.xlsx`` or
    ``.csv``. Returns ``{"rows": n, "path": ...}``."""
    from pathlib import Path

    from cypdesk.io.xlsx import write_csv, write_xlsx

    target = Path(path)
    suffix = target.suffix.lower()
    kinds = [_kind_of([row[i] for row in rows]) for i in range(len(headers))]
    if suffix == ".csv":
        write_csv(target, headers, rows, kinds)
    elif suffix == ".xlsx":
        write_xlsx(target, [(title, headers, rows, kinds)])
    else:
        raise UsageError(f"{target.name}: export to a .xlsx (Excel) or .csv file.", path=target)
    return {"rows": len(rows), "path": str(target)}


def _kind_of(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, date) for v in present):
        return "date"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "number"
    return "text"


__all__ = [
    "export_rows", "next_action_number", "save_actual", "set_rating_scale", "start_action_for",
    "start_decommissioning_for", "suggest_action", "suggest_decommissioning",
]
