"""One piece of work on a thread of its own, its result or error handed back when asked.

For reads and checks that SQLite or hashlib do without holding the GIL (hashing one file
while SQLite checks another; copying and checking a partner's file while our document is
opened): the same work, a shorter wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Background:
    """``fn(*args)`` on a thread of its own; :meth:`result` waits for it and returns its
    value or raises its error (any error, KeyboardInterrupt included, is kept for the
    caller: the thread itself never raises)."""

    def __init__(self, fn: Callable[..., Any], *args: Any, name: str = "cypdesk-background") -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), name=name, daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            self._value = fn(*args)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value


__all__ = ["Background"]
