"""Nothing a worker writes, and nothing grading creates, survives it.

- :class:`ShmWatch` (process mode): a worker running as the grading user can write to the
  host's ``/dev/shm`` (bubblewrap gives each worker a private, capped one instead).  Process
  mode cannot stop the writing; it removes what appeared there while the worker lived and
  belongs to the grading user, once the worker is dead.  It cannot tell a worker's file from
  one another program of the same user made in that window under an ordinary name, so it
  spares the names other programs use there (POSIX semaphores, Chromium's shared memory).
- :func:`claim` / :func:`clean_stale` (every mode): each temporary folder the grader makes
  (``grader-*`` and ``grader-batch-*`` in the system temp folder) holds an owner file naming
  the process that made it; a later run removes folders whose owner is dead (a slot killed
  at ``--timeout``, a ``grade batch`` killed with SIGKILL), never a live run's.

Only the standard library: the fork server imports this module.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time

SHM = "/dev/shm"
SPARED_PREFIXES = ("sem.", ".org.chromium.", ".com.google.Chrome.")
OWNER_FILE = ".grader-owner"
PREFIXES = ("grader-",)


class ShmWatch:
    """What was in /dev/shm when a worker started; :meth:`sweep` removes what it added."""

    def __init__(self):
        self.started = time.time()
        self.before = set(_names(SHM))

    def sweep(self) -> list[str]:
        removed = []
        uid = os.geteuid()
        for name in _names(SHM):
            if name in self.before or name.startswith(SPARED_PREFIXES):
                continue
            path = os.path.join(SHM, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            # ctime: when it was made or last changed, which the worker cannot set back
            if info.st_uid != uid or info.st_ctime < self.started - 1:
                continue
            try:
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
                removed.append(name)
            except OSError:
                pass
        return removed


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


# --------------------------------------------------------------------------- temp folders
def make_temp_dir(prefix: str) -> str:
    """``tempfile.mkdtemp(prefix=prefix)``, claimed by this process (see :func:`claim`)."""
    folder = tempfile.mkdtemp(prefix=prefix)
    claim(folder)
    return folder


def claim(folder: str) -> None:
    """Write the owner file: this process's pid and its start time (pids are reused)."""
    pid = os.getpid()
    with open(os.path.join(folder, OWNER_FILE), "w", encoding="ascii") as handle:
        handle.write(f"{pid} {_start_time(pid)}\n")


def _start_time(pid: int) -> str:
    return _stat(pid)[1]


def _stat(pid: int) -> tuple[str, str]:
    """(state, start time) of ``pid`` from /proc/<pid>/stat (proc(5): fields 3 and 22);
    ``("?", "?")`` when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return fields[0].decode(), fields[19].decode()
    except (OSError, IndexError):
        return "?", "?"


def owner_alive(folder: str) -> bool:
    """Is the process that claimed ``folder`` still running?  Unclaimed or unreadable: yes
    (never remove what is not provably ours and dead)."""
    try:
        with open(os.path.join(folder, OWNER_FILE), encoding="ascii") as handle:
            pid_text, started = handle.read().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return True
    if not os.path.exists(f"/proc/{pid}"):
        return not os.path.isdir("/proc/self")       # no /proc: cannot tell, assume alive
    state, now_started = _stat(pid)
    if state in ("Z", "X"):
        # a zombie is dead: its parent (killed, or a subreaper that never waits, such as a
        # container's init) has not reaped it yet, and it never will touch the folder again
        return False
    return started == "?" or now_started == started


def clean_stale(root: str | None = None, min_age: float = 0.0) -> list[str]:
    """Remove grader temp folders whose owner process is dead; return their names.

    Only folders owned by this user, named with the grader's prefixes, holding an owner file
    whose process is gone (or was replaced by another with the same pid), and not changed in
    the last ``min_age`` seconds.  A folder being made right now has no owner file yet, and a
    folder without one is never removed."""
    root = root or tempfile.gettempdir()
    removed = []
    uid = os.geteuid()
    now = time.time()
    for name in _names(root):
        if not name.startswith(PREFIXES):
            continue
        path = os.path.join(root, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or now - info.st_mtime < min_age:
            continue
        if owner_alive(path):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(name)
    return removed
