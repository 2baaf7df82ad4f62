"""The exchange promises (DESIGN.md section 5, contract11 section 0), tested with
hypothesis on REAL .cypdesk files: a base document made through the services
(partners.build_base: settings, typed and imported organisations, services with
commissioners' shares, confidential contract values, a cascaded deletion and a
restore), copied as plain files to 3 or 4 partners, each opened with its own
installation and its own patched clock (partners.PARTNER_CLOCKS: StepClock, one an
hour fast, one set to 2019), then random sequences of edits, owner changes, cascaded
deletions, undos of deletions, new records, settings, re-imports, commissioners' shares,
plain copies to new partners, attachments sent and received late, and merges (ops.py).

- No edit is lost: after every merge, every value any partner wrote that the merged-in
  file held is the current value of its field or in the merged file's history.
- Merging the same file twice changes nothing the second time (content_digest equal),
  and more generally merging a file whose every change was already seen (an old
  attachment received late: its version vector is covered) changes nothing.
- Merging in either order converges: x<-y and y<-x, on copies, have the same digest.
- Partners exchanging in any pattern converge: after the drawn merges, everyone
  merges everyone until a round changes nothing, and then all hold the same content,
  every value anyone wrote is in every file, and on records nobody deleted each field
  holds its latest write (the deterministic rule: the later stamp).

Excluded by construction, and only that: merges that would break a model rule, which
the contract keeps as ours on each side (see ops.py's module doc).

Default: ``CYPDESK_PROPERTY_EXAMPLES`` examples (25) of at most 14 operations; the
1,000-example run is ``bench/bench_merge_properties.py --examples 1000`` and the
``slow`` test below.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings

from tests.properties import ops

EXAMPLES = int(os.environ.get("CYPDESK_PROPERTY_EXAMPLES", "25"))
PROPERTY_SETTINGS = dict(deadline=None, database=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.function_scoped_fixture])


# Patterns every run covers, whatever hypothesis draws (partner clocks: P0 and P1 start
# together, P1 in smaller steps; P2 is an hour fast; P3 is set to 2019). Services by
# slot: 0-2 stable, 3 and 4 deletable (delete slots 0 and 1); contracts: 0-1 stable,
# then those created.
PATTERNS = [
    # one field edited on two sides: a conflict, the later stamp wins, both ways
    (3, [("edit", 0, "services", 0, "name", 1), ("edit", 1, "services", 0, "name", 2), ("merge", 0, 1, True),
         ("order", 0, 1)]),
    # a service deleted (with its contracts and links) on one side, edited on the other after
    (3, [("delete", 0, "services", 0), ("edit", 2, "services", 3, "annual_cost", 1), ("merge", 2, 0, False),
         ("merge", 0, 2, True), ("order", 1, 2)]),
    # edited, then deleted later on the other side (the deletion wins, the edit stays in history)
    (3, [("edit", 1, "services", 4, "annual_cost", 1), ("delete", 2, "services", 1), ("order", 1, 2),
         ("merge", 1, 0, False), ("merge", 2, 0, True)]),
    # a deletion undone after a partner took the deletion: the restore beats the stale tombstone
    (3, [("delete", 0, "services", 2), ("merge", 0, 1, False), ("restore", 0, 0), ("merge", 0, 1, True),
         ("merge", 1, 2, False)]),
    # copies of copies, three ways, one confidential value edited by each
    (3, [("copy", 0), ("edit", 3, "contracts", 0, "annual_value", 1), ("copy", 3),
         ("edit", 4, "contracts", 0, "annual_value", 2), ("edit", 0, "contracts", 0, "annual_value", 0),
         ("merge", 4, 0, True), ("merge", 3, 1, False)]),
    # settings edited on the skewed clocks
    (4, [("setting", 3, "title", 1), ("setting", 2, "title", 2), ("setting", 0, "small_number_threshold", 2),
         ("merge", 3, 2, True), ("order", 2, 3)]),
    # a service handed to another partner on two sides, its shares set by the lead
    (3, [("owner", 1, "services", 0, 2), ("shares", 0, 1), ("owner", 0, "services", 0, 4), ("merge", 0, 1, True),
         ("order", 0, 1)]),
    # a deletion emailed, then undone; the partner who took the undo receives the old attachment
    # (found by the bench: test_found_restore_and_stale_file.py)
    (3, [("delete", 0, "services", 1), ("send", 0), ("restore", 0, 0), ("merge", 0, 1, False),
         ("receive", 0, 1), ("receive", 0, 2)]),
    # re-imports of the organisations sheet on two sides, a name edited on a third
    (3, [("import", 0, 1), ("import", 1, 2), ("edit", 2, "organisations", 3, "name", 0), ("import", 2, 1),
         ("merge", 0, 1, True), ("order", 1, 2)]),
    # new records, one deleted on one side and edited on the other
    (4, [("create", 1, "contracts", 0), ("create", 2, "organisations", 0), ("edit", 1, "contracts", 2, "title", 0),
         ("merge", 1, 2, False), ("delete", 2, "contracts", 0), ("edit", 1, "contracts", 2, "title", 1),
         ("order", 1, 2)]),
]


def with_patterns(test):
    for pattern in reversed(PATTERNS):
        test = example(scenario=pattern)(test)
    return test


@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(scenario=ops.scenarios())
@with_patterns
def test_partners_exchanging_real_files_lose_no_edit_and_converge(base, ram_home, scenario):
    """3 or 4 partners (plain copies of the base, own installation, own patched clock)
    edit, hand over, delete with cascade, undo deletions, add records, change settings,
    copy each other's files and merge in a drawn pattern: after each merge no written
    value is lost, a drawn second merge of the same file changes nothing, a drawn pair
    merged both ways on copies has one content, and gossip until quiet converges with
    every written value in every file and, on records nobody deleted, every field
    holding its latest write. PATTERNS run first in every run."""
    ops.run_in_ram(base, scenario)


@pytest.mark.slow
def test_partners_exchanging_real_files_1000_examples(base, ram_home, request):
    """The same property with 1,000 examples (about 20 minutes on the 2-core machine):
    only with ``pytest -m slow`` or CYPDESK_SLOW=1."""
    if "slow" not in (request.config.getoption("markexpr") or "") and not os.environ.get("CYPDESK_SLOW"):
        pytest.skip("slow: run with -m slow")

    @settings(max_examples=1000, **PROPERTY_SETTINGS)
    @given(scenario=ops.scenarios())
    def prop(scenario):
        ops.run_in_ram(base, scenario)

    prop()
