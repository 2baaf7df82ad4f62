"""Two documents that diverged from one plain copy, for the merge tests: ``ours``
edited by alice on the council's laptop, ``theirs`` by bob at the NHS (different
installations, as partners are). Shared by the command-line merge tests and the kill
test."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from cypdesk.model.installation import Installation

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")
BOB = Installation(id=str(uuid.UUID(int=0xB0B)), user="bob", host="NHS-DESKTOP")
NEW_ORGANISATION = "Riverside Youth Trust"


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def services(path: Path, n: int = 3) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM services ORDER BY id LIMIT ?", (n,))]


def value(path: Path, table: str, record_id: str, column: str):
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute(f"SELECT {column} FROM {table} WHERE id=?", (record_id,)).fetchone()
    return None if row is None else row[0]


def edit(path: Path, installation: Installation, steps) -> None:
    """Open ``path`` as ``installation``, run ``steps(ws)``, save and close."""
    from cypdesk.model.document import Document
    from cypdesk.services.workspace import Workspace

    doc = Document.open(path, installation=installation)
    try:
        steps(Workspace(doc, installation))
        doc.save()
    finally:
        doc.close(discard=True)


@dataclass
class Pair:
    ours: Path
    theirs: Path
    conflicted: str  # a service whose capacity both changed
    renamed: str  # a service the partner renamed
    costed: str  # a service whose annual cost only we changed
    theirs_capacity: int  # the partner's capacity of ``conflicted`` (changed after ours: the later)
    new_name: str


def make_pair(master: Path, folder: Path, *, values_changed: int = 0) -> Pair:
    """``folder/ours/trust.cypdesk`` and ``folder/partner/partner.cypdesk``, both plain
    copies of ``master``, then: both change the capacity of one service (ours first,
    so theirs is the later change: a conflict the rule gives to theirs); the partner
    renames a second service and adds an organisation; we change a third service's
    annual cost. ``values_changed``: the partner also changes that many indicator
    values (to make the merge longer, for the kill test)."""
    (folder / "ours").mkdir(parents=True)
    (folder / "partner").mkdir(parents=True)
    ours = folder / "ours" / "trust.cypdesk"
    theirs = folder / "partner" / "partner.cypdesk"
    shutil.copy(master, ours)
    shutil.copy(master, theirs)
    conflicted, renamed, costed = services(ours)
    new_name = "Family hub (merged test)"

    def ours_steps(ws):
        from cypdesk.services import records

        records.update(ws, "services", conflicted, {"capacity": 11})
        records.update(ws, "services", costed, {"annual_cost": 123456})

    def theirs_steps(ws):
        from cypdesk.services import records

        records.update(ws, "services", conflicted, {"capacity": 22})
        records.update(ws, "services", renamed, {"name": new_name})
        records.create(ws, "organisations", {"name": NEW_ORGANISATION, "kind": "voluntary"})
        if values_changed:
            from cypdesk.model.needs import IndicatorValue
            from sqlalchemy import select

            with ws.write() as session:
                rows = session.scalars(select(IndicatorValue).order_by(IndicatorValue.id).limit(values_changed)).all()
                for i, row in enumerate(rows):
                    row.value = float(i % 97) + 0.5

    edit(ours, ALICE, ours_steps)
    edit(theirs, BOB, theirs_steps)
    return Pair(ours=ours, theirs=theirs, conflicted=conflicted, renamed=renamed, costed=costed,
                theirs_capacity=22, new_name=new_name)
