"""The document's structure against the golden schema of its revision (reliability
cases 10-12, DESIGN.md section 4).

A received file is untrusted: SQLite runs whatever its schema holds (a trigger fires on
the next UPDATE, a view runs its query, a CHECK, DEFAULT, index expression or generated
column runs on writes), and ``trusted_schema=OFF`` does not stop triggers. So before
any statement that could fire anything, :func:`verify` compares the file's structure
with ``migrations/schemas/<revision>.json``, the normalised structure that running the
migrations on a fresh file up to that revision gives (:func:`describe` made it, and
``python -m cypdesk.model.schemacheck write`` rewrites them all).

The order matters. First the rows of ``sqlite_schema`` are read as data (SQLite parses
the CREATE statements to load the schema, which runs nothing): a trigger, a view, a
virtual table (its module runs code when connected), a table or index of its own is
refused without being touched. Only then are ``PRAGMA table_xinfo``, ``index_list``,
``index_xinfo`` and ``foreign_key_list`` asked about the known, real tables. The
comparison is of normalised structure, not of the stored SQL text (Alembic's batch
rebuilds rewrite it): columns (declared type, NOT NULL, default, primary key, hidden or
generated), CHECK constraints (tokenised), column collations, indexes (unique, columns, partial and its
WHERE clause), foreign keys (columns, target, actions), WITHOUT ROWID and STRICT.

Plain ``sqlite3`` and ``json`` only: the window's open path runs this.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from cypdesk.common.errors import ForeignSchema

GOLDEN_DIR = Path(__file__).resolve().with_name("migrations") / "schemas"
# Tables SQLite itself makes: ANALYZE's statistics only steer the query planner.
SQLITE_OWN_TABLES = frozenset({"sqlite_stat1", "sqlite_stat4"})
MESSAGE_ITEMS = 4  # problems named in the message; all of them are in the error's facts


def golden_path(version: int) -> Path:
    return GOLDEN_DIR / f"{version:04d}.json"


@lru_cache(maxsize=None)
def golden(version: int) -> dict[str, Any]:
    """The normalised structure of a file at revision ``version`` (0: nothing at all).
    Cached: do not modify it."""
    if version == 0:
        return {"schema_version": 0, "tables": {}, "indexes": {}}
    return json.loads(golden_path(version).read_text(encoding="utf-8"))


# --- tokenising the few SQL fragments compared ---------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+|--[^\n]*|/\*.*?(?:\*/|$))
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)
  | (?P<op>\|\||<<|>>|<=|>=|==|!=|<>|->>|->|.)
""", re.VERBOSE | re.DOTALL)


def tokens(sql: str) -> list[str]:
    """``sql`` as a list of normalised tokens: no whitespace or comments, identifiers
    unquoted and in lower case (SQLite's are case-insensitive), strings kept exactly."""
    out = []
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup
        text = m.group()
        if kind == "space":
            continue
        if kind == "quoted":
            inner = text[1:-1]
            text = inner.replace('""', '"') if text[0] == '"' else inner.replace("``", "`") if text[0] == "`" else inner
            out.append(text.lower())
        elif kind == "word":
            out.append(text.lower())
        else:
            out.append(text)
    return out


def _balanced(toks: list[str], start: int) -> tuple[list[str], int]:
    """The tokens inside the parentheses opening at ``toks[start]``, and the index after."""
    depth = 0
    for i in range(start, len(toks)):
        if toks[i] == "(":
            depth += 1
        elif toks[i] == ")":
            depth -= 1
            if depth == 0:
                return toks[start + 1:i], i + 1
    return toks[start + 1:], len(toks)


def check_constraints(sql: str | None) -> list[str]:
    """Every CHECK constraint of a CREATE TABLE (table or column level), normalised, sorted."""
    if not sql or "check" not in sql.lower():  # the common case, without tokenising
        return []
    toks = tokens(sql)
    found = []
    i = 0
    while i < len(toks):
        if toks[i] == "check" and i + 1 < len(toks) and toks[i + 1] == "(":
            body, i = _balanced(toks, i + 1)
            found.append(" ".join(body))
        else:
            i += 1
    return sorted(found)


def collations(sql: str | None) -> list[str]:
    """The collating sequences a CREATE TABLE names (a collation is code the application
    registers), sorted."""
    if not sql or "collate" not in sql.lower():
        return []
    toks = tokens(sql)
    return sorted(toks[i + 1] for i, t in enumerate(toks[:-1]) if t == "collate")


def index_where(sql: str | None) -> str | None:
    """The WHERE clause of a partial index, normalised."""
    toks = tokens(sql or "")
    if "where" not in toks:
        return None
    return " ".join(toks[toks.index("where") + 1:])


# --- reading a file's structure ----------------------------------------------------------

def schema_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str, int, str | None]]:
    """``(type, name, tbl_name, rootpage, sql)`` of every schema object, read as data."""
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        "SELECT type, name, tbl_name, rootpage, sql FROM main.sqlite_schema ORDER BY type, name")]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_VIRTUAL = re.compile(r"\s*create\s+virtual\s", re.IGNORECASE)


def _is_virtual(sql: str | None) -> bool:
    # SQLite stores "CREATE VIRTUAL TABLE" at the start of the text as written, leading
    # space removed; a virtual table also has no root page, which is checked as well.
    return bool(_VIRTUAL.match(sql or ""))


def _table_flags(conn: sqlite3.Connection) -> dict[str, tuple[bool, bool]]:
    """``{table: (without_rowid, strict)}`` for the main schema, in one query."""
    return {r[0]: (bool(r[1]), bool(r[2])) for r in conn.execute(
        "SELECT name, wr, strict FROM pragma_table_list WHERE schema='main' AND type='table'")}


def describe_table(conn: sqlite3.Connection, name: str, sql: str | None,
                   flags: dict[str, tuple[bool, bool]] | None = None) -> dict[str, Any]:
    """The normalised structure of one real table (call only on a vetted table)."""
    columns = [
        {"name": r[1], "type": r[2], "notnull": int(r[3]), "default": r[4], "pk": int(r[5]), "hidden": int(r[6])}
        for r in conn.execute(f"PRAGMA main.table_xinfo({_q(name)})")
    ]
    fks: dict[int, dict[str, Any]] = {}
    for fid, _seq, target, frm, to, on_update, on_delete, match in conn.execute(
            f"PRAGMA main.foreign_key_list({_q(name)})"):
        fk = fks.setdefault(fid, {"table": target, "columns": [], "to": [], "on_update": on_update,
                                  "on_delete": on_delete, "match": match})
        fk["columns"].append(frm)
        fk["to"].append(to)
    without_rowid, strict = (flags if flags is not None else _table_flags(conn)).get(name, (False, False))
    return {
        "columns": columns,
        "checks": check_constraints(sql),
        "collations": collations(sql),
        "foreign_keys": sorted(fks.values(), key=lambda f: json.dumps(f, sort_keys=True)),
        "without_rowid": without_rowid,
        "strict": strict,
    }


def index_list(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, bool, str, bool]]:
    """``{index: (table, unique, origin, partial)}`` of one vetted table."""
    return {r[1]: (table, bool(r[2]), r[3], bool(r[4])) for r in conn.execute(f"PRAGMA main.index_list({_q(table)})")}


def describe_index(conn: sqlite3.Connection, name: str, sql: str | None,
                   listed: tuple[str, bool, str, bool]) -> dict[str, Any]:
    """The normalised structure of one index (call only on a vetted table's index);
    ``listed`` is its entry in :func:`index_list`."""
    table, unique, origin, partial = listed
    columns = [
        [r[2] if r[1] >= 0 else ("<rowid>" if r[1] == -1 else "<expression>"), int(r[3]), r[4]]
        for r in conn.execute(f"PRAGMA main.index_xinfo({_q(name)})") if r[5]
    ]
    return {"table": table, "unique": bool(unique), "origin": origin, "partial": bool(partial),
            "where": index_where(sql) if partial else None, "columns": columns}


def describe(conn: sqlite3.Connection, version: int | None = None) -> dict[str, Any]:
    """The normalised structure of a file that holds only tables and indexes (a freshly
    migrated one: this is how the golden files are made)."""
    if version is None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables: dict[str, Any] = {}
    indexes: dict[str, Any] = {}
    flags = _table_flags(conn)
    rows = schema_rows(conn)
    listed: dict[str, tuple[str, bool, str, bool]] = {}
    for kind, name, _tbl, _root, sql in rows:
        if kind == "table":
            tables[name] = describe_table(conn, name, sql, flags)
            listed.update(index_list(conn, name))
        elif kind != "index":
            raise ValueError(f"a fresh file should hold no {kind} ({name})")
    for kind, name, _tbl, _root, sql in rows:
        if kind == "index":
            indexes[name] = describe_index(conn, name, sql, listed[name])
    return {"schema_version": version, "tables": tables, "indexes": indexes}


# --- comparing --------------------------------------------------------------------------

def _column_problems(table: str, found: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[str]:
    problems = []
    have = {c["name"]: c for c in found}
    expected = {c["name"]: c for c in want}
    for name in sorted(expected.keys() - have.keys()):
        problems.append(f"the column '{name}' of {table} is missing")
    for name in sorted(have.keys() - expected.keys()):
        what = "a generated column" if have[name]["hidden"] in (2, 3) else "an extra column"
        problems.append(f"{what} '{name}' in {table}")
    for name in sorted(have.keys() & expected.keys()):
        a, b = have[name], expected[name]
        if a["type"] != b["type"]:
            problems.append(f"the column '{name}' of {table} has type {a['type'] or 'none'}, "
                            f"cypdesk's has {b['type'] or 'none'} (column type changed)")
        if a["hidden"] != b["hidden"]:
            problems.append(f"the column '{name}' of {table} is "
                            + ("generated by an expression" if a["hidden"] in (2, 3) else "hidden"))
        if a["default"] != b["default"]:
            problems.append(f"the column '{name}' of {table} has the default {a['default']}, "
                            f"cypdesk's has {b['default'] if b['default'] is not None else 'none'}")
        if a["notnull"] != b["notnull"]:
            problems.append(f"the column '{name}' of {table} is " + ("required" if a["notnull"] else "not required")
                            + " (changed)")
        if a["pk"] != b["pk"]:
            problems.append(f"the primary key of {table} is changed (column '{name}')")
    return problems


def _table_problems(table: str, found: dict[str, Any], want: dict[str, Any]) -> list[str]:
    problems = _column_problems(table, found["columns"], want["columns"])
    extra_checks = [c for c in found["checks"] if c not in want["checks"]]
    for check in extra_checks:
        problems.append(f"a CHECK constraint of its own in {table}: CHECK({check[:60]})")
    if len(extra_checks) == 0 and found["checks"] != want["checks"]:
        problems.append(f"a CHECK constraint of {table} is missing")
    if found["collations"] != want["collations"]:
        problems.append(f"a column of {table} has a changed collation ({', '.join(found['collations']) or 'none'})")
    if found["foreign_keys"] != want["foreign_keys"]:
        problems.append(f"the references (foreign keys) of {table} are changed")
    if found["without_rowid"] != want["without_rowid"] or found["strict"] != want["strict"]:
        problems.append(f"the storage of {table} is changed (WITHOUT ROWID or STRICT)")
    return problems


def problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """Everything in the file (``main`` of ``conn``) that differs from the golden schema
    of ``version``, in plain words; empty if it is exactly cypdesk's own."""
    want = golden(version)
    want_tables: dict[str, Any] = want["tables"]
    want_indexes: dict[str, Any] = want["indexes"]
    found: list[str] = []
    objects: list[tuple[int, str]] = []  # (rank, words): what can run code first
    real_tables: dict[str, str | None] = {}
    replaced: set[str] = set()  # a known table's name taken by a view or a virtual table
    index_rows: dict[str, tuple[str, str | None]] = {}
    for kind, name, tbl, rootpage, sql in schema_rows(conn):
        if kind == "trigger":
            objects.append((0, f"a trigger '{name}' on {tbl}"))
        elif kind == "view":
            replaced.add(name)
            objects.append((1, f"'{name}' is a view, not a table" if name in want_tables else f"a view '{name}'"))
        elif kind == "table":
            if not rootpage or _is_virtual(sql):
                replaced.add(name)
                objects.append((1, f"'{name}' is a virtual table" + ("" if name in want_tables else " of its own")))
            elif name in want_tables:
                real_tables[name] = sql
            elif name not in SQLITE_OWN_TABLES:
                objects.append((2, f"an extra table '{name}'"))
        elif kind == "index":
            if name in want_indexes and want_indexes[name]["table"] == tbl:
                index_rows[name] = (tbl, sql)
            elif tbl in want_tables:  # an index on a table of the file's own goes with that table
                objects.append((3, f"an extra index '{name}' on {tbl}"))
        else:
            objects.append((0, f"an object of unknown type {kind!r} named '{name}'"))
    found += [words for _rank, words in sorted(objects, key=lambda o: o[0])]
    found += [f"the table '{name}' is missing" for name in sorted(want_tables.keys() - real_tables.keys() - replaced)]
    # Only now, and only on known, real tables, ask SQLite about their structure.
    flags = _table_flags(conn) if real_tables else {}
    listed: dict[str, tuple[str, bool, str, bool]] = {}
    for name, sql in real_tables.items():
        found += _table_problems(name, describe_table(conn, name, sql, flags), want_tables[name])
        listed.update(index_list(conn, name))
    for name, want_index in want_indexes.items():
        if want_index["table"] not in real_tables:
            continue
        if name not in index_rows or name not in listed:
            found.append(f"the index '{name}' on {want_index['table']} is missing")
            continue
        have = describe_index(conn, name, index_rows[name][1], listed[name])
        if have != want_index:
            changed = [k for k in ("unique", "partial", "where", "columns", "origin") if have[k] != want_index[k]]
            found.append(f"the index '{name}' on {want_index['table']} is changed ({', '.join(changed)})")
    return found


def foreign_schema_error(path: Path, version: int, found: list[str]) -> ForeignSchema:
    shown = "; ".join(found[:MESSAGE_ITEMS])
    more = f"; and {len(found) - MESSAGE_ITEMS} more" if len(found) > MESSAGE_ITEMS else ""
    summary = (f"{path.name} holds things cypdesk does not put in its documents, so it was not opened and has not "
               f"been changed: {shown}{more} ({len(found)} difference{'s' if len(found) != 1 else ''} from "
               f"cypdesk's schema {version}). A file like this can run code of its own when it is edited.")
    return ForeignSchema(
        f"{summary} To keep what can be saved, make a clean copy: cypdesk rescue \"{path}\" --out NEW.cypdesk "
        "(in the window: Make a clean copy…).",
        path=path, schema_version=version, found=found, count=len(found), summary=summary,
    )


def read_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """:func:`problems`, also when SQLite will not load the schema: an object calls a
    function this connection has but may not use from the schema (``trusted_schema=OFF``:
    "unsafe use of ..."). Then ``writable_schema`` is turned on, which lets the schema be
    read as plain rows, and LEFT ON: call this only on a read-only connection or one on a
    scratch copy. Raises SQLite's error if the schema cannot be read at all, or if it
    is unreadable yet shows no difference (damage, not a foreign object)."""
    try:
        return problems(conn, version)
    except sqlite3.DatabaseError as exc:
        if "malformed database schema" not in str(exc):
            raise
        conn.execute("PRAGMA writable_schema=ON")
        try:
            found = problems(conn, version)
        except sqlite3.Error:
            raise exc from None
        if not found:
            raise
        return found


def verify(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Raise :class:`ForeignSchema` if the file open on ``conn`` (read-only, or a scratch
    copy) is not exactly cypdesk's schema ``version``. Reads only; fires nothing."""
    found = read_problems(conn, version)
    if found:
        raise foreign_schema_error(path, version, found)


# --- for developers: writing the golden files ----------------------------------------------

def build_golden(version: int) -> dict[str, Any]:
    """Run the migrations on a fresh file up to ``version`` and describe it."""
    import tempfile

    from cypdesk.model import migrate

    with tempfile.TemporaryDirectory(prefix="cypdesk-golden-") as tmp:
        path = migrate.build_new_file(Path(tmp) / "fresh.cypdesk", to_version=version)
        conn = sqlite3.connect(path)
        try:
            return describe(conn, version)
        finally:
            conn.close()


def golden_text(structure: Any, indent: str = "") -> str:
    """JSON, one column, index or foreign key a line (short enough to review in a diff)."""
    def flat(value: Any) -> bool:
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        return all(not isinstance(c, (dict, list)) or (isinstance(c, list) and flat(c)) for c in children)

    if not isinstance(structure, (dict, list)) or flat(structure):
        text = json.dumps(structure, sort_keys=True, ensure_ascii=False)
    else:
        inner = indent + " "
        if isinstance(structure, dict):
            items = [f"{inner}{json.dumps(k)}: {golden_text(v, inner).strip()}" for k, v in sorted(structure.items())]
            text = "{\n" + ",\n".join(items) + f"\n{indent}}}"
        else:
            items = [f"{inner}{golden_text(v, inner).strip()}" for v in structure]
            text = "[\n" + ",\n".join(items) + f"\n{indent}]"
    return text + ("\n" if not indent else "")


def write_goldens(versions: list[int] | None = None) -> list[Path]:
    from cypdesk.model import migrate

    written = []
    GOLDEN_DIR.mkdir(exist_ok=True)
    for v in versions or range(1, migrate.head_version() + 1):
        p = golden_path(v)
        p.write_text(golden_text(build_golden(v)), encoding="utf-8")
        written.append(p)
    golden.cache_clear()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["write"]:
        for p in write_goldens([int(a) for a in args[1:]] or None):
            print(p)
        return 0
    print("usage: python -m cypdesk.model.schemacheck write [REVISION...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
