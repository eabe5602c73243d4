"""Where GLM Desk keeps its state: settings, history and logs; and the lock that gives one
running GLM Desk a profile to itself.

Two apps on one profile would overwrite each other's settings, window state, open tabs and
llama-server pid file, and both write the history. `ProfileLock.acquire` takes an advisory
lock on ``glm-desk.lock`` in the profile (``flock`` on POSIX, ``msvcrt.locking`` on
Windows), without waiting: the operating system drops it when the process ends, however it
ends, so a killed or crashed app never leaves a stale lock behind. The file holds the pid of
the holder, for the message the next one shows; its presence means nothing by itself.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import sys
from pathlib import Path

import platformdirs

from app.core.redact import RedactingFilter

ENV_PROFILE = "GLM_DESK_PROFILE"
LOCK_FILE = "glm-desk.lock"  # in the profile directory
EXIT_PROFILE_IN_USE = 3  # glm-desk's exit status when another GLM Desk has the profile

log = logging.getLogger(__name__)


def resolve_profile(cli_value: str | None = None) -> Path:
    """--profile DIR, else $GLM_DESK_PROFILE, else the platform's user data folder."""
    value = cli_value or os.environ.get(ENV_PROFILE, "").strip()
    path = Path(value).expanduser() if value else Path(platformdirs.user_data_dir("glm-desk"))
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def setup_logging(profile: Path, level: int = logging.INFO) -> Path:
    log_dir = profile / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "glm-desk.log"
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())  # no API key, or piece of one, in the log
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    # httpx logs full request URLs and httpcore its traffic: keep them out of our log.
    for name in ("httpx", "httpcore", "asyncio"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return log_file


class ProfileInUse(Exception):
    """Another process (`pid`, when it said) holds the lock of `profile`."""

    def __init__(self, profile: Path, pid: int | None) -> None:
        super().__init__(f"profile {profile} is in use by process {pid or '?'}")
        self.profile = profile
        self.pid = pid


class ProfileLock:
    """The profile's lock, held until `release` or the end of the process."""

    def __init__(self, profile: Path, fd: int | None) -> None:
        self.profile = profile
        self._fd = fd

    @property
    def held(self) -> bool:
        """False when no lock could be taken: a read-only profile without a lock file (nobody
        can write it, so nothing needs protecting), or a file system without locks."""
        return self._fd is not None

    @classmethod
    def acquire(cls, profile: Path) -> ProfileLock:
        """Lock the profile, or raise `ProfileInUse` at once if another process holds it."""
        path = profile / LOCK_FILE
        try:
            # Never inherited by a child (llama-server): it would keep the lock after us.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            writable = True
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            try:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
                writable = False
            except OSError:
                log.warning("profile %s is read-only and has no lock file: not locked", profile)
                return cls(profile, None)
        try:
            locked = _try_lock(fd)
        except OSError as exc:  # a file system without locks
            os.close(fd)
            log.warning("profile %s could not be locked (%s): not locked", profile, exc)
            return cls(profile, None)
        if not locked:
            pid = _read_pid(fd)
            os.close(fd)
            raise ProfileInUse(profile, pid)
        if writable:
            try:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, f"{os.getpid()}\n".encode())
            except OSError:
                pass  # a full disk: the lock holds without the pid
        return cls(profile, fd)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file drops the lock

    def __enter__(self) -> ProfileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 1 << 20, os.SEEK_SET)  # a byte past the pid, which stays readable
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # EWOULDBLOCK: another process holds it
            return False
        return True


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode("ascii").strip()) or None
    except (OSError, ValueError, UnicodeDecodeError):
        return None
