"""The judge's handle on one submission's worker: start it, send requests, survive it.

A :class:`WorkerSession` owns a private copy of the submission and at most one live worker.
Requests get a deadline; a worker that misses it, dies, or sends malformed bytes is killed
(its whole process group) and replaced by a fresh one on the next request.  A module that
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

from grader.sandbox import leftovers
from grader.sandbox import process as sandbox
from grader.sandbox import wire
from grader.errors import InternalError
from grader.sandbox.process import Limits


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
            raise InternalError(f"could not start a worker: {exc}") from exc
        self.started_workers += 1
        self.ready = False
        healthy = [m for m in self.modules if m not in self.imports.faults]
        self._pending = healthy
        self._send({"root": self.live.root_inside or str(self.root), "modules": healthy,
                    "locations": self.locations,
                    "forbidden": self.forbidden, "max_result_mb": self.limits.max_result_mb,
                    "open_files": self.limits.open_files})

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
                        deadline = time.monotonic() + self.limits.import_seconds
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
                fault = WorkerFault("crash", "the worker sent an unexpected message while "
                                    "importing the submission")
                if current is None:
                    raise fault from None
                self.imports.faults[current] = fault
            except WorkerFault as fault:
                self._kill()
                if current is None:
                    raise   # torch itself failed to import, or the worker is broken: give up
                if fault.kind == "timeout":
                    fault = WorkerFault("timeout", f"importing {current} took longer than "
                                        f"{self.limits.import_seconds:g} s", fault.output)
                self.imports.faults[current] = fault

    def close(self) -> None:
        self._kill()
        shutil.rmtree(self.home, ignore_errors=True)

    def _kill(self) -> None:
        if self.live is not None:
            sandbox.stop(self.live)
            self.live = None
            self.ready = False

    # ----------------------------------------------------------------- requests
    def request(self, message: dict, timeout: float) -> dict:
        """Send one request and return the decoded reply, or raise WorkerFault."""
        self.wait_ready()
        self.requests += 1
        self._send(message)
        try:
            reply = self._receive(time.monotonic() + timeout, timeout_text=f"{timeout:g} s",
                                  budget=wire.Budget())
        except WorkerFault:
            self._kill()
            raise
        if reply.get("event") != "reply" or not isinstance(reply, dict):
            self._kill()
            raise WorkerFault("crash", "the worker sent an unexpected message")
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

    def _receive(self, deadline: float, timeout_text: str = "",
                 budget: wire.Budget | None = None) -> dict:
        prefix = self._read_exact(8, deadline, timeout_text)
        try:
            # never read more than a result may be: the result limit, plus its description
            limit = self.limits.max_result_mb * 2 ** 20 + wire.MAX_HEADER + 64
            length = wire.frame_length(prefix, limit)
            body = self._read_exact(length, deadline, timeout_text)
            message = wire.decode(body, budget)
        except wire.WireError as exc:
            self._kill()
            raise WorkerFault("crash", f"the worker sent malformed data ({exc})") from None
        if not isinstance(message, dict):
            raise WorkerFault("crash", "the worker sent malformed data")
        return message

    def _read_exact(self, n: int, deadline: float, timeout_text: str) -> bytes:
        live = self.live
        chunks, remaining = [], n
        watch = [live.reply_fd] + ([live.pidfd] if live.pidfd is not None else [])
        while remaining:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerFault("timeout", f"no answer within {timeout_text or 'the time limit'}",
                                  live.drain.text())
            readable, _, _ = select.select(watch, [], [], min(left, 0.5))
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


def _read_available(fd: int, limit: int) -> bytes:
    out = b""
    while len(out) < limit:
        readable, _, _ = select.select([fd], [], [], 0)
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
