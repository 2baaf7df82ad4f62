"""The paper's appendices, built from the data: the officer chooses the kind (action
plan progress, pooled budget monitoring, service performance, needs profile, the
service map, contracts ending, the risk register) and its simple options (which
agreement, which outcome, exceptions only...), each kind's options as the content
service declares them (``APPENDIX_KINDS_OPTIONS``, ``option_choices``)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHeaderView, QLineEdit, QMessageBox, QSpinBox, QTableWidgetItem, QWidget,
)

from cypdesk.common.errors import CypdeskError
from cypdesk.ui.models.record_table import ID_ROLE
from cypdesk.ui.tabs.papers.dialogs import FormDialog
from cypdesk.ui.tabs.papers.panel import PaperListPanel

HEADERS = ["App.", "Title", "Built from", "Options"]


def kind_words() -> dict[str, str]:
    from cypdesk.model.catalog import CATALOG

    spec = next(f for f in CATALOG["appendices"]["fields"] if f["name"] == "kind")
    return dict(spec.get("choices", ()))


def read_appendices(conn: Any, paper_id: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT id, letter, kind, title, options FROM appendices WHERE paper_id = ? "
                        "ORDER BY length(letter), letter", (paper_id,)).fetchall()
    out = []
    for r in rows:
        try:
            options = json.loads(r[4]) if r[4] else {}
        except ValueError:
            options = {}
        out.append({"id": r[0], "letter": r[1], "kind": r[2], "title": r[3], "options": options
                    if isinstance(options, dict) else {}})
    return out


def _spec(option: Any, name: str, default: Any = None) -> Any:
    return option.get(name, default) if isinstance(option, dict) else getattr(option, name, default)


def option_specs(kind: str) -> list[Any]:
    from cypdesk.services.papers.appendices import APPENDIX_KINDS_OPTIONS

    return list(APPENDIX_KINDS_OPTIONS.get(kind, []))


def options_words(conn: Any, kind: str, options: dict[str, Any]) -> str:
    """The options in words, as the table shows them ("Exceptions only; Outcome: ...")."""
    from cypdesk.services.papers.appendices import option_choices

    words = []
    for option in option_specs(kind):
        name = _spec(option, "name")
        value = options.get(name)
        if value in (None, "", [], False):
            continue
        label = _spec(option, "label", name)
        if value is True:
            words.append(label)
            continue
        if _spec(option, "kind") in ("choice", "reference", "references", "financial_year"):
            try:
                labels = dict(option_choices(conn, kind, name))
            except Exception:  # noqa: BLE001 - an option's list the data cannot give: show the value
                labels = {}
            values = value if isinstance(value, list) else [value]
            value = ", ".join(str(labels.get(v, v)) for v in values)
        words.append(f"{label}: {value}")
    return "; ".join(words) or "All"


class AppendixDialog(FormDialog):
    """Choose an appendix's kind and its options; the options follow the kind."""

    def __init__(self, conn: Any, parent: QWidget | None, appendix: dict[str, Any] | None = None) -> None:
        super().__init__("Add an appendix" if appendix is None else f"Appendix {appendix['letter']}", parent,
                         "The appendix is built from the document's data each time the paper is previewed or "
                         "exported, until the paper is finalised; then it keeps what the board saw.")
        self.conn = conn
        kind = QComboBox()
        for value, words in kind_words().items():
            kind.addItem(words, value)
        if appendix is not None:
            kind.setCurrentIndex(max(kind.findData(appendix["kind"]), 0))
        self.add("kind", "&Built from:", kind)
        title = QLineEdit(appendix["title"] or "" if appendix else "")
        title.setPlaceholderText("As the kind says, unless you name it")
        self.add("title", "&Title:", title)
        self.option_rows = 0
        self.options: dict[str, QWidget] = {}
        self._start = dict(appendix["options"]) if appendix else {}
        kind.currentIndexChanged.connect(lambda _i: self._build_options())
        self._build_options()

    def _build_options(self) -> None:
        from cypdesk.services.papers.appendices import option_choices

        for _ in range(self.option_rows):
            self.form.removeRow(self.form.rowCount() - 1)
        self.option_rows = 0
        self.options = {}
        kind = self.fields["kind"].currentData()
        for option in option_specs(kind):
            name, label = _spec(option, "name"), _spec(option, "label", _spec(option, "name"))
            kind_of = _spec(option, "kind", "choice")
            value = self._start.get(name, _spec(option, "default"))
            widget: QWidget
            if kind_of in ("bool", "boolean", "flag"):
                widget = QCheckBox(label)
                widget.setChecked(bool(value))
                self.form.addRow("", widget)
            elif kind_of in ("int", "integer", "number"):
                widget = QSpinBox()
                low = int(_spec(option, "minimum", 0) or 0)
                if _spec(option, "default") is None:  # no value: every one ("All" below the lowest)
                    widget.setRange(low - 1, int(_spec(option, "maximum", 100000) or 100000))
                    widget.setSpecialValueText("All")
                    widget.setValue(int(value) if value is not None else low - 1)
                else:
                    widget.setRange(low, int(_spec(option, "maximum", 100000) or 100000))
                    widget.setValue(int(value))
                self.form.addRow(f"{label}:", widget)
            else:
                widget = QComboBox()
                if not _spec(option, "required", False):
                    widget.addItem("The year of the paper's date" if kind_of == "financial_year" else "Any", None)
                try:
                    choices = option_choices(self.conn, kind, name)
                except CypdeskError as exc:
                    choices = []
                    self.say(exc.message)
                for choice_value, words in choices:
                    widget.addItem(str(words), choice_value)
                if isinstance(value, list):  # several chosen (indicators): the window offers one
                    value = value[0] if value else None
                widget.setCurrentIndex(max(widget.findData(value), 0))
                self.form.addRow(f"{label}:", widget)
            widget.setObjectName(f"appendix_option_{name}")
            if _spec(option, "help"):
                widget.setToolTip(_spec(option, "help"))
            widget.setAccessibleName(label)
            self.options[name] = widget
            self.option_rows += 1

    def values(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for name, widget in self.options.items():
            if isinstance(widget, QCheckBox):
                if widget.isChecked():
                    options[name] = True
            elif isinstance(widget, QSpinBox):
                if widget.value() != widget.minimum() or not widget.specialValueText():
                    options[name] = widget.value()
            elif isinstance(widget, QComboBox) and widget.currentData() is not None:
                many = _spec(next(o for o in option_specs(self.fields["kind"].currentData())
                                  if _spec(o, "name") == name), "kind") == "references"
                options[name] = [widget.currentData()] if many else widget.currentData()
        return {"kind": self.fields["kind"].currentData(), "title": self.fields["title"].text().strip() or None,
                "options": options}

    def set_option(self, name: str, value: Any) -> None:
        """Choose an option's value (tests and the keyboard alike)."""
        widget = self.options[name]
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        else:
            widget.setCurrentIndex(widget.findData(value))


class AppendicesPanel(PaperListPanel):
    KIND = "appendices"

    def __init__(self, tab: Any) -> None:
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        super().__init__(tab, "appendices", "Appendices", HEADERS, (fit, stretch, fit, stretch), ((
            ("add", "Add an appendix…", "Choose an appendix built from the data", self.add),
            ("edit", "Options…", "Change the selected appendix's title and options", self.edit),
            ("remove", "Remove…", "Remove the selected appendix", self.remove)),), "appendix")
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.load(None, False)

    def load(self, paper_id: str | None, final: bool) -> None:
        self.paper_id, self.final = paper_id, final
        conn = self.tab.reader
        self.rows = read_appendices(conn, paper_id) if paper_id and conn is not None else []
        kinds = kind_words()
        self.table.setRowCount(len(self.rows))
        for row, app in enumerate(self.rows):
            try:
                words = options_words(conn, app["kind"], app["options"])
            except ImportError:
                words = ", ".join(f"{k}: {v}" for k, v in app["options"].items()) or "All"
            cells = [app["letter"], app["title"] or kinds.get(app["kind"], app["kind"]),
                     kinds.get(app["kind"], app["kind"]), words]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, app["id"])
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        if paper_id is None:
            self.note.setText("")
        elif final:
            self.note.setText("The paper is final: its appendices keep the figures the board saw (the snapshot "
                              "taken when it was finalised).")
        else:
            self.note.setText("Appendices are built from the document's data: the same figures the tabs show. "
                              "Preview the paper to see them.")
        self.update_buttons()

    def update_buttons(self) -> None:
        draft = self.tab.editable and self.paper_id is not None and not self.final
        has = self.selected() is not None
        self.buttons["add"].setEnabled(draft)
        self.buttons["edit"].setEnabled(draft and has)
        self.buttons["remove"].setEnabled(draft and has)

    def add(self) -> None:
        from cypdesk.services.papers import compose

        if self.paper_id is None or self.final or not self.tab.commit_pending():
            return
        dialog = AppendixDialog(self.tab.reader, self)
        if not self.tab.window_.run_dialog(dialog):
            return
        values = dialog.values()
        self._run(f"Add the appendix “{values['title'] or kind_words().get(values['kind'], values['kind'])}”",
                  lambda: compose.add_appendix(self.tab.ws, self.paper_id, values["kind"], title=values["title"],
                                               options=values["options"]))

    def edit(self) -> None:
        from cypdesk.services.papers import compose

        app = self.selected()
        if app is None or self.final or not self.tab.commit_pending():
            return
        dialog = AppendixDialog(self.tab.reader, self, app)
        if not self.tab.window_.run_dialog(dialog):
            return
        values = dialog.values()
        self._run(f"Change appendix {app['letter']}", lambda: compose.update_appendix(self.tab.ws, app["id"], values))

    def remove(self) -> None:
        from cypdesk.services.papers import compose

        app = self.selected()
        if app is None or self.final or not self.tab.commit_pending():
            return
        answer = self.tab.window_.ask(QMessageBox.Icon.Question, "Remove the appendix",
                                      f"Remove appendix {app['letter']} from the paper?\n\nEdit > Undo brings it back.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self._run(f"Remove appendix {app['letter']}", lambda: compose.remove_appendix(self.tab.ws, app["id"]))
