"""Shared set-up of the merge engine's tests: two or three real documents made from the
demo, each opened by its own installation, edited through the services, and merged
with plan_merge/apply_merge reading the other's working copy (a trusted file at head
schema)."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from contextlib import ExitStack
from pathlib import Path

from cypdesk.model.document import Document
from cypdesk.model.installation import Installation
from cypdesk.services.exchange.apply import apply_merge
from cypdesk.services.exchange.canon import content_digest
from cypdesk.services.exchange.plan import plan_merge
from cypdesk.services.workspace import Workspace

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="NHS-PC")
CAROL = Installation(id=str(uuid.UUID(int=0xCA201)), user="carol", host="POLICE-PC")


class Timeline:
    """One fake wall clock for every installation in a test: each reading is 10 ms after
    the last, so "edited later" is later by the stamps whatever the machine's speed.
    ``skew_ms`` per installation makes one laptop's clock fast or slow (case 37)."""

    def __init__(self, start_ms: int | None = None) -> None:
        import time

        self.ms = start_ms if start_ms is not None else int(time.time() * 1000)

    def reader(self, skew_ms: int = 0):
        def now_ms() -> int:
            self.ms += 10
            return self.ms + skew_ms
        return now_ms


class Docs:
    """Documents copied from one file (so they share a state), each opened by one
    installation, with clocks on one shared :class:`Timeline`. ``snap(ws)`` copies a
    working copy aside (a file as it was sent)."""

    def __init__(self, source: Path, folder: Path, stack: ExitStack) -> None:
        self.source = source
        self.folder = folder
        self.stack = stack
        self.n = 0
        self.timeline = Timeline()

    def open(self, who: Installation, name: str | None = None, *, source: Path | None = None,
             skew_ms: int = 0) -> Workspace:
        from cypdesk.common.hlc import Clock

        self.n += 1
        path = self.folder / (name or f"{who.user}-{self.n}.cypdesk")
        shutil.copy(source or self.source, path)
        doc = Document.open(path, installation=who)
        self.stack.callback(doc.close, discard=True)
        return Workspace(doc, who, Clock(who.id, now_ms=self.timeline.reader(skew_ms)))

    def snap(self, ws: Workspace, name: str | None = None) -> Path:
        self.n += 1
        dest = self.folder / (name or f"sent-{self.n}.cypdesk")
        src = sqlite3.connect(ws.doc.working_path)
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
            src.close()
        return dest


def merge(ws: Workspace, theirs: Path | Workspace, choices=None, **kw):
    """Plan and apply a merge of ``theirs`` (a file, or another open document's working
    copy) into ``ws``; returns (plan, result)."""
    path = theirs.doc.working_path if isinstance(theirs, Workspace) else theirs
    plan = plan_merge(ws, path)
    result = apply_merge(ws, path, plan, choices, **kw)
    return plan, result


def digest(ws: Workspace | Path) -> str:
    return content_digest(ws.doc.working_path if isinstance(ws, Workspace) else ws)


def file_bytes_digest(ws: Workspace) -> str:
    import hashlib

    return hashlib.sha256(Path(ws.doc.working_path).read_bytes()).hexdigest()


def one(ws: Workspace, sql: str, *params):
    conn = sqlite3.connect(ws.doc.working_path)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def rows(ws: Workspace, sql: str, *params):
    conn = sqlite3.connect(ws.doc.working_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
