"""The organisations an officer may say a new one is "the same as" (issue 9, item 6):
the document's organisations, the closest names first, compared through the one name
normaliser (:mod:`cypdesk.common.names`), so "Brightpath Family Services Ltd" puts
"Brightpath Family Services" before "Bright Lights"."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from cypdesk.common.names import normalise_name


def organisations(ws: Any) -> list[tuple[str, str]]:
    """(id, name) of every organisation in the document, by name."""
    from sqlalchemy import text

    with ws.doc.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name FROM organisations WHERE name IS NOT NULL AND name != ''"))
        return sorted(((str(i), str(n)) for i, n in rows), key=lambda r: r[1].casefold())


def closeness(a: str, b: str) -> float:
    """0 to 1: how alike two names are once normalised (1: the same name)."""
    x, y = normalise_name(a), normalise_name(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    score = SequenceMatcher(None, x, y, autojunk=False).ratio()
    if x in y or y in x:  # one name inside the other: "Brightpath" and "Brightpath Family Services"
        score = max(score, 0.9)
    return score


def closest_first(name: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``choices`` ((id, name)) ordered by closeness to ``name``, then by name."""
    return sorted(choices, key=lambda c: (-round(closeness(name, c[1]), 3), c[1].casefold()))


__all__ = ["closeness", "closest_first", "organisations"]
