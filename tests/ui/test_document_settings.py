"""File > Document settings…: the dialog shows the document's settings, every control
named for a screen reader and reached by Tab; OK saves what changed as ONE undo step
and the tabs re-read (Needs stops ranking with "England only", Monitoring's reviews
window follows); a refusal is shown beside its field with everything typed kept; a
logo is chosen (previewed), refused naming the file, or removed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from cypdesk.services.needs import NOT_RANKED_ENGLAND
from cypdesk.services.settings import read_settings
from cypdesk.ui.dialogs.document_settings import DocumentSettingsDialog
from cypdesk.ui.tabs.monitoring_tab import REVIEW

TODAY = date(2026, 3, 15)


def _png(path, width=300, height=100):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 94, 165)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _ok(qtbot, dialog):
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    return dialog.result() == QDialog.DialogCode.Accepted


def _choose(combo, value):
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_ok_saves_the_changes_as_one_undo_step_and_the_tabs_reread(open_window, qtbot, dialogs):
    window = open_window("measures")
    monitoring = window.tab("measures")
    monitoring.set_today(TODAY)
    monitoring.show_view(REVIEW)
    assert monitoring.review_page.reviews_box.title() == "Reviews due in the next 30 days, and overdue"
    needs = window.show_tab("indicators")
    assert any(s.neighbours.rank is not None for s in needs.summaries)
    told = []
    window.document_settings_changed.connect(lambda: told.append(True))
    before_steps = window.undo_stack.count()

    def fill_in(dialog):
        assert dialog.title_edit.text() == "Riverside Children's Trust (demo)"
        assert dialog.compare_combo.currentData() == "statistical_neighbours"
        _choose(dialog.compare_combo, "england")
        dialog.tolerance_spin.setValue(12.5)
        dialog.window_spin.setValue(14)
        dialog.grace_spin.setValue(45)
        dialog.threshold_spin.setValue(10)
        return _ok(qtbot, dialog)

    dialogs.drivers = [fill_in]
    window.action_settings.trigger()
    assert window.undo_stack.count() == before_steps + 1  # one step for five settings
    assert window.undo_stack.undoText().startswith("Change the document settings (")
    got = read_settings(window.reader)
    assert (got.comparator_set, got.tolerance_pct, got.review_window_days, got.return_grace_days,
            got.small_number_threshold) == ("england", 12.5, 14, 45, 10)
    assert told == [True] and "*" in window.windowTitle()
    ranked = [s for s in needs.summaries if s.value is not None and s.unit != "count"]
    assert ranked and all(s.neighbours.method == NOT_RANKED_ENGLAND for s in ranked)
    assert monitoring.review_page.reviews_box.title() == "Reviews due in the next 14 days, and overdue"

    window.action_undo.trigger()  # all five come back at once
    got = read_settings(window.reader)
    assert (got.comparator_set, got.tolerance_pct, got.review_window_days, got.return_grace_days,
            got.small_number_threshold) == ("statistical_neighbours", 5.0, 30, 30, 5)
    assert any(s.neighbours.rank is not None for s in needs.summaries)
    assert monitoring.review_page.reviews_box.title() == "Reviews due in the next 30 days, and overdue"
    assert told == [True, True]
    window.action_redo.trigger()
    assert read_settings(window.reader).review_window_days == 14


def test_a_refusal_shows_beside_its_field_and_keeps_what_was_typed(open_window, qtbot, dialogs):
    window = open_window()
    seen = {}

    def empty_title_then_fix(dialog):
        dialog.title_edit.setText("   ")
        dialog.trust_edit.setText("Riverside and District Children's Trust")
        assert not _ok(qtbot, dialog)  # refused: the dialog stays open
        error = dialog.errors["title"]
        seen["error"] = (error.isVisibleTo(dialog), error.text())
        seen["kept"] = dialog.trust_edit.text()
        seen["focus"] = dialog.focusWidget() is dialog.title_edit
        dialog.title_edit.setText("Riverside trust")
        return _ok(qtbot, dialog)

    dialogs.drivers = [empty_title_then_fix]
    before = read_settings(window.reader)
    window.action_settings.trigger()
    assert seen["error"] == (True, "Title is required.")
    assert seen["kept"] == "Riverside and District Children's Trust" and seen["focus"]
    after = read_settings(window.reader)
    assert (after.title, after.trust_name) == ("Riverside trust", "Riverside and District Children's Trust")
    assert before.title != after.title


def test_a_logo_is_previewed_refused_naming_the_file_or_removed(open_window, qtbot, dialogs, tmp_path):
    window = open_window()
    crest = _png(tmp_path / "crest.png")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")

    def choose_logo(dialog):
        assert dialog.logo_preview.text() == "No logo" and not dialog.logo_remove.isEnabled()
        assert dialog.set_logo_file(crest)
        assert not dialog.logo_preview.pixmap().isNull() and dialog.logo_remove.isEnabled()
        assert dialog.logo_preview.accessibleDescription() == "PNG logo, 300 by 100 pixels"
        assert not dialog.set_logo_file(notes)  # refused: the chosen logo stays
        assert dialog.errors["logo"].isVisibleTo(dialog)
        assert "notes.txt is not a PNG or JPEG image" in dialog.errors["logo"].text()
        assert dialog.logo == crest.read_bytes()
        return _ok(qtbot, dialog)

    dialogs.drivers = [choose_logo]
    window.action_settings.trigger()
    assert read_settings(window.reader).logo == crest.read_bytes()

    def remove_logo(dialog):
        assert not dialog.logo_preview.pixmap().isNull()  # the document's logo, shown
        qtbot.mouseClick(dialog.logo_remove, Qt.MouseButton.LeftButton)
        assert dialog.logo is None and dialog.logo_preview.text() == "No logo"
        return _ok(qtbot, dialog)

    dialogs.drivers = [remove_logo]
    window.action_settings.trigger()
    assert read_settings(window.reader).logo is None
    window.action_undo.trigger()
    assert read_settings(window.reader).logo == crest.read_bytes()


def test_every_control_is_named_and_reached_by_tab(qtbot):
    from cypdesk.services.settings import DEFAULTS

    options = [("statistical_neighbours", "Statistical neighbours", True, "Statistical neighbours: 6 areas"),
               ("region", "Region", False, "the trust's area is in no region"),
               ("england", "England only", True, "compared with England only; not ranked")]
    dialog = DocumentSettingsDialog(DEFAULTS, options, lambda changes: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    controls = [*dialog.editors.values(), dialog.logo_remove, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)]
    assert all(w.accessibleName() for w in controls), [w.objectName() for w in controls if not w.accessibleName()]
    reached = []
    widget = dialog.title_edit
    for _ in range(60):  # the Tab order, as the keyboard walks it
        reached.append(widget)
        widget = widget.nextInFocusChain()
        if widget is dialog.title_edit:
            break
    tabbable = {w for w in reached if w.focusPolicy() & Qt.FocusPolicy.TabFocus}
    missing = [w.objectName() or w.accessibleName() for w in controls if w not in tabbable]
    assert missing == []
    # the region has no data: offered, but not choosable
    region = dialog.compare_combo.findData("region")
    assert dialog.compare_combo.itemText(region) == "Region (no data yet)"
    assert not dialog.compare_combo.model().item(region).isEnabled()
    assert dialog.compare_combo.itemData(region, Qt.ItemDataRole.ToolTipRole) == "the trust's area is in no region"


@pytest.mark.parametrize(("name", "low", "high"), [
    ("small_number_threshold", 2, 50), ("tolerance_pct", 0, 50), ("review_window_days", 1, 365),
    ("return_grace_days", 0, 120)])
def test_the_number_boxes_hold_only_what_the_document_accepts(qtbot, name, low, high):
    from cypdesk.services.settings import DEFAULTS

    dialog = DocumentSettingsDialog(DEFAULTS, [], lambda changes: None)
    qtbot.addWidget(dialog)
    spin = dialog.editors[name]
    assert (spin.minimum(), spin.maximum()) == (low, high)


def test_a_read_only_document_shows_its_settings_but_cannot_save_them(qtbot, dialogs, demo_master, tmp_path):
    import shutil

    from cypdesk.ui import open_main_window

    path = tmp_path / "shared.cypdesk"
    shutil.copy(demo_master, path)
    window = open_main_window(path, read_only=True)
    seen = {}

    def look(dialog):
        seen["title"] = dialog.title_edit.text()
        seen["ok"] = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        seen["why"] = dialog.error.text()
        return False

    try:
        assert window.action_settings.isEnabled()
        dialogs.drivers = [look]
        window.action_settings.trigger()
        assert seen == {"title": "Riverside Children's Trust (demo)", "ok": False,
                        "why": "The document is open read-only: its settings can be seen but not changed."}
        assert window.undo_stack.count() == 0
    finally:
        window.workspace.doc.close(discard=True)
        window.workspace = None
        window.close()
        window.deleteLater()
