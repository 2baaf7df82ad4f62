"""``cypdesk merge FILE OTHER [--dry-run] [--json] [--passphrase-file P]``: merge a
partner's file (a ``.cypdesk`` document or a ``.cypshare``) into FILE (DESIGN.md
sections 5 and 9; contract section 3).

1. FILE is opened for writing: its lock is taken (someone who has it open is named,
   and ``--take-over-lock`` is offered as for every command that writes), and its
   edits go to a working copy. ``--dry-run`` opens it read-only and writes nothing.
2. OTHER is taken in as untrusted (:func:`cypdesk.services.exchange.intake.open_partner`):
   a private checked copy at this cypdesk's schema, or a refusal in plain words.
3. The merge is planned and applied by the engine (``plan_merge``/``apply_merge``):
   conflicts are resolved by the deterministic rule (the later change wins, the
   installation id breaking a tie; a model rule keeps FILE's values) and listed; a
   backup of FILE is written first and its path printed; the merge is one transaction.
4. FILE is saved atomically (a temporary file beside it, flushed, renamed): a merge
   killed at any moment leaves FILE as it was or fully merged.

Exit codes as every command: 0 merged (also when conflicts were resolved by rule),
1 refused (a damaged, foreign, too large or colliding partner file, another trust's
share, a lock, a full disk...), 2 bad usage or a file cypdesk cannot read (missing,
not a document, newer, a passphrase wrong or missing). ``--json`` prints one object,
also on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HELP = ("merge a partner's file (a .cypdesk document or a .cypshare) into FILE: added, changed, deleted and "
        "conflicts (resolved by the later change, each listed); a backup of FILE is written first")
# The fault matrix (tests/cli/test_faults.py) runs this: the document merged with itself
# (nothing to change), which still takes the lock, copies and checks the partner file.
EXAMPLE = "merge {document} {document}"
DOING = "merge into"
CONFLICTS_SHOWN = 50  # in prose; --json lists them all
VALUE_WIDTH = 60


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("file", help="your .cypdesk document, to merge into")
    parser.add_argument("other", metavar="OTHER", help="the partner's file: a .cypdesk document or a .cypshare")
    parser.add_argument("--dry-run", action="store_true", help="say what the merge would do, change nothing")
    parser.add_argument("--passphrase-file", metavar="P",
                        help="a text file holding the passphrase of an encrypted share (its first line)")
    parser.add_argument("--json", action="store_true")
    return parser


def read_passphrase(path: str | None) -> str | None:
    """The passphrase in the first line of ``path`` (its line ending removed), or None."""
    from cypdesk.common.errors import UsageError, error_from

    if path is None:
        return None
    p = Path(path).absolute()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"The passphrase file {p} does not exist.", path=p) from None
    except OSError as exc:
        raise error_from(exc, path=p, doing="read the passphrase file") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"The passphrase file {p} is not text (UTF-8).", path=p) from None
    line = text.splitlines()[0] if text.splitlines() else ""
    if not line:
        raise UsageError(f"The passphrase file {p} is empty: put the passphrase on its first line.", path=p)
    return line


class _Progress:
    """The console progress of cypdesk.cli, for the intake and the engine."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def report(self, done: int, total: int, text: str = "") -> None:
        self.console.report(done, total or 0, text)

    def cancelled(self) -> bool:
        return False


def run(args: argparse.Namespace, open_for_writing: Callable[[argparse.Namespace], Any], console: Any) -> int:
    """The command. ``open_for_writing`` is cli's (the lock and ``--take-over-lock``),
    ``console`` cli's progress on stderr."""
    from cypdesk.common.errors import error_from
    from cypdesk.services.documents import open_workspace
    from cypdesk.services.exchange.apply import apply_merge
    from cypdesk.services.exchange.intake import open_partner
    from cypdesk.services.exchange.plan import plan_merge

    passphrase = read_passphrase(args.passphrase_file)
    target = Path(args.file).absolute()
    progress = _Progress(console)
    ws = open_workspace(target, read_only=True) if args.dry_run else open_for_writing(args)
    merged = False
    try:
        if not args.dry_run and ws.doc.read_only:
            raise error_from(ws.doc.read_only_error or PermissionError(13, "Permission denied", args.file),
                             path=target, doing=DOING, consequence="The document has not been changed.")
        with open_partner(args.other, passphrase=passphrase, ours=ws, progress=progress) as theirs:
            plan = plan_merge(ws, theirs, progress=progress)
            result = None
            if not args.dry_run:
                result = apply_merge(ws, theirs, plan, progress=progress)
                ws.doc.save()
                merged = True
            out = report(target, theirs, plan, result)
    finally:
        console.finish()
        # A failed merge leaves no edits to recover: the document is as it was, and the
        # merge can be run again.
        ws.doc.close(discard=not merged)
    _emit(out, args.json)
    return 0


# --- the report ---------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A value for JSON: bytes (a logo) as its size, dates as ISO text."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value)):,} bytes>"
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def conflict_json(conflict: Any, chosen: str | None = None) -> dict[str, Any]:
    """One conflict for ``--json``: the record, the field, both values and which won."""
    winner = chosen or conflict.rule_choice
    return {
        "key": conflict.key, "kind": conflict.kind, "table": conflict.table, "record_id": conflict.record_id,
        "title": conflict.title, "field": conflict.field, "label": conflict.label,
        "ours": _plain(conflict.ours), "theirs": _plain(conflict.theirs),
        "ours_hlc": conflict.ours_hlc, "theirs_hlc": conflict.theirs_hlc,
        "ours_author": conflict.ours_author, "theirs_author": conflict.theirs_author,
        "deleted_side": conflict.deleted_side, "winner": winner, "reason": conflict.reason,
    }


def report(target: Path, theirs: Any, plan: Any, result: Any) -> dict[str, Any]:
    """The command's result as one JSON-able object (the prose is made from it)."""
    counts = dict(result.counts if result is not None else plan.counts())
    conflicts = list(result.conflicts if result is not None and result.conflicts else plan.conflicts)
    info = theirs.info()
    out: dict[str, Any] = {
        "ok": True, "path": str(target), "dry_run": result is None,
        "partner": {"path": str(theirs.source), "kind": theirs.kind, "document_id": info.document_id,
                    "title": info.title, "trust_name": info.trust_name, "schema_version": theirs.schema_version,
                    "migrated": theirs.migrated, "withheld": theirs.withheld},
        "added": int(counts.get("added", 0)), "changed": int(counts.get("changed", 0)),
        "unchanged": int(counts.get("unchanged", 0)), "deleted": int(counts.get("deleted", 0)),
        "rejected": int(counts.get("rejected", 0)), "conflicts": int(counts.get("conflicts", len(conflicts))),
        "by_table": plan.by_table(),
        "conflict_list": [conflict_json(c) for c in conflicts],
        "duplicates": [{"ours": _ref(a), "theirs": _ref(b)} for a, b in plan.duplicates],
        "skewed": list(plan.skewed), "ignored": list(plan.ignored),
        "backup": str(result.backup) if result is not None and result.backup else None,
    }
    return out


def _ref(ref: Any) -> dict[str, Any]:
    return {"table": ref.table, "record_id": ref.record_id, "title": ref.title}


def _short(value: Any) -> str:
    text = "(empty)" if value is None or value == "" else str(value)
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 1] + "…"


def _kind_label(table: str) -> str:
    from cypdesk.model.catalog import CATALOG

    if table == "document":
        return "the document's settings"
    return str(CATALOG.get(table, {}).get("label") or table.replace("_", " "))


def _conflict_line(c: dict[str, Any]) -> str:
    what = f"{_kind_label(c['table'])} {c['title']!r} ({c['record_id']})"
    reason = str(c["reason"] or "").rstrip(".")
    if c["kind"] == "delete_edit":
        side = "you deleted it and the partner edited it" if c["deleted_side"] == "ours" \
            else "the partner deleted it and you edited it"
        outcome = "kept" if (c["winner"] == "ours") == (c["deleted_side"] == "theirs") else "deleted"
        return f"  {what}: {side}; {outcome} ({reason})."
    field = c["label"] or c["field"] or "the record"
    won = "yours kept" if c["winner"] == "ours" else "theirs taken"
    return (f"  {what}, {field}: yours {_short(c['ours'])}, theirs {_short(c['theirs'])}: {won} "
            f"({reason}).")


def prose(r: dict[str, Any]) -> str:
    partner = r["partner"]
    name = Path(partner["path"]).name
    verb = "Would merge" if r["dry_run"] else "Merged"
    lines = [f"{verb} {name} ({partner['title'] or 'untitled'}"
             + (f", {partner['trust_name']}" if partner["trust_name"] else "")
             + (", a share" if partner["kind"] == "share" else "")
             + f") into {Path(r['path']).name}: {r['added']:,} added, {r['changed']:,} changed, "
             f"{r['unchanged']:,} unchanged, {r['deleted']:,} deleted, {r['rejected']:,} rejected, "
             f"{r['conflicts']:,} conflict{'s' if r['conflicts'] != 1 else ''}"
             + (" (dry run: nothing was changed)." if r["dry_run"] else "; the document is saved.")]
    if partner["migrated"]:
        lines.append(f"Note: {name} uses schema {partner['schema_version']}; it was read through an updated "
                     "private copy, and the file itself was not changed.")
    if r["conflict_list"]:
        lines.append("Conflicts, each resolved by the rule (the later change wins; a model rule keeps yours):"
                     if not r["dry_run"] else "Conflicts, and how the rule would resolve each:")
        lines += [_conflict_line(c) for c in r["conflict_list"][:CONFLICTS_SHOWN]]
        if len(r["conflict_list"]) > CONFLICTS_SHOWN:
            lines.append(f"  ... and {len(r['conflict_list']) - CONFLICTS_SHOWN:,} more (--json lists them all).")
    for d in r["duplicates"]:
        lines.append(f"Possible duplicate: your {d['ours']['table']} {d['ours']['title']!r} and the partner's "
                     f"{d['theirs']['title']!r} ({d['theirs']['record_id']}); both kept.")
    lines += [f"Note: {s}" for s in r["skewed"]]
    lines += [f"Not merged: {i}" for i in r["ignored"]]
    if r["backup"]:
        lines.append(f"Backup of {Path(r['path']).name} before the merge: {r['backup']}")
    return "\n".join(lines)


def _emit(out: dict[str, Any], want_json: bool) -> None:
    if want_json:
        print(json.dumps(out, default=str, ensure_ascii=False))
    else:
        print(prose(out))
    sys.stdout.flush()
