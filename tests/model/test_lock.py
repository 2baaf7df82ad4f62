"""The lock file beside an open document (reliability cases 21 and 22)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cypdesk.common.errors import DocumentLocked
from cypdesk.model import lock as lockmod
from cypdesk.model.installation import Installation, get_installation
from cypdesk.model.lock import DocumentLock, LockHolder, lock_path_for, read_holder

REPO = Path(__file__).resolve().parents[2]


def me() -> Installation:
    return get_installation()


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def write_lock(document: Path, **fields) -> Path:
    data = {"user": "jsmith", "host": "LAPTOP-12", "pid": 4242, "installation": "x",
            "since": datetime.now(timezone.utc).isoformat(), "token": "theirs"}
    data.update(fields)
    path = lock_path_for(document)
    path.write_text(json.dumps(data))
    return path


HOLD = textwrap.dedent("""
    import sys
    from cypdesk.model.lock import DocumentLock
    lock = DocumentLock(sys.argv[1])
    assert lock.acquire()
    print("held", flush=True)
    if sys.argv[2] == "wait":
        sys.stdin.readline()
        lock.release()
        print("released", flush=True)
    else:
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
""")


def test_lock_file_name_and_content(tmp_path):
    doc = tmp_path / "budget.cypdesk"
    lock = DocumentLock(doc)
    assert lock.path.name == ".~lock.budget.cypdesk#"
    assert lock.acquire()
    holder = read_holder(doc)
    assert (holder.user, holder.host, holder.pid, holder.installation) == (me().user, me().host, os.getpid(), me().id)
    assert holder.age < timedelta(minutes=1)
    lock.release()
    assert not lock.path.exists()


def test_case21_second_process_holds_the_lock(tmp_path):
    """Case 21: a second process (another user) holds the lock: DocumentLocked names
    the user, the computer and since when; once released, the lock can be taken."""
    doc = tmp_path / "budget.cypdesk"
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(doc), "wait"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, env=child_env(LOGNAME="jsmith", USER="jsmith", USERNAME="jsmith"),
    )
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(DocumentLocked) as err:
            DocumentLock(doc).acquire()
        holder = read_holder(doc)
        assert holder.user == "jsmith" and holder.pid == child.pid
        message = err.value.message
        assert message.startswith(f"budget.cypdesk is open by jsmith on {holder.host} since ")
        assert holder.since_text in message and "read-only" in message
        assert err.value.facts["holder_user"] == "jsmith" and err.value.facts["holder_host"] == holder.host
        assert err.value.facts["since"] and err.value.facts["stale_possible"] is False
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "released"
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    lock = DocumentLock(doc)
    assert lock.acquire()
    lock.release()


def test_case22a_lock_of_a_killed_process_on_this_computer_is_taken_over(tmp_path):
    """Case 22a: the holder was SIGKILLed (its lock file stays): same computer, dead
    pid, so the next opener takes it over silently."""
    doc = tmp_path / "budget.cypdesk"
    done = subprocess.run([sys.executable, "-c", HOLD, str(doc), "die"], env=child_env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL and done.stdout.strip() == "held"
    assert lock_path_for(doc).exists()
    lock = DocumentLock(doc)
    assert lock.acquire()
    assert read_holder(doc).pid == os.getpid()
    lock.release()


def test_stale_takeover_can_be_refused(tmp_path):
    doc = tmp_path / "budget.cypdesk"
    write_lock(doc, host=me().host, pid=2**22 + 12345)  # no such process
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire(take_over_stale=False)
    assert DocumentLock(doc).acquire()


def test_a_lock_from_before_the_computer_started_is_stale(tmp_path, monkeypatch):
    """A live pid that was reused after a reboot does not keep a dead lock alive."""
    doc = tmp_path / "budget.cypdesk"
    since = datetime.now(timezone.utc) - timedelta(days=2)
    write_lock(doc, host=me().host, pid=os.getppid(), since=since.isoformat())
    monkeypatch.setattr(lockmod, "boot_time", lambda: datetime.now(timezone.utc) - timedelta(hours=1))
    assert DocumentLock(doc).acquire()


def test_a_live_process_on_this_computer_keeps_its_lock(tmp_path):
    doc = tmp_path / "budget.cypdesk"
    write_lock(doc, host=me().host, pid=os.getppid())
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire()


@pytest.mark.parametrize("hours, stale_possible", [(1, False), (20, True)])
def test_case22b_lock_from_another_computer_is_never_taken_silently(tmp_path, hours, stale_possible):
    """Case 22b: a lock written on another computer (a share): never overridden
    silently; after 12 hours the error says it may be left over (stale_possible) and
    the caller may take it over once the user agrees."""
    doc = tmp_path / "budget.cypdesk"
    since = datetime.now(timezone.utc) - timedelta(hours=hours)
    path = write_lock(doc, since=since.isoformat())
    with pytest.raises(DocumentLocked) as err:
        DocumentLock(doc).acquire()
    assert err.value.facts["stale_possible"] is stale_possible
    assert "open by jsmith on LAPTOP-12 since" in err.value.message
    assert ("left over from a crash" in err.value.message) is stale_possible
    assert json.loads(path.read_text())["token"] == "theirs"  # untouched
    lock = DocumentLock(doc)
    assert lock.acquire(take_over=True)
    assert read_holder(doc).token == lock.token


def test_since_is_written_the_english_way(tmp_path):
    holder = LockHolder(user="jsmith", host="LAPTOP-12", pid=1, installation="",
                        since=datetime(2026, 3, 31, 14, 5).astimezone())
    assert holder.since_text == "31/03/2026 14:05"


def test_release_never_removes_someone_elses_lock(tmp_path):
    doc = tmp_path / "budget.cypdesk"
    lock = DocumentLock(doc)
    assert lock.acquire()
    path = write_lock(doc)  # someone replaced it (they took it over)
    lock.release()
    assert path.exists() and json.loads(path.read_text())["token"] == "theirs"


def test_unreadable_old_lock_is_reported_not_ignored(tmp_path):
    doc = tmp_path / "budget.cypdesk"
    path = lock_path_for(doc)
    path.write_text("garbage")
    old = datetime.now().timestamp() - 3600
    os.utime(path, (old, old))
    with pytest.raises(DocumentLocked) as err:
        DocumentLock(doc).acquire()
    assert err.value.facts["stale_possible"] is True and "cannot be read" in err.value.message
    with pytest.raises(ValueError):
        read_holder(doc)


def test_read_only_folder_means_no_lock(tmp_path, monkeypatch):
    """A folder where the lock file cannot be made: acquire() says so (False) and the
    caller opens read-only. (CI runs as root, where chmod does not stop writes, so the
    refusal is simulated at os.open.)"""
    doc = tmp_path / "budget.cypdesk"
    real_open = os.open

    def refuse(path, flags, *args):
        if str(path).endswith("#"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    assert DocumentLock(doc).acquire() is False
    assert not lock_path_for(doc).exists()


def test_pid_alive():
    assert lockmod.pid_alive(os.getpid())
    assert not lockmod.pid_alive(0)
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert not lockmod.pid_alive(int(done.stdout))
