"""The domain model and the document file.

``from cypdesk.model import Service, KINDS, Base`` loads every mapped class (see
:mod:`cypdesk.model.registry`). Importing a submodule alone (``cypdesk.model.dbfile``,
``cypdesk.model.catalog``) does not: the window's first paint needs neither SQLAlchemy's
ORM nor forty mapped classes, which cost about 0.4 s to import.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    # ``from cypdesk.model import dbfile`` asks for the attribute before importing the
    # submodule: give it the submodule without loading every mapped class.
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    registry = importlib.import_module("cypdesk.model.registry")
    try:
        return getattr(registry, name)
    except AttributeError:
        raise AttributeError(f"module 'cypdesk.model' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    registry = importlib.import_module("cypdesk.model.registry")

    return sorted(set(globals()) | set(registry.__all__))
