"""What a board paper shows, as a :class:`~cypdesk.common.paperdoc.PaperDoc`: its header
(board, meeting date, agenda item, author, contact, protective marking), purpose,
recommendations, sections (rich text parsed by :mod:`cypdesk.common.richtext`) and
appendices built from the data (:mod:`.appendices`, small counts suppressed), with the
document's trust name and logo.

A draft is built from today's data. A FINAL paper returns the content stored in its
snapshot when it was finalised (``paper_snapshots.content``): reopened next year it
shows what the board saw, not today's numbers; only the board's decisions on its
recommendations, recorded after the meeting, are read from today's data. With a ``partner``, the paper is the
provider-safe version (:func:`.redact.redact_doc`, the one rule of
:mod:`cypdesk.services.outward`), for a draft and a snapshot alike.

Reads a ``sqlite3`` connection, or anything :func:`reading` turns into one (a
SQLAlchemy connection or session: the same transaction, so ``finalise`` sees its own
writes; an engine or a workspace). No Qt, no rendering (``io.papers`` draws it).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any

from cypdesk.common.errors import RecordNotFound, UsageError
from cypdesk.common.paperdoc import Contact, MeetingPack, PackItem, PaperDoc, Recommendation, Section
from cypdesk.model.catalog import CATALOG
from cypdesk.services import outward
from cypdesk.services.papers.appendices import build_appendix, document_settings, reading
from cypdesk.services.papers.redact import redact_doc

__all__ = ["build_meeting_pack", "build_paper_doc", "marking_label", "reading"]


def marking_label(value: str | None) -> str:
    """The protective marking's label as it prints ("OFFICIAL-SENSITIVE")."""
    for spec in CATALOG["papers"]["fields"]:
        if spec["name"] == "marking":
            for v, label in spec.get("choices") or ():
                if v == value:
                    return label
    return (value or "official").upper()


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f'PRAGMA table_info("{table}")')}


def _parse(text: str | None) -> list[Any]:
    from cypdesk.common.richtext import parse

    return parse(text or "")


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def build_paper_doc(conn: Any, paper_id: str, *, partner: outward.Partner | None = None,
                    now: datetime | None = None, today: date | None = None) -> PaperDoc:
    """The paper ``paper_id`` as it prints: a final paper's snapshot, or a draft from the
    data on ``today`` (read at ``now``, which the paper gives as when its data was
    taken); the provider-safe version for ``partner``. Raises :class:`RecordNotFound`
    for a paper the document does not hold."""
    with reading(conn) as db:
        doc = _stored(db, paper_id)
        if doc is None:
            doc = _draft(db, paper_id, now=now, today=today)
    return redact_doc(doc, partner) if partner is not None else doc


def _stored(db: sqlite3.Connection, paper_id: str) -> PaperDoc | None:
    """A final paper's snapshot; None for a draft (or a final paper without one, from
    before snapshots: it is built from the data like a draft)."""
    row = db.execute("SELECT status FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if row is None:
        raise RecordNotFound(f"There is no board paper with the id {paper_id!r} in this document.")
    if row[0] != "final" or "paper_snapshots" not in {
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}:
        return None
    snap = db.execute("SELECT content FROM paper_snapshots WHERE paper_id = ? ORDER BY taken_at DESC LIMIT 1",
                      (paper_id,)).fetchone()
    if not snap:
        return None
    doc = PaperDoc.from_json(snap[0])
    # The board's decisions are recorded on the final paper after the meeting: they are
    # the one thing a snapshot shows from today (the recommendations' words stay frozen).
    decisions = {int(n): (d, note) for n, d, note in db.execute(
        "SELECT number, decision, decision_note FROM recommendations WHERE paper_id = ?", (paper_id,))}
    recommendations = [dataclasses.replace(r, decision=decisions[r.number][0], decision_note=decisions[r.number][1])
                       if r.number in decisions else r for r in doc.recommendations]
    return dataclasses.replace(doc, status="final", recommendations=recommendations)


def _draft(db: sqlite3.Connection, paper_id: str, *, now: datetime | None, today: date | None) -> PaperDoc:
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    today = today or now.date()
    cols = _columns(db, "papers")
    wanted = ["p.id", "p.title", "p.status", "p.marking", "p.key_decision", "p.wards_affected", "p.purpose",
              "m.board", "m.held_on", "a.name"]
    extra = [c for c in ("agenda_item", "version", "contact_id") if c in cols]
    row = db.execute(
        f"SELECT {', '.join(wanted + ['p.' + c for c in extra])} FROM papers p "
        "LEFT JOIN meetings m ON m.id = p.meeting_id LEFT JOIN people a ON a.id = p.author_id WHERE p.id = ?",
        (paper_id,)).fetchone()
    if row is None:
        raise RecordNotFound(f"There is no board paper with the id {paper_id!r} in this document.")
    values = dict(zip([w.split(".")[1] for w in wanted] + extra, row))
    values["author"] = values.pop("name")
    contact = None
    if values.get("contact_id"):
        person = db.execute("SELECT name, phone, email FROM people WHERE id = ?", (values["contact_id"],)).fetchone()
        if person:
            contact = Contact(person[0] or "", person[1], person[2])
    settings = document_settings(db)
    recommendations = [Recommendation(int(n), text or "", decision, note) for n, text, decision, note in db.execute(
        "SELECT number, text, decision, decision_note FROM recommendations WHERE paper_id = ? ORDER BY number, id",
        (paper_id,))]
    sections = [Section(key, heading or "", _parse(body), bool(confidential))
                for key, heading, body, confidential in _section_rows(db, paper_id)]
    appendices = [build_appendix(db, {"letter": letter, "kind": kind, "title": title, "options": options},
                                 today=today, settings=settings)
                  for letter, kind, title, options in db.execute(
                      "SELECT letter, kind, title, options FROM appendices WHERE paper_id = ? "
                      "ORDER BY length(letter), letter, id", (paper_id,))]
    return PaperDoc(
        paper_id=paper_id, version=int(values.get("version") or 1), status=values["status"] or "draft",
        title=values["title"] or "", board=values["board"] or "", meeting_date=_date(values["held_on"]),
        agenda_item=values.get("agenda_item"), author=values["author"], contact=contact,
        marking=marking_label(values["marking"]), purpose=_parse(values["purpose"]),
        key_decision=bool(values["key_decision"]), wards_affected=values["wards_affected"],
        recommendations=recommendations, sections=sections, appendices=appendices,
        trust_name=settings.get("trust_name"), logo=settings.get("logo"), data_taken_at=now)


def _section_rows(db: sqlite3.Connection, paper_id: str) -> list[tuple[Any, ...]]:
    if "paper_sections" in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}:
        return db.execute("SELECT key, heading, body, confidential FROM paper_sections WHERE paper_id = ? "
                          "ORDER BY position, id", (paper_id,)).fetchall()
    return []


# --- the meeting pack -------------------------------------------------------------------------------

def build_meeting_pack(conn: Any, meeting_id: str, *, partner: outward.Partner | None = None,
                       today: date | None = None, now: datetime | None = None,
                       items: Sequence[str] | None = None, supplement: int = 0) -> MeetingPack:
    """Every paper of the meeting, in agenda order (agenda item, then title), each as
    :func:`build_paper_doc` gives it (provider-safe for ``partner``), with the
    meeting's board, date and place and the trust's name and logo.

    ``items`` keeps only the papers with those agenda items, for a supplement (papers
    to follow, sent after the pack: ``supplement`` numbers it); an item the meeting
    does not have is refused, naming the items it has."""
    with reading(conn) as db:
        meeting = db.execute("SELECT board, held_on, place FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        if meeting is None:
            raise RecordNotFound(f"There is no meeting with the id {meeting_id!r} in this document.")
        agenda = "agenda_item" if "agenda_item" in _columns(db, "papers") else "NULL"
        papers = db.execute(f"SELECT id, title, {agenda} FROM papers WHERE meeting_id = ?", (meeting_id,)).fetchall()
        papers.sort(key=lambda r: (_agenda_key(r[2]), (r[1] or "").casefold(), r[0]))
        if items is not None:
            wanted = [str(i).strip() for i in items if str(i).strip()]
            have = [str(r[2]) for r in papers if r[2]]
            unknown = [i for i in wanted if i not in have]
            if unknown or not wanted:
                raise UsageError(f"The meeting has no paper at agenda item {', '.join(unknown) or '(none given)'}; "
                                 f"its items are {', '.join(have) or 'none yet'}.")
            papers = [r for r in papers if r[2] and str(r[2]) in wanted]
        pack_items = []
        for number, (pid, title, item) in enumerate(papers, start=1):
            doc = build_paper_doc(db, pid, partner=partner, now=now, today=today)
            pack_items.append(PackItem(item or str(number), title or "", doc))
        settings = document_settings(db)
    return MeetingPack(meeting[0] or "", _date(meeting[1]), meeting[2], settings.get("trust_name"),
                       settings.get("logo"), pack_items, for_partner=partner.name if partner is not None else None,
                       supplement=supplement)


def _agenda_key(item: str | None) -> tuple[Any, ...]:
    """"2" before "10", "5" before "5b"; papers without an item come last."""
    import re

    if not item:
        return (1,)
    parts = re.findall(r"\d+|\D+", item)
    return (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts))
