"""``cypdesk share FILE --out OUT [--for ORG] [--contacts] [--passphrase-file P] [--json]``:
a shared copy of FILE for a partner (DESIGN.md section 5, issue 11 item 4).

What the partner may not see is left out by the one rule of ``services/outward.py``
(as ``export --for`` and ``paper --for``): confidential fields except on ORG's own
records, people's contact details unless ``--contacts``, records marked confidential.
Without ``--for`` every confidential field and contact detail is withheld. OUT is a
``.cypshare`` file (compressed; encrypted with the passphrase in the first line of P
when given), written atomically. FILE is never changed. Exit codes and ``--json`` as
every command (cypdesk.cli): 0 written; 1 refused or a fault writing OUT; 2 bad usage
(an unknown partner name is 1, as ``export --for``).
"""

from __future__ import annotations

import argparse
from typing import Any

HELP = ("a shared copy for a partner (.cypshare, compressed, optionally encrypted): --for ORG leaves out what that "
        "partner may not see, --contacts includes people's contact details, --passphrase-file encrypts it")
# The fault matrix (tests/cli/test_faults.py) runs this: it reads the document and
# writes a new file beside it.
EXAMPLE = "share {document} --out {new_file}.cypshare"
DOING = "share"


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("file", help="the .cypdesk document to share (never changed)")
    parser.add_argument("--out", required=True, metavar="OUT", help="the shared copy to write: OUT.cypshare")
    parser.add_argument("--for", dest="for_org", metavar="ORG",
                        help="the partner's name or id: confidential values are withheld except on its own records")
    parser.add_argument("--contacts", action="store_true",
                        help="include people's contact details (emails, telephone numbers); without it they are "
                             "withheld (UK GDPR)")
    parser.add_argument("--passphrase-file", metavar="P",
                        help="encrypt the copy with the passphrase in the first line of this text file")
    parser.add_argument("--json", action="store_true")
    return parser


def run(args: argparse.Namespace) -> int:
    from cypdesk.cli import _ConsoleProgress, _emit
    from cypdesk.cli_merge import read_passphrase
    from cypdesk.services.exchange.share import write_share_copy

    passphrase = read_passphrase(args.passphrase_file)
    progress = _ConsoleProgress()
    try:
        result = write_share_copy(args.file, args.out, for_org=args.for_org, contacts=args.contacts,
                                  passphrase=passphrase, progress=progress)
    finally:
        progress.finish()
    out: dict[str, Any] = {"ok": True, **result.to_dict()}
    _emit(out, args.json, _prose)
    return 0


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e6 else f"{n / 1e3:,.0f} KB"


def _prose(r: dict[str, Any]) -> str:
    who = r["for"]["name"] if r["for"] else "any partner"
    lines = [f"Wrote the shared copy {r['path']} for {who} ({_size(r['bytes'])}, from {_size(r['plain_bytes'])}"
             + (", encrypted with the passphrase" if r["encrypted"] else "") + ")."]
    if r["withheld_by_field"]:
        lines.append(f"Withheld {r['withheld']:,} value(s):")
        lines += [f"  {name}: {count:,}" for name, count in sorted(r["withheld_by_field"].items())]
    else:
        lines.append("No value was withheld.")
    for kind, count in sorted(r["left_out"].items()):
        lines.append(f"Left out {count:,} confidential record(s) of {kind.replace('_', ' ')}.")
    if not r["contacts"]:
        lines.append("People's contact details were withheld (--contacts includes them).")
    lines.append(f"The partner merges it with: cypdesk merge THEIR-FILE.cypdesk {r['path']}")
    return "\n".join(lines)
