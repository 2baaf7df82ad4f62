"""The import wizard: File > Import… (Ctrl+I) or a tab's Import… button.

Five steps, one module each: the file and the kind (:mod:`.file_page`), the sheet and
the table found in it (:mod:`.table_page`), the columns' fields (:mod:`.mapping_page`),
the preview with every problem (:mod:`.preview_page`) and the import
(:mod:`.import_page`). Reading the file, the preview and the import run on the
window's worker (:mod:`.work`, no Qt), each with its progress shown in the page and a
way to stop it; the window stays responsive. The import is one step on the window's
undo stack: Undo calls ``importing.undo_import``, Redo imports the same rows again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from cypdesk.ui.dialogs.import_wizard import work
from cypdesk.ui.dialogs.import_wizard.file_page import FilePage
from cypdesk.ui.dialogs.import_wizard.import_page import ImportPage
from cypdesk.ui.dialogs.import_wizard.mapping_page import MappingPage
from cypdesk.ui.dialogs.import_wizard.preview_page import PreviewPage
from cypdesk.ui.dialogs.import_wizard.table_page import TablePage


class ImportWizard(QWizard):
    FILE, TABLE, MAPPING, PREVIEW, IMPORT = range(5)

    def __init__(self, window: Any, kind: str | None = None) -> None:
        super().__init__(window)
        self.window_ = window
        self.ws = window.workspace
        name = Path(self.ws.doc.path).name if self.ws.doc.path else "Untitled"
        title = f"Import into {name}"
        self.setWindowTitle(title)
        self.setAccessibleName("Import wizard")
        self.setObjectName("import_wizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)  # the same on every platform and offscreen
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)
        self.resize(1040, 720)
        # what the steps have worked out so far
        self.path: Path | None = None
        self.kind: str = kind or work.IMPORT_KINDS[0]
        self.opened: work.Opened | None = None
        self.table: Any = None                 # the table the import reads (unpivoted, when asked)
        self.mapping: Any = None
        self.samples: dict[str, list[Any]] = {}
        self.unpivoted: list[str] = []
        self.where: list[tuple[str, str]] = []
        self.plans: dict[bool, work.Plan] = {}  # create_missing -> the preview worked out with it
        self.links: dict[tuple[str, str], str] = {}  # (kind, name in the file) -> the existing record it is
        self.link_choices: dict[str, list[tuple[str, str]]] = {}  # new organisation -> (id, name), closest first
        self.outcome: Any = None  # the ImportResult once imported
        self.working = False
        self.importing = False
        self.closed = False
        self._token: object | None = None
        self._progress: Any = None

        self.file_page = FilePage(self, kind)
        self.table_page = TablePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.run_page = ImportPage(self)
        for number, page in enumerate((self.file_page, self.table_page, self.mapping_page, self.preview_page,
                                       self.run_page)):
            self.setPage(number, page)
        for which, label, name in ((QWizard.WizardButton.NextButton, "&Next >", "Next step"),
                                   (QWizard.WizardButton.BackButton, "< &Back", "Previous step"),
                                   (QWizard.WizardButton.FinishButton, "&Close", "Close"),
                                   (QWizard.WizardButton.CancelButton, "Cancel", "Cancel")):
            self.setButtonText(which, label)
            self.button(which).setAccessibleName(name)
        self.button(QWizard.WizardButton.CommitButton).setAccessibleName("Import")
        self.file_page.path.setFocus(Qt.FocusReason.OtherFocusReason)
        self.load_past_imports()

    def load_past_imports(self) -> None:
        """The first step's list of the document's past imports, read on the worker."""
        from cypdesk.services.importing.listing import list_imports

        ws = self.ws

        def done(imports: list[Any]) -> None:
            if not self.closed:
                self.file_page.show_past(imports)

        self.window_.tasks.run("Reading past imports…", lambda _progress: list_imports(ws), done,
                               lambda _exc: None, dialog=False)

    # --- helpers -------------------------------------------------------------------------
    def start_folder(self) -> str:
        doc = self.ws.doc
        return str(Path(doc.path).parent) if doc.path else str(Path.home())

    def say(self, page: Any, text: str) -> None:
        """A problem with the officer's choice, shown in the page itself."""
        page.busy.done(text, error=True) if hasattr(page, "busy") else page.show_error(text)

    @staticmethod
    def format_label(name: str) -> str:
        try:
            from cypdesk.services.importing import formats

            found = formats.by_name(name) if hasattr(formats, "by_name") else None
        except ImportError:
            found = None
        return found.label if found is not None else name.replace("_", " ")

    def _run(self, busy: Any, text: str, fn: Any, done: Any, failed: Any) -> None:
        """``fn(progress)`` on the worker; ``done(result)`` or ``failed(exc)`` back here
        (never after the wizard closed, nor for work overtaken by newer work)."""
        token = object()
        self._token = token
        self.working = True
        busy.start(text)

        def on_done(result: Any) -> None:
            if self.closed or self._token is not token:
                return
            self.working = False
            self._progress = None
            busy.done()
            done(result)

        def on_failed(exc: BaseException) -> None:
            if self.closed or self._token is not token:
                return
            self.working = False
            self._progress = None
            failed(exc)

        progress = self.window_.tasks.run(text, fn, on_done, on_failed, dialog=False)
        if self.working and self._token is token:  # still running on the worker
            self._progress = progress
            busy.follow(progress)

    def _words(self, exc: BaseException, doing: str) -> str:
        from cypdesk.common.errors import plain_message

        return plain_message(exc, path=self.path, doing=doing)

    # --- step 1 -> 2: read the file ------------------------------------------------------
    def validateCurrentPage(self) -> bool:  # noqa: N802
        if self.currentPage() is self.file_page:
            if not self.file_page.validatePage():
                return False
            path, kind = self.file_page.chosen_path(), self.file_page.chosen_kind()
            if (path, kind) != (self.path, self.kind):
                self.path, self.kind = path, kind
                self.opened, self.table, self.mapping = None, None, None
                self.unpivoted, self.where = [], []
                self.plans.clear()
                self.links.clear()
                self.link_choices.clear()
            return True
        return super().validateCurrentPage()

    def read(self, page: TablePage, *, sheet: str | None = None, header_row: int | None = None) -> None:
        path, kind, ws = self.path, self.kind, self.ws
        self.opened = None
        self.plans.clear()

        def done(opened: work.Opened) -> None:
            self.opened = opened
            self.table, self.mapping, self.samples = opened.table, opened.mapping, opened.samples
            self.unpivoted = []
            page.show_opened(opened)

        def failed(exc: BaseException) -> None:
            page.busy.done(self._words(exc, "read"), error=True)
            page.failed()

        self._run(page.busy, f"Reading {path.name}…",
                  lambda progress: work.read_file(ws, path, kind, sheet=sheet, header_row=header_row,
                                                  progress=progress), done, failed)
        page.completeChanged.emit()

    # --- step 3: unpivot, the columns ----------------------------------------------------
    def shape(self, columns: list[str], name_header: str, value_header: str) -> None:
        page = self.mapping_page
        source, kind, ws = self.opened.table, self.kind, self.ws

        def done(answer: tuple[Any, Any, dict[str, list[Any]]]) -> None:
            self.table, self.mapping, self.samples = answer
            self.unpivoted = list(columns)
            self.plans.clear()
            page.show_mapping()

        def failed(exc: BaseException) -> None:
            page.busy.done()
            page.show_error(self._words(exc, "unpivot"))

        self._run(page.busy, "Unpivoting…", lambda _progress: work.reshape(ws, source, kind, columns, name_header,
                                                                            value_header), done, failed)

    def unshape(self) -> None:
        if self.opened is None:
            return
        self.table, self.mapping, self.samples = self.opened.table, self.opened.mapping, self.opened.samples
        self.unpivoted = []
        self.plans.clear()
        self.mapping_page.show_mapping()

    def set_columns(self, columns: dict[str, str | None]) -> None:
        """The officer's mapping (step 3's choices), kept with what the format fixed."""
        from cypdesk.services.importing.mapping import Mapping

        old = self.mapping
        reasons = dict(old.reasons) if old is not None else {}
        mapping = Mapping(kind=self.kind, columns=dict(columns), fixed=dict(old.fixed) if old is not None else {},
                          reasons=reasons)
        if old is None or old.columns != mapping.columns or old.kind != mapping.kind:
            self.plans.clear()
        self.mapping = mapping

    # --- step 4: the preview -------------------------------------------------------------
    def create_missing(self) -> bool:
        """Whether the import creates the records rows name that do not exist: always
        for the first preview (to list them); after it, only once the officer ticked
        to confirm them."""
        page = self.preview_page
        first = self.plans.get(True)
        if first is None or not _any_created(first.result.created):
            return True
        return page.create.isChecked() or not page.skip.isChecked()

    def preview(self, page: PreviewPage) -> None:
        create = self.create_missing()
        if create in self.plans:
            page.show_plan(self.plans[create], self.plans[True].result.created)
            self._show_links(page)
            return
        page.clear()
        ws, table, options = self.ws, self.table, self._options(create, None)
        known = set(self.link_choices)

        def done(plan: work.Plan) -> None:
            self.plans[create] = plan
            self.link_choices.update(plan.choices)
            if create and not self.create_missing():  # re-planned (a link changed): the officer said no creating
                self.preview(page)
                return
            page.show_plan(plan, self.plans[True].result.created if True in self.plans else {})
            self._show_links(page)

        def failed(exc: BaseException) -> None:
            page.busy.done(self._words(exc, "read"), error=True)
            page.completeChanged.emit()

        def run(progress: Any) -> work.Plan:
            options.progress = lambda done_, total, what: progress.report(done_, total or 0, what)
            options.cancelled = progress.cancelled
            plan = work.make_plan(ws, table, options, progress)
            if create:
                plan.choices = work.link_choices(ws, [n for n in work.link_names(plan.result) if n not in known],
                                                 progress)
            return plan

        self._run(page.busy, "Working out what the import would do…", run, done, failed)
        page.completeChanged.emit()

    def _show_links(self, page: PreviewPage) -> None:
        first = self.plans.get(True)
        names = work.link_names(first.result) if first is not None else []
        page.links.show_links(names, self.link_choices,
                              {name: record_id for (kind, name), record_id in self.links.items()
                               if kind == "organisations"})

    def set_link(self, kind: str, name: str, record_id: str | None) -> None:
        """The officer's choice for a new record: the existing one it is (None: create
        it); the preview is worked out again with it."""
        if record_id is None:
            self.links.pop((kind, name), None)
        else:
            self.links[(kind, name)] = record_id
        if self._progress is not None:  # a plan still being worked out with the old choice: stop it
            self._progress.cancel()
        self.plans.clear()
        self.preview(self.preview_page)

    def _options(self, create_missing: bool, progress: Any) -> Any:
        options = work.options_for(self.kind, self.mapping, self.where,
                                   skip_invalid=self.preview_page.skip.isChecked(), create_missing=create_missing,
                                   progress=progress)
        options.links = dict(self.links)
        return options

    def export_problems(self) -> None:
        plan = self.preview_page.shown
        if plan is None or not plan.result.problems:
            return
        stem = self.path.stem if self.path else "import"
        out = self.window_.choose_save_path("Export the problems", f"{stem} - problems.csv", "CSV, UTF-8 (*.csv)")
        if not out:
            return
        problems = list(plan.result.problems)
        self.window_.run_task("Exporting the problems…", lambda _progress: work.write_problems(problems, out),
                              lambda result: self.preview_page.problems_title.setText(
                                  f"{len(problems):,} problems, exported to {result['path']}"),
                              path=out, doing="export to")

    # --- step 5: the import --------------------------------------------------------------
    def start_import(self, page: ImportPage) -> None:
        from cypdesk.services.importing.engine import Cancelled

        ws, table, kind = self.ws, self.table, self.kind
        options = self._options(self.create_missing(), None)
        self.importing = True
        file_name = self.path.name if self.path else "the file"

        def run(progress: Any) -> Any:
            options.progress = lambda done_, total, what: progress.report(done_, total or 0, what)
            options.cancelled = progress.cancelled
            return work.do_import(ws, table, options)

        def done(result: Any) -> None:
            self.importing = False
            self.outcome = result
            self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # done: only Close
            page.show_result(result, file_name)
            if result.undo is not None:
                self._push_undo(result, table, kind, file_name, options)
            self.window_.status(f"Imported from {file_name}: {page.counts.text().split(': ', 1)[-1]}")

        def failed(exc: BaseException) -> None:
            self.importing = False
            if isinstance(exc, Cancelled):
                page.show_stopped("Import cancelled: nothing was imported, the document is as it was.", error=False)
                self.window_.status(f"Import from {file_name} cancelled: nothing was imported.")
            else:
                page.show_stopped(f"Nothing was imported. {self._words(exc, 'import')}", error=True)

        self._run(page.busy, f"Importing {file_name}…", run, done, failed)

    def _push_undo(self, result: Any, table: Any, kind: str, file_name: str, options: Any) -> None:
        """The whole import as one step on the window's undo stack."""
        from cypdesk.services.importing.engine import run_import, undo_import
        from cypdesk.ui.undo import DoneCommand

        window, ws = self.window_, self.ws
        state = {"undo": result.undo}
        options.progress, options.cancelled = None, None
        rows = result.added + result.changed

        def undo() -> None:
            window.tasks.run_and_wait("Undoing the import…", lambda _p: undo_import(ws, state["undo"]),
                                      cancellable=False)

        def redo() -> None:
            again = window.tasks.run_and_wait(f"Importing {file_name} again…",
                                              lambda _p: run_import(ws, table, options), cancellable=False)
            state["undo"] = again.undo

        text = f"Import {rows:,} {work.kind_label(kind).lower()} from {file_name}"
        window.push_command(DoneCommand(text, redo, undo, after=window.refresh_all))

    # --- closing -------------------------------------------------------------------------
    def reject(self) -> None:
        """Cancel or Escape: during the import, stop it (nothing is written) and stay to
        say so; otherwise stop any reading and close."""
        if self.importing:
            if self._progress is not None:
                self._progress.cancel()
                self.run_page.busy.label.setText("Cancelling: nothing will be imported…")
            return
        if self._progress is not None:
            self._progress.cancel()
        self.closed = True
        super().reject()

    def done(self, result: int) -> None:
        self.closed = True
        super().done(result)


def _any_created(created: dict[str, list[str]]) -> bool:
    return any(created.values())
