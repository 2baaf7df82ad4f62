"""One record's history as an officer reads it: who changed what and when, what came
from which import, what a merge took from which partner's file, and what a merge chose
over what (its conflicts, resolved or not). The window's History view shows these
entries; this module reads them with plain ``sqlite3`` and the catalog (no Qt, no ORM).

Where each entry comes from:

- the ``history`` rows of the record (``table_name``, ``record_id``): typed edits
  (insert, update, delete, restore), an import's changes (their ``note`` says
  "imported from FILE"), the partner history rows a merge copied in, and the merge's
  own rows (op ``"merge"``, whose note names the partner file and what was chosen);
- an edit or a creation made in a partner's copy came with the merge that copied that
  copy's history in: it is by another installation than the merging one, and a later
  merge line of the same field took its value or weighed it in a conflict (of a
  creation: the merge's "Added from" line); it is shown as from that partner's file;
- a record added by a bulk write (an import, the demo) has no history row of its own:
  the bulk writer stamps the rows of one table with one tick and then writes the
  table's ``bulk_insert`` line with the next tick of the same clock, so the record's
  creation is the first ``bulk_insert`` line of its table, by the same installation,
  stamped after its ``created_hlc``;
- which import: the ``import_records`` row an import writes last, i.e. the first one
  of the same installation stamped after the import's history line;
- the ``conflicts`` rows of the record: both values, both stamps, the partner document,
  and the choice once made. A conflict sorts just after the later of its two versions.

Values are shown as the tabs show them (:func:`cypdesk.services.tables.display`, with
the fields' labels; a reference by the title of the record it points at).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cypdesk.model.catalog import CATALOG

NODE_DIGITS = 32  # the installation's part at the end of every clock stamp (common/hlc.py)

# What each kind of entry is, in the window's words.
SOURCES = ("edit", "import", "merge", "conflict", "bulk")


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a record's history, ready to show."""

    stamp: str  # the clock stamp it sorts by ("" when unknown)
    at: datetime | None  # when (UTC)
    author: str  # who: the person on the computer, as history names them
    source: str  # one of SOURCES: a typed edit, an import, a merge, a conflict, another bulk write
    action: str  # plain words: "Created", "Changed", "Deleted", "Restored", "Merged", ...
    field: str | None  # the field's name (None: the whole record)
    label: str  # the field's label ("" for the whole record)
    old: str  # the value before, as the tabs show it (a settled conflict: the value not chosen)
    new: str  # the value after (a settled conflict: the value chosen; one not yet settled: theirs)
    detail: str  # plain words: which import, which partner's file, what was chosen over what
    import_id: str | None = None  # the import_records row of an import's entry
    resolved: bool | None = None  # a conflict: whether someone (or the rule) has chosen (False: ``old`` is
    # this document's value, ``new`` the partner's)

    @property
    def when(self) -> str:
        """When, in this computer's local time (history keeps UTC)."""
        from datetime import timezone

        from cypdesk.common.formats import datetime_uk

        if self.at is None:
            return ""
        return datetime_uk(self.at if self.at.tzinfo else self.at.replace(tzinfo=timezone.utc))


def node_of_stamp(stamp: str | None) -> str | None:
    """The installation that made a clock stamp (its last 32 hex digits)."""
    return stamp[-NODE_DIGITS:] if stamp and len(stamp) >= NODE_DIGITS else None


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _spec(kind: str, name: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    for spec in CATALOG.get(kind, {}).get("fields", ()):
        if spec["name"] == name:
            return spec
    return None


def field_label(kind: str, name: str | None) -> str:
    """A field's label from the catalog; a field the catalog does not list (a document
    setting, a bookkeeping column) by its name in words."""
    if not name:
        return ""
    spec = _spec(kind, name)
    if spec is not None:
        return str(spec["label"])
    return name.replace("_id", "").replace("_", " ").capitalize()


def _decode(raw: Any) -> Any:
    """A history value (JSON text) back to a value; text that is not JSON as it is."""
    if raw is None or not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _title(conn: sqlite3.Connection, kind: str, record_id: str) -> str | None:
    """The title of a record, or of a deleted one (its tombstone), or None."""
    if kind not in CATALOG:
        return None
    title = CATALOG[kind]["title"]
    row = conn.execute(f'SELECT "{title}" FROM "{kind}" WHERE id = ?', (record_id,)).fetchone()
    if row is not None:
        return "" if row[0] is None else str(row[0])
    row = conn.execute("SELECT title FROM tombstones WHERE table_name = ? AND record_id = ?",
                       (kind, record_id)).fetchone()
    if row is not None:
        return f"{row[0] or record_id} (deleted)"
    return None


def show_value(conn: sqlite3.Connection, kind: str, name: str | None, value: Any) -> str:
    """A stored value of ``kind``'s field ``name`` as the tabs show it: UK money and
    dates, a choice's label, Yes/No, a reference by the title of its record."""
    if value is None or value == "":
        return ""
    spec = _spec(kind, name)
    if spec is None:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if spec["kind"] == "reference" and spec.get("references") in CATALOG and isinstance(value, str):
        return _title(conn, spec["references"], value) or value
    from cypdesk.services.tables import Column, display

    choices = {v: label for v, label in spec["choices"]} if "choices" in spec else None
    column = Column(spec["name"], spec["label"], spec["kind"], spec.get("help", ""), choices, "")
    try:
        return display(column, value)
    except (ValueError, TypeError, ArithmeticError):  # a value the field's kind does not read: as it is
        return str(value)


def _snapshot_text(conn: sqlite3.Connection, kind: str, raw: Any) -> str:
    """A deleted record's values (the history line's snapshot), "Label: value" for each
    field of its own that held one."""
    values = _decode(raw)
    if not isinstance(values, dict):
        return ""
    parts = []
    for spec in CATALOG.get(kind, {}).get("fields", ()):
        if spec.get("system") or values.get(spec["name"]) in (None, ""):
            continue
        parts.append(f"{spec['label']}: {show_value(conn, kind, spec['name'], values[spec['name']])}")
    return "; ".join(parts)


def _import_for(conn: sqlite3.Connection, stamp: str) -> tuple[str | None, str | None]:
    """(id, source file) of the import that wrote the history line stamped ``stamp``:
    the first import record of the same installation stamped after it."""
    node = node_of_stamp(stamp)
    if node is None:
        return None, None
    row = conn.execute("SELECT id, source_name FROM import_records WHERE created_hlc > ? "
                       "AND substr(created_hlc, -32) = ? ORDER BY created_hlc LIMIT 1", (stamp, node)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _is_import_note(note: str | None) -> bool:
    return bool(note) and ("imported from " in note or note.startswith("undo of the import of "))


def _merge_row(conn: sqlite3.Connection, kind: str, name: str | None, label: str, old: str, new: str,
               old_raw: Any, note: str) -> tuple[str, str, str, str]:
    """(source, action, old, new) of a merge's own history line, from how the merge
    words its note (services/exchange/apply.py): a record added from the partner's file,
    deleted by it (the line holds the record as it was), a field taken from it, or a
    conflict settled one way or the other (the line holds the losing value first and
    the chosen one second)."""
    if note.startswith("Conflict with "):
        subject = label or "the record"
        if "this document's value kept" in note:
            return "conflict", f"Conflict over {subject}: kept this document's value", old, new
        if "their value taken" in note:
            return "conflict", f"Conflict over {subject}: took the partner's value", old, new
        return "conflict", f"Conflict over {subject}", old, new
    if name:
        return "merge", f"Merged: {label}", old, new
    if note.startswith("Added from "):
        return "merge", "Added from a partner's file", old, new
    if note.startswith("Deleted in ") and ", edited here" not in note:
        return "merge", "Deleted by a merge", _snapshot_text(conn, kind, old_raw), new
    if note.startswith("Edited in ") or ", edited here" in note:
        return "conflict", "Deleted on one side, edited on the other", old, new
    return "merge", "Merged", old, new


def _from_history(conn: sqlite3.Connection, kind: str, row: sqlite3.Row) -> HistoryEntry:
    stamp, at, author, op, name, old_raw, new_raw, note = row
    label = field_label(kind, name)
    old = show_value(conn, kind, name, _decode(old_raw)) if name else ""
    new = show_value(conn, kind, name, _decode(new_raw)) if name else ""
    source, detail, import_id = "edit", note or "", None
    if op == "insert":
        action = "Created"
    elif op == "restore":
        action = "Restored"
    elif op == "delete":
        action = "Deleted"
        old = _snapshot_text(conn, kind, old_raw)
    elif op == "merge":
        source, action, old, new = _merge_row(conn, kind, name, label, old, new, old_raw, note or "")
        detail = note or "From a partner's file"
    elif op == "update":
        action = f"Changed {label}"
    else:
        action = op.replace("_", " ").capitalize()
    if op != "merge" and _is_import_note(note):
        source = "import"
        import_id, source_name = _import_for(conn, stamp)
        if op == "update":
            action = f"Changed {label} by an import" if not note.startswith("undo") else f"Changed {label} (import undone)"
        detail = _first_up(note)
        if source_name and source_name not in note:
            detail += f" ({source_name})"
    settled = True if source == "conflict" else None  # a merge's line: the conflict was settled in it
    return HistoryEntry(stamp, _when(at), author or "", source, action, name, label, old, new, detail, import_id,
                        settled)


def _bulk_creation(conn: sqlite3.Connection, kind: str, created_hlc: str | None) -> HistoryEntry | None:
    """The creation of a record a bulk write added (see the module doc), or None."""
    node = node_of_stamp(created_hlc)
    if node is None:
        return None
    row = conn.execute("SELECT hlc, at, author_name, note FROM history WHERE op = 'bulk_insert' AND table_name = ? "
                       "AND hlc > ? AND substr(hlc, -32) = ? ORDER BY hlc LIMIT 1",
                       (kind, created_hlc, node)).fetchone()
    if row is None:
        return None
    stamp, at, author, note = row
    note = note or ""
    what = note.split(": ", 1)[1] if ": " in note else note  # "12 rows: imported from x.csv"
    if _is_import_note(what):
        import_id, source_name = _import_for(conn, stamp)
        detail = _first_up(what)
        if source_name and source_name not in what:
            detail += f" ({source_name})"
        return HistoryEntry(created_hlc or stamp, _when(at), author or "", "import", "Created by an import", None, "",
                            "", "", detail, import_id)
    detail = _first_up(what) if what else "Written with many records at once"
    return HistoryEntry(created_hlc or stamp, _when(at), author or "", "bulk", "Created", None, "", "", "", detail)


def _conflict(conn: sqlite3.Connection, kind: str, row: tuple) -> HistoryEntry:
    (name, what, ours_raw, theirs_raw, ours_hlc, theirs_hlc, theirs_author, peer, detected, resolved_at,
     resolution, resolved_by) = row
    label = field_label(kind, name)
    ours = show_value(conn, kind, name, _decode(ours_raw)) if name else ("deleted" if ours_raw is None else "kept")
    theirs = show_value(conn, kind, name, _decode(theirs_raw)) if name else ("deleted" if theirs_raw is None else "kept")
    partner = "a partner's file"
    if peer:
        title = conn.execute("SELECT title FROM merge_peers WHERE document_id = ?", (peer,)).fetchone()
        partner = f"“{title[0]}”" if title and title[0] else f"the partner document {peer}"
    by = f" (changed by {theirs_author})" if theirs_author else ""
    subject = label or "the record"
    if what == "delete_edit":
        reason = f"deleted on one side and edited on the other, merging {partner}"
    elif what == "rule":
        reason = f"taking {partner}'s value would break a rule of the model"
    else:
        reason = f"changed here and in {partner}{by} since they last shared a state"
    old, new = ours, theirs  # not yet chosen: here, theirs
    if resolution in ("ours", "theirs"):
        new, old = (ours, theirs) if resolution == "ours" else (theirs, ours)  # chosen, not chosen
        side = "kept this document's value" if resolution == "ours" else "took the partner's value"
        action = f"Conflict over {subject}: {side}"
        detail = f"{_first_up(reason)}; chose {new or 'blank'} over {old or 'blank'}"
    elif resolution:
        action = f"Conflict over {subject}: {resolution}"
        detail = f"{_first_up(reason)}; here {ours or 'blank'}, theirs {theirs or 'blank'}"
    else:
        action = f"Conflict over {subject}: not yet resolved"
        detail = f"{_first_up(reason)}; here {ours or 'blank'}, theirs {theirs or 'blank'}"
    stamp = max(s for s in (ours_hlc or "", theirs_hlc or ""))
    who = theirs_author or ""  # not yet chosen: the partner whose change it is
    if resolved_by:  # chosen: who chose
        person = conn.execute("SELECT user, host FROM installations WHERE id = ?", (resolved_by,)).fetchone()
        who = f"{person[0]} on {person[1]}" if person else who
    return HistoryEntry(stamp + "~", _when(resolved_at or detected), who, "conflict", action, name,
                        label, old, new, detail, None, resolution is not None)


_MERGED_FILE = re.compile(r"^(?:Taken from|Added from|Conflict with|Deleted in|Edited in|Merging) (.+?\.cyp(?:desk|share))\b")


def merged_file(note: str | None) -> str:
    """The partner's file a merge's history line names (services/exchange/apply.py words
    its notes "Taken from FILE.", "Conflict with FILE: ..."), or "a partner's file"."""
    found = _MERGED_FILE.match(note or "")
    return found.group(1) if found else "a partner's file"


def _came_with_merges(rows: list[tuple]) -> dict[int, str]:
    """Which of a record's history lines were made in a partner's copy and came with a
    merge (the merge copies the partner's history in): an edit by another installation
    than the merging one, followed by a merge line of the same field that took its value
    or weighed it in a conflict; a creation by another installation followed by the
    merge's "Added from" line. Index of the line -> the partner's file."""
    merges = [(hlc, author_id, name, _decode(old), _decode(new), note)
              for hlc, _at, _who, op, name, old, new, note, author_id in rows if op == "merge"]
    out: dict[int, str] = {}
    for i, (hlc, _at, _who, op, name, _old, new, _note, author_id) in enumerate(rows):
        if op not in ("update", "insert"):
            continue
        value = _decode(new)
        for m_hlc, m_author, m_name, m_old, m_new, m_note in merges:
            if m_hlc <= hlc or m_author == author_id:
                continue
            if (op == "update" and m_name == name and value in (m_old, m_new)) or \
                    (op == "insert" and m_name is None and (m_note or "").startswith("Added from ")):
                out[i] = merged_file(m_note)
                break
    return out


def record_history(conn: sqlite3.Connection, kind: str, record_id: str, *,
                   newest_first: bool = False) -> list[HistoryEntry]:
    """Every entry of one record's history (see the module doc), oldest first or
    newest first. ``conn``: a ``sqlite3`` connection on the document (read-only will
    do). A record nobody changed and no bulk write added has no entries."""
    found = conn.execute("SELECT hlc, at, author_name, op, field, old_value, new_value, note, author_id FROM history "
                         "WHERE table_name = ? AND record_id = ? ORDER BY hlc, rowid", (kind, record_id)).fetchall()
    rows = [row[:8] for row in found]
    entries = [_from_history(conn, kind, row) for row in rows]
    for i, merged in _came_with_merges(found).items():
        entry = entries[i]
        entries[i] = replace(entry, source="merge", detail=f"Made in {merged}, came with its merge"
                                                           + (f" ({entry.detail})" if entry.detail else ""))
    if not any(row[3] == "insert" for row in rows) and kind in CATALOG:
        created = conn.execute(f'SELECT created_hlc FROM "{kind}" WHERE id = ?', (record_id,)).fetchone()
        if created is None:  # deleted since: its snapshot keeps its creation stamp
            snapshot = next((_decode(row[5]) for row in rows if row[3] == "delete"), None)
            created = (snapshot.get("created_hlc"),) if isinstance(snapshot, dict) else None
        if created is not None and created[0]:
            made = _bulk_creation(conn, kind, created[0])
            if made is not None:
                entries.insert(0, made)
    conflicts = conn.execute("SELECT field, kind, ours_value, theirs_value, ours_hlc, theirs_hlc, theirs_author, "
                             "peer_document_id, detected_at, resolved_at, resolution, resolved_by FROM conflicts "
                             "WHERE table_name = ? AND record_id = ? ORDER BY detected_at, id",
                             (kind, record_id)).fetchall()
    entries += [_conflict(conn, kind, row) for row in conflicts]
    order = {id(e): i for i, e in enumerate(entries)}
    entries.sort(key=lambda e: (e.stamp, order[id(e)]))
    if newest_first:
        entries.reverse()
    return entries


def record_title(conn: sqlite3.Connection, kind: str, record_id: str) -> str:
    """What a history view is headed with: the record's title (or its deleted title)."""
    return _title(conn, kind, record_id) or record_id


__all__ = ["HistoryEntry", "SOURCES", "field_label", "node_of_stamp", "record_history", "record_title",
           "show_value"]
