"""The Organisations and people tab and "New organisation…", as the officer uses them
on the demo document. Message boxes and dialogs are answered by the ``dialogs``
fixture (which also runs long work inline, on the test's thread)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QMessageBox

from cypdesk.ui.widgets.reference_combo import NEW, ReferenceCombo

NEW_TEXT = "New organisation…"


def _org(window, name):
    row = window.reader.execute("SELECT id FROM organisations WHERE name = ?", (name,)).fetchone()
    return None if row is None else row[0]


def _provided_by(window, org_id):
    return window.reader.execute("SELECT count(*) FROM services WHERE provider_id = ?", (org_id,)).fetchone()[0]


def _select_service(tab, name):
    from cypdesk.services.lookups import options

    service_id = next(i for i, title in options(tab.reader, "services") if title == name)
    assert tab.select(service_id)
    return service_id


def _ok(dialog):
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog.result() == 1


def test_new_organisation_from_the_services_provider_drop_down_is_added_and_chosen(open_window, dialogs, qtbot):
    """Services editor: the officer types in the service's name, then presses End on the
    provider drop-down, reaching "New organisation…"; the dialog (marked as a provider)
    takes the name; the new organisation is chosen in the drop-down, the typing in the
    name is still there, and Apply saves both. Undo takes the edit back, then the new
    organisation."""
    window = open_window("services")
    tab = window.tab("services")
    service_id = _select_service(tab, "Speech and language therapy for children")
    name = tab.form.editors["name"]
    name.setFocus()
    name.end(False)
    qtbot.keyClicks(name, " (pilot)")
    combo = tab.form.editors["provider_id"]
    assert combo.itemText(combo.count() - 1) == NEW_TEXT
    seen = {}

    def new_provider(dialog):
        seen["title"] = dialog.windowTitle()
        seen["provider"] = dialog.form.editors["is_provider"].isChecked()
        qtbot.keyClicks(dialog.form.editors["name"], "Riverside Speech Therapy CIC")
        return _ok(dialog)

    dialogs.drivers = [new_provider]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)
    assert seen == {"title": "New organisation", "provider": True}
    new_id = _org(window, "Riverside Speech Therapy CIC")
    assert new_id is not None
    assert combo.currentText() == "Riverside Speech Therapy CIC" and combo.currentData() == new_id
    assert name.text() == "Speech and language therapy for children (pilot)"  # typing not lost
    tab.apply_button.click()
    row = window.reader.execute("SELECT name, provider_id FROM services WHERE id = ?", (service_id,)).fetchone()
    assert row == ("Speech and language therapy for children (pilot)", new_id)
    assert window.reader.execute("SELECT is_provider FROM organisations WHERE id = ?", (new_id,)).fetchone()[0] == 1
    window.action_undo.trigger()  # the edit
    window.action_undo.trigger()  # the new organisation
    assert _org(window, "Riverside Speech Therapy CIC") is None
    assert window.reader.execute("SELECT provider_id FROM services WHERE id = ?", (service_id,)).fetchone()[0] != new_id


def test_cancelling_new_organisation_keeps_the_choice_before(open_window, dialogs, qtbot):
    """Choosing "New organisation…" and cancelling leaves the drop-down on the provider
    it showed, adds nothing and leaves nothing to apply."""
    window = open_window("services")
    tab = window.tab("services")
    _select_service(tab, "Speech and language therapy for children")
    combo = tab.form.editors["provider_id"]
    before = combo.currentText()
    count = window.reader.execute("SELECT count(*) FROM organisations").fetchone()[0]
    dialogs.drivers = [lambda dialog: dialog.reject() or False]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)
    assert combo.currentText() == before and combo.currentData() != NEW
    assert window.reader.execute("SELECT count(*) FROM organisations").fetchone()[0] == count
    assert not tab.apply_button.isEnabled()


def test_every_organisation_drop_down_offers_new_organisation(open_window, dialogs):
    """Every form field that points at organisations, the commissioners' shares dialog
    and the add-a-member dialog end with "New organisation…"; drop-downs of other
    records (a person, an outcome) do not."""
    from cypdesk.model.catalog import CATALOG
    from cypdesk.ui.dialogs.links import SharesDialog
    from cypdesk.ui.dialogs.member_dialog import MemberDialog
    from cypdesk.ui.widgets.record_form import RecordForm

    window = open_window("services")
    checked = 0
    for kind, spec in CATALOG.items():
        for f in spec["fields"]:
            if f["kind"] != "reference" or f.get("system"):
                continue
            form = RecordForm(kind, [f["name"]])
            combo = form.editors[f["name"]]
            assert isinstance(combo, ReferenceCombo), (kind, f["name"])
            offers = combo.findData(NEW) >= 0
            assert offers == (f.get("references") == "organisations"), (kind, f["name"])
            checked += offers
    assert checked >= 9  # provider, commissioner, holder, payer, host, partners, members, people...
    shares = SharesDialog("Commissioners", "", [(None, 100)], lambda rows: None, organisations=[("x", "X")])
    assert shares.table.cellWidget(0, 0).itemText(shares.table.cellWidget(0, 0).count() - 1) == NEW_TEXT
    member = MemberDialog("The board", [("x", "X", None)], [], lambda v: None)
    assert member.organisation.itemText(member.organisation.count() - 1) == NEW_TEXT


def test_merging_two_duplicates_moves_their_services(open_window, dialogs, qtbot):
    """The officer adds "The Brightside Family Support Ltd" (a duplicate) and makes it
    a service's provider; the Organisations view lists the pair as a possible duplicate;
    Merge (confirmed) moves the service to Brightside Family Support and removes the
    duplicate; Undo brings the duplicate back with its service."""
    window = open_window("organisations")
    orgs = window.tab("organisations")
    assert orgs.duplicates_box.isHidden()
    orgs.buttons["add"].click()
    qtbot.keyClicks(orgs.form.editors["name"], "The Brightside Family Support Ltd")
    orgs.apply_button.click()
    dup = _org(window, "The Brightside Family Support Ltd")
    bfs = _org(window, "Brightside Family Support")
    services = window.show_tab("services")
    service_id = _select_service(services, "Speech and language therapy for children")
    combo = services.form.editors["provider_id"]
    combo.setCurrentIndex(combo.findData(dup))
    services.apply_button.click()
    assert _provided_by(window, dup) == 1
    provided_before = _provided_by(window, bfs)

    window.show_tab("organisations")
    assert not orgs.duplicates_box.isHidden()
    assert orgs.duplicates.count() == 1
    assert orgs.duplicates.item(0).text() == "“Brightside Family Support” and “The Brightside Family Support Ltd”"
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    orgs.merge_pair_button.click()
    title, text = dialogs.seen[-1]
    assert title == "Merge organisations"
    assert text.startswith("Merge “The Brightside Family Support Ltd” into “Brightside Family Support”?")
    assert "(1 service it provides" in text
    assert _org(window, "The Brightside Family Support Ltd") is None
    assert _provided_by(window, bfs) == provided_before + 1
    assert window.reader.execute("SELECT provider_id FROM services WHERE id = ?", (service_id,)).fetchone()[0] == bfs
    assert orgs.duplicates_box.isHidden()
    assert "moved 1 service it provides" in window.status_label.text()

    window.action_undo.trigger()
    assert _org(window, "The Brightside Family Support Ltd") == dup
    assert window.reader.execute("SELECT provider_id FROM services WHERE id = ?", (service_id,)).fetchone()[0] == dup
    assert orgs.duplicates.count() == 1
    window.action_redo.trigger()
    assert _org(window, "The Brightside Family Support Ltd") is None


def test_deleting_a_used_organisation_is_refused_with_what_uses_it(open_window, dialogs):
    """Select Brightside Family Support and press Delete: refused, saying what uses it
    in words; Cancel keeps it. Delete again and choose "Move them…" to Riverside County
    Council: its services move and it goes; Undo puts it all back."""
    window = open_window("organisations")
    orgs = window.tab("organisations")
    bfs = _org(window, "Brightside Family Support")
    rcc = _org(window, "Riverside County Council")
    assert orgs.select(bfs)
    assert "Used by 10 services it provides" in orgs.usage_label.text()
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    orgs.buttons["delete"].click()
    title, text = dialogs.seen[-1]
    assert title == "Organisation in use"
    assert text.startswith("“Brightside Family Support” cannot be deleted: it is used by 10 services it provides, "
                           "1 person who works there, 2 seats on teams and 1 record it owns as a partner.")
    assert dialogs.buttons[-1][1] == {QMessageBox.StandardButton.Yes: "Move them…"}
    assert _org(window, "Brightside Family Support") == bfs
    rcc_services = _provided_by(window, rcc)

    def choose_council(dialog):
        assert "Riverside County Council" in dialog.comboBoxItems()
        assert "Brightside Family Support" not in dialog.comboBoxItems()
        dialog.setTextValue("Riverside County Council")
        return True

    dialogs.answers = [QMessageBox.StandardButton.Yes]
    dialogs.drivers = [choose_council]
    orgs.buttons["delete"].click()
    assert _org(window, "Brightside Family Support") is None
    assert _provided_by(window, rcc) == rcc_services + 10
    window.action_undo.trigger()
    assert _org(window, "Brightside Family Support") == bfs
    assert _provided_by(window, bfs) == 10 and _provided_by(window, rcc) == rcc_services


def test_an_unused_organisation_is_deleted_after_asking(open_window, dialogs, qtbot):
    """An organisation nothing uses: Delete asks, says nothing uses it, and deletes it."""
    window = open_window("organisations")
    orgs = window.tab("organisations")
    orgs.buttons["add"].click()
    qtbot.keyClicks(orgs.form.editors["name"], "Short-lived Trust")
    orgs.apply_button.click()
    assert orgs.current_id == _org(window, "Short-lived Trust")
    assert orgs.usage_label.text() == "No service, contract, person or other record names it."
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    orgs.buttons["delete"].click()
    assert "Nothing uses it" in dialogs.seen[-1][1]
    assert _org(window, "Short-lived Trust") is None


def test_people_are_listed_added_renamed_and_deleted_with_their_organisation(open_window, dialogs, qtbot):
    """People view: add a person with their organisation, rename them, delete them
    (told what names them), and undo the delete."""
    window = open_window("organisations")
    people = window.tab("organisations").show_people()
    assert people.model.rowCount() == 13
    people.buttons["add"].click()
    qtbot.keyClicks(people.form.editors["name"], "Kit Marlowe")
    organisation = people.form.editors["organisation_id"]
    organisation.setCurrentIndex(organisation.findText("Riverside Constabulary"))
    people.apply_button.click()
    person = people.current_id
    assert window.reader.execute("SELECT p.name, o.name FROM people p JOIN organisations o ON o.id = p.organisation_id "
                                 "WHERE p.id = ?", (person,)).fetchone() == ("Kit Marlowe", "Riverside Constabulary")
    name = people.form.editors["name"]
    name.selectAll()
    qtbot.keyClicks(name, "Christopher Marlowe")
    people.apply_button.click()
    assert window.reader.execute("SELECT name FROM people WHERE id = ?", (person,)).fetchone()[0] == "Christopher Marlowe"
    lead = window.reader.execute("SELECT name FROM people WHERE id IN (SELECT lead_id FROM teams) ORDER BY name").fetchone()[0]
    assert people.select(window.reader.execute("SELECT id FROM people WHERE name = ?", (lead,)).fetchone()[0])
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    window.action_delete.trigger()  # Edit > Delete acts on the view in front
    assert "team they lead" in dialogs.seen[-1][1] or "teams they lead" in dialogs.seen[-1][1]
    assert window.reader.execute("SELECT count(*) FROM people WHERE name = ?", (lead,)).fetchone()[0] == 0
    window.action_undo.trigger()
    assert window.reader.execute("SELECT count(*) FROM teams WHERE lead_id IN (SELECT id FROM people WHERE name = ?)",
                                 (lead,)).fetchone()[0] >= 1


def test_find_acts_on_the_view_in_front(open_window, dialogs, qtbot):
    """On the People view, Edit > Find (Ctrl+F) puts the cursor in the people's Find box,
    and typing there filters the people, not the organisations."""
    window = open_window("organisations")
    tab = window.tab("organisations")
    people = tab.show_people()
    window.activateWindow()
    window.action_find.trigger()
    assert people.filter_bar.text.hasFocus() or window.focusWidget() is people.filter_bar.text
    qtbot.keyClicks(people.filter_bar.text, "Marlowe")
    people.filter_bar.apply_now()
    assert people.model.rowCount() == 0 and tab.model.rowCount() == 18


def test_new_organisation_with_a_name_already_recorded_is_questioned_once(open_window, dialogs, qtbot):
    """"New organisation…" with "Brightside Family Support Limited": OK is refused once,
    under the name, saying "Brightside Family Support" is already recorded; OK again adds it."""
    window = open_window("services")
    tab = window.tab("services")
    _select_service(tab, "Speech and language therapy for children")
    seen = {}

    def same_name_twice(dialog):
        qtbot.keyClicks(dialog.form.editors["name"], "Brightside Family Support Limited")
        seen["first"] = _ok(dialog)
        seen["message"] = dialog.form.errors["name"].text()
        return _ok(dialog)

    dialogs.drivers = [same_name_twice]
    combo = tab.form.editors["provider_id"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)
    assert seen["first"] is False
    assert seen["message"].startswith("“Brightside Family Support” is already recorded, and may be the same organisation")
    assert combo.currentText() == "Brightside Family Support Limited"
    assert _org(window, "Brightside Family Support Limited") == combo.currentData()


def test_new_organisation_from_a_persons_drop_down_keeps_the_typing_in_the_people_view(open_window, dialogs, qtbot):
    """People view, adding a person: the officer types the name, then makes their
    organisation with "New organisation…"; the name typed is still there, the new
    organisation is chosen and listed in the Organisations view, and Apply saves the person."""
    window = open_window("organisations")
    tab = window.tab("organisations")
    people = tab.show_people()
    people.buttons["add"].click()
    qtbot.keyClicks(people.form.editors["name"], "Ada Byron")

    def new_org(dialog):
        qtbot.keyClicks(dialog.form.editors["name"], "Analytical Engines Ltd")
        return _ok(dialog)

    dialogs.drivers = [new_org]
    combo = people.form.editors["organisation_id"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)
    new_id = _org(window, "Analytical Engines Ltd")
    assert people.form.editors["name"].text() == "Ada Byron" and people.adding
    assert combo.currentData() == new_id
    assert tab.model.query.position_of(new_id) is not None  # listed among the organisations
    people.apply_button.click()
    assert window.reader.execute("SELECT organisation_id FROM people WHERE name = 'Ada Byron'").fetchone()[0] == new_id


def test_merge_into_another_organisation_from_the_selected_one(open_window, dialogs, qtbot):
    """Select an organisation recorded twice under the very same name, click "Merge into
    another organisation…", pick the other one (the list leaves out the selected one),
    confirm: one remains, with the person that worked for the merged one."""
    window = open_window("organisations")
    orgs = window.tab("organisations")
    for _ in range(2):
        orgs.buttons["add"].click()
        qtbot.keyClicks(orgs.form.editors["name"], "Riverside Parent Carer Forum")
        orgs.apply_button.click()
    first, second = [r[0] for r in window.reader.execute(
        "SELECT id FROM organisations WHERE name = 'Riverside Parent Carer Forum' ORDER BY id")]
    people = orgs.show_people()
    people.buttons["add"].click()
    qtbot.keyClicks(people.form.editors["name"], "Robin Hood")
    combo = people.form.editors["organisation_id"]
    combo.setCurrentIndex(combo.findData(second))
    people.apply_button.click()
    orgs.views_tabs.setCurrentIndex(0)
    assert orgs.select(second)

    def pick_the_other(dialog):
        items = dialog.comboBoxItems()
        assert items.count("Riverside Parent Carer Forum") == 1  # itself is left out of the list
        dialog.setTextValue("Riverside Parent Carer Forum")
        return True

    dialogs.drivers = [pick_the_other]
    dialogs.answers = [QMessageBox.StandardButton.Yes]
    orgs.merge_button.click()
    assert "1 person who works there" in dialogs.seen[-1][1]
    assert [r[0] for r in window.reader.execute(
        "SELECT id FROM organisations WHERE name = 'Riverside Parent Carer Forum'")] == [first]
    assert window.reader.execute("SELECT organisation_id FROM people WHERE name = 'Robin Hood'").fetchone()[0] == first
    assert orgs.current_id == first
