"""The import wizard (issue 9, item 12) driven through a council's contract register in
the Transparency Code layout (tests/fixtures/import/register.xlsx: a title above the
headings, a hidden row, a totals row, a hidden sheet, an impossible date in row 8 and
"tbc" as a value in row 11; see make_register.py there).

These tests use the shared fixture's ``TaskRunner.INLINE`` (the worker's jobs run at
once on the test's thread), except the cancel test in test_import_wizard_cancel.py,
which runs the real thread pool.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget, QWizard

from cypdesk.ui.dialogs.import_wizard.grid import PROBLEM_BACKGROUND

REGISTER = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "register.xlsx"
REFERENCE = "Ref"
TITLE = "Contract"
COMPANY = "Company no"
DIRECTORATE = "Directorate"


def counts(window) -> dict[str, int]:
    out = {}
    with window.workspace.doc.engine.connect() as conn:
        for table in ("contracts", "services", "organisations", "import_records", "history", "field_versions"):
            out[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    return out


def references(window) -> set[str]:
    with window.workspace.doc.engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT reference FROM contracts WHERE reference LIKE 'CYP-%'")}


def wizard_for(window, kind="contracts"):
    from cypdesk.ui.dialogs.import_wizard.wizard import ImportWizard

    wizard = ImportWizard(window, kind)
    wizard.show()
    return wizard


def to_mapping(wizard, path=REGISTER):
    wizard.file_page.path.setText(str(path))
    wizard.next()
    assert wizard.currentPage() is wizard.table_page, wizard.table_page.busy.label.text()
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page


def fix_mapping_and_filter(wizard):
    page = wizard.mapping_page
    page.choose(TITLE, "title")
    page.choose(COMPANY, "supplier_id.company_number")
    page.where_column.setCurrentIndex(page.where_column.findData(DIRECTORATE))
    page.where_value.setText("CHILDREN")
    page.add_where()


def test_the_table_step_finds_the_headings_under_the_title_and_marks_hidden_sheets_and_rows(qtbot, open_window):
    """Step 2 says where the table is (headings in row 4, bold in the grid of the sheet's
    first rows), lists the hidden sheet as hidden, and notes the title rows and the
    hidden row 9."""
    window = open_window("services")
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(REGISTER))
    wizard.next()
    page = wizard.table_page
    assert page.isComplete()
    assert "headings in row 4" in page.summary.text()
    assert [page.sheet.itemText(i) for i in range(page.sheet.count())] == ["Register", "Notes (hidden sheet)"]
    assert page.header_row.value() == 4
    notes = page.notes.text()
    assert "rows 1-2 are a title" in notes and "row 9 is hidden" in notes
    grid = page.grid.model()
    heading = grid.indexes_of_row(4)[0]
    assert grid.data(grid.index(heading, 0), Qt.ItemDataRole.FontRole).bold()
    assert grid.data(grid.index(heading, 0)) == REFERENCE
    assert grid.headerData(grid.indexes_of_row(9)[0], Qt.Orientation.Vertical) == "9 (hidden)"


def test_choosing_another_heading_row_reads_the_table_again_with_it(qtbot, open_window):
    """"Use this heading row" with row 5: the table's headings become row 5's cells."""
    window = open_window("services")
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(REGISTER))
    wizard.next()
    page = wizard.table_page
    page.header_row.setValue(5)
    qtbot.mouseClick(page.reread, Qt.MouseButton.LeftButton)
    assert wizard.table.headers[0] == "CYP-0101"
    assert "headings in row 5" in page.summary.text()


def test_the_mapping_shows_each_guess_with_its_reason_and_the_officer_fixes_two(qtbot, open_window):
    """Step 3: "Value (£)" is guessed as the contract's value by a synonym, shown with
    that reason; the register's "Contract" (its title) and "Company no" columns are not
    guessed (left on ignore) and the officer sets them; two columns into one field are
    refused, naming both."""
    window = open_window("services")
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    to_mapping(wizard)
    page = wizard.mapping_page
    assert page.combos["Value (£)"].currentData() == "total_value"
    assert "synonym" in page.reason_labels["Value (£)"].text()
    assert page.combos[REFERENCE].currentData() == "reference"
    assert page.combos[TITLE].currentData() is None and page.combos[COMPANY].currentData() is None
    assert "ignored" in page.reason_labels[TITLE].text()
    page.choose(TITLE, "reference")
    assert page.reason_labels[TITLE].text() == "your choice"
    assert not page.validatePage()
    assert "Two columns go into" in page.error.text() and REFERENCE in page.error.text()
    page.choose(TITLE, "title")
    page.choose(COMPANY, "supplier_id.company_number")
    assert page.validatePage()
    assert wizard.mapping.columns[TITLE] == "title"
    assert wizard.mapping.columns[COMPANY] == "supplier_id.company_number"


def test_the_preview_marks_the_problem_cells_and_import_waits_for_the_officers_choices(qtbot, open_window):
    """Step 4, filtered to Directorate = CHILDREN: 4 to add, 2 problems listed by row,
    column letter, heading, value and reason; exactly those two cells are marked in the
    grid (row 8 column F, row 11 column G); choosing a problem selects its cell; Import
    stays unavailable until the new records are confirmed and invalid rows skipped."""
    window = open_window("services")
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    to_mapping(wizard)
    fix_mapping_and_filter(wizard)
    wizard.next()
    page = wizard.preview_page
    assert wizard.currentPage() is page
    assert page.counts.text().startswith("4 to add, 0 to change, 0 unchanged, 2 with problems")
    problems = page.problems.model()
    listed = [[problems.data(problems.index(r, c)) for c in range(5)] for r in range(problems.rowCount())]
    assert listed[0][:4] == ["8", "F", "End date", "31/02/2026"] and "28 days" in listed[0][4]
    assert listed[1][:4] == ["11", "G", "Value (£)", "tbc"]
    grid = page.grid.model()
    marked = sorted((grid.rows[r].number, grid.letters[c]) for r in range(grid.rowCount())
                    for c in range(grid.columnCount())
                    if grid.data(grid.index(r, c), Qt.ItemDataRole.BackgroundRole) is not None
                    and grid.data(grid.index(r, c), Qt.ItemDataRole.BackgroundRole).color() == PROBLEM_BACKGROUND)
    assert marked == [(8, "F"), (11, "G")]
    row8 = grid.indexes_of_row(8)[0]
    assert "28 days" in grid.data(grid.index(row8, 5), Qt.ItemDataRole.ToolTipRole)
    assert {grid.rows[r].number for r in range(grid.rowCount())} == {5, 6, 8, 9, 11, 12}  # CHILDREN rows only
    page.problems.selectRow(1)
    current = page.grid.currentIndex()
    assert (grid.rows[current.row()].number, grid.letters[current.column()]) == (11, "G")
    assert "new organisation" in page.created.text() and "to classify" in page.created.text()
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert not commit.isEnabled() and "Create these new records" in page.message.text()
    page.create.setChecked(True)
    assert not commit.isEnabled() and "Skip invalid rows" in page.message.text()
    page.skip.setChecked(True)
    assert commit.isEnabled() and page.message.text() == ""


def test_the_wizard_imports_the_register_as_one_undo_step_and_undo_takes_it_all_back(qtbot, open_window, dialogs):
    """File > Import… through every step: the valid CHILDREN rows go in (CYP-0103 and
    CYP-0105, whose cells have problems, do not); the services and organisations they
    name are created and the Services tab lists the new services at once; the whole
    import is one entry on the undo stack; Undo leaves the document's records and
    import records as before (and the tab's list); Redo brings it back."""
    window = open_window("services")
    before = counts(window)
    tab = window.tab("services")
    listed = tab.model.rowCount()
    outcome = {}

    def drive(wizard) -> bool:
        qtbot.addWidget(wizard)
        wizard.show()
        assert wizard.file_page.chosen_kind() == "services"  # the tab in view
        wizard.file_page.kind.setCurrentIndex(wizard.file_page.kind.findData("contracts"))
        to_mapping(wizard)
        fix_mapping_and_filter(wizard)
        wizard.next()
        wizard.preview_page.create.setChecked(True)
        wizard.preview_page.skip.setChecked(True)
        wizard.next()
        assert wizard.currentPage() is wizard.run_page
        outcome["counts"] = wizard.run_page.counts.text()
        outcome["details"] = wizard.run_page.details.text()
        wizard.accept()
        return True

    dialogs.drivers = [drive]
    window.findChild(type(window.action_import), "import").trigger()
    assert outcome["counts"] == "Imported from register.xlsx: 4 added, 0 changed, 0 unchanged, 2 rejected."
    assert "Edit > Undo" in outcome["details"]
    assert references(window) == {"CYP-0101", "CYP-0102", "CYP-0104", "CYP-0106"}
    after = counts(window)
    assert after["contracts"] == before["contracts"] + 4 and after["import_records"] == before["import_records"] + 1
    assert after["services"] == before["services"] + 4
    assert tab.model.rowCount() == listed + 4  # the tab shows the 4 services made "to classify"
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Import 4 contracts from register.xlsx"
    assert "*" in window.windowTitle()
    window.action_undo.trigger()
    assert references(window) == set()
    assert tab.model.rowCount() == listed
    undone = counts(window)
    assert {k: v for k, v in undone.items() if k not in ("history", "field_versions")} == \
        {k: v for k, v in before.items() if k not in ("history", "field_versions")}
    window.action_redo.trigger()
    assert references(window) == {"CYP-0101", "CYP-0102", "CYP-0104", "CYP-0106"}


def test_the_same_layout_next_time_offers_the_mapping_remembered_from_the_last_import(qtbot, open_window):
    """After an import of the register, the wizard on the same file offers the fields
    the officer chose for "Contract" and "Company no", saying it remembered them."""
    window = open_window("services")
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    to_mapping(wizard)
    fix_mapping_and_filter(wizard)
    wizard.next()
    wizard.preview_page.create.setChecked(True)
    wizard.preview_page.skip.setChecked(True)
    wizard.next()
    wizard.accept()
    again = wizard_for(window)
    qtbot.addWidget(again)
    to_mapping(again)
    assert again.mapping_page.combos[TITLE].currentData() == "title"
    assert again.mapping_page.combos[COMPANY].currentData() == "supplier_id.company_number"
    assert "remembered from import of register.xlsx" in again.mapping_page.reason_labels[TITLE].text()


def test_the_problem_list_exports_as_csv(qtbot, open_window, tmp_path, monkeypatch):
    """"Export the problems…" writes every problem with file, sheet, row, column,
    heading, value and reason."""
    window = open_window("services")
    out = tmp_path / "problems.csv"
    monkeypatch.setattr(type(window), "choose_save_path", lambda *_args: str(out))
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    to_mapping(wizard)
    fix_mapping_and_filter(wizard)
    wizard.next()
    qtbot.mouseClick(wizard.preview_page.export, Qt.MouseButton.LeftButton)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["File", "Sheet", "Row", "Column", "Heading", "Value", "Problem"]
    assert rows[1][:6] == ["register.xlsx", "Register", "8", "F", "End date", "31/02/2026"]
    assert rows[2][:6] == ["register.xlsx", "Register", "11", "G", "Value (£)", "tbc"]


def test_a_file_that_is_not_a_workbook_is_refused_in_plain_words_and_the_wizard_stays(qtbot, open_window, tmp_path):
    """Random bytes named .xlsx: the table step says what is wrong, naming the file, and
    Next stays unavailable; nothing is written."""
    window = open_window("services")
    before = counts(window)
    bad = tmp_path / "budget.xlsx"
    bad.write_bytes(b"\x00\x01 this is not a spreadsheet \xff" * 40)
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(bad))
    wizard.next()
    page = wizard.table_page
    assert "budget.xlsx" in page.busy.label.text()
    assert not page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert counts(window) == before


def test_a_missing_file_is_refused_on_the_first_step(qtbot, open_window, tmp_path):
    window = open_window("services")
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(tmp_path / "nowhere.xlsx"))
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "nowhere.xlsx does not exist" in wizard.file_page.error.text()


@pytest.mark.parametrize("tab, kind", [("services", "services"), ("indicators", "indicator_values"),
                                       ("organisations", "organisations")])
def test_each_tabs_import_button_opens_the_wizard_for_its_kind(qtbot, open_window, dialogs, tab, kind):
    """A tab's Import… button opens the wizard with the tab's kind chosen (the Needs
    tab's: indicator values, what arrives for its indicators)."""
    window = open_window(tab)
    seen = []
    dialogs.drivers = [lambda wizard: seen.append(wizard.file_page.chosen_kind()) or False]
    button = window.tab(tab).buttons["import"]
    assert button.isEnabled() and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert seen == [kind]


@pytest.mark.parametrize(("tab", "offered"), [("indicators", "indicator_values"), ("teams", "teams"),
                                              ("services", "services")])
def test_file_import_offers_first_what_the_tab_in_view_shows(qtbot, open_window, dialogs, tab, offered):
    """File > Import… (Ctrl+I) from the Needs tab offers indicator values, from the Teams
    tab teams: the kind of the tab in view, not always contracts."""
    window = open_window(tab)
    seen = []

    def look(wizard) -> bool:
        qtbot.addWidget(wizard)
        seen.append(wizard.file_page.chosen_kind())
        wizard.reject()
        return True

    dialogs.drivers = [look]
    window.action_import.trigger()
    assert seen == [offered]


def test_file_import_is_ctrl_i_and_greyed_out_without_a_document(qtbot, open_window):
    window = open_window("services")
    action = window.action_import
    assert action.shortcut().toString() == "Ctrl+I"
    assert action.isEnabled()
    assert action in window.menuBar().actions()[0].menu().actions()
    window.close_document()
    assert not action.isEnabled()


def test_escape_closes_the_wizard_before_the_import_and_every_control_is_named(qtbot, open_window):
    """Every control the officer can reach on the first three steps has an accessible
    name or a label that names it; Escape cancels the wizard (nothing written)."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QListWidget, QSpinBox, QTableView

    window = open_window("services")
    before = counts(window)
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    to_mapping(wizard)
    buddies = {label.buddy() for label in wizard.findChildren(QLabel) if label.buddy() is not None}
    for page in (wizard.file_page, wizard.table_page, wizard.mapping_page):
        kinds = (QAbstractButton, QComboBox, QLineEdit, QListWidget, QSpinBox, QTableView)
        for widget in page.findChildren(QWidget):
            if (not isinstance(widget, kinds) or isinstance(widget.parent(), (QComboBox, QSpinBox))
                    or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus):  # not reached by Tab
                continue
            named = widget.accessibleName() or widget in buddies or (isinstance(widget, QAbstractButton)
                                                                       and widget.text())
            assert named, f"{widget.objectName() or type(widget).__name__} on {page.objectName()} has no name"
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert wizard.result() == QDialog.DialogCode.Rejected and not wizard.isVisible()
    assert counts(window) == before


NORFOLK = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "contracts" / \
    "norfolk_cc_contracts_register_2015-03.csv"


def test_the_real_norfolk_register_imports_its_childrens_contracts_through_the_wizard(qtbot, open_window):
    """Norfolk's published contract register (Windows-1252 CSV, Transparency Code
    layout, tests/fixtures/real): read as a Transparency Code register, filtered to
    Directorate = CHILDREN, the new suppliers and services confirmed; three contracts
    read back from the document match the file's own cells (reference, title, value,
    supplier, dates); Undo takes all 150 away."""
    window = open_window("services")
    before = counts(window)
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(NORFOLK))
    wizard.next()
    assert "Transparency Code" in wizard.table_page.summary.text()
    wizard.next()
    page = wizard.mapping_page
    assert "lgtc_contracts" in page.reason_labels["Title of the Agreement"].text()
    page.where_column.setCurrentIndex(page.where_column.findData("Directorate / service responsible"))
    page.where_value.setText("children")  # compared without case, as the command line's --where
    page.add_where()
    wizard.next()
    preview = wizard.preview_page
    assert preview.counts.text().startswith("150 to add, 0 to change, 0 unchanged, 0 with problems")
    assert "SANCTUARY PERSONNEL LIMITED" in preview.created.text()
    preview.create.setChecked(True)
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    wizard.next()
    assert "150 added" in wizard.run_page.counts.text()
    with window.workspace.doc.engine.connect() as conn:
        got = {r[0]: r[1:] for r in conn.exec_driver_sql(
            "SELECT c.reference, c.title, c.total_value, o.name, c.start_date, c.end_date FROM contracts c "
            "LEFT JOIN organisations o ON o.id = c.supplier_id WHERE c.reference IN ('BUN41596', 'SYN41945AM', "
            "'BON41423')")}
    with open(NORFOLK, encoding="cp1252", newline="") as fh:
        source = {r[3]: r for r in csv.reader(fh)}
    for ref in ("BUN41596", "SYN41945AM", "BON41423"):
        row = source[ref]
        title, value, supplier, start, end = got[ref]
        assert (title, value, supplier) == (row[5], float(row[20]), row[23])
        assert str(end)[:10] == "-".join(reversed(row[17].split("/")))  # 31/03/2015 -> 2015-03-31
    assert str(got["BUN41596"][3])[:10] == "2013-07-22"  # "22-Jul-2013"
    window.action_undo.trigger()
    assert counts(window)["contracts"] == before["contracts"]


def test_a_wide_table_is_unpivoted_in_the_mapping_step_and_imports_one_value_per_year(qtbot, open_window, tmp_path):
    """A DfE-style LA table with years across the columns: ticking the three year
    columns and Unpivot gives Period and Value columns, guessed as the value's period
    and value; the preview has 2 areas x 3 years = 6 values to add (the suppressed "c"
    among them, kept as suppressed); "As in the file" puts the columns back."""
    wide = tmp_path / "cin_rates.csv"
    wide.write_text("Indicator,New LA code,LA name,2021-22,2022-23,2023-24\n"
                    "Children in need rate per 10000,E09000002,Barking and Dagenham,401.2,389.0,c\n"
                    "Children in need rate per 10000,E09000003,Barnet,280.5,275.1,290.3\n", encoding="utf-8")
    window = open_window("indicators")
    wizard = wizard_for(window, "indicator_values")
    qtbot.addWidget(wizard)
    to_mapping(wizard, wide)
    page = wizard.mapping_page
    for i in range(page.unpivot_list.count()):
        item = page.unpivot_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole).startswith("20"):
            item.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(page.unpivot_button, Qt.MouseButton.LeftButton)
    assert wizard.table.headers == ["Indicator", "New LA code", "LA name", "Period", "Value"]
    assert page.combos["Period"].currentData() == "period" and page.combos["Value"].currentData() == "value"
    assert page.combos["New LA code"].currentData() == "area_id.gss_code"
    wizard.next()
    preview = wizard.preview_page
    assert preview.counts.text().startswith("6 to add, 0 to change, 0 unchanged, 0 with problems")
    assert "Barking and Dagenham" in preview.created.text()
    preview.create.setChecked(True)
    wizard.next()
    assert "6 added" in wizard.run_page.counts.text()
    with window.workspace.doc.engine.connect() as conn:
        got = conn.exec_driver_sql(
            "SELECT v.value, v.suppressed FROM indicator_values v JOIN areas a ON a.id = v.area_id "
            "WHERE a.gss_code = 'E09000002' ORDER BY v.period").fetchall()
    assert [tuple(r) for r in got][:2] == [(401.2, None), (389.0, None)] and got[2][0] is None and got[2][1] == "c"
    wizard.accept()
    again = wizard_for(window, "indicator_values")
    qtbot.addWidget(again)
    to_mapping(again, wide)
    again.mapping_page.unpivot_list.item(3).setCheckState(Qt.CheckState.Checked)
    again.mapping_page.unpivot()
    assert "Value" in again.table.headers
    qtbot.mouseClick(again.mapping_page.unpivot_undo, Qt.MouseButton.LeftButton)
    assert again.table.headers == ["Indicator", "New LA code", "LA name", "2021-22", "2022-23", "2023-24"]


def test_no_two_controls_of_a_step_share_an_alt_key(qtbot, open_window):
    """On each step, the underlined letters of its labels, buttons and check boxes and
    of the wizard's own buttons are all different (Alt+letter reaches one control)."""
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel

    window = open_window("services")
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    wizard.file_page.path.setText(str(REGISTER))
    for page in (wizard.file_page, wizard.table_page, wizard.mapping_page, wizard.preview_page):
        if page is not wizard.file_page:
            wizard.next()
            if page is wizard.mapping_page:
                fix_mapping_and_filter(wizard)
        assert wizard.currentPage() is page
        texts = [w.text() for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton) if w.isVisible()]
        texts += [b.text() for b in wizard.findChildren(QAbstractButton) if b.isVisible() and b.parent() is wizard]
        keys = [m.group(1).lower() for t in texts for m in [re.search(r"&([^&\s])", t)] if m]
        assert len(keys) == len(set(keys)), f"{page.objectName()}: {sorted(keys)}"
