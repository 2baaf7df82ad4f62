"""Python's cyclic garbage collector paused while an import plans and writes (issue 9,
Benchmarks).

An import of 200,000 rows holds a few hundred thousand live objects (the rows of a
batch, the records it matches against and adds) and makes millions of short-lived
ones; each time the collector runs it walks the objects still alive, again and again as
they grow old, which took about a fifth of a 200,000-row import's CPU time. The import
makes no reference cycles of its own (its garbage goes as soon as it is dropped), so
nothing piles up while the collector rests.

The pause is process-wide (the collector has no other switch): while an import runs on
the window's worker, cycles made by the window's thread wait until the import ends to
be collected. Pauses nest and overlap (two imports at once): the collector runs again
when the last one ends, and only if it was running when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0            # pauses in progress
_was_enabled = False   # whether the collector ran when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (see the module's notes)."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


__all__ = ["collector_paused"]
