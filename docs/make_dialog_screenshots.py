"""Writes screenshots of the record dialogs (Add a return, Add an actual, Add a
contract), the service's link dialogs (outcomes, commissioners, funding), New
organisation…, the team member dialog, Help > Keyboard shortcuts and the guide (F1),
File > Document settings… (with a logo chosen), and of the Services editor's figures, at 1366x768 on a fresh small demo, into
docs/screenshots/ (or the folder given). Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_dialog_screenshots.py [folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

from demo_window import demo_window


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with demo_window() as (app, window):
        window.show()
        app.processEvents()
        shots: list[tuple[str, str | None]] = []  # (file name, text typed into a money field)

        def grab(dialog: object) -> bool:
            name, typed = shots.pop(0)
            dialog.show()
            app.processEvents()
            if typed is not None:  # show a field's message the way the officer meets it
                field = next(n for n in ("spend_to_date", "actual") if n in dialog.form.editors)
                dialog.form.editors[field].setText(typed)
                dialog.try_accept()
                app.processEvents()
            dialog.grab().save(str(out / name))
            print(out / name, f"{dialog.width()}x{dialog.height()}")
            dialog.reject()
            return False

        window.run_dialog = grab
        from cypdesk.services.lookups import options

        budgets = window.show_tab("agreements")
        budgets.select(next(i for i, t in options(budgets.reader, "agreements") if t.startswith("Section 75")))
        budgets.show_page(1) if hasattr(budgets, "show_page") else None
        app.processEvents()
        shots[:] = [("dialog-add-a-return.png", None), ("dialog-add-a-return-bad-spend.png", "abc")]
        budgets.add_return()
        budgets.add_return()
        monitoring = window.show_tab("measures")
        monitoring.view.selectRow(0)
        app.processEvents()
        shots[:] = [("dialog-add-an-actual.png", None), ("dialog-add-an-actual-bad.png", "abc")]
        monitoring.add_actual()
        monitoring.add_actual()
        services = window.show_tab("services")
        services.view.selectRow(3)
        app.processEvents()
        shots[:] = [("dialog-add-a-contract.png", None)]
        services.add_contract()
        services.form.editors["annual_cost"].setText("£900,000")  # the cost moves away from its funding
        services.form.changed.emit()
        services.apply()
        app.processEvents()
        services.form.editors["annual_cost"].setFocus()
        services.form.editors["annual_cost"].parentWidget().setFocus()
        app.processEvents()
        window.grab().save(str(out / "services-figures.png"))
        print(out / "services-figures.png")
        services.form.editors["capacity"].setText("50")  # typed, not yet applied: the note says what will be
        services.form.changed.emit()
        app.processEvents()
        window.grab().save(str(out / "services-figures-typing.png"))
        print(out / "services-figures-typing.png")
        # The service's link dialogs, the team member dialog, New organisation…, help.
        services.revert() if hasattr(services, "revert") else None
        shots[:] = [("dialog-outcomes.png", None), ("dialog-commissioners.png", None),
                    ("dialog-funding.png", None)]
        services.edit_outcomes()
        services.edit_commissioners()
        services.edit_funding()
        shots[:] = [("dialog-new-organisation.png", None)]
        window.new_reference("organisations", {"is_provider": True}, window)
        teams = window.show_tab("teams")
        app.processEvents()
        shots[:] = [("dialog-team-member.png", None)]
        teams.add_member()
        shots[:] = [("dialog-keyboard-shortcuts.png", None), ("dialog-help-services.png", None)]
        window.show_shortcuts()
        window.show_tab("services")
        window.show_help()
        shots[:] = [("dialog-document-settings.png", None)]
        window.run_dialog = lambda dialog: dialog.set_logo_file(_demo_logo(Path(window.workspace.doc.path).parent)) \
            and grab(dialog)
        window.action_settings.trigger()
    return 0


def _demo_logo(folder: Path) -> Path:
    """A made-up crest for the fictional trust (a PNG, drawn here, in the demo's own
    temporary folder), as an officer would choose."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = Path(__file__).resolve().parents[1] / "resources" / "fonts"
    image = Image.new("RGB", (600, 180), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 170, 170), fill=(0, 94, 165))
    draw.polygon([(90, 40), (140, 130), (40, 130)], fill=(255, 255, 255))
    bold = ImageFont.truetype(str(fonts / "DejaVuSans-Bold.ttf"), 44)
    draw.text((195, 40), "Riverside", font=bold, fill=(0, 48, 120))
    draw.text((195, 100), "Children's Trust", font=ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), 36),
              fill=(0, 94, 165))
    target = folder / "riverside-logo.png"
    image.save(target)
    return target


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
