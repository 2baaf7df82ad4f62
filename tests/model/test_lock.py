"""The lock file beside an open document (reliability cases 21 and 22)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cypdesk.common.errors import DocumentLocked, FileFault
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


# --- issue 7 item 3: writing the lock fails cleanly; empty, unreadable and stale locks ------


@pytest.mark.parametrize("where", ["write", "fsync"])
@pytest.mark.parametrize("err, code", [(errno.ENOSPC, "disk_full"), (errno.EIO, "io_error"),
                                       (errno.EROFS, "read_only_drive")])
def test_a_fault_while_writing_the_lock_leaves_no_lock_and_a_plain_error(tmp_path, monkeypatch, where, err, code):
    """A full disk, an I/O error or a drive gone read-only during ``os.write`` or
    ``os.fsync`` of the lock file (injected by patching that call): the partial lock
    file is removed and a plain FileFault (exit 1) names the lock file; before, the
    OSError escaped and a 0-byte lock was left that blocked every later open."""
    doc = tmp_path / "budget.cypdesk"
    failing = DocumentLock(doc)  # made first: this installation's id is written before the fault

    def fail(*_args):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(FileFault) as caught:
        failing.acquire()
    monkeypatch.undo()
    assert caught.value.code == code and caught.value.exit_code == 1
    assert ".~lock.budget.cypdesk#" in caught.value.message and "Nothing was changed" in caught.value.message
    assert not lock_path_for(doc).exists()
    lock = DocumentLock(doc)  # once the fault is gone, the next open is not blocked
    assert lock.acquire()
    lock.release()


def test_a_short_write_of_the_lock_is_completed(tmp_path, monkeypatch):
    """``os.write`` may write fewer bytes than asked (a full pipe, a signal, some
    network filesystems; simulated by a patched ``os.write`` writing 7 bytes at a time):
    the lock is still written whole."""
    doc = tmp_path / "budget.cypdesk"
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    lock = DocumentLock(doc)
    assert lock.acquire()
    monkeypatch.undo()
    assert read_holder(doc).token == lock.token
    lock.release()


def age_file(path: Path, seconds: float) -> None:
    when = datetime.now().timestamp() - seconds
    os.utime(path, (when, when))


def test_an_empty_lock_is_named_with_its_time_and_owner(tmp_path):
    """An empty lock (a full disk while it was written) is reported with what is known:
    the lock file's name, that it is empty, when it was last written and by whom (the
    file's owner), and that it can be taken over."""
    import pwd

    doc = tmp_path / "budget.cypdesk"
    path = lock_path_for(doc)
    path.write_bytes(b"")
    age_file(path, 3600)
    with pytest.raises(DocumentLocked) as err:
        DocumentLock(doc).acquire()
    facts, message = err.value.facts, err.value.message
    when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%d/%m/%Y %H:%M")
    owner = pwd.getpwuid(path.stat().st_uid).pw_name
    assert ".~lock.budget.cypdesk#" in message and "it is empty" in message
    assert f"last written on {when} by {owner}" in message and "taken over" in message
    assert facts["unreadable"] is True and facts["stale_possible"] is True
    assert facts["lock_owner"] == owner and facts["lock_modified"]
    assert facts["holder"] == f"the lock file .~lock.budget.cypdesk# (last written on {when} by {owner})"


@pytest.mark.parametrize("offset", [3600, -3 * 3600], ids=["an hour old", "three hours in the future"])
def test_an_empty_lock_outside_the_grace_period_is_refused_at_once(tmp_path, monkeypatch, offset):
    """An empty lock older than the grace period, or dated hours ahead by another
    computer's clock, is refused at once, without waiting for it to be written (sleeps
    counted through a patched ``time.sleep``); before, a lock dated ahead was taken
    for one being written right now, every time."""
    doc = tmp_path / "budget.cypdesk"
    path = lock_path_for(doc)
    path.write_bytes(b"")
    age_file(path, offset)
    sleeps = []
    monkeypatch.setattr(lockmod.time, "sleep", sleeps.append)
    with pytest.raises(DocumentLocked) as err:
        DocumentLock(doc).acquire()
    assert sleeps == [] and err.value.facts["unreadable"] is True


def test_an_empty_lock_can_be_taken_over_even_if_just_written(tmp_path, monkeypatch):
    """Taking over (the user agreed) removes an empty lock at once, even one written a
    moment ago, which an ordinary open waits for (sleeps counted, not slept)."""
    doc = tmp_path / "budget.cypdesk"
    lock_path_for(doc).write_bytes(b"")
    sleeps = []
    monkeypatch.setattr(lockmod.time, "sleep", sleeps.append)
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire()  # young: perhaps being written, waited for, then refused
    assert sleeps
    lock = DocumentLock(doc)
    assert lock.acquire(take_over=True)
    assert read_holder(doc).token == lock.token
    lock.release()


def test_a_lock_we_may_not_read_is_named_and_can_be_taken_over(tmp_path, monkeypatch):
    """A lock file whose permissions do not let us read it (EACCES, injected by a
    patched ``Path.read_bytes`` since CI runs as root): refused as unreadable, not a
    traceback, and taken over when the user agrees."""
    doc = tmp_path / "budget.cypdesk"
    path = write_lock(doc)
    age_file(path, 3600)
    real_read = Path.read_bytes

    def refuse(self):
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(DocumentLocked) as err:
        DocumentLock(doc).acquire()
    assert err.value.facts["unreadable"] is True and "cannot be read" in err.value.message
    lock = DocumentLock(doc)
    assert lock.acquire(take_over=True)
    monkeypatch.undo()
    assert read_holder(doc).token == lock.token
    lock.release()


DEAD_PID = 2**22 + 12345  # above Linux's pid_max: no such process


def test_a_lock_of_this_installation_under_an_old_host_name_is_ours_to_clear(tmp_path):
    """Item 10: the computer was renamed since its cypdesk crashed: the lock names
    this installation and a process that is gone, so it is cleared silently."""
    doc = tmp_path / "budget.cypdesk"
    write_lock(doc, host="OLD-NAME", installation=me().id, pid=DEAD_PID, user=me().user)
    lock = DocumentLock(doc)
    assert lock.acquire()
    assert read_holder(doc).token == lock.token
    lock.release()


def test_a_live_process_of_this_installation_under_an_old_host_name_keeps_its_lock(tmp_path):
    doc = tmp_path / "budget.cypdesk"
    write_lock(doc, host="OLD-NAME", installation=me().id, pid=os.getppid())
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire()


def test_a_lock_of_another_installation_on_another_computer_is_never_judged_by_its_pid(tmp_path):
    doc = tmp_path / "budget.cypdesk"
    write_lock(doc, host="NHS-LAPTOP-7", installation="someone-else", pid=DEAD_PID)
    with pytest.raises(DocumentLocked) as err:
        DocumentLock(doc).acquire()
    assert err.value.facts["stale_possible"] is False


def test_this_installation_id_on_another_machine_is_never_judged_by_its_pid(tmp_path, monkeypatch):
    """The same installation id on another computer (a copied config folder, a
    roaming profile) whose machine id differs from ours (``machine_id`` patched to a
    fixed value): the pid means nothing here, so the lock is refused, not cleared.
    The same host name with a different machine id (a cloned computer) likewise."""
    monkeypatch.setattr(lockmod, "machine_id", lambda: "aaaa0000")
    doc = tmp_path / "budget.cypdesk"
    write_lock(doc, host="OTHER-PC", installation=me().id, pid=DEAD_PID, machine="bbbb1111")
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire()
    write_lock(doc, host=me().host, installation="x", pid=DEAD_PID, machine="bbbb1111")
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire()
    write_lock(doc, host=me().host, installation="x", pid=DEAD_PID, machine="aaaa0000")
    assert DocumentLock(doc).acquire()


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process start times come from /proc")


@pytest.fixture
def sleeper():
    """A child process that only sleeps, killed after the test; its pid stands for a
    reused pid or for a live holder."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield child
    finally:
        child.kill()
        child.wait(timeout=30)


def _lock_before(seconds: float) -> datetime:
    since = datetime.now(timezone.utc) - timedelta(seconds=seconds)
    booted = lockmod.boot_time()
    if booted is None or since < booted + timedelta(minutes=2):
        pytest.skip("the computer started too recently to date a lock before the child")
    return since


@linux_only
def test_a_reused_pid_does_not_keep_a_lock_alive(tmp_path, sleeper):
    """A lock on this computer whose pid is alive but belongs to a process started
    after the lock was written (the child started just now, the lock dated 30 s
    earlier) is stale: taken over silently. Before, any live pid kept the lock."""
    doc = tmp_path / "budget.cypdesk"
    since = _lock_before(30)
    write_lock(doc, host=me().host, installation="x", pid=sleeper.pid, since=since.isoformat())
    lock = DocumentLock(doc)
    assert lock.acquire()
    assert read_holder(doc).token == lock.token
    lock.release()


@linux_only
def test_a_live_holder_that_started_before_its_lock_keeps_it(tmp_path, sleeper):
    """The same pid, started before the lock's ``since`` (written now, after the
    child started): the holder is alive, the lock stays."""
    doc = tmp_path / "budget.cypdesk"
    write_lock(doc, host=me().host, installation="x", pid=sleeper.pid,
               since=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire()


@linux_only
def test_the_recorded_start_tick_tells_a_reused_pid_exactly(tmp_path, sleeper):
    """A lock written by cypdesk records its process's start (clock ticks since boot):
    a live pid with another start is a reused pid, whatever the clocks say; the same
    start is the holder."""
    doc = tmp_path / "budget.cypdesk"
    ticks, _ = lockmod.process_start(sleeper.pid)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_lock(doc, host=me().host, installation="x", pid=sleeper.pid, since=now, started=ticks)
    with pytest.raises(DocumentLocked):
        DocumentLock(doc).acquire()
    write_lock(doc, host=me().host, installation="x", pid=sleeper.pid, since=now, started=ticks - 1)
    lock = DocumentLock(doc)
    assert lock.acquire()
    holder = read_holder(doc)
    assert holder.started == lockmod.process_start(os.getpid())[0] and holder.machine == lockmod.machine_id()
    lock.release()
