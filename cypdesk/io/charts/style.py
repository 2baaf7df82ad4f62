"""The look shared by every chart, and the figure factory.

Colours: the GOV.UK-style palette is readable on screen and in greyscale print; every
rating colour comes with its word (:data:`RATING_WORDS`), which charts always print.
"""

from __future__ import annotations

from typing import Any

from cypdesk import paths

# Ratings: RAG and the five-level trajectory scale; each key's word is always shown.
RATING_COLOURS = {
    "green": "#00703c", "amber": "#f47738", "red": "#d4351c", "not_rated": "#b1b4b6",
    "ahead": "#005a30", "on_course": "#00703c", "slippage": "#f47738", "no_progress": "#d4351c",
    "not_assessed": "#b1b4b6",
}
RATING_WORDS = {
    "green": "Green", "amber": "Amber", "red": "Red", "not_rated": "Not rated",
    "ahead": "Ahead", "on_course": "On course", "slippage": "Slippage", "no_progress": "No progress",
    "not_assessed": "Not assessed",
}
# Comparisons with England or neighbours (Fingertips' words).
COMPARISON_COLOURS = {"better": "#00703c", "similar": "#f3d21b", "worse": "#d4351c", "not_compared": "#b1b4b6"}
COMPARISON_WORDS = {"better": "Better", "similar": "Similar", "worse": "Worse", "not_compared": "Not compared"}

TRUST = "#1d70b8"  # the trust's own line
ENGLAND = "#0b0c0c"  # England
NEIGHBOURS = "#b1b4b6"  # the neighbours' range
SERIES = ("#1d70b8", "#f47738", "#00703c", "#912b88", "#d53880", "#28a197", "#6f72af", "#b58840")

FONT_FAMILY = ["DejaVu Sans", "sans-serif"]  # bundled in resources/fonts: every character a name can have


def figure(width_in: float = 6.4, height_in: float = 3.2, dpi: int = 100) -> Any:
    """A new matplotlib Figure in the house style, made without pyplot (no global state,
    no GUI backend): the window wraps it in a canvas, papers save it as vector."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    fig.set_facecolor("white")
    _apply_rc()
    return fig


_RC_APPLIED = False
# The faces of FONT_FAMILY's first family in resources/fonts (the papers embed the same).
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")


def register_fonts() -> list[str]:
    """Give matplotlib the DejaVu Sans faces in resources/fonts; return their paths.
    The packaged build leaves matplotlib's own copies of these four files out
    (packaging/cypdesk.spec), so the charts draw with these."""
    from matplotlib import font_manager

    folder = paths.resources_dir() / "fonts"
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    added = []
    for name in FONT_FILES:
        path = str(folder / name)
        if path not in known:
            font_manager.fontManager.addfont(path)  # FileNotFoundError names a missing file
        added.append(path)
    return added


def _apply_rc() -> None:
    global _RC_APPLIED
    if _RC_APPLIED:
        return
    import matplotlib

    register_fonts()
    matplotlib.rcParams.update({
        "font.family": FONT_FAMILY, "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold",
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#dddddd",
        "grid.linewidth": 0.6, "legend.frameon": False, "svg.fonttype": "none", "pdf.fonttype": 42,
    })
    _RC_APPLIED = True


def save_vector(fig: Any, path: str, fmt: str | None = None) -> None:
    """Save as SVG or PDF (vector, text kept as text where the format allows)."""
    fig.savefig(path, format=fmt)
