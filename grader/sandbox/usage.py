"""How long a worker has been at one request, not counting the time it waited for a CPU.

On a shared machine (six engineers, a CI run, the other slots of ``grade batch``) a worker
that is ready to run may wait on the run queue for most of a second: a wall-clock deadline
would then fail correct code because the machine is busy.  The kernel counts, per process,
the CPU time of all its threads (``/proc/<pid>/stat``) and, per thread, the time spent waiting
on a run queue (``/proc/<pid>/schedstat``), so the judge measures a call in two clocks that a
busy machine does not stretch:

* *CPU seconds*: what the call computed, in all its threads (what the reference's cost is
  compared with: grader/judge/deadlines.py);
* *active seconds*: wall time less the time the worker's main thread waited for a CPU, and at
  least its CPU seconds: computing, plus time blocked on its own account (sleeping, reading,
  waiting for a thread it started): what the assignment's ``call_timeout`` limits.

A :class:`Stopwatch` is made when a request is sent and reads the worker's usage then, so
every call is counted whole, the quick ones included (a check's budget is the sum of its
calls: counting only what ran after a first poll let a check of many 0.2 s calls run for
ever).  A :class:`Probe` keeps the two files open and re-reads them in place (about 8 us a
sample, against 60 us for opening them each time).  :meth:`Stopwatch.seconds` is None where
the kernel does not say (no ``/proc``, no schedstat, a worker whose pid is unknown): the
caller then falls back to wall time with its own, unreduced limit.
"""
from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from typing import Callable

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Usage:
    waited_ns: int       # main thread: time ready to run but waiting for a CPU
    cpu_ns: int          # all threads: user + system time


def read(pid: int, proc: str = "/proc") -> Usage | None:
    """The usage of process ``pid`` as this process's ``/proc`` sees it, or None."""
    probe = Probe(pid, proc)
    try:
        return probe()
    finally:
        probe.close()


def _parse(schedstat: bytes, stat: bytes) -> Usage:
    _, waited, _ = schedstat.split()[:3]
    fields = stat.rsplit(b")", 1)[1].split()
    # after the command: state(0) ppid pgrp session tty tpgid flags minflt cminflt majflt
    # cmajflt utime(11) stime(12)
    cpu = (int(fields[11]) + int(fields[12])) * 1_000_000_000 // _TICK
    return Usage(int(waited), cpu)


class Probe:
    """``probe()``: the usage of process ``pid`` now, or None once it cannot be read (the
    process is gone, or there is no such file).  The files stay open: each sample re-reads
    them from the start, which the kernel regenerates."""

    def __init__(self, pid: int, proc: str = "/proc"):
        self.fds: tuple[int, int] | None = None
        try:
            first = os.open(f"{proc}/{pid}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            second = os.open(f"{proc}/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            os.close(first)
            return
        self.fds = (first, second)

    @classmethod
    def adopt(cls, fds: list[int]) -> "Probe":
        """A probe over two files opened elsewhere (schedstat, stat: a sandboxed worker's,
        passed by its fork server).  Anything but two regular files is closed and refused:
        the probe then reads nothing."""
        probe = cls.__new__(cls)
        probe.fds = None
        try:
            ok = len(fds) == 2 and all(stat.S_ISREG(os.fstat(fd).st_mode) for fd in fds)
        except OSError:
            ok = False
        if not ok:
            for fd in fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
            return probe
        for fd in fds:
            os.set_inheritable(fd, False)
        probe.fds = (fds[0], fds[1])
        return probe

    def __call__(self) -> Usage | None:
        if self.fds is None:
            return None
        try:
            return _parse(os.pread(self.fds[0], 256, 0), os.pread(self.fds[1], 4096, 0))
        except (OSError, ValueError, IndexError):
            return None

    def close(self) -> None:
        fds, self.fds = self.fds, None
        for fd in fds or ():
            try:
                os.close(fd)
            except OSError:
                pass

    def __del__(self):
        self.close()


def only_child(pid: int, proc: str = "/proc") -> int | None:
    """The one child of ``pid`` (a sandboxed worker's keeper has exactly one: the worker)."""
    try:
        with open(f"{proc}/{pid}/task/{pid}/children", "rb") as handle:
            children = handle.read().split()
    except OSError:
        return None
    return int(children[0]) if len(children) == 1 else None


class Stopwatch:
    """Worker seconds of one request (see the module's docstring), counted from when it was
    made (just before the request is sent)."""

    def __init__(self, usage: Callable[[], Usage | None] | None):
        self.usage = usage
        self.started = time.monotonic()
        self.first: Usage | None = usage() if usage is not None else None
        if self.first is None:
            self.usage = None           # not measurable from the start: wall time throughout

    @property
    def measurable(self) -> bool:
        return self.usage is not None

    def wall(self) -> float:
        return time.monotonic() - self.started

    def seconds(self) -> tuple[float, float] | None:
        """(active, cpu) seconds since the stopwatch was made, or None when they cannot be
        measured.  ``active``: wall time less the main thread's wait for a CPU (at least
        ``cpu``); ``cpu``: CPU time of all the worker's threads."""
        if self.usage is None or self.first is None:
            return None
        now = self.usage()
        if now is None:
            return None
        wall = self.wall()
        waited = max(0, now.waited_ns - self.first.waited_ns) / 1e9
        cpu = max(0, now.cpu_ns - self.first.cpu_ns) / 1e9
        return max(wall - waited, cpu), cpu
