"""The commit of an edit to a working copy survives a power cut: watched at the system
calls, with strace, on a real document.

With the rollback journal, a transaction is committed when SQLite deletes the
``-journal`` file. If that deletion is not flushed to disk (the folder is not synced),
a power cut can bring the journal back, and SQLite then rolls the last edit back: the
edit the officer saw saved in the window is gone (issue 7, item 10: 5 of 5 cuts under
``synchronous=FULL``). ``synchronous=EXTRA`` makes SQLite sync the folder after the
deletion. Python cannot intercept SQLite's own unlink, so this test runs a child
process under ``strace`` and reads what it did. Skipped where strace is missing
(scripts/setup.sh installs it on Debian and Ubuntu).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import os, sys
from cypdesk.model import dbfile
path = sys.argv[1]
dbfile.create_document_file(path)
conn = dbfile.connect(path)
os.write(2, b"=== commit begins\n")
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO tombstones (table_name, record_id, hlc, author_id, deleted_at) "
             "VALUES ('services', 'x', '0', 'me', '2026-01-01')")
conn.execute("COMMIT")
os.write(2, b"=== commit ended\n")
conn.close()
"""


def _commit_syscalls(folder: Path) -> list[str]:
    doc = folder / "d.cypdesk"
    done = subprocess.run(
        ["strace", "-f", "-e", "trace=openat,unlink,unlinkat,fsync,fdatasync", sys.executable, "-c", CHILD, str(doc)],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120,
    )
    if done.returncode != 0 and "=== commit ended" not in done.stderr:
        pytest.skip(f"strace could not trace here: {done.stderr[-300:]}")
    lines = done.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if "=== commit begins" in line)
    end = next(i for i, line in enumerate(lines) if "=== commit ended" in line)
    return lines[start:end]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
@pytest.mark.skipif(sys.platform != "linux", reason="strace is Linux's")
def test_a_working_copy_commit_syncs_the_folder_after_deleting_its_journal(tmp_path):
    """A write through dbfile.connect (every working copy's connection), traced by strace
    in a child process: after the unlink of ``d.cypdesk-journal`` (the commit), the
    document's folder is opened and fsync'd/fdatasync'd before the COMMIT returns. Under
    ``synchronous=FULL`` (before issue 7) no such sync followed the unlink."""
    calls = _commit_syscalls(tmp_path)
    unlinked = [i for i, line in enumerate(calls) if re.search(r"unlink(at)?\(.*d\.cypdesk-journal", line)]
    assert unlinked, "\n".join(calls)
    after = calls[unlinked[-1] + 1:]
    folder_fds = [m.group(1) for line in after
                  for m in [re.search(rf'openat\(AT_FDCWD, "{re.escape(str(tmp_path))}", .*\) = (\d+)', line)] if m]
    assert folder_fds, "the folder was not opened after the journal was deleted:\n" + "\n".join(calls)
    synced = [line for line in after if re.search(rf"f(data)?sync\(({'|'.join(folder_fds)})\)", line)]
    assert synced, "the folder was not synced after the journal was deleted:\n" + "\n".join(calls)
