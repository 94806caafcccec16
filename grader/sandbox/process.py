"""Starting and stopping the worker process, and what it is allowed to see and use.

Two modes:
- ``process``: a separate Python process in its own session, with resource limits, a scrubbed
  environment and a private copy of the submission.  Isolated (a crash, hang or monkeypatch
  cannot touch the judge) but not hardened: it can read what the grading user can read.
- ``bwrap``: the same process inside a bubblewrap sandbox (see :mod:`grader.sandbox.bwrap`).

Nothing the worker starts outlives grading: the judge becomes a child subreaper, so processes
that detach from the worker are re-parented to the judge, which kills them at the end.  The
judge also makes itself non-dumpable (its ``/proc/<pid>/fd`` closed to a same-user worker), and
in process mode removes what a worker left in ``/dev/shm`` (:mod:`grader.sandbox.leftovers`).
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, asdict
from typing import Callable

from grader.i18n import _
from grader.errors import UsageError
from grader.sandbox import usage
from grader.sandbox.leftovers import ShmWatch
from grader.sandbox.worker import FDS_ENV, LIMITS_ENV

PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Limits:
    """Per-submission limits; the assignment's [tool.grader.limits] table overrides them."""
    memory_mb: int = 2048        # address space of the worker
    cpu_seconds: int = 600       # CPU time of one worker process
    file_mb: int = 64            # largest file the worker may write
    open_files: int = 256
    processes: int = 64          # enforced where the kernel applies it (not for root)
    max_result_mb: int = 64      # largest reply the worker may send
    output_kb: int = 64          # worker stdout/stderr kept for diagnostics
    start_seconds: float = 60.0  # importing torch and the submission
    import_seconds: float = 20.0  # one submission module's import, in worker seconds

    def worker_env(self) -> dict:
        return {k: v for k, v in asdict(self).items()
                if k in ("memory_mb", "cpu_seconds", "file_mb", "processes")}


def bwrap_available() -> bool:
    return shutil.which("bwrap") is not None


def resolve_mode(requested: str) -> str:
    if requested not in ("auto", "bwrap", "process"):
        raise UsageError(_("unknown sandbox mode {mode}: use auto, bwrap or process",
                           mode=repr(requested)))
    if requested == "auto":
        return "bwrap" if bwrap_available() and _bwrap_works() else "process"
    if requested == "bwrap" and not (bwrap_available() and _bwrap_works()):
        raise UsageError(_("--sandbox bwrap: bubblewrap is not installed or cannot create a "
                           "sandbox here (apt-get install bubblewrap)"))
    return requested


def _bwrap_works() -> bool:
    from grader.sandbox import bwrap
    return bwrap.probe()          # cached there


def scrubbed_env(home: str) -> dict:
    """The worker's whole environment: nothing of the caller's (tokens, keys) gets through."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "USER": "student", "LOGNAME": "student",
        "HOME": home, "TMPDIR": os.path.join(home, "tmp"),
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
    }


class OutputDrain(threading.Thread):
    """Reads the worker's raw stdout/stderr so it can never block, keeping only the start."""

    def __init__(self, stream, cap_bytes: int):
        super().__init__(daemon=True)
        self.stream, self.cap = stream, cap_bytes
        self.kept = bytearray()
        self.dropped = 0

    def run(self):
        try:
            while True:
                chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") \
                    else self.stream.read(65536)
                if not chunk:
                    break
                room = self.cap - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
                self.dropped += max(0, len(chunk) - max(room, 0))
        except (OSError, ValueError):
            pass
        finally:
            try:
                self.stream.close()     # at the end of the output: whoever stopped the
            except (OSError, ValueError):   # worker need not wait for it
                pass

    def text(self) -> str:
        out = self.kept.decode("utf-8", "replace")
        if self.dropped:
            out += "\n" + _("... ({count} more bytes of output dropped)", count=self.dropped)
        return out


@dataclass
class Launched:
    proc: subprocess.Popen
    request_fd: int       # judge writes requests here
    reply_fd: int         # judge reads replies here
    drain: OutputDrain
    pidfd: int | None
    root_inside: str = ""  # where the worker sees the submission copy (bwrap: /submission)
    signals_as_128: bool = False  # bwrap reports a child killed by signal N as status 128 + N
    shm: "ShmWatch | None" = None  # process mode: what the worker may leave in /dev/shm
    # the worker's time so far (grader/sandbox/usage.py), or None where it cannot be read
    usage: "Callable[[], usage.Usage | None] | None" = None


def launch(root: str, limits: Limits, mode: str, python: str | None = None) -> Launched:
    """Start ``python -m grader.sandbox.worker`` with ``root`` (the private copy) as its home."""
    become_subreaper()
    os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    env = scrubbed_env(root)
    env[LIMITS_ENV] = json.dumps(limits.worker_env())
    env[FDS_ENV] = f"{req_r},{rep_w}"
    # -s: no user site-packages; -P: the working directory is not put on sys.path.
    command = [python or sys.executable, "-s", "-P", "-m", "grader.sandbox.worker"]
    root_inside = root
    shm = ShmWatch() if mode == "process" else None
    if mode == "bwrap":
        from grader.sandbox import bwrap
        env[LIMITS_ENV] = json.dumps(bwrap.limits_inside(limits))
        command, env = bwrap.wrap(command, env, root, (req_r, rep_w))
        root_inside = bwrap.INSIDE_ROOT
    try:
        proc = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=(req_r, rep_w), start_new_session=True)
    finally:
        os.close(req_r)
        os.close(rep_w)
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        pidfd = None
    drain = OutputDrain(proc.stdout, limits.output_kb * 1024)
    drain.start()
    # process mode: the worker is proc itself; under bwrap its pid is the sandbox's own
    watch = usage.Probe(proc.pid) if mode == "process" else None
    return Launched(proc, req_w, rep_r, drain, pidfd, root_inside, mode == "bwrap", shm, watch)


def stop(launched: Launched, exempt: set[int] | None = None, output: bool = True) -> None:
    """Kill the worker's whole process group, then anything that escaped it.

    ``output``: wait for the worker's output to be read to its end (a crash report quotes
    it).  Without it, a worker whose fork server reaps it later (an isolated worker:
    ForkServer's ``stop_isolated``) is not waited for here either: its output reader ends
    by itself, and closes the pipe, when the worker is gone."""
    proc = launched.proc
    kill_all = getattr(proc, "kill_all", None)
    if kill_all is not None:
        kill_all()            # a forked worker: its fork server kills and reaps it
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    for fd in (launched.request_fd, launched.reply_fd, launched.pidfd):
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
    if output or not launched.drain.is_alive():
        launched.drain.join(timeout=2)
        try:
            proc.stdout.close()
        except OSError:
            pass
    reap_orphans(exempt or set())
    if launched.shm is not None:      # the worker and all it started are dead: sweep
        launched.shm.sweep()


_SUBREAPER = False


def become_subreaper() -> None:
    """Make the judge a child subreaper, and non-dumpable: a worker running as the same
    user (process mode) cannot open the judge's /proc/<pid>/fd (its stdout, its terminal,
    the gradebook) or read its memory."""
    global _SUBREAPER
    if _SUBREAPER or not sys.platform.startswith("linux"):
        return
    from grader.sandbox import harden
    harden.not_dumpable()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _SUBREAPER = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except OSError:
        _SUBREAPER = False


def children_of(pid: int, other_session_only: bool = False) -> list[int]:
    """Processes whose parent is ``pid`` (optionally: only those in another session)."""
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    my_session = os.getsid(0)
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode("utf-8", "replace")
        except OSError:
            continue
        # the command name may contain spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 3 and int(fields[1]) == pid:
            if other_session_only and int(fields[3]) == my_session:
                continue
            found.append(int(entry))
    return found


def reap_orphans(exempt: set[int]) -> None:
    """Kill and reap processes re-parented to us (daemons a worker left behind).

    Workers run in sessions of their own, and so does anything that detaches from them; the
    judge's own helpers (multiprocessing's, batch slots) stay in its session and are spared.
    """
    if not _SUBREAPER:
        return
    me = os.getpid()
    kill_until_gone(lambda: [pid for pid in children_of(me, other_session_only=True)
                             if pid not in exempt and not _is_ours(pid)])


def wait_for_children(grace: float = 5.0) -> None:
    """Before the judge exits: stop multiprocessing's resource tracker (started with the
    first spawned helper, it would outlive us by a moment), give any other child ``grace``
    seconds to finish, then kill and reap what is left (as a subreaper, orphans of our
    descendants are our children too)."""
    try:
        from multiprocessing import resource_tracker
        tracker = resource_tracker._resource_tracker
        if getattr(tracker, "_pid", None) is not None:
            if hasattr(tracker, "_stop"):
                tracker._stop()
            else:
                os.close(tracker._fd)
                os.waitpid(tracker._pid, 0)
    except (ImportError, AttributeError, OSError, ChildProcessError):
        pass
    me = os.getpid()
    deadline = time.monotonic() + grace
    while children_of(me) and time.monotonic() < deadline:
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        time.sleep(0.02)
    kill_until_gone(lambda: children_of(me))


def kill_until_gone(find_strays) -> None:
    """SIGKILL and reap what ``find_strays()`` lists until it lists nothing (a process may
    still be forking while we kill: each round catches what the last one missed)."""
    for _attempt in range(100):
        strays = find_strays()
        if not strays:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        time.sleep(0.005)


_OURS: set[int] = set()


def register_own_child(pid: int) -> None:
    """Children the judge started for itself (batch jobs): never treated as strays."""
    _OURS.add(pid)


def unregister_own_child(pid: int) -> None:
    _OURS.discard(pid)


def _is_ours(pid: int) -> bool:
    return pid in _OURS


def describe_exit(returncode: int | None, signals_as_128: bool = False) -> str:
    from grader.i18n import N_
    if returncode is None:
        return _("the worker stopped responding")
    if signals_as_128 and 128 < returncode < 128 + 65:
        returncode = 128 - returncode
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        meaning = {
            "SIGSEGV": N_("a segmentation fault"),
            "SIGKILL": N_("killed (out of memory or a limit)"),
            "SIGXCPU": N_("the CPU time limit"), "SIGABRT": N_("an abort"),
            "SIGBUS": N_("a bus error"), "SIGXFSZ": N_("the file size limit"),
            "SIGTERM": N_("terminated"),
        }.get(name)
        return _("the worker process died: {meaning} ({signal})",
                 meaning=_(meaning) if meaning else name, signal=name)
    return _("the worker process exited with status {status} (os._exit or a crash)",
             status=returncode)
