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

A :class:`Stopwatch` is made when a request is sent; :meth:`Stopwatch.seconds` is None
where the kernel does not say (no ``/proc``, no schedstat, a worker whose pid is unknown):
the caller then falls back to wall time with its own, unreduced limit.
"""
from __future__ import annotations

import os
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
    try:
        with open(f"{proc}/{pid}/schedstat", "rb") as handle:
            _, waited, _ = handle.read().split()[:3]
        with open(f"{proc}/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        # after the command: state(0) ppid pgrp session tty tpgid flags minflt cminflt majflt
        # cmajflt utime(11) stime(12)
        cpu = (int(fields[11]) + int(fields[12])) * 1_000_000_000 // _TICK
        return Usage(int(waited), cpu)
    except (OSError, ValueError, IndexError):
        return None


def only_child(pid: int, proc: str = "/proc") -> int | None:
    """The one child of ``pid`` (a sandboxed worker's keeper has exactly one: the worker)."""
    try:
        with open(f"{proc}/{pid}/task/{pid}/children", "rb") as handle:
            children = handle.read().split()
    except OSError:
        return None
    return int(children[0]) if len(children) == 1 else None


class Stopwatch:
    """Worker seconds of one request (see the module's docstring).

    The kernel is asked nothing for a call that answers at once (nearly all of them: one
    read per poll would cost more than the call); the count starts at the first
    :meth:`seconds`, a poll interval after the request was sent.  What ran before that is
    not counted: a limit is met at most a poll later, never earlier, than it would be.
    """

    def __init__(self, usage: Callable[[], Usage | None] | None):
        self.usage = usage
        self.started = time.monotonic()
        self.first: Usage | None = None
        self.first_at = 0.0

    @property
    def measurable(self) -> bool:
        return self.usage is not None

    def wall(self) -> float:
        return time.monotonic() - self.started

    def seconds(self) -> tuple[float, float] | None:
        """(active, cpu) seconds since the first call of this method, or None when they
        cannot be measured.  ``active``: wall time less the main thread's wait for a CPU (at
        least ``cpu``); ``cpu``: CPU time of all the worker's threads."""
        if self.usage is None:
            return None
        now = self.usage()
        at = time.monotonic()
        if now is None:
            return None
        if self.first is None:
            self.first, self.first_at = now, at
            return 0.0, 0.0
        wall = at - self.first_at
        waited = max(0, now.waited_ns - self.first.waited_ns) / 1e9
        cpu = max(0, now.cpu_ns - self.first.cpu_ns) / 1e9
        return max(wall - waited, cpu), cpu
