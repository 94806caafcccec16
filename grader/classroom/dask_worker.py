"""The Dask worker's side of ``grade batch --scheduler``: a preload that keeps warm grading slots.

Start each worker of the course's cluster with the grader installed (the same checkout of the
course as the coordinator: same assignment table, checks and references) and this preload,
whose options follow ``--preload``::

    dask worker tcp://HOST:8786 --nthreads 1 --preload grader.classroom.dask_worker \\
        [--assignment PATH/pyproject.toml] [--sandbox auto|bwrap|process]

``--assignment`` (or ``GRADER_ASSIGNMENT``; ``preload_argv`` of a ``LocalCluster``) is the
worker's own course table (default: the course around the worker's working directory);
``--sandbox`` (``GRADER_WORKER_SANDBOX``) the mode of the slot warmed at
start (each task names the mode the coordinator requires).  One thread per worker process:
each thread grades one submission at a time in its own slot, and bubblewrap is the isolation.

:class:`GraderPlugin` (a Dask worker plugin) holds what a grading slot of
:mod:`grader.classroom.batch` holds on one machine: a judge process with its own warm fork
server, kept between submissions, replaced when a submission kills it.  :func:`grade_on_worker`
is the task the coordinator (:mod:`grader.classroom.cluster`) submits: it

* refuses, without grading, a task whose checks hash (assignment table, checks, references,
  grader version, limits) is not the one this worker has installed: a stale worker never
  grades with old checks; the refusal names both hashes, in the reply and the worker's log;
* refuses a task that requires bubblewrap on a worker that cannot start it, and every task
  when its course could not be loaded (such a worker joins, says why in its log and to the
  coordinator, and grades nothing);
* grades the submission the coordinator sent as bytes (:mod:`grader.classroom.payload`), in
  the sandbox on this machine, with the coordinator's limits and language, under the
  submission's time limit (past it, the slot is killed and every check decided in time keeps
  its verdict, as in local slots);
* raises :class:`GradingProcessDied` when the submission kills the slot, so that Dask's own
  ``retries`` decide whether it is tried again; if the submission kills the whole Dask worker,
  the scheduler re-runs it elsewhere, up to ``distributed.scheduler.allowed-failures``.

Shutdown: the plugin's teardown kills the idle slots (their fork servers and workers follow
them), 0.05-0.3 s measured; what a stopping ``dask worker`` spends after that (2-3 s on a
busy 2-core machine, the same without this preload) is Python finalizing the worker process
and then the nanny's (CPU only, no waiting: strace shows no blocking call), not anything
of the grader's.  A slot busy with a submission when the worker stops dies with the worker
process (multiprocessing ends its daemonic children), and the scheduler gives the task to
another worker.

Replies are plain dictionaries: ``{"result": <grade --format json document>, "seconds"}``,
``{"error": "..."}`` (grading raised), ``{"timeout": <partial result>}`` or
``{"refused": "..."}``, each with ``"worker"`` (the worker's address).
"""
from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import click
from distributed import WorkerPlugin

from grader.i18n import N_, _, current_language, language

PLUGIN_NAME = "dl-grader"
logger = logging.getLogger("grader.classroom.dask_worker")


class GradingProcessDied(RuntimeError):
    """The submission killed the grading slot (the judge process) on this worker."""


class GraderPlugin(WorkerPlugin):
    """Per Dask worker: the installed assignment, its checks hash, and warm grading slots."""

    name = PLUGIN_NAME

    def __init__(self, assignment: str | None = None, sandbox: str = "auto"):
        self.assignment_path = assignment
        self.sandbox = sandbox
        self.assignment = None
        self.broken: str | None = None        # why its course could not be loaded
        self.address = "?"
        self._hashes: dict = {}
        self._idle: dict = {}                 # _key() -> [Future of a Slot]
        self._lock = threading.Lock()
        # slots are started from this one long-lived thread: a slot's parent-death signal
        # follows the thread that started it, and Dask may retire its task threads
        self._spawner: ThreadPoolExecutor | None = None

    # ------------------------------------------------------------------ Dask's hooks
    def setup(self, worker=None):
        from grader import assignment as assignment_mod
        from grader.errors import GraderError
        from grader.sandbox import harden, process as sandbox_mod
        _allow_children()
        # this process holds the cluster's connections: its /proc files stay closed to a
        # worker running as the same user (process mode), as the judge's are
        harden.not_dumpable()
        self.address = getattr(worker, "address", "?")
        try:
            self.assignment = assignment_mod.load(self.assignment_path)
        except GraderError as exc:      # joins the cluster, says why, and grades nothing
            self.broken = str(exc)
            logger.error("dl-grader on %s grades nothing: %s", self.address, exc)
            return
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="grader-slots")
        try:
            mode = sandbox_mod.resolve_mode(self.sandbox)
        except GraderError as exc:      # tasks of another mode are still graded
            logger.warning("dl-grader on %s: no slot warmed: %s", self.address, exc)
            return
        logger.info("dl-grader on %s: assignment %s, checks hash %s, sandbox %s",
                    self.address, self.assignment.source,
                    self.checks_hash(self.assignment.limits)[:12], mode)
        self._warm(mode, self.assignment)

    def teardown(self, worker=None):
        with self._lock:
            futures = [future for idle in self._idle.values() for future in idle]
            self._idle.clear()
        for future in futures:
            future.result().kill()
        if self._spawner is not None:
            self._spawner.shutdown(wait=False)

    # ------------------------------------------------------------------ what is installed
    def assignment_for(self, limits: dict, language: str | None = None):
        """This worker's assignment with the coordinator's limits (``--memory-mb``) and
        language (``--lang``): settings of the run, not of the course."""
        from grader.sandbox.process import Limits
        return replace(self.assignment, limits=Limits(**limits),
                       language=language or self.assignment.language)

    def checks_hash(self, limits) -> str:
        from dataclasses import asdict
        from grader.classroom.batch import checks_hash
        limits = limits if isinstance(limits, dict) else asdict(limits)
        key = tuple(sorted(limits.items()))
        if key not in self._hashes:
            self._hashes[key] = checks_hash(self.assignment_for(limits))
        return self._hashes[key]

    # ------------------------------------------------------------------ slots
    # The idle list holds futures of slots: one being warmed is waited for, not doubled (two
    # judges importing torch at once on a small machine cost more than one after the other).
    def _warm(self, mode: str, assignment) -> None:
        """Start a slot in the background and keep it for the next submission."""
        from grader.classroom.batch import Slot
        context = multiprocessing.get_context("spawn")
        future = self._spawner.submit(Slot, context, assignment, mode)
        with self._lock:
            self._idle.setdefault(_key(mode, assignment), []).append(future)

    def _take(self, mode: str, assignment):
        key = _key(mode, assignment)
        for _ in range(3):
            with self._lock:
                idle = self._idle.get(key) or []
                future = idle.pop(0) if idle else None
            if future is None:
                self._warm(mode, assignment)
                continue
            slot = future.result()
            if slot.process.is_alive():
                return slot
            slot.kill()
        raise GradingProcessDied(f"{self.address}: a grading slot died as it started, 3 times")

    def _give_back(self, slot, mode: str, assignment) -> None:
        future = Future()
        future.set_result(slot)
        with self._lock:
            self._idle.setdefault(_key(mode, assignment), []).append(future)

    # ------------------------------------------------------------------ one submission
    def _refuse(self, task: dict, message: str, **values) -> dict:
        """The reply refusing ``task``, in the coordinator's language (it shows it), and the
        same in this worker's log."""
        with language(task.get("language") or current_language()):
            text = _(message, address=self.address, **values)
        logger.warning("dl-grader refused %s: %s", task.get("label"), text)
        return {"refused": text, "worker": self.address}

    def grade(self, task: dict) -> dict:
        from grader.classroom import batch
        from grader.errors import GraderError
        from grader.sandbox import process as sandbox_mod
        if self.broken:
            return self._refuse(task, N_("the course could not be loaded on this worker "
                                         "({address}): {error}"), error=self.broken)
        ours = self.checks_hash(task["limits"])
        if ours != task["checks_hash"]:
            return self._refuse(task, N_(
                "stale checks: this worker ({address}) has checks hash {ours}, the coordinator "
                "{theirs}; it grades nothing until its course and grader match the "
                "coordinator's (update them, then restart the worker)"),
                ours=ours[:12], theirs=task["checks_hash"][:12])
        try:
            with language(task.get("language") or current_language()):
                mode = sandbox_mod.resolve_mode(task["sandbox"])
        except GraderError as exc:
            return self._refuse(task, N_("{address}: {error}"), error=str(exc))
        assignment = self.assignment_for(task["limits"], task.get("language"))
        entry = batch.Entry(student=task["label"], name=task["label"], label=task["label"],
                            notes=list(task["notes"]))
        slot = self._take(mode, assignment)
        timeout = task["timeout"]
        slot.give(entry, timeout, extra={"payload": task["payload"],
                                         "content_hash": task["content_hash"]})
        while True:
            remaining = slot.deadline - time.monotonic()
            reply = batch._drain(slot) if slot.conn.poll(max(0.0, remaining)) else {}
            if reply is None:                           # the submission killed the slot
                slot.kill()
                self._warm(mode, assignment)
                raise GradingProcessDied(
                    f"grading {task['label']} killed the grader process on {self.address}")
            if reply:
                slot.entry = None
                self._give_back(slot, mode, assignment)
                logger.info("dl-grader graded %s in %.1f s", task["label"],
                            reply.get("seconds", 0.0))
                return dict(reply, worker=self.address)
            if time.monotonic() >= slot.deadline:
                done = slot.checks
                slot.kill()
                self._warm(mode, assignment)
                return {"timeout": batch.partial_result(assignment, entry, done, timeout),
                        "seconds": timeout, "worker": self.address}


def _key(mode: str, assignment) -> tuple:
    """What a slot was started with: a task needs a slot started the same way."""
    return mode, assignment.limits, assignment.language


def _allow_children() -> None:
    """Dask starts worker processes as daemons, and multiprocessing refuses a daemon any
    children; a grading slot is a child of the worker (it still dies with the worker: the
    slot's parent-death signal)."""
    process = multiprocessing.current_process()
    if process.daemon:
        process._config["daemon"] = False


def _plugin(worker) -> GraderPlugin | None:
    return worker.plugins.get(PLUGIN_NAME)


def grade_on_worker(task: dict) -> dict:
    """The task the coordinator submits (see the module docstring for ``task`` and the reply)."""
    from distributed import get_worker
    worker = get_worker()
    plugin = _plugin(worker)
    if plugin is None:
        with language(task.get("language") or current_language()):
            text = _("{address} was started without the grader's preload (dask worker "
                     "--preload grader.classroom.dask_worker)", address=worker.address)
        return {"refused": text, "worker": worker.address}
    return plugin.grade(task)


def installed_checks(limits: dict, dask_worker=None) -> str | None:
    """This worker's checks hash for ``limits`` (None without the preload, ``{"broken": why}``
    when its course could not be loaded): what the
    coordinator asks every worker before it submits anything (``Client.run``)."""
    plugin = _plugin(dask_worker)
    if plugin is None:
        return None
    return {"broken": plugin.broken} if plugin.broken else plugin.checks_hash(limits)


class _PreloadCommand(click.Command):
    """``dask_setup``'s command line, mended where ``dask worker`` took its first option.

    ``dask worker`` hands the arguments that follow ``--preload`` to this command, but its own
    optional first argument (the scheduler address) takes the first of them when the address is
    not on the command line (``--scheduler-file``, ``DASK_SCHEDULER_ADDRESS``): ``--assignment
    X`` would reach this command as a stray ``X``, and the address would be ``--assignment``.
    The option taken is given back here: in the ``dask worker`` process, from its own command
    context (whose scheduler address is then unset again, so that the file or the environment
    gives it); in each worker process (spawned by the nanny, with the same ``sys.argv``), from
    the command line."""

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, self._mend(list(args)))

    def _mend(self, args: list[str]) -> list[str]:
        outer = click.get_current_context(silent=True)
        if outer is not None and outer.command is not self and "scheduler" in outer.params:
            taken = outer.params["scheduler"]
            if isinstance(taken, str) and self._is_ours(taken):
                outer.params["scheduler"] = None
                return [taken, *args]
            return args
        return _from_command_line(self, args)

    def _is_ours(self, token: str) -> bool:
        names = [name for param in self.params for name in param.opts if name.startswith("-")]
        return any(token == name or token.startswith(name + "=") for name in names)


def _from_command_line(command: _PreloadCommand, args: list[str]) -> list[str]:
    """``args`` with the option ``dask worker`` took as its scheduler address put back: the
    first of this command's options on a ``dask worker`` command line, when ``args`` does not
    start with it."""
    import os
    import sys
    argv = list(sys.argv)
    program = os.path.basename(argv[0]) if argv else ""
    is_worker = (program == "dask" and argv[1:2] == ["worker"]) or program in (
        "dask-worker", "dask_worker.py")
    if not is_worker:
        return args
    first = next((token for token in argv[1:] if command._is_ours(token)), None)
    if first is None or args[:1] == [first]:
        return args
    return [first, *args]


@click.command(cls=_PreloadCommand)
@click.option("--assignment", envvar="GRADER_ASSIGNMENT", default=None,
              type=click.Path(exists=True),
              help="The course's assignment table on this worker [default: the course around "
                   "the working directory].")
@click.option("--sandbox", envvar="GRADER_WORKER_SANDBOX",
              type=click.Choice(["auto", "bwrap", "process"]), default="auto",
              show_default=True, help="The mode of the slot warmed at start.")
async def dask_setup(worker, assignment, sandbox):
    """``dask worker --preload grader.classroom.dask_worker [--assignment PATH] [--sandbox
    MODE]``: install the grader's plugin."""
    _show_log()
    reply = await worker.plugin_add(GraderPlugin(assignment, sandbox), name=PLUGIN_NAME,
                                    catch_errors=False)
    return reply


def _show_log() -> None:
    """This module's log lines (the checks hash installed, refusals) in the worker's log, with
    Dask's own: Dask configures a handler for its ``distributed`` loggers only."""
    if logger.handlers:
        return
    for handler in logging.getLogger("distributed").handlers:
        logger.addHandler(handler)
    if logger.handlers:
        logger.setLevel(logging.INFO)
        logger.propagate = False
