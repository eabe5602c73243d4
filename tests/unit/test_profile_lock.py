"""One GLM Desk per profile: the lock is taken without waiting, tells who holds it, is not
inherited by children, and goes with its process however that process ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from app.core.profile import LOCK_FILE, ProfileInUse, ProfileLock

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from app.core.profile import ProfileLock\n"
    "lock = ProfileLock.acquire(Path(sys.argv[1]))\n"
    "print('locked', flush=True)\n"
    "time.sleep(60)\n"
)


def holder(profile) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(profile)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_lock_is_refused_at_once_with_the_holders_pid(tmp_path):
    with ProfileLock.acquire(tmp_path) as lock:
        assert lock.held
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())
        started = time.monotonic()
        with pytest.raises(ProfileInUse) as info:
            ProfileLock.acquire(tmp_path)
        assert time.monotonic() - started < 0.5  # no waiting
        assert info.value.pid == os.getpid() and info.value.profile == tmp_path
    with ProfileLock.acquire(tmp_path):  # released: free again
        pass


def test_another_process_holds_it_until_it_is_killed(tmp_path):
    proc = holder(tmp_path)
    try:
        with pytest.raises(ProfileInUse) as info:
            ProfileLock.acquire(tmp_path)
        assert info.value.pid == proc.pid
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
        proc.wait(10)
    assert (tmp_path / LOCK_FILE).read_text().strip() == str(proc.pid)  # the file stays...
    with ProfileLock.acquire(tmp_path) as lock:  # ...and means nothing by itself
        assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())
        assert lock.held


def test_a_child_process_does_not_inherit_the_lock(tmp_path):
    """A llama-server started by the app must not keep the profile locked after it."""
    lock = ProfileLock.acquire(tmp_path)
    child = subprocess.Popen(["sleep", "30"], close_fds=False)
    try:
        lock.release()
        ProfileLock.acquire(tmp_path).release()
    finally:
        child.kill()
        child.wait(10)


def test_a_lock_file_with_garbage_is_taken_over(tmp_path):
    (tmp_path / LOCK_FILE).write_bytes(b"\xff not a pid")
    with ProfileLock.acquire(tmp_path) as lock:
        assert lock.held
        with pytest.raises(ProfileInUse) as info:
            ProfileLock.acquire(tmp_path)
        assert info.value.pid == os.getpid()
