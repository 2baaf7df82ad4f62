"""A hybrid logical clock: the version stamp of every change.

A stamp is text that sorts in time order: 12 hex digits of wall-clock milliseconds, 4
hex digits of a counter (several changes in one millisecond, or a clock that went
back), then the 32 hex digits of the installation that made the change, so two
installations never produce the same stamp. Comparing stamps as strings compares
(wall time, counter, installation), in SQL as well as in Python.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_WALL = 12
_COUNT = 4
STAMP_LENGTH = _WALL + _COUNT + 32
ZERO = "0" * STAMP_LENGTH


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    node: str  # 32 hex digits: the installation id without dashes

    def __str__(self) -> str:
        return f"{self.wall_ms:0{_WALL}x}{self.counter:0{_COUNT}x}{self.node}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        if len(text) != STAMP_LENGTH:
            raise ValueError(f"not a clock stamp: {text!r}")
        return cls(int(text[:_WALL], 16), int(text[_WALL:_WALL + _COUNT], 16), text[_WALL + _COUNT:])


def node_of(installation_id: str) -> str:
    node = installation_id.replace("-", "").lower()
    if len(node) != 32 or any(c not in "0123456789abcdef" for c in node):
        raise ValueError(f"installation id is not a UUID: {installation_id!r}")
    return node


class Clock:
    """Issues strictly increasing stamps for one installation.

    ``now_ms`` is injectable so tests can freeze or skew time (a laptop an hour fast,
    or set to 2019): the clock still moves forward past every stamp it has seen.
    """

    def __init__(self, installation_id: str, now_ms: Callable[[], int] | None = None) -> None:
        self.node = node_of(installation_id)
        self._now_ms = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._wall = 0
        self._counter = 0
        self._lock = threading.Lock()

    def tick(self) -> str:
        """A new stamp, later than every stamp issued or observed before."""
        with self._lock:
            now = self._now_ms()
            if now > self._wall:
                self._wall, self._counter = now, 0
            else:
                self._counter += 1
                if self._counter >= 16**_COUNT:
                    self._wall, self._counter = self._wall + 1, 0
            return str(Stamp(self._wall, self._counter, self.node))

    def observe(self, stamp: str | None) -> None:
        """Move past a stamp seen in a document or a partner's file."""
        if not stamp:
            return
        seen = Stamp.parse(stamp)
        with self._lock:
            if (seen.wall_ms, seen.counter) > (self._wall, self._counter):
                self._wall, self._counter = seen.wall_ms, seen.counter


def wall_ms_of(stamp: str) -> int:
    return int(stamp[:_WALL], 16)
