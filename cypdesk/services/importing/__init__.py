"""The import use case (issue 9): files into records of one kind, as one edit. No Qt.

``open_source`` (source.py) gives the table in a file; ``guess_mapping`` (mapping.py)
which column feeds which field; ``plan_import`` / ``run_import`` / ``undo_import``
(engine.py) preview, write and take back an import, matching records by the natural
keys of keys.py.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "SourceRow": "source", "SourceTable": "source", "SourceError": "source", "open_source": "source",
    "Mapping": "mapping", "guess_mapping": "mapping", "remembered_mapping": "mapping", "targets": "mapping",
    "NATURAL_KEYS": "keys",
    "Cancelled": "engine", "ImportOptions": "engine", "ImportRefused": "engine", "ImportResult": "engine",
    "ImportUndo": "engine", "Problem": "engine", "plan_import": "engine", "run_import": "engine",
    "undo_import": "engine",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = sorted(_EXPORTS)
