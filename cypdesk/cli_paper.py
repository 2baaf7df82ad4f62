"""``cypdesk paper``: board papers from the command line (DESIGN.md section 9).

One subcommand, three uses (exactly one of ``--list``, ``--paper``, ``--meeting``):

- ``cypdesk paper FILE --list [--json]``: the document's papers, by meeting date and
  agenda item, with their ids, status and version (i10-core);
- ``cypdesk paper FILE --paper ID --out OUT.pdf|OUT.docx [--for ORG] [--json]``: one
  paper as PDF or Word, provider-safe for ORG with ``--for`` (i10-render);
- ``cypdesk paper FILE --meeting ID --out PACK.pdf [--for ORG] [--json]``: a meeting's
  pack (i10-render); with ``--supplement ITEMS [--number N]``, supplement N: only the
  papers of those agenda items (papers to follow, sent after the pack).

FILE is never changed. Exit codes and ``--json`` as every command (cypdesk.cli).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

HELP = ("board papers: --list shows them; --paper ID --out OUT.pdf|OUT.docx writes one, --meeting ID --out PACK.pdf "
        "a meeting's pack (--supplement ITEMS: papers to follow); --for ORG leaves out what that partner may not see")
# The fault matrix (tests/cli/test_faults.py) runs this: it reads the document and
# writes a file beside it ({paper_id}: a final paper of the demo; {new_pdf}: a new file).
EXAMPLE = "paper {document} --paper {paper_id} --out {new_pdf}"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The ``paper`` subcommand's arguments (the one layout the three uses share)."""
    parser.add_argument("file")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--list", action="store_true", help="list the document's papers with their ids")
    which.add_argument("--paper", metavar="ID", help="the paper to write (an id from --list)")
    which.add_argument("--meeting", metavar="ID", help="the meeting whose pack to write (a meeting id from --list)")
    parser.add_argument("--out", metavar="OUT", help="the file to write: .pdf or .docx for a paper, .pdf for a pack")
    parser.add_argument("--for", dest="for_org", metavar="ORG",
                        help="a partner's name or id: leave out what it may not see (confidential fields except on "
                             "its own records, confidential sections, contact details)")
    parser.add_argument("--supplement", metavar="ITEMS",
                        help="with --meeting: a supplement of papers to follow, only these agenda items "
                             "(comma-separated, e.g. 5b,7)")
    parser.add_argument("--number", type=int, default=1, metavar="N",
                        help="with --supplement: which supplement this is (1 unless said)")
    parser.add_argument("--json", action="store_true")
    return parser


def run(args: argparse.Namespace) -> int:
    from cypdesk.common.errors import UsageError

    if args.list:
        if args.out or args.for_org:
            raise UsageError("--list prints the papers; --out and --for go with --paper or --meeting.")
        return _list(args)
    if not args.out:
        raise UsageError(f"--{'paper' if args.paper else 'meeting'} needs --out: the file to write.")
    if args.supplement is not None and not args.meeting:
        raise UsageError("--supplement goes with --meeting: a supplement to a meeting's pack.")
    if args.number < 1:
        raise UsageError("--number counts supplements from 1.")
    return _write(args)


def _list(args: argparse.Namespace) -> int:
    from cypdesk.cli import _emit, _recoverable
    from cypdesk.model.dbfile import inspect_file, make_engine
    from cypdesk.model.reading import reading
    from cypdesk.services.papers.listing import list_papers

    path = Path(args.file).absolute()
    with reading(path, inspect_file(path)) as r:
        engine = make_engine(r.path, read_only=True)
        try:
            with engine.connect() as conn:
                papers = list_papers(conn)
        finally:
            engine.dispose()
        warnings = list(r.notes)
    result: dict[str, Any] = {"ok": True, "path": str(path), "papers": [p.to_dict() for p in papers],
                              "warnings": warnings}
    result["recoverable_edits"] = _recoverable(args.file, args.json)
    _emit(result, args.json, lambda res: _listing(res, papers))
    return 0


def _listing(result: dict[str, Any], papers: list[Any]) -> str:
    from cypdesk.common.formats import date_uk

    lines = [f"Note: {n}" for n in result["warnings"]]
    if not papers:
        lines.append(f"{Path(result['path']).name} has no board papers.")
        return "\n".join(lines)
    lines.append(f"{len(papers):,} board paper{'s' if len(papers) != 1 else ''} in {Path(result['path']).name}:")
    meeting = object()
    for p in papers:
        if p.meeting_id != meeting:
            meeting = p.meeting_id
            when = date_uk(p.meeting_date) if p.meeting_date else "no date"
            lines.append(f"{p.board or 'No meeting'}, {when} (meeting {p.meeting_id or '-'})"
                         if p.meeting_id else "Not yet given a meeting")
        item = f"{p.agenda_item}. " if p.agenda_item else ""
        status = "final" if p.status == "final" else "draft"
        flags = ", key decision" if p.key_decision else ""
        lines.append(f"  {item}{p.title} ({status}, version {p.version}{flags})  {p.id}")
    return "\n".join(lines)


def _write(args: argparse.Namespace) -> int:
    """One paper (PDF or Word) or a meeting's pack (PDF), provider-safe with --for."""
    from cypdesk.cli import _emit
    from cypdesk.services.papers.output import write_pack_file, write_paper_file

    if args.paper:
        result = write_paper_file(args.file, args.paper, args.out, for_org=args.for_org)
    else:
        items = [i for i in args.supplement.split(",")] if args.supplement is not None else None
        result = write_pack_file(args.file, args.meeting, args.out, for_org=args.for_org, items=items,
                                 supplement=args.number if items is not None else 0)
    result["ok"] = True
    _emit(result, args.json, _written)
    return 0


def _written(r: dict[str, Any]) -> str:
    what = f"the pack of {r['board']}'s meeting" if "meeting" in r else f"'{r['title']}'"
    if r.get("supplement"):
        what = f"supplement {r['supplement']} to {what}"
    pages = f" ({r['pages']:,} page{'s' if r['pages'] != 1 else ''})" if r.get("pages") else ""
    line = f"Wrote {what} to {r['path']}{pages}"
    line += f", leaving out what {r['for']['name']} may not see." if r["for"] else "."
    if "papers" in r:
        line += "".join(f"\n  {p['agenda_item']}. {p['title']}" + (f": page {p['page']}" if p["page"] else ": no paper")
                        for p in r["papers"])
    return line
