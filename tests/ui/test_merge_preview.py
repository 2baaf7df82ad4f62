"""The merge preview dialog on plans built here with the engine's own dataclasses
(``MergePlan``, ``MergeConflict``…; no files): a plan of 5,000 rows a list opens,
switches pages and applies a choice to thousands of conflicts without stalling the
window's thread; choices per field, per record and for the records a partner owns;
values read as the tabs show them; every control named and reachable by keyboard."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QTabBar, QTableView, QWidget

from cypdesk.services.exchange.intake import PartnerInfo
from cypdesk.services.exchange.plan import FieldChange, MergeConflict, MergePlan, RecordRef, conflict_key

NHS = "org-nhs"
COUNCIL = "org-council"
PARTNER = PartnerInfo(document_id="doc-oak", title="Oak trust plan", trust_name="Oakshire Children's Trust",
                      owner_org_id=NHS, source_name="oak-plan.cypshare", is_share=True)
STAMP_OURS = "0190a0b0c0d0" + "0000" + "a" * 32
STAMP_THEIRS = "0190a0b0c0d1" + "0000" + "b" * 32


def conflict(table, record_id, title, field, label, ours, theirs, *, owner=None, rule="theirs", kind="field",
             deleted_side=None):
    return MergeConflict(conflict_key(table, record_id, field), kind, table, record_id, title, field, label, ours,
                         theirs, STAMP_OURS, STAMP_THEIRS, "alice on COUNCIL-LAPTOP", "bob on NHS-DESKTOP", rule, owner,
                         deleted_side, "Both sides changed it since you last shared a state; theirs is the later.")


def big_plan(n: int) -> MergePlan:
    """``n`` rows in every list: conflicts on services, a third of them the NHS's."""
    conflicts = [conflict("services", f"s{i}", f"Family hub {i}", "capacity", "Capacity", i, i + 1,
                          owner=NHS if i % 3 == 0 else COUNCIL, rule="theirs" if i % 2 else "ours") for i in range(n)]
    added = [RecordRef("organisations" if i % 2 else "services", f"a{i}", f"Added {i}") for i in range(n)]
    changed = [FieldChange("services", f"c{i}", f"Changed {i}", "status", "Status", "active", "under_review", STAMP_OURS,
                           STAMP_THEIRS, "bob on NHS-DESKTOP") for i in range(n)]
    deleted = [RecordRef("teams", f"d{i}", f"Deleted {i}") for i in range(n)]
    duplicates = [(RecordRef("organisations", f"o{i}", f"Acme Care {i}"),
                   RecordRef("organisations", f"p{i}", f"Acme Care {i} ")) for i in range(n)]
    return MergePlan(partner=PARTNER, added=added, changed=changed, deleted=deleted, conflicts=conflicts,
                     duplicates=duplicates, ignored=[f"Snapshot {i} withheld" for i in range(n)], unchanged=12_345)


def small_plan() -> MergePlan:
    conflicts = [
        conflict("services", "s1", "Family hub", "capacity", "Capacity", 11, 22, owner=NHS),
        conflict("services", "s1", "Family hub", "annual_cost", "Annual cost", 111111.5, 222222, owner=NHS,
                 rule="ours"),
        conflict("services", "s2", "Youth club", "status", "Status", "active", "under_review", owner=COUNCIL),
        conflict("services", "s2", "Youth club", "provider_id", "Provider", "org-a", "org-b", owner=COUNCIL),
        conflict("services", "s3", "Old clinic", None, "", None, {"name": "Old clinic", "capacity": 3},
                 kind="delete_edit", deleted_side="ours", owner=NHS),
    ]
    return MergePlan(partner=PARTNER, conflicts=conflicts, added=[RecordRef("organisations", "n1", "Riverside")],
                     unchanged=10)


class StallDetector:
    """A 5 ms timer on the window's thread: the longest gap between its ticks is the
    longest the thread was busy. Measured in the thread's CPU time (what the thread
    itself spent, whatever else the machine is doing), with the wall-clock gap kept
    for the message."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self.tick)
        self.cpu = self.wall = 0.0
        self.last: tuple[float, float] | None = None

    def tick(self) -> None:
        now = time.thread_time(), time.perf_counter()
        if self.last is not None:
            self.cpu = max(self.cpu, now[0] - self.last[0])
            self.wall = max(self.wall, now[1] - self.last[1])
        self.last = now

    def __enter__(self) -> StallDetector:
        self.tick()
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


def test_a_preview_of_5000_rows_a_list_never_stalls_the_window(qtbot):
    """Building and showing the preview of a plan with 5,000 conflicts, additions,
    changes, deletions, possible duplicates and things not merged, going through every
    page, jumping to the last conflict and taking theirs for all 1,667 the partner owns:
    no step holds the window's thread for 100 ms (a stall detector's timer, in the
    thread's CPU time). The dialog stands alone (no main window whose own background
    work, run inline in tests, would be measured too), after earlier tests' windows are
    deleted and their garbage collected."""
    import gc

    from cypdesk.ui.exchange.merge_dialog import MergeDialog

    plan = big_plan(5000)
    shown: dict[str, MergeDialog] = {}

    def show() -> None:
        dialog = shown["dialog"] = MergeDialog(plan, into="trust.cypdesk", partner_org="NHS Oakshire")
        qtbot.addWidget(dialog)
        dialog.show()

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # earlier tests' windows, deleted now
    qtbot.wait(20)
    gc.collect()
    with StallDetector() as detector:
        QTimer.singleShot(20, show)
        qtbot.waitUntil(lambda: "dialog" in shown and shown["dialog"].isVisible())
        dialog = shown["dialog"]
        qtbot.wait(50)
        for page in range(dialog.pages.count()):
            dialog.pages.setCurrentIndex(page)
            qtbot.wait(30)
        dialog.pages.setCurrentIndex(0)
        dialog.conflict_view.selectRow(4999)
        dialog.conflict_view.scrollToBottom()
        qtbot.wait(30)
        dialog.owned_theirs.click()
        qtbot.wait(50)
    owned = [c for c in plan.conflicts if c.owner_org_id == NHS]
    assert len(owned) == 1667 and all(dialog.choices[c.key] == "theirs" for c in owned)
    assert detector.last is not None
    assert detector.cpu < 0.100, f"the window's thread was busy {detector.cpu * 1000:.0f} ms at once " \
                                 f"(wall clock {detector.wall * 1000:.0f} ms)"
    dialog.close()


@pytest.fixture
def dialog(open_window, qtbot):
    from cypdesk.ui.exchange.merge_dialog import MergeDialog

    window = open_window()
    names = {("organisations", "org-a"): "Acme Care Ltd", ("organisations", "org-b"): "Brightstart CIC"}
    box = MergeDialog(small_plan(), names=names, into="trust.cypdesk", partner_org="NHS Oakshire", parent=window)
    box.show()
    qtbot.waitExposed(box)
    yield box
    box.close()


def rows_by_key(dialog):
    model = dialog.conflicts
    return {model.item(r).key: r for r in range(model.rowCount())}


def test_each_conflict_starts_at_the_rule_and_changes_per_field_per_record_and_per_owner(dialog):
    """The choices start as each conflict's rule_choice; Keep mine and Take theirs act on
    the selected conflict only, "for the whole record" on every conflict of its record,
    "for records NHS Oakshire owns" on the NHS's records only, and Suggested choices
    puts every one back."""
    plan = dialog.plan
    rule = {c.key: c.rule_choice for c in plan.conflicts}
    assert dialog.choices == rule
    rows = rows_by_key(dialog)
    capacity, cost = "services/s1/capacity", "services/s1/annual_cost"
    status, provider = "services/s2/status", "services/s2/provider_id"
    dialog.conflict_view.selectRow(rows[capacity])
    dialog.keep_mine.click()
    assert dialog.choices == {**rule, capacity: "ours"}
    dialog.conflict_view.selectRow(rows[status])
    dialog.record_mine.click()
    assert dialog.choices[status] == dialog.choices[provider] == "ours"
    assert dialog.choices[capacity] == "ours" and dialog.choices[cost] == "ours"
    dialog.owned_theirs.click()  # s1 and s3 are the NHS's; s2 the council's
    assert dialog.choices[capacity] == dialog.choices[cost] == dialog.choices["services/s3/*"] == "theirs"
    assert dialog.choices[status] == dialog.choices[provider] == "ours"
    dialog.owned_mine.click()
    assert dialog.choices[capacity] == dialog.choices["services/s3/*"] == "ours"
    dialog.suggested.click()
    assert dialog.choices == rule


def test_the_side_by_side_panel_shows_both_values_and_chooses_for_the_current_conflict(dialog):
    """Selecting a conflict shows both whole values, who changed each and the reason;
    its radio buttons choose for that conflict alone, and the Keep column says so."""
    rows = rows_by_key(dialog)
    cost = "services/s1/annual_cost"
    dialog.conflict_view.selectRow(rows[cost])
    assert dialog.side_texts["ours"].toPlainText() == "£111,112"
    assert dialog.side_texts["theirs"].toPlainText() == "£222,222"
    assert "alice on COUNCIL-LAPTOP" in dialog.side_boxes["ours"].title()
    assert "bob on NHS-DESKTOP" in dialog.side_boxes["theirs"].title()
    assert "Annual cost" in dialog.reason.text() and "Family hub" in dialog.reason.text()
    assert dialog.side_radios["ours"].isChecked()  # the rule's choice for this one
    dialog.side_radios["theirs"].click()
    assert dialog.choices[cost] == "theirs"
    assert dialog.conflicts.index(rows[cost], dialog.conflicts.keep_column).data() == "Theirs"
    assert dialog.conflicts.index(rows["services/s1/capacity"], dialog.conflicts.keep_column).data() \
        == "Theirs (suggested)"


def test_values_read_as_the_tabs_show_them(dialog):
    """Money in pounds, a choice by its label, a reference by the name of the record it
    names, the side that deleted a record as "Deleted", and the counts in words."""
    rows = rows_by_key(dialog)
    model = dialog.conflicts

    def sides(key):
        return [model.index(rows[key], c).data() for c in (3, 4)]

    assert sides("services/s1/annual_cost") == ["£111,112", "£222,222"]
    assert sides("services/s2/status") == ["Active", "Under review"]
    assert sides("services/s2/provider_id") == ["Acme Care Ltd", "Brightstart CIC"]
    assert sides("services/s3/*")[0] == "Deleted" and sides("services/s3/*")[1].startswith("Edited: ")
    assert dialog.summary.text() == ("1 added · 0 changed · 0 deleted · 5 conflicts · 0 possible duplicates · "
                                     "0 not merged · 10 unchanged")


def test_every_control_is_named_and_reachable_by_keyboard(dialog):
    """Every button has words, every table and text box an accessible name, and each
    takes the keyboard focus (Tab reaches it); the buttons' shortcuts are all different."""
    widgets = [w for w in dialog.findChildren(QWidget) if isinstance(w, (QAbstractButton, QTableView))
               and not w.objectName().startswith("qt_") and not isinstance(w.parent(), QTabBar)]  # Qt's own parts
    assert len(widgets) > 10
    for widget in widgets:
        name = widget.text() if isinstance(widget, QAbstractButton) else widget.accessibleName()
        assert name, widget.objectName()
        if widget.isEnabled() and widget.isVisible():
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
    keys = [b.text().split("&")[1][0].lower() for b in dialog.findChildren(QAbstractButton)
            if b.isVisible() and "&" in b.text().replace("&&", "")]
    keys += [dialog.pages.tabText(i).split("&")[1][0].lower() for i in range(dialog.pages.count())]
    assert len(keys) == len(set(keys)), sorted(keys)
