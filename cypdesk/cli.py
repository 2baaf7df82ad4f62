"""The command line: the same use cases as the window, for automation, IT staff and
tests. Exit codes: 0 done; 1 refused or the file has problems (damaged, locked, a
full disk, a read-only drive, an I/O error); 2 bad usage or not a file cypdesk can read
(missing, not a document, newer, permission denied). ``--json`` prints one JSON object
on stdout, also on failure (with an ``error`` object whose ``code`` names the fault).
Any ``OSError`` or ``sqlite3.Error`` that escapes a command goes through the one
mapping of :func:`cypdesk.common.errors.error_from`: never a traceback.

Every command declares an example invocation where its parser is defined
(``_add(sub, name, example=...)``); ``tests/cli/test_faults.py`` runs each example
under injected faults, so a new command is covered as soon as it is added.

Heavy libraries are imported inside the commands that need them, so ``cypdesk FILE``
starts the window quickly.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cypdesk import __version__
from cypdesk.common.errors import CypdeskError, UsageError, error_from, fault_class, unwrap

COMMANDS = ("demo", "info", "check", "set", "history", "rescue", "export", "import", "imports", "template", "spend",
            "paper", "merge", "share")

# Declared with each command's parser (see _add), filled when the parser is built:
# EXAMPLES, its example argv, with the placeholders {document} (an existing document, the
# small demo), {new_file} (a path in the same folder that does not exist yet) and
# {service_id} (the id of one of the document's services), {source} (a small CSV of organisations
# beside the document, for import), {paper_id} (a final board paper of the document) and
# {new_pdf} (a new .pdf path beside the document); DOING, what it does to FILE,
# for the words of a fault that escapes it ("Could not <doing> FILE: the disk is full.").
EXAMPLES: dict[str, tuple[str, ...]] = {}
DOING: dict[str, str] = {}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on bad usage: keep that, add JSON
        raise UsageError(message)


def _window_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cypdesk", description="Open cypdesk, or run a command: " + ", ".join(COMMANDS) + ".")
    p.add_argument("file", nargs="?", help="a .cypdesk document to open")
    p.add_argument("--exit-when-shown", action="store_true",
                   help="exit 0 once the first tab has painted rows from FILE (smoke tests, benchmarks)")
    p.add_argument("--visit-all", action="store_true",
                   help="then open every tab and view, select a row in each table, and exit 0, or 1 if any failed "
                        "(smoke tests of the packaged build)")
    p.add_argument("--read-only", action="store_true", help="open the document read-only")
    p.add_argument("--self-test", action="store_true", help="check the installation and exit 0 or 1")
    p.add_argument("--version", action="version", version=f"cypdesk {__version__}")
    return p


def _writing_options() -> argparse.ArgumentParser:
    """Options shared by every command that writes a document: give it as a parent
    (``sub.add_parser(..., parents=[_writing_options()])``) and open the document with
    :func:`_open_for_writing`."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--take-over-lock", action="store_true",
                   help="open the document even though its lock file says someone has it open (a lock that is "
                        "empty, unreadable or left over from a crash); only if you are sure nobody is using it")
    return p


def _add(sub: Any, name: str, *, help: str, example: str, doing: str,  # noqa: A002
         parents: list[argparse.ArgumentParser] | None = None) -> argparse.ArgumentParser:
    """A command's parser, with the example invocation the fault-injection test runs
    (tests/cli/test_faults.py) and the verb for its faults' messages."""
    EXAMPLES[name] = tuple(example.split())
    DOING[name] = doing
    return sub.add_parser(name, help=help, parents=parents or [])


def command_examples() -> dict[str, tuple[str, ...]]:
    """Every command's declared example argv (placeholders as in :data:`EXAMPLES`)."""
    _command_parser()
    return dict(EXAMPLES)


def _command_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cypdesk")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = _add(sub, "demo", help="write a demo document of a fictional trust", example="demo {new_file}",
                doing="write")
    demo.add_argument("file")
    demo.add_argument("--size", choices=("small", "large"), default="small")
    demo.add_argument("--force", action="store_true", help="replace FILE if it exists")
    demo.add_argument("--json", action="store_true")

    info = _add(sub, "info", help="schema version, the document's id and owner, records of each kind",
                example="info {document}", doing="read")
    info.add_argument("file")
    info.add_argument("--json", action="store_true")

    check = _add(sub, "check", help="identity, version, integrity and schema of a file", example="check {document}",
                 doing="check")
    check.add_argument("file")
    check.add_argument("--json", action="store_true")

    set_ = _add(sub, "set", help="change fields of one record: cypdesk set FILE KIND ID FIELD=VALUE ...; the "
                                 "document's settings: cypdesk set FILE document FIELD=VALUE ... (logo=IMAGE.png)",
                example="set {document} services {service_id} annual_cost=£123,456", doing="change",
                parents=[_writing_options()])
    set_.add_argument("file")
    set_.add_argument("kind")
    set_.add_argument("id")
    set_.add_argument("assignments", nargs="*", metavar="FIELD=VALUE")
    set_.add_argument("--json", action="store_true")

    hist = _add(sub, "history", help="who changed what in one record",
                example="history {document} services {service_id}", doing="read")
    hist.add_argument("file")
    hist.add_argument("kind")
    hist.add_argument("id")
    hist.add_argument("--json", action="store_true")

    resc = _add(sub, "rescue", help="a clean copy of a refused or damaged document, saying what it left out",
                example="rescue {document} --out {new_file}", doing="rescue")
    resc.add_argument("file")
    resc.add_argument("--out", required=True, metavar="NEW", help="the clean copy to write (a new file)")
    resc.add_argument("--force", action="store_true", help="replace NEW if it exists")
    resc.add_argument("--json", action="store_true")

    exp = _add(sub, "export", help="a table to Excel or CSV, with the headers the window shows; "
                                   "--for leaves out what that partner may not see; --list shows the tables",
               example="export {document} --table services --out {new_file}.xlsx", doing="export")
    exp.add_argument("file", nargs="?", help="the .cypdesk document (optional with --list)")
    exp.add_argument("--table", metavar="TABLE", help="the table to export (cypdesk export --list shows them)")
    exp.add_argument("--out", metavar="OUT", help="the file to write: OUT.xlsx or OUT.csv")
    exp.add_argument("--for", dest="for_org", metavar="ORG",
                     help="a copy for this partner (name or id): what it may not see is left out")
    exp.add_argument("--list", action="store_true", help="list the tables (with their row counts given FILE)")
    exp.add_argument("--json", action="store_true")

    imp = _add(sub, "import", help="import a spreadsheet, CSV or JSON into records of one kind, in one transaction; "
                                   "with problems and no --skip-invalid nothing is imported",
               example="import {document} {source} --kind organisations", doing="import into",
               parents=[_writing_options()])
    imp.add_argument("file", help="the .cypdesk document")
    imp.add_argument("source", help="the file to import: .xlsx, .xlsm, .xls, .ods, .csv or .json")
    imp.add_argument("--kind", required=True, metavar="KIND", help="the kind of record the rows are "
                                                                    "(cypdesk export --list shows them)")
    imp.add_argument("--sheet", metavar="S", help="the sheet to read, by name (needed when several hold tables)")
    imp.add_argument("--header-row", type=int, metavar="N", help="the row (as Excel numbers it) holding the headings")
    imp.add_argument("--mapping", metavar="M.json", help="which column feeds which field: read if the file exists, "
                                                         "else the guessed mapping is written there")
    imp.add_argument("--where", action="append", default=[], metavar="COLUMN=VALUE",
                     help="keep only the rows whose COLUMN holds VALUE (case and spaces ignored); may be repeated")
    imp.add_argument("--link", action="append", default=[], metavar="NAME=ORGANISATION",
                     help="take the organisation the file calls NAME as one the document has (its name or id) "
                          "instead of making a new one; may be repeated")
    imp.add_argument("--dry-run", action="store_true", help="say what would be imported, change nothing")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="import the valid rows and list the others (without it, any problem imports nothing)")
    imp.add_argument("--report", metavar="R.csv", help="write the list of problems to this CSV file")
    imp.add_argument("--json", action="store_true")

    imps = _add(sub, "imports", help="the imports recorded in FILE, newest first: when, who, source file, sheet, "
                                     "kind, SHA-256 and rows read, added, changed, unchanged and rejected",
                example="imports {document}", doing="read")
    imps.add_argument("file")
    imps.add_argument("--json", action="store_true")

    tpl = _add(sub, "template", help="a blank return template for partners (Excel), with drop-downs filled from "
                                     "FILE's lists when --from FILE is given, that imports back with no mapping",
               example="template --kind contracts --from {document} --out {new_file}.xlsx", doing="write a template from")
    tpl.add_argument("--kind", required=True, metavar="KIND", help="the kind of record the partner returns "
                                                                  "(cypdesk export --list shows the kinds)")
    tpl.add_argument("--out", required=True, metavar="OUT.xlsx", help="the template to write")
    tpl.add_argument("--from", dest="from_file", metavar="FILE",
                     help="a .cypdesk document whose organisations, services, outcomes and periods fill the drop-downs")
    tpl.add_argument("--json", action="store_true")
    spend = _add(sub, "spend", help="spend against contracts: payments matched, --match matches those without a "
                                    "supplier or contract, --overspent lists contracts whose spend runs ahead of "
                                    "their value", example="spend {document} --match --overspent",
                 doing="match the payments of", parents=[_writing_options()])
    spend.add_argument("file")
    spend.add_argument("--match", action="store_true",
                       help="match payments to suppliers and contracts (only blanks are filled) and save")
    spend.add_argument("--overspent", action="store_true", help="list the contracts whose spend runs ahead of "
                                                                "their value, and by which rule")
    spend.add_argument("--json", action="store_true")

    from cypdesk import cli_paper

    cli_paper.add_arguments(_add(sub, "paper", help=cli_paper.HELP, example=cli_paper.EXAMPLE, doing="read"))

    from cypdesk import cli_merge

    cli_merge.add_arguments(_add(sub, "merge", help=cli_merge.HELP, example=cli_merge.EXAMPLE, doing=cli_merge.DOING,
                                 parents=[_writing_options()]))

    from cypdesk import cli_share

    cli_share.add_arguments(_add(sub, "share", help=cli_share.HELP, example=cli_share.EXAMPLE, doing=cli_share.DOING))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    want_json = "--json" in args_list
    try:
        if args_list and args_list[0] in COMMANDS:
            args = _command_parser().parse_args(args_list)
            return _HANDLERS[args.command](args)
        args = _window_parser().parse_args(args_list)
        if args.self_test:
            return _self_test()
        from cypdesk.app import run_app

        return run_app(args.file, exit_when_shown=args.exit_when_shown, read_only=args.read_only,
                       visit_all=args.visit_all)
    except CypdeskError as exc:
        return _fail(exc, want_json)
    except KeyboardInterrupt:
        print("Interrupted: nothing was changed.", file=sys.stderr)
        return 1
    except Exception as exc:
        if fault_class(exc) is None and not isinstance(unwrap(exc), (OSError, sqlite3.Error)):
            raise  # a bug, not a fault of the file layer: keep its traceback
        return _fail(_escaped_fault(exc, args_list), want_json)


def _escaped_fault(exc: BaseException, args_list: list[str]) -> CypdeskError:
    """An OSError or sqlite3.Error no command caught, in the words of the one mapping:
    what the command was doing to which file, and where the fault was."""
    command = args_list[0] if args_list and args_list[0] in COMMANDS else None
    file = next((a for a in args_list[1:] if not a.startswith("-")), None) if command else None
    if command is None:
        file = next((a for a in args_list if not a.startswith("-")), None)
    inner = unwrap(exc)
    at = getattr(inner, "filename", None)
    if at and Path(str(at)).name.startswith(".~"):  # a temporary file: name its folder
        at = Path(str(at)).parent
    consequence = "Nothing was written." if command == "demo" else "The document has not been changed."
    if not (at and file and Path(str(at)).absolute() != Path(file).absolute()):
        at = None
    return error_from(inner, path=Path(file).absolute() if file else None,
                      doing=DOING.get(command or "", "open"), consequence=consequence, at=at)


def _fail(exc: CypdeskError, want_json: bool) -> int:
    if want_json:
        print(json.dumps({"ok": False, "error": exc.to_dict()}, default=str))
    else:
        print(f"cypdesk: {exc.message}", file=sys.stderr)
    return exc.exit_code


def _emit(result: dict[str, Any], want_json: bool, prose: Callable[[dict[str, Any]], str]) -> None:
    if want_json:
        print(json.dumps(result, default=str, ensure_ascii=False))
    else:
        print(prose(result))


# --- commands -------------------------------------------------------------------------

class _ConsoleProgress:
    """Progress on stderr for long commands; quiet when not a terminal."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()

    def report(self, done: int, total: int, text: str = "") -> None:
        if self.tty:
            pct = 100 * done // total if total else 0
            print(f"\r{pct:3d}% {text[:60]:<60}", end="", file=sys.stderr, flush=True)

    def cancelled(self) -> bool:
        return False

    def finish(self) -> None:
        if self.tty:
            print("\r" + " " * 66 + "\r", end="", file=sys.stderr, flush=True)


def _demo(args: argparse.Namespace) -> int:
    from cypdesk.services.documents import write_demo

    progress = _ConsoleProgress()
    try:
        result = write_demo(args.file, size=args.size, force=args.force, progress=progress)
    finally:
        progress.finish()
    result["ok"] = True
    _emit(result, args.json, lambda r: (
        f"Wrote the {r['size']} demo document {r['path']}: "
        f"{r['counts'].get('services', 0):,} services, {r['counts'].get('indicators', 0):,} indicators, "
        f"{r['counts'].get('indicator_values', 0):,} indicator values."))
    return 0


def _recoverable(path: str, want_json: bool) -> list[dict[str, Any]]:
    """Unsaved edits to this document waiting in a working copy: named on stderr (the
    JSON carries them as ``recoverable_edits``)."""
    from cypdesk.services.documents import recoverable_edits, recoverable_note

    edits = recoverable_edits(path)
    if edits and not want_json:
        print(f"cypdesk: {recoverable_note(path, edits)}", file=sys.stderr)
    return edits


def _info(args: argparse.Namespace) -> int:
    from cypdesk.services.documents import document_info

    result = document_info(args.file)
    result["ok"] = True
    result["recoverable_edits"] = _recoverable(args.file, args.json)

    def prose(r: dict[str, Any]) -> str:
        lines = [
            f"Document:       {r['path']}",
            f"Title:          {r['title']}",
            f"Document id:    {r['document_id']}",
            f"Owner:          {(r['owner'] or {}).get('name') or 'not set'}",
            f"Schema version: {r['schema_version']}" + (" (will be updated when opened)" if r["needs_migration"] else ""),
            f"Changes kept:   {r['history_entries']:,} by {r['installations']} installation(s)",
            "Settings:",
            *_settings_prose(r["settings"]),
            "Records:",
        ]
        width = max((len(k) for k in r["counts"]), default=10)
        lines += [f"  {kind:<{width}}  {count:>10,}" for kind, count in r["counts"].items()]
        lines += [f"Note: {note}" for note in r.get("warnings", [])]
        return "\n".join(lines)

    _emit(result, args.json, prose)
    return 0


def _settings_prose(values: dict[str, Any]) -> list[str]:
    """The document's settings for ``info``, one a line, in the dialog's words."""
    from cypdesk.services.settings import SETTINGS, choices

    lines = []
    for name, value in values.items():
        if name == "title":
            continue  # shown above
        if name == "logo":
            value = (f"{value['format']}, {value['width']} x {value['height']} pixels, {value['bytes']:,} bytes"
                     if value else "none")
        elif name in ("rating_scale", "comparator_set"):
            value = f"{choices(name).get(value, value)} ({value})"
        elif name == "trust_name":
            value = value or "not set"
        lines.append(f"  {SETTINGS[name][0] + ':':<36} {value}")
    return lines


def _check(args: argparse.Namespace) -> int:
    from cypdesk.services.documents import check_file

    result = check_file(args.file)
    result["recoverable_edits"] = _recoverable(args.file, args.json)
    _emit(result, args.json, lambda r: r["message"])
    return 0


def _parse_assignments(assignments: list[str]) -> dict[str, str]:
    values = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{item!r} is not FIELD=VALUE.")
        values[name.strip()] = value
    return values


def _open_for_writing(args: argparse.Namespace) -> Any:
    """The workspace of ``args.file`` for a command that writes it, taking over its
    lock if ``--take-over-lock`` was given; a refusal for the lock says the flag exists."""
    from cypdesk.common.errors import DocumentLocked
    from cypdesk.services.documents import open_workspace

    try:
        return open_workspace(args.file, take_over_lock=args.take_over_lock)
    except DocumentLocked as exc:
        if not exc.facts.get("holder"):
            raise  # being opened by someone right now: "try again" says it all
        who = exc.facts.get("holder_user") or "anyone"
        hint = (" If you are sure nobody is using it, run the command again with --take-over-lock."
                if exc.facts.get("stale_possible") else
                f" Try again once {who} has closed it; --take-over-lock opens it anyway, but only use it if "
                f"you are sure {who} is not using it.")
        raise DocumentLocked(exc.message + hint, path=exc.path, **exc.facts) from None


def _set(args: argparse.Namespace) -> int:
    from cypdesk.services import records, settings

    document = args.kind.strip().lower() == "document"  # the document's settings: its one row, no id needed
    items, record_id = list(args.assignments), args.id
    if document and "=" in record_id:
        items, record_id = [record_id, *items], None
    if not items:
        raise UsageError("set needs at least one FIELD=VALUE: cypdesk set FILE KIND ID FIELD=VALUE ..., "
                         "or cypdesk set FILE document FIELD=VALUE ... for the document's settings.")
    values: dict[str, Any] = _parse_assignments(items)
    if document and str(values.get("logo") or "").strip():  # a file: read and checked before the document opens
        values["logo"] = settings.load_logo(values["logo"])
    ws = _open_for_writing(args)
    try:
        if ws.doc.read_only:  # the window would offer a read-only view; a command must say why not
            raise error_from(ws.doc.read_only_error or PermissionError(13, "Permission denied", args.file),
                             path=Path(args.file).absolute(), doing="change",
                             consequence="The document has not been changed.")
        if document:
            change = settings.save_settings_of(ws, record_id, values)
        else:
            change = records.update(ws, args.kind, args.id, values)
        if change.after:
            ws.doc.save()
        moved = {k for k in change.after if change.before.get(k) != change.after[k]}
        given = {k for k in moved if k in values}
        shown = settings.logo_words if document else (lambda v: v)  # a logo as words, not a megabyte
        result = {"ok": True, "kind": change.kind, "id": change.id, "title": change.title,
                  "changed": len(given), "unchanged": len(values) - len(given),
                  "fields": {k: {"old": shown(change.before[k]) if k == "logo" else change.before[k],
                                 "new": shown(change.after[k]) if k == "logo" else change.after[k]}
                             for k in sorted(given)},
                  # figures kept in step with what was set (a service's unit cost)
                  "worked_out": {k: {"old": change.before[k], "new": change.after[k]} for k in sorted(moved - given)},
                  # saved, but worth a look: a command cannot ask, so it says (a period not yet ended)
                  "warnings": list(change.warnings)}
    finally:
        ws.doc.close()
    result["recoverable_edits"] = _recoverable(args.file, args.json)
    for warning in result["warnings"]:
        print(f"Warning: {warning}.", file=sys.stderr)
    _emit(result, args.json, lambda r: (
        f"Changed {r['changed']} field(s) of {r['kind']} {r['title']!r}"
        + (f" (worked out again: {', '.join(r['worked_out'])})" if r["worked_out"] else "")
        + " and saved the document."
        if r["changed"] else f"Nothing to change in {r['kind']} {r['title']!r}."))
    return 0


def _history(args: argparse.Namespace) -> int:
    from cypdesk.model import kind_of
    from cypdesk.model.dbfile import inspect_file, make_engine
    from cypdesk.model.reading import reading
    from cypdesk.model.system import History
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    path = Path(args.file).absolute()
    status = inspect_file(path)
    table = "document" if args.kind.strip().lower() == "document" else kind_of(args.kind).__tablename__
    with reading(path, status) as r:  # a hot journal or WAL mode: a rolled-back private copy
        engine = make_engine(r.path, read_only=True)
        try:
            with Session(engine) as session:
                record_id = args.id
                if table == "document":  # the settings' history is under "settings", whatever the file's id
                    from cypdesk.model.system import DocumentInfo
                    from cypdesk.model.versions import SETTINGS_RECORD

                    if record_id in session.scalars(select(DocumentInfo.id)).all():
                        record_id = SETTINGS_RECORD
                rows = session.scalars(select(History).where(History.table_name == table,
                                                             History.record_id == record_id).order_by(History.hlc)).all()
                entries = [{"hlc": h.hlc, "at": h.at.isoformat(timespec="seconds"), "author": h.author_name,
                            "author_id": h.author_id, "op": h.op, "field": h.field,
                            "old": json.loads(h.old_value) if h.old_value and h.op == "update" else None,
                            "new": json.loads(h.new_value) if h.new_value else None} for h in rows]
        finally:
            engine.dispose()
        notes = list(r.notes)
    result = {"ok": True, "kind": table, "id": args.id, "history": entries, "warnings": notes}
    result["recoverable_edits"] = _recoverable(args.file, args.json)
    _emit(result, args.json, lambda r: "\n".join(
        [f"Note: {n}" for n in r["warnings"]] + ([
            f"{e['at']}  {e['author']}: {e['op']}" + (f" {e['field']}: {e['old']!r} -> {e['new']!r}" if e["field"] else "")
            for e in r["history"]] or ["No changes recorded."])))
    return 0


def _rescue(args: argparse.Namespace) -> int:
    from cypdesk.services.rescue import rescue, summary

    progress = _ConsoleProgress()
    try:
        result = rescue(args.file, args.out, force=args.force, progress=progress)
    finally:
        progress.finish()
    _emit(result, args.json, summary)
    return 0


def _export(args: argparse.Namespace) -> int:
    from cypdesk.services.export import export_file, list_tables

    if args.list:
        if args.table or args.out or args.for_org:
            raise UsageError("--list takes no --table, --out or --for.")
        result = list_tables(args.file)
        result["ok"] = True

        def listing(r: dict[str, Any]) -> str:
            width = max(len(t["table"]) for t in r["tables"])
            if r["path"] is None:
                return "\n".join(t["table"] for t in r["tables"])
            return "\n".join(f"{t['table']:<{width}}  {t['rows']:>10,}" for t in r["tables"])

        _emit(result, args.json, listing)
        return 0
    missing = [flag for flag, value in (("FILE", args.file), ("--table", args.table), ("--out", args.out))
               if not value]
    if missing:
        raise UsageError("export needs " + ", ".join(missing)
                         + ": cypdesk export FILE --table TABLE --out OUT.xlsx|OUT.csv [--for ORG], "
                           "or cypdesk export [FILE] --list.")
    progress = _ConsoleProgress()
    try:
        result = export_file(args.file, args.table, args.out, for_org=args.for_org, progress=progress)
    finally:
        progress.finish()
    result = {"ok": True, "table": result["table"], "rows": result["rows"], "path": result["path"],
              "for": result["for"]}
    _emit(result, args.json, lambda r: (
        f"Exported {r['rows']:,} row(s) of {r['table']} to {r['path']}"
        + (f", leaving out what {r['for']['name']} may not see." if r["for"] else ".")))
    return 0


def _import_mapping(path: str | None) -> Any:
    """The mapping in ``--mapping M.json`` when that file exists, else None."""
    from cypdesk.services.importing.mapping import Mapping

    if not path or not Path(path).exists():
        return None
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return Mapping.from_json(json.load(fh))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{Path(path).name} is not a mapping file cypdesk can read ({exc}).", path=path) from None


def _write_problem_report(path: str, problems: list[Any]) -> None:
    """The problem list as CSV (UTF-8 with a byte-order mark, so Excel shows £ and accents)."""
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["File", "Sheet", "Row", "Column", "Heading", "Value", "Problem"])
        for p in problems:
            writer.writerow([p.file, p.sheet or "", p.row or "", p.column or "", p.header or "", p.value or "",
                             p.reason])


def _import_links(ws: Any, items: list[str]) -> dict[tuple[str, str], str]:
    """--link NAME=ORGANISATION: the organisation the source calls NAME is the document's
    ORGANISATION (by id, or by name ignoring case), so the import never makes it."""
    from cypdesk.services.outward import find_partner

    links: dict[tuple[str, str], str] = {}
    for item in items:
        name, sep, ref = item.partition("=")
        if not sep or not name.strip() or not ref.strip():
            raise UsageError(f"--link {item!r} is not NAME=ORGANISATION (the name in the file, then the "
                             "document's organisation by name or id).")
        with ws.doc.engine.connect() as conn:
            target = find_partner(conn.connection.driver_connection, ref)
        links[("organisations", name.strip())] = target.id
    return links


def _import(args: argparse.Namespace) -> int:
    from cypdesk.model import kind_of
    from cypdesk.services.importing.engine import ImportOptions, ImportRefused, run_import
    from cypdesk.services.importing.source import open_source

    kind = kind_of(args.kind).__tablename__
    where = []
    for item in args.where:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise UsageError(f"--where {item!r} is not COLUMN=VALUE.")
        where.append((column.strip(), value))
    mapping = _import_mapping(args.mapping)
    progress = _ConsoleProgress()
    ws = _open_for_writing(args)
    try:
        if ws.doc.read_only:
            raise error_from(ws.doc.read_only_error or PermissionError(13, "Permission denied", args.file),
                             path=Path(args.file).absolute(), doing="import into",
                             consequence="The document has not been changed.")
        table = open_source(args.source, kind=kind, sheet=args.sheet, header_row=args.header_row)
        options = ImportOptions(kind=kind, mapping=mapping, where=where, skip_invalid=args.skip_invalid,
                                dry_run=args.dry_run, create_missing=True, links=_import_links(ws, args.link),
                                progress=lambda done, total, text: progress.report(done, total or 0, text))
        refused: ImportRefused | None = None
        try:
            result = run_import(ws, table, options)
        except ImportRefused as exc:
            refused, result = exc, exc.result
        finally:
            progress.finish()
        if args.mapping and mapping is None and result.mapping is not None:
            with open(args.mapping, "w", encoding="utf-8") as fh:
                json.dump(result.mapping.to_json(), fh, ensure_ascii=False, indent=2)
        if args.report:
            _write_problem_report(args.report, result.problems)
        if refused is None and not args.dry_run:
            ws.doc.save()
    finally:
        ws.doc.close()
    out = {"ok": refused is None, "kind": kind, "source": str(Path(args.source)), "sheet": table.sheet,
           "dry_run": bool(args.dry_run), **result.to_json()}
    if refused is not None:
        error = refused.to_dict()
        out["error"] = error
        if args.json:
            print(json.dumps(out, default=str, ensure_ascii=False))
        else:
            print(f"cypdesk: {refused.message}", file=sys.stderr)
            for problem in result.problems:
                print(f"  {problem}", file=sys.stderr)
        return refused.exit_code

    def prose(r: dict[str, Any]) -> str:
        verb = "Would import" if r["dry_run"] else "Imported"
        lines = [f"{verb} {r['kind']} from {Path(r['source']).name}: {r['added']:,} added, {r['changed']:,} changed, "
                 f"{r['unchanged']:,} unchanged, {r['rejected']:,} rejected"
                 + (" (dry run: nothing was changed)." if r["dry_run"] else "; the document is saved.")]
        for created_kind, titles in r["created"].items():
            lines.append(f"New {created_kind} ({len(titles)}): " + ", ".join(titles[:50])
                         + (" ..." if len(titles) > 50 else ""))
        lines += [f"Note: {note}" for note in r["notes"]]
        lines += [f"Rejected: {p['where']}: {p['reason']}" for p in r["problems"]]
        return "\n".join(lines)

    _emit(out, args.json, prose)
    return 0


def _imports(args: argparse.Namespace) -> int:
    from cypdesk.services.importing.listing import imports_of_file, listing

    found = imports_of_file(args.file)
    entries = found["imports"]
    result = {"ok": True, "path": found["path"], "imports": [e.to_json() for e in entries],
              "warnings": found["warnings"]}
    result["recoverable_edits"] = _recoverable(args.file, args.json)
    _emit(result, args.json, lambda r: "\n".join(
        [f"Note: {n}" for n in r["warnings"]] + [listing(entries, Path(args.file).name)]))
    return 0


def _template(args: argparse.Namespace) -> int:
    from cypdesk.services.templates import template_file

    result = template_file(args.kind, args.out, document=args.from_file)
    result["ok"] = True
    _emit(result, args.json, lambda r: (
        f"Wrote a return template for {r['kind'].replace('_', ' ')} to {r['path']}: {len(r['columns'])} columns"
        + (f", drop-downs filled from {r['from']}." if r["from"] else ".")))
    return 0
def _spend(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from cypdesk.services import spend

    result: dict[str, Any] = {"ok": True}
    if args.match:
        ws = _open_for_writing(args)
        try:
            if ws.doc.read_only:
                raise error_from(ws.doc.read_only_error or PermissionError(13, "Permission denied", args.file),
                                 path=Path(args.file).absolute(), doing="match the payments of",
                                 consequence="The document has not been changed.")
            report = spend.match_payments(ws)
            if report.changed:
                ws.doc.save()
            result["matched"] = {k: v for k, v in report.to_json().items() if k != "matches"}
            result["matched"]["summary"] = report.summary()
            result["matched"]["saved"] = report.changed
            result.update(_spend_figures(ws, spend, args.overspent))
        finally:
            ws.doc.close()
    else:
        from cypdesk.model.dbfile import inspect_file, make_engine
        from cypdesk.model.reading import reading

        path = Path(args.file).absolute()
        with reading(path, inspect_file(path)) as r:
            engine = make_engine(r.path, read_only=True)
            try:
                with engine.connect() as conn:
                    result.update(_spend_figures(conn, spend, args.overspent))
            finally:
                engine.dispose()
            result["warnings"] = list(r.notes)
    if "overspent" in result:
        result["overspent"] = [{**asdict(o), "over": o.over} for o in result["overspent"]]
    result["recoverable_edits"] = _recoverable(args.file, args.json)

    def prose(r: dict[str, Any]) -> str:
        from cypdesk.common.formats import money

        p = r["payments"]
        lines = [f"Note: {n}" for n in r.get("warnings", [])]
        if "matched" in r:
            lines.append(r["matched"]["summary"] + (" Saved the document." if r["matched"]["saved"] else ""))
            lines += [f"  Not matched: {m['supplier']}: {m['contract_reason']}" for m in r["matched"]["unmatched"][:20]]
            if len(r["matched"]["unmatched"]) > 20:
                lines.append(f"  ... and {len(r['matched']['unmatched']) - 20:,} more (--json lists them all).")
        lines.append(f"{p['count']:,} payments, {money(p['total'])}: {p['with_contract']:,} matched to a contract "
                     f"({money(p['matched_total'])}), {p['with_supplier']:,} to a supplier organisation.")
        for o in r.get("overspent", []):
            lines.append(f"  {o['service']}, contract {o['reference'] or o['title'] or o['contract_id']}: {o['words']}.")
        if "overspent" in r and not r["overspent"]:
            lines.append("No contract's spend runs ahead of its value.")
        return "\n".join(lines)

    _emit(result, args.json, prose)
    return 0


def _spend_figures(source: Any, spend: Any, overspent: bool) -> dict[str, Any]:
    """The payments' totals (and the contracts running ahead, if asked) for ``spend``."""
    rows = spend._rows(source, "SELECT count(*), coalesce(sum(amount), 0), count(contract_id), "
                               "coalesce(sum(CASE WHEN contract_id IS NOT NULL THEN amount END), 0), "
                               "count(supplier_id) FROM payments")
    count, total, with_contract, matched_total, with_supplier = rows[0]
    out: dict[str, Any] = {"payments": {"count": count, "total": total, "with_contract": with_contract,
                                        "matched_total": matched_total, "with_supplier": with_supplier}}
    if overspent:
        out["overspent"] = spend.contracts_overspent(source)
    return out


def _paper(args: argparse.Namespace) -> int:
    from cypdesk.cli_paper import run

    return run(args)


def _merge(args: argparse.Namespace) -> int:
    from cypdesk.cli_merge import run

    return run(args, _open_for_writing, _ConsoleProgress())


def _share(args: argparse.Namespace) -> int:
    from cypdesk.cli_share import run

    return run(args)


def _self_test() -> int:
    from cypdesk.selftest import format_report, run_self_test

    ok, results = run_self_test()
    print(format_report(results))
    return 0 if ok else 1


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo, "info": _info, "check": _check, "set": _set, "history": _history, "rescue": _rescue,
    "export": _export, "import": _import, "imports": _imports, "template": _template, "spend": _spend,
    "paper": _paper, "merge": _merge, "share": _share,
}
