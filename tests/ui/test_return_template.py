"""The window's "Create return template…" (issue 9 item 13): from the File menu (the
officer picks the kind) and from a tab's button (its kind), with a save dialog
(``choose_save_path`` patched to answer), the drop-downs filled from the open document,
typing not yet applied going in first, and the work run on the worker thread.

The ``dialogs`` fixture runs long work INLINE except in the test that says it uses the
real thread pool."""

from __future__ import annotations

import threading

import openpyxl
import pytest

from cypdesk.ui.main_window import MainWindow


def list_values(book, sheet_name: str, heading: str) -> list[str]:
    sheet = book[sheet_name]
    letter = next(c.column_letter for c in sheet[1] if c.value == heading)
    dv = next(d for d in sheet.data_validations.dataValidation if str(d.sqref).startswith(f"{letter}2:"))
    ref = book.defined_names[dv.formula1].attr_text
    lists, cells = ref.rsplit("!", 1)
    return [c.value for row in book[lists.strip("'")][cells.replace("$", "")] for c in row]


def test_file_menu_creates_a_template_of_the_chosen_kind_with_the_documents_lists(
        open_window, dialogs, tmp_path, monkeypatch):
    """File > Create return template…: the kinds are offered with the tab in view's
    first (Services); choosing Contracts and a file writes a contracts template whose
    Service drop-down lists the document's services, including a name typed into the
    services editor but not yet applied (it is applied first); the status bar says where
    the template went."""
    window = open_window("services")
    tab = window.tab("services")
    tab.view.selectRow(0)
    tab.form.editors["name"].setText("Renamed just now")  # typed, not applied
    offered = []

    def choose(dialog):
        offered.extend(dialog.comboBoxItems())
        dialog.setTextValue("Contracts")
        return True

    dialogs.drivers = [choose]
    out = tmp_path / "for partners.xlsx"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    action = window.findChild(type(window.action_export), "create_return_template")
    assert action is window.action_template and action in window.menuBar().actions()[0].menu().actions()
    action.trigger()
    assert offered[0] == "Services" and "Contracts" in offered and "Indicator values" in offered
    book = openpyxl.load_workbook(out)
    assert book["cypdesk"]["B2"].value == "contracts"
    services = {r[0] for r in window.reader.execute("SELECT name FROM services")}
    assert "Renamed just now" in services
    assert set(list_values(book, "Contracts", "Service *")) == services
    assert "Wrote the return template" in window.status_label.text() and str(out) in window.status_label.text()


def test_a_tabs_button_makes_a_template_for_its_kind_and_adds_xlsx(open_window, dialogs, tmp_path, monkeypatch):
    """The Organisations tab's "Return template…" button: an organisations template,
    no kind asked; a name given without .xlsx gets it."""
    window = open_window("organisations")
    tab = window.tab("organisations")
    out = tmp_path / "orgs"
    asked = []
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, title, suggested, filters:
                        asked.append((title, suggested, filters)) or str(out))
    tab.buttons["template"].click()
    assert asked == [("Create return template: Organisations", "Organisations return.xlsx",
                      "Excel workbook (*.xlsx)")]
    assert not dialogs.seen  # no kind asked
    book = openpyxl.load_workbook(tmp_path / "orgs.xlsx")
    assert book["cypdesk"]["B2"].value == "organisations"
    assert [c.value for c in book["Organisations"][1]][0] == "Name *"


def test_its_keys_clash_with_nothing(open_window):
    """The File menu's entry has a mnemonic no other File entry has (Alt+F, T); the tabs'
    button has none, since Alt+T is the Teams tab's."""
    window = open_window("services")
    menu = window.menuBar().actions()[0].menu()
    letters = [a.text().split("&", 1)[1][0].lower() for a in menu.actions() if "&" in a.text()]
    assert "t" in letters and letters.count("t") == 1
    assert "&" not in window.tab("services").buttons["template"].text()


def test_cancelling_the_save_dialog_writes_nothing(open_window, dialogs, tmp_path, monkeypatch):
    window = open_window("services")
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: "")
    window.create_template("services")
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_failure_is_shown_in_plain_words_naming_the_file(open_window, dialogs, tmp_path, monkeypatch):
    """The folder chosen has gone: the message names the file and nothing is written."""
    window = open_window("services")
    out = tmp_path / "gone" / "t.xlsx"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    dialogs.answers = [None]
    window.create_template("services")
    title, text = dialogs.seen[-1]
    assert title == "That did not work" and "t.xlsx" in text and "Traceback" not in text
    assert not out.exists()


@pytest.fixture
def on_the_thread_pool(dialogs, monkeypatch):
    """Undoes the shared fixture's ``TaskRunner.INLINE = True`` for this test."""
    from cypdesk.ui.tasks import TaskRunner

    monkeypatch.setattr(TaskRunner, "INLINE", False)
    return dialogs


def test_the_template_is_written_off_the_ui_thread(open_window, on_the_thread_pool, qtbot, tmp_path, monkeypatch):
    """With the real thread pool: the template is written on a thread other than the
    window's, and the status bar reports it once the worker is done."""
    from cypdesk.services import templates

    window = open_window("services")
    threads = []
    real = templates.write_template
    monkeypatch.setattr(templates, "write_template",
                        lambda *a, **k: threads.append(threading.get_ident()) or real(*a, **k))
    out = tmp_path / "t.xlsx"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    window.create_template("services")
    qtbot.waitUntil(lambda: "Wrote the return template" in window.status_label.text(), timeout=10_000)
    assert threads and threads[0] != threading.get_ident()
    assert out.exists()
