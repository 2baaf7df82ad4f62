"""The charts draw with the DejaVu Sans faces in resources/fonts: the packaged build
leaves matplotlib's own copies of those files out (packaging/cypdesk.spec), so a
machine without DejaVu installed (Windows) must still find them."""

from __future__ import annotations

import copy
from pathlib import Path

from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

from cypdesk import paths
from cypdesk.io.charts import style

FONTS = paths.resources_dir() / "fonts"


def test_charts_find_every_dejavu_face_in_resources_when_matplotlib_has_none(monkeypatch):
    # matplotlib as the packaged build has it: no DejaVu Sans of its own, none installed
    bare = copy.copy(font_manager.fontManager)
    bare.ttflist = [entry for entry in font_manager.fontManager.ttflist if entry.name != "DejaVu Sans"]
    monkeypatch.setattr(font_manager, "fontManager", bare)

    registered = style.register_fonts()

    assert [Path(p).name for p in registered] == list(style.FONT_FILES)
    for weight, slant, name in (("normal", "normal", "DejaVuSans.ttf"), ("bold", "normal", "DejaVuSans-Bold.ttf"),
                                ("normal", "oblique", "DejaVuSans-Oblique.ttf"),
                                ("bold", "oblique", "DejaVuSans-BoldOblique.ttf")):
        found = bare.findfont(FontProperties(family=style.FONT_FAMILY, weight=weight, style=slant),
                              fallback_to_default=False)
        assert Path(found) == FONTS / name


def test_registering_twice_adds_each_face_once(monkeypatch):
    bare = copy.copy(font_manager.fontManager)
    bare.ttflist = list(font_manager.fontManager.ttflist)
    monkeypatch.setattr(font_manager, "fontManager", bare)
    style.register_fonts()
    style.register_fonts()
    ours = [entry.fname for entry in bare.ttflist if Path(entry.fname).parent == FONTS]
    assert sorted(Path(f).name for f in ours) == sorted(style.FONT_FILES)


def test_a_chart_figure_uses_the_house_font():
    fig = style.figure()
    fig.add_subplot().set_title("Ll ŵ ŷ")
    fig.canvas.draw()  # Agg: would warn "findfont: Font family ... not found" without the faces
    assert style.FONT_FAMILY[0] in __import__("matplotlib").rcParams["font.family"]
