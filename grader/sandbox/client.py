"""The judge's handle on one submission's worker: start it, send requests, survive it.

A :class:`WorkerSession` owns a private copy of the submission and at most one live worker.
Requests and each module's import get a deadline, counted in the worker's own time where the
kernel reports it (:class:`CallLimit`, grader/sandbox/usage.py); a worker that misses it, dies,
or sends
malformed bytes is killed (its whole process group) and replaced by a fresh one on the next
request.  A module that
hangs or kills the worker while being imported is left out of later workers and reported.
"""
from __future__ import annotations

import os
import pickle
import select
import shutil
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import _, current_language
from grader.sandbox import leftovers
from grader.sandbox import process as sandbox
from grader.sandbox import wire
from grader.errors import InternalError
from grader.sandbox.process import Limits
from grader.sandbox.usage import Stopwatch


class InternalWorkerMessage(Exception):
    """The worker broke the start-up conversation (see :meth:`WorkerSession.wait_ready`)."""


class WorkerFault(Exception):
    """The worker did not answer: it ``kind`` = "timeout" or "crash"; ``detail`` says how."""

    def __init__(self, kind: str, detail: str, output: str = ""):
        super().__init__(detail)
        self.kind, self.detail, self.output = kind, detail, output


@dataclass
class ImportState:
    errors: dict = field(default_factory=dict)       # module -> error dict from the worker
    faults: dict = field(default_factory=dict)       # module -> WorkerFault at import


class WorkerSession:
    def __init__(self, modules: list[str], locations: dict[str, str], write_files,
                 limits: Limits, mode: str = "process", forbidden: list[str] | None = None,
                 launcher=None, imports: ImportState | None = None):
        self.modules = list(modules)
        self.locations = locations
        self.limits = limits
        self.mode = mode
        self.forbidden = sorted(set(forbidden or []))
        self.launcher = launcher or sandbox.launch
        self.home = Path(leftovers.make_temp_dir("grader-"))
        self.root = self.home / "submission"
        self.write_files = write_files
        self.root.mkdir()
        write_files(self.root)
        self.imports = imports if imports is not None else ImportState()
        self.live: sandbox.Launched | None = None
        self.ready = False
        self.started_workers = 0
        self.requests = 0
        self.last_seconds = 0.0            # what the last request took (see request)
        self._pending: list[str] = []

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Spawn a worker without waiting for it (torch imports while the judge starts)."""
        if self.live is not None:
            return
        if self.started_workers:
            # a fresh copy for every worker: nothing one wrote (its TMPDIR and HOME live in
            # the copy in process mode) is there for the next one
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir()
            self.write_files(self.root)
        try:
            self.live = self.launcher(str(self.root), self.limits, self.mode)
        except (OSError, RuntimeError, ValueError) as exc:
            # the grader's own machinery failed (e.g. the fork server): never the student's fault
            raise InternalError(_("could not start a worker: {error}", error=exc)) from exc
        self.started_workers += 1
        self.ready = False
        healthy = [m for m in self.modules if m not in self.imports.faults]
        self._pending = healthy
        self._send({"root": self.live.root_inside or str(self.root), "modules": healthy,
                    "locations": self.locations,
                    "forbidden": self.forbidden, "max_result_mb": self.limits.max_result_mb,
                    "open_files": self.limits.open_files,
                    # the words the worker itself makes (its exceptions' messages, a
                    # scenario's Mismatch) are in the student's language
                    "language": current_language()})

    def wait_ready(self) -> None:
        """Follow the worker's imports; drop a module that hangs or kills it, and retry."""
        while not self.ready:
            self.start()
            deadline = time.monotonic() + self.limits.start_seconds
            current = None
            budget = wire.Budget()
            expected = list(self._pending)
            try:
                while True:
                    message = self._receive(deadline, budget=budget)
                    event = message.get("event")
                    if event == "importing":
                        # each module once, in order: a worker cannot stretch its start-up
                        # deadline (or the judge's work) by announcing imports forever
                        if not expected or message.get("module") != expected[0] \
                                or current is not None:
                            self._kill()
                            raise InternalWorkerMessage()
                        current = expected.pop(0)
                        # counted like a call, in the worker's own seconds: a busy machine
                        # does not make a correct module's import time out
                        deadline = CallLimit(Stopwatch(self.live.usage),
                                             self.limits.import_seconds)
                    elif event == "imported":
                        module = message.get("module")
                        if module != current or module is None:
                            self._kill()
                            raise InternalWorkerMessage()
                        if message.get("error"):
                            self.imports.errors[module] = message["error"]
                        current = None
                    elif event == "ready":
                        self.ready = True
                        return
                    else:
                        self._kill()
                        raise InternalWorkerMessage()
            except InternalWorkerMessage:
                fault = WorkerFault("crash", _("the worker sent an unexpected message while "
                                               "importing the submission"))
                if current is None:
                    raise fault from None
                self.imports.faults[current] = fault
            except WorkerFault as fault:
                self._kill()
                if current is None:
                    raise   # torch itself failed to import, or the worker is broken: give up
                if fault.kind == "timeout":
                    fault = WorkerFault("timeout", _(
                        "importing {module} took longer than {seconds} s", module=current,
                        seconds=f"{self.limits.import_seconds:g}"), fault.output)
                self.imports.faults[current] = fault

    def close(self) -> None:
        self._kill(output=False)     # the exercise is graded: its output is not needed
        shutil.rmtree(self.home, ignore_errors=True)

    def _kill(self, output: bool = True) -> None:
        if self.live is not None:
            sandbox.stop(self.live, output=output)
            self.live = None
            self.ready = False

    # ----------------------------------------------------------------- requests
    def request(self, message: dict, timeout: float, floor: float | None = None,
                extend=None) -> dict:
        """Send one request and return the decoded reply, or raise WorkerFault.

        ``timeout`` is the call's limit in worker seconds (grader/sandbox/usage.py: a busy
        machine does not use it up), or in wall seconds where those cannot be measured.  With
        ``floor``, the call first gets ``floor`` worker seconds; a call still running then asks
        ``extend()`` (run by the judge while the worker goes on) for its real limit, which is
        at least the floor and at most ``timeout`` (None: ``timeout``).  ``self.last_seconds``
        is what the call took (worker seconds where measured)."""
        self.wait_ready()
        self.requests += 1
        limit = CallLimit(Stopwatch(self.live.usage), timeout, floor, extend)
        self._send(message)
        try:
            reply = self._receive(limit, timeout_text=f"{timeout:g} s", budget=wire.Budget())
        except WorkerFault:
            self.last_seconds = limit.spent()
            self._kill()
            raise
        self.last_seconds = limit.spent()
        if reply.get("event") != "reply" or not isinstance(reply, dict):
            self._kill()
            raise WorkerFault("crash", _("the worker sent an unexpected message"))
        return reply

    def _send(self, message: dict) -> None:
        # plain data goes as a wire frame (4x faster than pickling tensors); anything else
        # (rare: objects a check passes on purpose) is pickled: the worker trusts the judge
        try:
            frame = wire.encode(message, strict=True)
            frame = struct.pack(">Q", len(frame) - 7) + b"W" + frame[8:]
        except (wire.WireError, ValueError, TypeError):
            data = b"P" + pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
            frame = struct.pack(">Q", len(data)) + data
        try:
            view = memoryview(frame)
            while view:
                written = os.write(self.live.request_fd, view)
                view = view[written:]
        except (BrokenPipeError, OSError):
            pass   # the worker is gone; the next read reports how it died

    def _receive(self, deadline: "float | CallLimit", timeout_text: str = "",
                 budget: wire.Budget | None = None) -> dict:
        if not isinstance(deadline, CallLimit):
            deadline = WallLimit(deadline)
        prefix = self._read_exact(8, deadline, timeout_text)
        try:
            # never read more than a result may be: the result limit, plus its description
            limit = self.limits.max_result_mb * 2 ** 20 + wire.MAX_HEADER + 64
            length = wire.frame_length(prefix, limit)
            body = self._read_exact(length, deadline, timeout_text)
            message = wire.decode(body, budget)
        except wire.WireError as exc:
            self._kill()
            raise WorkerFault("crash", _("the worker sent malformed data ({error})",
                                         error=exc)) from None
        if not isinstance(message, dict):
            raise WorkerFault("crash", _("the worker sent malformed data"))
        return message

    def _read_exact(self, n: int, deadline: "CallLimit | WallLimit", timeout_text: str) -> bytes:
        live = self.live
        chunks, remaining = [], n
        watch = [live.reply_fd] + ([live.pidfd] if live.pidfd is not None else [])
        while remaining:
            left = deadline.left()
            if left <= 0:
                raise WorkerFault("timeout", _("no answer within {limit}",
                                               limit=timeout_text or _("the time limit")),
                                  live.drain.text())
            readable = select.select(watch, [], [], min(left, 0.5))[0]
            if live.reply_fd in readable:
                chunk = os.read(live.reply_fd, min(remaining, 1 << 20))
                if not chunk:
                    raise self._death()
                chunks.append(chunk)
                remaining -= len(chunk)
            elif readable or (live.pidfd is None and live.proc.poll() is not None):
                # the process exited; drain what it managed to write before dying
                more = _read_available(live.reply_fd, remaining)
                if len(more) < remaining:
                    raise self._death()
                chunks.append(more)
                remaining = 0
        return b"".join(chunks)

    def _death(self) -> WorkerFault:
        live = self.live
        try:
            code = live.proc.wait(timeout=2)
        except Exception:  # noqa: BLE001 - still alive but closed its pipe: treat as dead
            code = None
        self._kill()                      # also waits for the output drain to finish
        return WorkerFault("crash", sandbox.describe_exit(code, live.signals_as_128),
                           live.drain.text())


class WallLimit:
    """A plain wall-clock deadline (a worker's start-up)."""

    def __init__(self, deadline: float):
        self.deadline = deadline

    def left(self) -> float:
        return self.deadline - time.monotonic()


class CallLimit:
    """When one request has had its time (see :meth:`WorkerSession.request`).

    The whole limit counts *active* seconds and the floor (then the limit ``extend`` gives)
    counts *CPU* seconds (grader/sandbox/usage.py): a busy machine stretches neither, and
    the floor is not spent by time blocked on a loaded disk.  A wall-clock backstop of
    ``BACKSTOP`` times the limit still ends a call whose worker hides its time (for instance in
    many processes that keep it waiting for a CPU).  Where the kernel does not say, the limit
    is in wall seconds and the floor is not used (a floor in wall seconds could fail correct
    code on a loaded machine).
    """
    BACKSTOP = 30
    POLL = 0.25

    def __init__(self, watch: Stopwatch, limit: float, floor: float | None = None, extend=None):
        self.watch, self.limit = watch, limit
        self.measured = watch.measurable
        self.compute = min(floor, limit) if floor is not None and self.measured else limit
        self.extend = extend if self.compute < limit else None
        self.used = 0.0

    def spent(self) -> float:
        """What the call took, read when it answered: active seconds, else wall seconds."""
        sample = self.watch.seconds() if self.measured else None
        self.used = sample[0] if sample is not None else self.watch.wall()
        return self.used

    def left(self) -> float:
        """Wall seconds to wait before asking again; 0 when the call has had its time."""
        if not self.measured:
            self.used = self.watch.wall()
            return max(0.0, self.limit - self.used)
        if self.watch.wall() >= self.BACKSTOP * self.limit:
            return 0.0
        if self.watch.wall() < self.POLL:
            return self.POLL - self.watch.wall()       # most calls answer before this
        sample = self.watch.seconds()
        if sample is None:
            # the worker is gone (the next read says how it died), or its usage cannot be
            # read: the limit counts in wall seconds from now on, floor and all dropped
            self.measured = False
            self.limit = max(self.limit - self.used, 0.0) + self.watch.wall()
            return self.POLL
        active, cpu = sample
        self.used = active
        if active >= self.limit:
            return 0.0
        if cpu >= self.compute:
            if self.extend is None:
                return 0.0
            extend, self.extend = self.extend, None
            more = extend()
            self.compute = self.limit if more is None else min(self.limit,
                                                                max(self.compute, more))
            return self.left()
        # neither clock runs faster than wall time on one CPU: waiting the rest in wall time
        # overshoots by at most a poll
        return min(self.limit - active, self.compute - cpu, self.POLL)


def _read_available(fd: int, limit: int) -> bytes:
    out = b""
    while len(out) < limit:
        readable = select.select([fd], [], [], 0)[0]
        if not readable:
            break
        chunk = os.read(fd, limit - len(out))
        if not chunk:
            break
        out += chunk
    return out


class WorkerPool:
    """One fresh worker per exercise, all forked from one warm template.

    A fresh worker per exercise means one exercise's crash, monkeypatch or global state can
    never change another's result, and an exercise gets the same result whether it is graded
    alone or with the others.  What the pool learns about the submission's modules (one hangs
    at import, one does not import) is shared, so it is paid for only once.
    """

    def __init__(self, modules_for: dict[str, list[str]], locations: dict[str, str],
                 write_files, limits: Limits, mode: str, forbidden: list[str], launcher):
        self.modules_for, self.locations = modules_for, locations
        self.write_files, self.limits, self.mode = write_files, limits, mode
        self.forbidden, self.launcher = forbidden, launcher
        self.imports = ImportState()
        self.sessions: dict[str, WorkerSession] = {}
        self.requests = 0
        self.started_workers = 0

    def session(self, exercise: str) -> WorkerSession:
        if exercise not in self.sessions:
            self.sessions[exercise] = WorkerSession(
                self.modules_for.get(exercise, []), self.locations, self.write_files,
                self.limits, self.mode, self.forbidden, self.launcher, self.imports)
        return self.sessions[exercise]

    def release(self, exercise: str) -> None:
        session = self.sessions.pop(exercise, None)
        if session is not None:
            self.requests += session.requests
            self.started_workers += session.started_workers
            session.close()

    def close(self) -> None:
        for exercise in list(self.sessions):
            self.release(exercise)
