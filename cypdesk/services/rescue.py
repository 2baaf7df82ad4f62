"""Rescue: a clean copy of a refused or damaged document (DESIGN.md section 9,
``cypdesk rescue FILE --out NEW``; the window's "Make a clean copy…").

The copy has only cypdesk's own schema and every row that satisfies the model's
constraints, with its id, its history and its field versions; it says what it left out.

1. The source is looked at on a read-only connection (:func:`dbfile.probe`:
   ``mode=ro``, ``trusted_schema=OFF``, no functions of ours) and never written: a
   trigger cannot fire on a read, and a view, a virtual table or a table of the file's
   own is never read at all. A hot journal is rolled back in a temporary copy.
2. An empty document at the source's revision is built by the migrations, in a
   temporary file beside NEW; each of cypdesk's tables is copied from the source's
   real table of that name, cypdesk's columns only. A row is left out when a value has
   the wrong type for its column, a required field is empty, its id repeats, or it
   refers to a record that is not there (``PRAGMA foreign_key_check`` after the copy,
   repeated until nothing dangles, so the children of a row left out go too).
3. The copy is migrated to this cypdesk's schema, checked (integrity, schema, identity),
   flushed to disk and moved to NEW: NEW is whole or absent, and an existing NEW is
   replaced only with ``force``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cypdesk.common.errors import (
    DamagedDocument, DocumentLocked, ForeignSchema, SaveFailed, UsageError, error_from,
)

LEFT_OUT_LISTED = 1000  # rows left out named one by one; the count covers all


class _Cancelled(Exception):
    pass


# --- the model's types ------------------------------------------------------------------

def _is_text(v: Any) -> bool:
    return isinstance(v, str)


def _is_int(v: Any) -> bool:
    return isinstance(v, int)


def _is_bool(v: Any) -> bool:
    return isinstance(v, int) and v in (0, 1)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and v == v and v not in (float("inf"), float("-inf"))


def _is_date(v: Any) -> bool:
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _is_datetime(v: Any) -> bool:
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?", v):
        return False
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


_TYPE_RULES: list[tuple[re.Pattern[str], Callable[[Any], bool], str]] = [
    (re.compile(r"^(VARCHAR|CHAR|TEXT|CLOB)\b", re.I), _is_text, "text"),
    (re.compile(r"^BOOLEAN$", re.I), _is_bool, "yes or no (0 or 1)"),
    (re.compile(r"^(INTEGER|INT|BIGINT|SMALLINT)$", re.I), _is_int, "a whole number"),
    (re.compile(r"^(FLOAT|REAL|NUMERIC|DECIMAL|DOUBLE)\b", re.I), _is_number, "a number"),
    (re.compile(r"^DATE$", re.I), _is_date, "a date (YYYY-MM-DD)"),
    (re.compile(r"^(DATETIME|TIMESTAMP)$", re.I), _is_datetime, "a date and time"),
]


def type_rule(declared: str) -> tuple[Callable[[Any], bool], str]:
    """How a value of a column declared ``declared`` must look, and its name in words."""
    for pattern, test, words in _TYPE_RULES:
        if pattern.match(declared or ""):
            return test, words
    raise ValueError(f"no rule for the column type {declared!r}")  # a test covers every type in the goldens


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- the rescue ----------------------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source_version(src: Path) -> int:
    """The source's revision; what :func:`dbfile.inspect_file` refuses for being ours
    but foreign or damaged is rescued, everything else (missing, not a document,
    newer) is raised as it is."""
    from cypdesk.model import dbfile

    try:
        return dbfile.inspect_file(src).schema_version
    except ForeignSchema as exc:
        return int(exc.facts["schema_version"])
    except DamagedDocument:
        head = dbfile.read_header(src)
        if len(head) < dbfile.HEADER_SIZE:
            raise
        return int.from_bytes(head[60:64], "big", signed=True)


def _check_target(src: Path, out: Path, force: bool) -> None:
    from cypdesk.model.lock import read_holder

    if out == src:
        raise UsageError(f"The clean copy must be a new file, not {src.name} itself.", path=out)
    if not out.parent.is_dir():
        raise UsageError(f"The folder {out.parent} does not exist.", path=out)
    if out.exists() or out.is_symlink():
        if not force:
            raise UsageError(f"{out.name} already exists; give --force to replace it with the clean copy.", path=out)
        try:
            holder = read_holder(out)
        except ValueError:
            holder, unreadable = None, True
        else:
            unreadable = False
        if holder is not None or unreadable:
            who = f"{holder.user} on {holder.host} since {holder.since_text}" if holder else "someone"
            raise DocumentLocked(f"{out.name} is open by {who}; it was not replaced.", path=out)


def rescue(source: str | os.PathLike[str], out: str | os.PathLike[str], *, force: bool = False,
           progress: Any = None) -> dict[str, Any]:
    """Write a clean copy of ``source`` to ``out`` (see the module's doc) and return
    what was kept and left out: ``kept`` and ``rejected`` (row counts), ``kept_by_table``,
    ``foreign`` (objects and differences dropped, in words), ``left_out`` (rows, as
    ``{"table", "id", "reason"}``, the first :data:`LEFT_OUT_LISTED`)."""
    from cypdesk.model import dbfile, migrate, saving, schemacheck

    src = Path(source).absolute()
    dst = Path(out).absolute()
    _check_target(src, dst, force)
    version = _source_version(src)  # raises for missing, not a document, newer
    head = dbfile.read_header(src)
    wal_mode = head[18] == 2 or head[19] == 2

    tmp = dst.parent / f"{dbfile.TEMP_PREFIX}{os.urandom(8).hex()}{dbfile.TEMP_SUFFIX}"
    result: dict[str, Any] = {}
    try:
        with ExitStack() as stack:
            if saving._unfinished(Path(f"{src}-journal")):
                scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cypdesk-rescue-")))
                reader = dbfile.rolled_back_copy(src, scratch)
                version = int(reader.execute("PRAGMA user_version").fetchone()[0])
            else:
                reader = dbfile.probe(src, wal_mode=wal_mode)
            stack.callback(reader.close)
            migrate.build_new_file(tmp, to_version=version or migrate.CURRENT_SCHEMA_VERSION)
            result = _copy_rows(reader, tmp, version, progress)
        if version < migrate.CURRENT_SCHEMA_VERSION:
            migrate.migrate_file(tmp, backup=False)
        status = dbfile.inspect_file(tmp)  # schema, identity and quick check of the copy
        problem = dbfile.integrity_check(tmp)
        if problem is not None:
            raise SaveFailed(f"The clean copy of {src.name} failed its integrity check ({problem}); "
                             "nothing was written.", path=dst, reason=problem)
        saving.fsync_file(tmp)
        _place(tmp, dst, force)
        saving.fsync_dir(dst.parent)
    except (OSError, sqlite3.Error) as exc:
        raise error_from(exc, path=dst, doing="write the clean copy", base=SaveFailed,
                         consequence=f"{src.name} has not been changed.") from exc
    except _Cancelled:
        raise SaveFailed(f"Making the clean copy of {src.name} was cancelled; nothing was written.",
                         path=dst, reason="cancelled") from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    result.update(ok=True, source=str(src), path=str(dst), from_version=version,
                  schema_version=status.schema_version)
    return result


def _place(tmp: Path, dst: Path, force: bool) -> None:
    from cypdesk.model import saving

    if force:
        saving.replace_with_retries(tmp, dst)
        return
    try:  # a hard link never replaces a file that appeared meanwhile
        os.link(tmp, dst)
    except FileExistsError:
        raise UsageError(f"{dst.name} already exists; give --force to replace it with the clean copy.",
                         path=dst) from None
    except OSError:  # no hard links here (some network shares, FAT): rename, having looked
        if dst.exists():
            raise UsageError(f"{dst.name} already exists; give --force to replace it with the clean copy.",
                             path=dst) from None
        os.replace(tmp, dst)
        return
    tmp.unlink()


def _copy_rows(reader: sqlite3.Connection, target_path: Path, version: int, progress: Any) -> dict[str, Any]:
    from cypdesk.model import dbfile, schemacheck

    want = schemacheck.golden(version)["tables"]
    foreign = schemacheck.read_problems(reader, version) if version else []  # reader is read-only
    real = {name for kind, name, _t, root, sql in schemacheck.schema_rows(reader)
            if kind == "table" and root and not schemacheck._is_virtual(sql) and name in want}
    flags = schemacheck._table_flags(reader)
    kept: dict[str, int] = {}
    left_out: list[dict[str, Any]] = []
    rejected = 0
    unreadable: list[str] = []

    def leave_out(table: str, row_id: Any, reason: str) -> None:
        nonlocal rejected
        rejected += 1
        if len(left_out) < LEFT_OUT_LISTED:
            left_out.append({"table": table, "id": row_id, "reason": reason})

    target = dbfile.connect(target_path, foreign_keys=False)
    try:
        target.execute("BEGIN IMMEDIATE")
        names = sorted(want)
        for n, table in enumerate(names):
            if progress is not None:
                if progress.cancelled():
                    raise _Cancelled
                progress.report(n, len(names), table)
            if table not in real:
                continue
            columns = want[table]["columns"]
            have = {c["name"]: c for c in schemacheck.describe_table(reader, table, None, flags)["columns"]}
            usable = [c for c in columns if c["name"] in have and have[c["name"]]["hidden"] == 0]
            missing_required = [c["name"] for c in columns if c not in usable and c["notnull"] and c["default"] is None]
            pk = [c["name"] for c in sorted(columns, key=lambda c: c["pk"]) if c["pk"]]
            rules = [type_rule(c["type"]) for c in usable]
            names_sql = ", ".join(_q(c["name"]) for c in usable)
            insert = f"INSERT INTO {_q(table)} ({names_sql}) VALUES ({', '.join('?' * len(usable))})"
            count = 0
            try:
                for row in reader.execute(f"SELECT {names_sql} FROM main.{_q(table)}"):
                    values = dict(zip((c["name"] for c in usable), row))
                    row_id = values.get("id") if "id" in values else (
                        "/".join(str(values.get(k)) for k in pk) if pk else None)
                    if missing_required:
                        leave_out(table, row_id, f"the required field {missing_required[0]} is not in the file")
                        continue
                    reason = None
                    for c, (test, words), value in zip(usable, rules, row):
                        if value is None:
                            if c["notnull"] or c["pk"]:
                                reason = f"the required field {c['name']} is empty"
                                break
                        elif not test(value):
                            reason = f"{c['name']} should be {words}, not {_short(value)}"
                            break
                    if reason is not None:
                        leave_out(table, row_id, reason)
                        continue
                    try:
                        target.execute(insert, row)
                    except sqlite3.IntegrityError as exc:
                        text = str(exc)
                        reason = ("its id is used by another row" if "UNIQUE" in text
                                  else f"it breaks a rule of the table ({text})")
                        leave_out(table, row_id, reason)
                        continue
                    count += 1
            except sqlite3.DatabaseError as exc:  # damaged pages: keep what was read
                unreadable.append(f"{table}: only {count} row(s) could be read ({exc})")
            kept[table] = count
        _drop_dangling(target, leave_out, kept)
        target.execute("COMMIT")
    except BaseException:
        if target.in_transaction:
            target.execute("ROLLBACK")
        raise
    finally:
        target.close()
    return {
        "kept": sum(kept.values()), "rejected": rejected, "kept_by_table": {t: c for t, c in kept.items() if c},
        "foreign": foreign, "unreadable": unreadable, "left_out": left_out,
        "left_out_listed": len(left_out),
    }


def _drop_dangling(conn: sqlite3.Connection, leave_out: Callable[[str, Any, str], None], kept: dict[str, int]) -> None:
    """Remove rows that refer to a record that is not there, and then rows that referred
    to those, until ``PRAGMA foreign_key_check`` is empty."""
    fk_cache: dict[str, dict[int, tuple[str, str]]] = {}
    while True:
        dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
        if not dangling:
            return
        for table, rowid, parent, fkid in dangling:
            if table not in fk_cache:
                fk_cache[table] = {}
                for r in conn.execute(f"PRAGMA foreign_key_list({_q(table)})"):
                    fk_cache[table].setdefault(r[0], (r[3], r[2]))
            column, _parent = fk_cache[table].get(fkid, ("?", parent))
            row = conn.execute(f"SELECT * FROM {_q(table)} WHERE rowid=?", (rowid,)).fetchone()
            if row is None:  # already removed in this round (two broken references)
                continue
            cols = [d[0] for d in conn.execute(f"SELECT * FROM {_q(table)} LIMIT 0").description]
            values = dict(zip(cols, row))
            leave_out(table, values.get("id", rowid),
                      f"{column} refers to {parent} {values.get(column)!r}, which is not in the file")
            conn.execute(f"DELETE FROM {_q(table)} WHERE rowid=?", (rowid,))
            kept[table] = kept.get(table, 0) - 1


def summary(result: dict[str, Any]) -> str:
    """The rescue's outcome in a few lines, for the command line and the window."""
    lines = [f"Wrote a clean copy of {Path(result['source']).name} to {result['path']}: "
             f"{result['kept']:,} record(s) kept, {result['rejected']:,} left out."]
    if result["foreign"]:
        lines.append("Left out of cypdesk's schema: " + "; ".join(result["foreign"][:10])
                     + (f"; and {len(result['foreign']) - 10} more" if len(result["foreign"]) > 10 else "") + ".")
    for item in result["unreadable"]:
        lines.append(f"Could not read all of {item}.")
    for item in result["left_out"][:20]:
        lines.append(f"  left out {item['table']} {item['id']}: {item['reason']}")
    if result["rejected"] > 20:
        lines.append(f"  ... and {result['rejected'] - 20:,} more row(s) (--json lists up to {LEFT_OUT_LISTED}).")
    return "\n".join(lines)


__all__ = ["LEFT_OUT_LISTED", "rescue", "summary", "type_rule"]
