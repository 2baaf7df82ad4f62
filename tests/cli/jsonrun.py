"""Running a command in-process with ``--json``: the exit code and the parsed JSON it
printed on stdout (shared by the command-line tests)."""

from __future__ import annotations

import json

from cypdesk.cli import main


def run_json(capsys, *args):
    """``cypdesk ARGS --json`` in-process: (exit code, the printed JSON object)."""
    code = main([str(a) for a in args] + ["--json"])
    out, _err = capsys.readouterr()
    return code, json.loads(out)
