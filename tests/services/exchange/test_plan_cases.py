"""The merge engine against the reliability plan's merge cases (28-35, 37-39), on
real documents made from the demo and edited through the services."""

from contextlib import ExitStack

import pytest

from cypdesk.services import records
from tests.services.exchange.engine_kit import ALICE, BOB, CAROL, Docs, digest, merge, one, rows


@pytest.fixture
def docs(demo_path, tmp_path):
    with ExitStack() as stack:
        yield Docs(demo_path, tmp_path, stack)


def _service(ws, n=0):
    return rows(ws, "SELECT id, name FROM services ORDER BY id")[n]


def test_case_28_different_fields_of_one_record_both_kept(docs):
    """Case 28: the council renames a service and the NHS changes its description:
    merging either way keeps both edits, with no conflict, and both orders end with
    the same content."""
    a, b = docs.open(ALICE), docs.open(BOB)
    sid, _name = _service(a)
    records.update(a, "services", sid, {"name": "Renamed by the council"})
    records.update(b, "services", sid, {"description": "Described by the NHS"})
    a0, b0 = docs.snap(a), docs.snap(b)
    plan, result = merge(a, b0)
    assert plan.conflicts == [] and [(c.table, c.field) for c in plan.changed] == [("services", "description")]
    merge(b, a0)
    for ws in (a, b):
        assert one(ws, "SELECT name, description FROM services WHERE id = ?", sid) == (
            "Renamed by the council", "Described by the NHS")
    assert digest(a) == digest(b)
    assert result.counts["changed"] == 1 and result.counts["conflicts"] == 0


def test_case_29_same_field_both_sides_is_one_conflict_with_both_values_kept(docs):
    """Case 29: both rename the same service: one conflict, counted once; the later
    rename is in the record, the other in a merge history row (never lost)."""
    a, b = docs.open(ALICE), docs.open(BOB)
    sid, _name = _service(a)
    records.update(a, "services", sid, {"name": "Council name"})
    records.update(b, "services", sid, {"name": "NHS name"})  # later on the shared timeline
    plan, result = merge(a, docs.snap(b))
    assert [(c.kind, c.field, c.ours, c.theirs, c.rule_choice) for c in plan.conflicts] == [
        ("field", "name", "Council name", "NHS name", "theirs")]
    assert result.counts["conflicts"] == 1
    assert one(a, "SELECT name FROM services WHERE id = ?", sid) == ("NHS name",)
    notes = rows(a, "SELECT old_value, new_value, note FROM history WHERE op = 'merge' AND record_id = ? "
                    "AND field = 'name'", sid)
    assert notes and notes[0][0] == '"Council name"' and "Conflict" in notes[0][2]


def test_case_30_same_wall_time_on_both_sides_is_deterministic_and_flagged(docs):
    """Case 30: both clocks read the same millisecond (a frozen timeline for both): the
    conflict is flagged and either order of merging gives the same content."""
    a, b = docs.open(ALICE), docs.open(BOB)
    from cypdesk.common.hlc import Clock

    frozen = docs.timeline.ms + 1000
    a.clock = Clock(ALICE.id, now_ms=lambda: frozen)
    b.clock = Clock(BOB.id, now_ms=lambda: frozen)
    sid, _name = _service(a)
    records.update(a, "services", sid, {"name": "Same second A"})
    records.update(b, "services", sid, {"name": "Same second B"})
    a0, b0 = docs.snap(a), docs.snap(b)
    plan_ab, _ = merge(a, b0)
    plan_ba, _ = merge(b, a0)
    assert len(plan_ab.conflicts) == len(plan_ba.conflicts) == 1
    assert digest(a) == digest(b)
    winner = one(a, "SELECT name FROM services WHERE id = ?", sid)[0]
    assert winner == "Same second A"  # ALICE's installation id (...a11ce) sorts after BOB's (...00b0b): the tie-break


def test_case_31_deleted_here_edited_later_there_is_kept_and_flagged_and_a_plain_deletion_reaches_a_third(docs):
    """Case 31: A deletes two services; B edits one of them afterwards. A<-B keeps the
    edited one (flagged in conflicts), and the other stays deleted; C<-A then loses the
    one not edited (the tombstone reaches a third partner)."""
    a, b, c = docs.open(ALICE), docs.open(BOB), docs.open(CAROL)
    s1, s2 = _service(a, 0)[0], _service(a, 1)[0]
    records.delete(a, "services", s1)
    records.delete(a, "services", s2)
    records.update(b, "services", s1, {"name": "Edited after the deletion"})
    plan, result = merge(a, docs.snap(b))
    [conflict] = [x for x in plan.conflicts if x.kind == "delete_edit"]
    assert (conflict.record_id, conflict.deleted_side, conflict.rule_choice) == (s1, "ours", "theirs")
    assert one(a, "SELECT name FROM services WHERE id = ?", s1) == ("Edited after the deletion",)
    assert one(a, "SELECT kind FROM conflicts WHERE record_id = ?", s1) == ("delete_edit",)
    assert one(a, "SELECT count(*) FROM services WHERE id = ?", s2) == (0,)
    merge(c, docs.snap(a))
    assert one(c, "SELECT count(*) FROM services WHERE id = ?", s2) == (0,)
    assert one(c, "SELECT name FROM services WHERE id = ?", s1) == ("Edited after the deletion",)
    assert one(c, "SELECT count(*) FROM tombstones WHERE record_id = ?", s2) == (1,)


def test_case_34_three_partners_merged_in_either_order_give_the_same_content(docs):
    """Case 34: A, B and C edit from one base (different fields, one field all three
    changed, a deletion on C): two copies of A merged A<-B<-C and A<-C<-B end with the
    same content digest, and B and C then converge on it too."""
    a, b, c = docs.open(ALICE), docs.open(BOB), docs.open(CAROL)
    s0, s1, s2 = (_service(a, n)[0] for n in range(3))
    records.update(a, "services", s0, {"name": "Named by A"})
    records.update(b, "services", s0, {"description": "Described by B"})
    records.update(b, "services", s1, {"name": "Named by B"})
    records.update(c, "services", s1, {"name": "Named by C"})
    records.update(a, "services", s1, {"name": "Named by A"})
    records.delete(c, "services", s2)
    a_file, b_file, c_file = docs.snap(a), docs.snap(b), docs.snap(c)
    first, second = docs.open(ALICE, source=a_file), docs.open(ALICE, source=a_file)
    merge(first, b_file)
    merge(first, c_file)
    merge(second, c_file)
    merge(second, b_file)
    assert digest(first) == digest(second)
    assert one(first, "SELECT name, description FROM services WHERE id = ?", s0) == ("Named by A", "Described by B")
    assert one(first, "SELECT name FROM services WHERE id = ?", s1) == ("Named by A",)  # the latest of three
    assert one(first, "SELECT count(*) FROM services WHERE id = ?", s2) == (0,)
    done = docs.snap(first)
    for ws in (b, c):
        merge(ws, done)
        assert digest(ws) == digest(first)


def test_case_32_edited_there_before_deleted_here_stays_deleted_with_the_edit_in_history(docs):
    """Case 32: B edits a service, then A deletes it (later): merging either way deletes
    it; B's edit is in A's history, and B keeps the deleted record in a history row."""
    a, b = docs.open(ALICE), docs.open(BOB)
    sid, _name = _service(a)
    records.update(b, "services", sid, {"name": "Edited before the deletion"})
    records.delete(a, "services", sid)
    a0, b0 = docs.snap(a), docs.snap(b)
    plan, _ = merge(a, b0)
    [conflict] = [x for x in plan.conflicts if x.record_id == sid]
    assert conflict.kind == "delete_edit" and conflict.rule_choice == "ours" and "deletion is later" in conflict.reason
    assert one(a, "SELECT count(*) FROM services WHERE id = ?", sid) == (0,)
    assert one(a, "SELECT new_value FROM history WHERE record_id = ? AND op = 'update' AND field = 'name'", sid) == (
        '"Edited before the deletion"',)
    merge(b, a0)
    assert one(b, "SELECT count(*) FROM services WHERE id = ?", sid) == (0,)
    assert "Edited before the deletion" in one(
        b, "SELECT old_value FROM history WHERE record_id = ? AND op = 'merge' AND old_value IS NOT NULL "
           "AND field IS NULL", sid)[0]
    assert digest(a) == digest(b)


def test_case_33_merging_the_same_file_twice_or_a_file_with_itself_changes_nothing(docs):
    """Case 33: the second merge of one file plans nothing and leaves the content as it
    was; merging a document with a copy of itself plans nothing."""
    a, b = docs.open(ALICE), docs.open(BOB)
    sid, _name = _service(a)
    records.update(b, "services", sid, {"name": "Once"})
    records.create(b, "organisations", {"name": "A new partner"})
    b0 = docs.snap(b)
    merge(a, b0)
    after_first = digest(a)
    plan, result = merge(a, b0)
    assert (plan.added, plan.changed, plan.deleted, plan.conflicts) == ([], [], [], [])
    assert digest(a) == after_first and result.counts["added"] == result.counts["changed"] == 0
    itself, _ = merge(a, docs.snap(a))
    assert (itself.added, itself.changed, itself.deleted, itself.conflicts) == ([], [], [], [])


def test_case_35_an_organisation_made_on_both_sides_is_a_possible_duplicate_never_merged(docs):
    """Case 35: "Acme Care Ltd" made here and "acme care ltd " (another case, a trailing
    no-break space) made there: both rows are kept, and the plan names the pair."""
    a, b = docs.open(ALICE), docs.open(BOB)
    ours = records.create(a, "organisations", {"name": "Acme Care Ltd"}).id
    theirs = records.create(b, "organisations", {"name": "acme care ltd\u00a0"}).id
    plan, _ = merge(a, docs.snap(b))
    assert [(o.record_id, t.record_id) for o, t in plan.duplicates] == [(ours, theirs)]
    assert one(a, "SELECT count(*) FROM organisations WHERE id IN (?, ?)", ours, theirs) == (2,)


def test_case_37_a_clock_a_day_fast_is_reported_and_a_slow_one_still_merges_by_stamps(docs):
    """Case 37: B's laptop is two days fast, C's is set to 2019. The plan of B reports
    the skew in words; C's edit of a field nobody else changed is still taken although
    its wall time is years older (the clock moved past the file's stamps)."""
    a = docs.open(ALICE)
    b = docs.open(BOB, skew_ms=2 * 24 * 3600 * 1000)
    c = docs.open(CAROL, skew_ms=-7 * 365 * 24 * 3600 * 1000)
    sid, _name = _service(a)
    records.update(b, "services", sid, {"description": "From the fast laptop"})
    records.update(c, "services", sid, {"name": "From the 2019 laptop"})
    plan_b, _ = merge(a, docs.snap(b))
    assert plan_b.skewed and "more than a day ahead" in plan_b.skewed[0] and "bob" in plan_b.skewed[0]
    plan_c, _ = merge(a, docs.snap(c))
    assert plan_c.skewed == [] and [(x.field, x.theirs) for x in plan_c.changed] == [("name", "From the 2019 laptop")]
    assert one(a, "SELECT name, description FROM services WHERE id = ?", sid) == (
        "From the 2019 laptop", "From the fast laptop")


def test_case_39_report_totals_equal_the_diff_of_canonical_dumps(docs):
    """Case 39: the counts a merge reports (added, changed, deleted) are the records a
    diff of the content before and after finds, per table too."""
    from cypdesk.services.exchange.canon import content_rows

    a, b = docs.open(ALICE), docs.open(BOB)
    (s1, _), (s2, _), (s3, _) = _service(a, 0), _service(a, 1), _service(a, 2)
    records.update(b, "services", s1, {"name": "Changed there"})
    records.update(b, "services", s2, {"description": "Also changed there"})
    records.delete(b, "services", s3)
    records.create(b, "organisations", {"name": "Made there"})

    def dump(ws):
        import sqlite3

        conn = sqlite3.connect(ws.doc.working_path)
        try:
            return {(t, r): v for t, r, v in content_rows(conn)}
        finally:
            conn.close()

    before = dump(a)
    plan, result = merge(a, docs.snap(b))
    after = dump(a)
    added = [k for k in after if k not in before]
    deleted = [k for k in before if k not in after]
    changed = [k for k in after if k in before and after[k] != before[k]]
    assert (result.counts["added"], result.counts["deleted"], result.counts["changed"]) == (
        len(added), len(deleted), len(changed))
    assert len(deleted) >= 1 and len(added) == 1 and len(changed) == 2
    per_table = plan.by_table()
    assert per_table["services"]["changed"] == 2 and per_table["organisations"]["added"] == 1
