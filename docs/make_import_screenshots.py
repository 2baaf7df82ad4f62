"""Writes screenshots of each step of the import wizard (File > Import…), driven through
the small contract register in tests/fixtures/import/register.xlsx on a fresh demo
document, into docs/screenshots/ (or the folder given): the file, the table found, the
columns matched (two fixed by hand, a filter on Directorate), the preview with its
problems marked, and the result. Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_import_screenshots.py [folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

from demo_window import demo_window

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "tests" / "fixtures" / "import" / "register.xlsx"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with demo_window() as (app, window):
        from cypdesk.ui.dialogs.import_wizard.wizard import ImportWizard

        window.show()
        app.processEvents()
        wizard = ImportWizard(window, "contracts")
        wizard.show()

        def grab(name: str) -> None:
            app.processEvents()
            wizard.grab().save(str(out / name))
            print(out / name, f"{wizard.width()}x{wizard.height()}")

        wizard.file_page.path.setText(str(REGISTER))
        grab("import-1-file.png")
        wizard.next()
        grab("import-2-table.png")
        wizard.next()
        page = wizard.mapping_page
        page.choose("Contract", "title")
        page.choose("Company no", "supplier_id.company_number")
        page.where_column.setCurrentIndex(page.where_column.findData("Directorate"))
        page.where_value.setText("CHILDREN")
        page.add_where()
        grab("import-3-mapping.png")
        wizard.next()
        preview = wizard.preview_page
        preview.problems.selectRow(0)
        grab("import-4-preview.png")
        preview.create.setChecked(True)
        preview.skip.setChecked(True)
        grab("import-4-preview-ready.png")
        wizard.next()
        grab("import-5-done.png")
        wizard.accept()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
