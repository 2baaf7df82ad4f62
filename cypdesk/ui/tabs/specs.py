"""The tabs' specs, in the window's order (:data:`TAB_SPECS`). Each tab's module takes
its own from here (``SPEC``); the window lists its tabs from here and imports a tab's
module only when the tab is first shown (``main_window.make_tab``): importing the six
tabs the officer has not opened yet was 15 to 30 ms before the first shown rows."""

from __future__ import annotations

from cypdesk.model.catalog import CATALOG
from cypdesk.services.tables import WINDOW_COLUMNS
from cypdesk.ui.tabs.needs_filters import FIND_HINT as NEEDS_FIND_HINT
from cypdesk.ui.tabs.record_tab import TabSpec


def _service_form_fields() -> list[str]:
    """The service's fields in the editor: whether the unit cost was set by hand sits
    just under the unit cost, whatever the column order."""
    names = [f["name"] for f in CATALOG["services"]["fields"] if not f.get("system")]
    names.remove("unit_cost_by_hand")
    names.insert(names.index("unit_cost") + 1, "unit_cost_by_hand")
    return names


NEEDS = TabSpec("&Needs", "indicators", "Needs: indicators", "indicators", editable=False,
                columns=["name"], filters=[],
                form_fields=["name", "code", "group_id", "unit", "polarity", "decimals", "source", "definition"],
                find_hint=NEEDS_FIND_HINT,
                key_columns=["name", "period", "value", "trust", "england", "comparison", "against_trust", "trend",
                             "rank"])

SERVICES = TabSpec("&Services", "services", "Services register", "services",
                   columns=list(WINDOW_COLUMNS["services"]),
                   filters=["sector", "tier", "status", "prevention", "to_classify"], defaults={"status": "active"},
                   form_fields=_service_form_fields(),
                   find_hint="service, provider or commissioner",
                   key_columns=["name", "annual_cost", "contract_end"])

TEAMS = TabSpec("&Teams", "teams", "Commissioning teams", "commissioning teams",
                columns=list(WINDOW_COLUMNS["teams"]),
                filters=["kind", "stage"], defaults={"stage": "in_place"},
                find_hint="team, focus, lead or a problem")

BUDGETS = TabSpec("&Pooled budgets", "agreements", "Pooled budget agreements", "budget agreements", editable=True,
                  columns=list(WINDOW_COLUMNS["agreements"]),
                  filters=["type", "status"],
                  find_hint="agreement, type, legal basis, host or status",
                  key_columns=["title", "status", "start_date", "review_date", "end_date"],
                  defaults={"type": "pooled", "status": "draft", "overspend_rule": "proportional",
                            "underspend_rule": "proportional"})

MONITORING = TabSpec("&Monitoring", "measures", "Performance measures", "performance measures",
                     columns=["name", "kind"], filters=["kind"],
                     find_hint="measure, what it is of, or kind",
                     key_columns=["name", "rating", "latest_actual", "target", "latest_period"],
                     defaults={"kind": "how_well", "polarity": "higher_better", "frequency": "quarterly",
                               "tolerance_kind": "percent"})

PAPERS = TabSpec("&Board papers", "papers", "Board papers", "board papers",
                 columns=["title", "status", "meeting_id"], find_hint="paper, meeting or status",
                 form_fields=["title", "meeting_id", "agenda_item", "author_id", "contact_id", "marking",
                              "key_decision", "wards_affected"])

ORGANISATIONS = TabSpec("Or&ganisations and people", "organisations", "Organisations", "organisations",
                        columns=list(WINDOW_COLUMNS["organisations"]),
                        filters=["kind", "is_partner", "is_provider"])

TAB_SPECS = (NEEDS, SERVICES, TEAMS, BUDGETS, MONITORING, PAPERS, ORGANISATIONS)
