"""The import wizard's choice for each new organisation (issue 9, item 6): "Create new"
or "Same as …" one the document has; and the first step's list of past imports
(item 12). Driven through tests/fixtures/import/register.xlsx, with the shared
fixture's ``TaskRunner.INLINE`` (the worker's jobs run at once on the test's thread)."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from tests.ui.test_import_wizard import REGISTER, counts, fix_mapping_and_filter, to_mapping, wizard_for
from tests.ui.test_import_wizard_cancel import on_the_thread_pool, window  # noqa: F401 - fixtures (real worker)


def existing_organisation(window, like: str = "%") -> tuple[str, str]:
    with window.workspace.doc.engine.connect() as conn:
        return tuple(conn.exec_driver_sql("SELECT id, name FROM organisations WHERE name LIKE ? ORDER BY name",
                                          (like,)).fetchone())


def to_preview(qtbot, window):
    wizard = wizard_for(window)
    qtbot.addWidget(wizard)
    to_mapping(wizard)
    fix_mapping_and_filter(wizard)
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    return wizard


def test_linking_a_new_supplier_to_an_existing_organisation_imports_its_contract_against_it(qtbot, open_window):
    """The preview lists the new suppliers each with "Create new" chosen; choosing
    "Same as …" an existing organisation for Riverside Short Breaks works the plan out again
    (it leaves the list of records to create; the counts stay 4 to add); the import then
    makes only the other new organisations, and contract CYP-0102's supplier is the
    existing organisation."""
    window = open_window("services")
    before = counts(window)
    wizard = to_preview(qtbot, window)
    page = wizard.preview_page
    panel = page.links
    assert panel.isVisible()
    new = sorted(panel.combos)
    assert "Riverside Short Breaks" in new and "Riverside Short Breaks" in page.created.text()
    assert all(c.currentData() is None and c.currentText() == "Create new" for c in panel.combos.values())
    org_id, org_name = existing_organisation(window)
    panel.choose("Riverside Short Breaks", org_id)
    assert wizard.links == {("organisations", "Riverside Short Breaks"): org_id}
    assert "Riverside" not in page.created.text()
    assert sorted(panel.combos) == new  # still offered, now on "Same as …"
    assert panel.combos["Riverside Short Breaks"].currentText() == f"Same as “{org_name}”"
    assert page.counts.text().startswith("4 to add, 0 to change, 0 unchanged, 2 with problems")
    page.create.setChecked(True)
    page.skip.setChecked(True)
    wizard.next()
    assert "4 added" in wizard.run_page.counts.text()
    after = counts(window)
    assert after["organisations"] == before["organisations"] + len(new) - 1
    with window.workspace.doc.engine.connect() as conn:
        supplier = conn.exec_driver_sql("SELECT supplier_id FROM contracts WHERE reference = 'CYP-0102'").scalar()
        made = conn.exec_driver_sql("SELECT count(*) FROM organisations WHERE name LIKE 'Riverside Short%'").scalar()
    assert supplier == org_id and made == 0


def test_the_closest_names_come_first_and_create_new_comes_back(qtbot, open_window):
    """With an organisation 'Riverside Short Breaks Group' added to the document (not the
    same name once normalised, so the import does not take it by itself), it is the
    first "Same as …" offered for 'Riverside Short Breaks'; choosing it takes Riverside
    off the records to create, and "Create new" again puts it back."""
    window = open_window("services")
    from cypdesk.services import records

    records.create(window.workspace, "organisations", {"name": "Riverside Short Breaks Group"})
    wizard = to_preview(qtbot, window)
    combo = wizard.preview_page.links.combos["Riverside Short Breaks"]
    assert combo.itemText(1) == "Same as “Riverside Short Breaks Group”"
    combo.setCurrentIndex(1)
    assert "Riverside Short Breaks" not in wizard.preview_page.created.text()
    combo.setCurrentIndex(0)
    assert wizard.links == {}
    assert "Riverside Short Breaks" in wizard.preview_page.created.text()


def test_each_choice_is_reachable_by_tab_and_named_for_its_organisation(qtbot, open_window):
    """Every combo of the list takes focus by Tab, says which organisation it is for,
    and its label names it (a buddy); typing searches the organisations (contains, any
    case)."""
    window = open_window("services")
    wizard = to_preview(qtbot, window)
    panel = wizard.preview_page.links
    for name, combo in panel.combos.items():
        assert combo.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert name in combo.accessibleName()
        assert combo.isEditable()
        assert combo.completer().filterMode() == Qt.MatchFlag.MatchContains
    labels = [w for w in panel.findChildren(type(panel.title)) if w.buddy() is not None]
    assert {label.buddy() for label in labels} == set(panel.combos.values())


def test_the_first_step_lists_the_past_imports_newest_first(qtbot, open_window):
    """After an import of the register, a new wizard's first step lists it first: when,
    who (the installation), the file and sheet, what it went into and its counts."""
    window = open_window("services")
    wizard = to_preview(qtbot, window)
    wizard.preview_page.create.setChecked(True)
    wizard.preview_page.skip.setChecked(True)
    wizard.next()
    wizard.accept()
    again = wizard_for(window)
    qtbot.addWidget(again)
    table = again.file_page.past
    assert table.isVisible() and table.rowCount() >= 1
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    got = dict(zip(headers, row))
    author = window.workspace.author
    assert got["Who"] == f"{author.user} on {author.host}"
    assert got["File"] == "register.xlsx (Register)" and got["Into"] == "Contracts"
    assert (got["Added"], got["Changed"], got["Rejected"]) == ("4", "0", "2")
    with window.workspace.doc.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT count(*), max(created_at) FROM import_records").fetchone()
    assert table.rowCount() == stored[0]  # the demo's own import too, after it
    when = datetime.fromisoformat(str(stored[1])).replace(tzinfo=timezone.utc).astimezone()
    assert got["When"] == when.strftime("%d %b %Y %H:%M")
    assert table.accessibleName() and "newest first" in again.file_page.past_title.text()


def test_on_the_thread_pool_a_link_replans_on_the_worker_and_the_import_uses_it(qtbot, window):
    """The REAL worker (``window`` from test_import_wizard_cancel turns INLINE off): the
    past imports arrive on the first step; the preview is worked out; choosing "Same as …"
    for Riverside Short Breaks works it out again on the worker (the wizard busy, then
    Riverside off the list to create); the import makes CYP-0102's supplier the existing
    organisation."""
    from cypdesk.ui.dialogs.import_wizard.wizard import ImportWizard

    wizard = ImportWizard(window, "contracts")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: "newest first" in wizard.file_page.past_title.text(), timeout=10_000)
    wizard.file_page.path.setText(str(REGISTER))
    wizard.next()
    qtbot.waitUntil(wizard.table_page.isComplete, timeout=10_000)
    wizard.next()
    wizard.mapping_page.choose("Contract", "title")
    wizard.next()
    page = wizard.preview_page
    qtbot.waitUntil(lambda: page.shown is not None and not wizard.working, timeout=10_000)
    assert "Riverside Short Breaks" in page.created.text()
    org_id, _name = existing_organisation(window)
    page.links.choose("Riverside Short Breaks", org_id)
    assert wizard.working  # on the worker, not done at once
    qtbot.waitUntil(lambda: page.shown is not None and not wizard.working, timeout=10_000)
    assert "Riverside" not in page.created.text()
    page.create.setChecked(True)
    page.skip.setChecked(True)
    qtbot.waitUntil(page.isComplete, timeout=10_000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.run_page.finished, timeout=10_000)
    with window.workspace.doc.engine.connect() as conn:
        supplier = conn.exec_driver_sql("SELECT supplier_id FROM contracts WHERE reference = 'CYP-0102'").scalar()
    assert supplier == org_id
