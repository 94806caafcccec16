"""One grading run: discover -> start the worker -> run the checks -> score.

:func:`run` is the single entry point the CLI, the batch grader and the tests call.  The
worker is started before the judge imports pytest, hypothesis and torch, so that the two
imports overlap on a two-core machine.
"""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from grader.sandbox import process as sandbox
from grader.submission import discover
from grader.assignment import Assignment
from grader.sandbox.client import WorkerPool
from grader.errors import ConfigError, InternalError
from grader.i18n import _
from grader.judge.score import CheckResult, ExerciseResult, GradeResult


@dataclass
class GradeRequest:
    assignment: Assignment
    submission: Path
    exercises: tuple[str, ...] = ()
    sandbox: str = "auto"
    only_checks: frozenset | None = None          # check names (tests use this to go faster)
    progress: Callable[[int, int, str], None] | None = None
    launcher: Callable | None = None              # how to start a worker (batch: a fork server)
    jobs: int = 1                                 # judge processes sharing the exercises
    label: str | None = None                      # what reports call the submission (batch:
                                                  # the entry's name, never a temporary path)
    notes: tuple = ()                             # found before discovery (zip unpacking)
    trace_causes: bool = True                     # a shard leaves that to its coordinator
    # each check's result as soon as it is known (batch: what a time limit must not lose)
    on_check: Callable[[CheckResult], None] | None = None
    # the language of every message the judge writes ("en", "zh_CN"; grader/i18n.py); None:
    # the assignment's language (the CLI resolved it there), else this process's current one
    language: str | None = None
    # the submission already read by a coordinator (a Dask worker grades what was sent to it,
    # not a path on its own machine: grader/classroom/payload.py); None: read `submission`
    loaded: discover.Submission | None = None


@dataclass
class RunInfo:
    """What a run learnt besides the result: for validate and benchmarks."""
    check_bugs: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    # diagnosis attempts: (exercise, outcome, seconds, mistake or None)
    diagnoses: list[tuple] = field(default_factory=list)


def checks_dir(assignment: Assignment) -> Path:
    import grader.checks
    return assignment.checks_dir or Path(grader.checks.__file__).parent


MIN_EXERCISES_PER_JOB = 4


def run(request: GradeRequest, info: RunInfo | None = None) -> GradeResult:
    """Grade ``request``; every message of the result is in the request's language.

    Raises UsageError, before anything starts, when ``request.exercises`` or
    ``request.only_checks`` names an exercise or check the assignment does not have (a typo
    is never a silent ``0 / 0``)."""
    from grader import i18n
    lang = request.language or request.assignment.language or i18n.current_language()
    with i18n.language(lang):
        request.assignment.select(request.exercises).select_checks(request.only_checks)
        return _run(replace(request, language=lang), info)


def _run(request: GradeRequest, info: RunInfo | None) -> GradeResult:
    assignment = request.assignment.select(request.exercises)
    jobs = min(request.jobs, len(assignment.exercises) // MIN_EXERCISES_PER_JOB)
    if jobs > 1 and request.launcher is None:
        result = _run_sharded(request, assignment, jobs, info)
        if request.trace_causes:
            _trace_causes(result, discover.load(request.submission, request.assignment.names),
                          request.assignment)
        return result
    # What the worker sees never depends on the selection (or on how --jobs shares it out):
    # a notebook keeps the definitions every exercise of the assignment needs, and the worker
    # watches the same built-ins, whichever exercises this run grades.
    whole = request.assignment
    submission = request.loaded or discover.load(request.submission, whole.names,
                                                 all_names=whole.names)
    mode = sandbox.resolve_mode(request.sandbox)
    files = _check_files(assignment)
    located = {e.name: submission.locate(e.name, e.topic)[0] for e in assignment.exercises}
    forbidden = sorted({f for e in whole.exercises for f in e.forbidden})
    server = None
    launcher = request.launcher
    if launcher is None:
        # one warm template per run: it imports torch while the judge starts, then forks a
        # fresh worker for every exercise in milliseconds
        from grader.sandbox.forkserver import ForkServer
        server = ForkServer(mode=mode, forbidden=forbidden)
        launcher = server.launch
    pool = WorkerPool({n: [u.module] for n, u in located.items() if u is not None},
                      {n: u.module for n, u in located.items() if u is not None},
                      submission.write, assignment.limits, mode, forbidden, launcher)
    try:
        plugin = _run_checks(assignment, submission, pool, files, request)
    finally:
        pool.close()
        if server is not None:
            server.close()
    if plugin.fatal is not None:
        raise plugin.fatal
    if plugin.collection_errors:
        raise InternalError(_("the checks could not be collected:\n{errors}",
                              errors="\n".join(plugin.collection_errors)))
    missing = [f"{e}.{c}" for e, c in plugin.expected if (e, c) not in plugin.results]
    if missing:
        raise ConfigError(_("the assignment lists checks that do not exist in {folder}: "
                            "{checks}", folder=checks_dir(assignment), checks=", ".join(missing)))
    if info is not None:
        info.check_bugs += plugin.check_bugs
        info.unlisted += plugin.unlisted
        info.diagnoses += plugin.diagnoses
    exercises = []
    for spec in assignment.exercises:
        results: list[CheckResult] = [plugin.results[(spec.name, c.name)] for c in spec.checks
                                      if (spec.name, c.name) in plugin.results]
        advice = [r.message for r in results if r.advisory and r.status == "fail" and r.message]
        exercises.append(ExerciseResult(spec.name, spec.topic, results, advice))
    hidden = _hidden_elsewhere(assignment)
    # the submission by its name, never a path of the grading machine (JSON, pages, text)
    shown = request.label or Path(request.submission).name or str(request.submission)
    result = GradeResult(assignment.shown_title, shown, exercises,
                         hidden, calls=pool.requests, workers=pool.started_workers,
                         notes=list(request.notes) + submission.notes)
    if request.trace_causes:
        _trace_causes(result, submission, request.assignment)
    return result


def _trace_causes(result: GradeResult, submission, whole: Assignment) -> None:
    """A failure caused by another exercise says so (grader/judge/diagnosis.py)."""
    from grader.judge.diagnosis import trace_causes
    trace_causes(result, submission, whole.names)


def _hidden_elsewhere(assignment: Assignment) -> dict | None:
    """In a student release: the hidden checks of the graded exercises (not run here)."""
    per_exercise = [e.hidden_elsewhere for e in assignment.exercises if e.hidden_elsewhere]
    if per_exercise:
        return {"checks": sum(c for c, _ in per_exercise),
                "points": sum(p for _, p in per_exercise)}
    return assignment.hidden_elsewhere or None


def _check_files(assignment: Assignment) -> list[Path]:
    folder = checks_dir(assignment)
    files = []
    for topic in assignment.topics:
        path = folder / f"{topic}.py"
        if not path.is_file():
            raise ConfigError(_("no checks for topic {topic}: expected {path}",
                                topic=repr(topic), path=path))
        _refuse_redefinitions(path)
        files.append(path)
    return files


def _refuse_redefinitions(path: Path) -> None:
    stat = path.stat()
    _scan_redefinitions(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=None)
def _scan_redefinitions(path: str, mtime_ns: int, size: int) -> None:
    """A second ``def test_x`` in a check file would silently replace the first check.
    (Cached by file identity: a batch slot grades hundreds of submissions with one file.)"""
    import ast
    seen: dict[str, int] = {}
    for node in ast.parse(Path(path).read_text(), path).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in seen:
                raise ConfigError(_("{path}:{line}: {name} is defined twice (the first, line "
                                    "{first}, would be lost); give one of them another name, "
                                    "and @check(..., name=...) if needed", path=path,
                                    line=node.lineno, name=node.name, first=seen[node.name]))
            seen[node.name] = node.lineno


def _run_checks(assignment, submission, pool, files, request):
    import pytest
    import torch
    # the judge's tensors are tiny: one thread is much faster than a contended thread pool
    torch.set_num_threads(1)

    from grader.judge.plugin import GraderPlugin
    signatures = {}
    for topic in assignment.topics:
        stub = assignment.stubs_dir / f"{topic}.py"
        source = stub.read_text() if stub.is_file() else ""
        signatures[topic] = discover.signatures(source)
    plugin = GraderPlugin(assignment, pool, submission, signatures,
                          None if request.only_checks is None else set(request.only_checks),
                          request.progress)
    plugin.on_check = request.on_check
    args = ["-c", os.devnull, "--rootdir", str(checks_dir(assignment)),
            "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise",
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler",
            "-p", "no:logging",
            "--assert=plain", "--noconftest", "--import-mode=importlib",
            "-o", "python_files=*.py", "-W", "ignore", "--capture=sys",
            *[str(f) for f in files]]
    saved = {k: os.environ.get(k) for k in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    scratch = _private_hypothesis()
    try:
        code = pytest.main(args, plugins=[plugin])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if code not in (0, 1, 5) and not plugin.collection_errors:
        plugin.collection_errors.append(f"pytest stopped with exit code {int(code)}")
    return plugin


def _private_hypothesis() -> str:
    """Hypothesis, as the judge uses it, writes nothing where grading runs and draws the same
    examples whatever was graded before or alongside.

    * Its storage (``.hypothesis/`` in the current folder by default, where a student runs
      ``grade``) goes to a private temporary folder, removed after the run.
    * It biases 5% of its draws towards constants found in the source of every "local"
      module loaded so far (hypothesis.internal.conjecture.providers): which check files and
      references are loaded depends on the exercises selected and on how ``--jobs`` shares
      them out, so the examples would too.  That pool is kept empty: the examples depend only
      on the check (derandomized), never on the selection.
    """
    from hypothesis import configuration

    from grader.sandbox.leftovers import make_temp_dir
    # claimed by this process: removed with it even when its slot is killed (leftovers.py)
    scratch = make_temp_dir("grader-hypothesis-")
    configuration.set_hypothesis_home_dir(scratch)
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:           # a hypothesis without local constants: nothing to pin
        return scratch
    if hasattr(providers, "_get_local_constants") and hasattr(providers, "Constants"):
        empty = providers.Constants()
        providers._get_local_constants = lambda: empty
        cache = getattr(providers, "CONSTANTS_CACHE", None)
        if cache is not None and hasattr(cache, "cache"):
            cache.cache.clear()          # permitted values computed with the old pool
    return scratch


# --------------------------------------------------------------------------- sharding
def _shard_main(conn, request: GradeRequest, peers: tuple = ()) -> None:
    """One judge process grading its share of the exercises (spawned by _run_sharded).
    ``peers``: the fork server's ends of the judges' connections, not yet handed over when
    this judge was forked: closed here at once (see ForkServer.attach_later)."""
    for peer in peers:
        peer.close()
    def progress(done, total, exercise):
        conn.send(("progress", done, total, exercise))
    request.progress = progress
    info = RunInfo()
    try:
        result = run(request, info)
        conn.send(("result", result, info))
    except BaseException as exc:  # noqa: BLE001 - reported to the coordinating process
        conn.send(("error", exc if isinstance(exc, Exception) else RuntimeError(repr(exc))))
    finally:
        conn.close()


def import_judge() -> None:
    """What every judge imports, done once before the judges are forked (see _run_sharded)."""
    import torch
    torch.set_num_threads(1)
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401

    import grader.judge.api  # noqa: F401 - checking, strategies, values, hypothesis.extra
    import grader.judge.diagnosis  # noqa: F401
    import grader.judge.plugin  # noqa: F401
    # What is imported lives as long as the process: out of the collector's sight, a full
    # collection no longer walks those ~190,000 objects (a cold whole-lesson judge spent
    # 1.0-1.3 s of its CPU in collections, 0.3-0.5 s after), and a judge forked from here
    # (_run_sharded) no longer writes to every page it shares with its parent when collecting.
    import gc
    gc.freeze()


def _checks_of(share: Assignment, only_checks: frozenset | None) -> frozenset | None:
    """The part of a ``--checks`` selection that names checks of ``share`` (one judge's
    exercises): it may be empty, which runs none of them, never all."""
    if only_checks is None:
        return None
    return frozenset(only_checks) & {c.name for e in share.exercises for c in e.checks}


def _run_sharded(request: GradeRequest, assignment: Assignment, jobs: int,
                 info: RunInfo | None) -> GradeResult:
    """Grade the exercises in ``jobs`` judge processes at once, then merge.

    One judge and its worker take turns (a check waits for the worker and vice versa), so a
    single submission uses about one core; two judges use two.  The judges are forked from
    this process once it has imported what they need (without waiting for the fork server
    to warm up: each judge collects its checks meanwhile), and share its one fork server: a
    second judge costs its share of the checks, not a second start-up.  Every exercise gets the same
    result however the exercises are shared out: each has a fresh worker, and every random
    choice is derived from the check itself.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    from grader.sandbox import process as sandbox_mod
    from grader.sandbox.forkserver import ForkServer
    # Start-up is paid once and shared: one fork server (it imports torch while this process
    # imports the judge's libraries), then the judges are forked from this process with
    # those imports done, each with a connection of its own to the one fork server.
    # (Linux only: elsewhere, forking after torch's import is not safe (macOS), and each
    # judge is spawned with a fork server of its own, as before.)
    shared = sys.platform.startswith("linux")
    mode = sandbox.resolve_mode(request.sandbox)
    whole = request.assignment
    server = ForkServer(mode=mode, forbidden=sorted({f for e in whole.exercises
                                                     for f in e.forbidden})) if shared else None
    handles: list = []
    peers: list = []
    conns, processes, progress = [], [], {}
    try:
        if shared:
            import_judge()
            # the judges start now, while the template may still be warming up (torch, the
            # first optimizer step: about a second after the judge's own imports): each has
            # its connection at once, and waits on it only when it first needs a worker
            for _job in range(jobs):
                handle, peer = server.attach_later()
                handles.append(handle)
                peers.append(peer)
        context = multiprocessing.get_context("fork" if shared else "spawn")
        names = assignment.names
        for index in range(jobs):
            share = tuple(names[index::jobs])
            mine, theirs = context.Pipe()
            process = context.Process(target=_shard_main, daemon=True, args=(
                theirs, replace(request, exercises=share, jobs=1, progress=None,
                                trace_causes=False, sandbox=mode,
                                only_checks=_checks_of(assignment.select(share),
                                                       request.only_checks),
                                launcher=handles[index].launch if shared else None),
                tuple(peers)))
            process.start()
            sandbox_mod.register_own_child(process.pid)
            theirs.close()
            conns.append(mine)
            processes.append(process)
        while peers:
            try:
                server.hand_over(peers.pop(0))
            except RuntimeError as exc:      # the server did not start, or ended: never the
                raise InternalError(_(       # student's fault (as WorkerSession.start says it)
                    "could not start a worker: {error}", error=exc)) from exc
    except BaseException:
        for peer in peers:
            peer.close()
        for process in processes:
            process.kill()
        for handle in handles:
            handle.close()
        if server is not None:
            server.close()
        raise
    results: dict[int, tuple] = {}
    try:
        while len(results) < jobs:
            for conn in wait([c for i, c in enumerate(conns) if i not in results]):
                index = conns.index(conn)
                try:
                    message = conn.recv()
                except EOFError:
                    raise InternalError(_("a judge process died while grading")) from None
                if message[0] == "progress":
                    progress[index] = message[1:3]
                    if request.progress:
                        request.progress(sum(d for d, _total in progress.values()),
                                         sum(t for _done, t in progress.values()), message[3])
                elif message[0] == "error":
                    raise message[1]
                else:
                    results[index] = message[1:]
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
            sandbox_mod.unregister_own_child(process.pid)
        for handle in handles:
            handle.close()
        if server is not None:
            server.close()
        if shared:
            # import_judge froze this process's heap for the judges forked from it; a process
            # that grades again (a test, a notebook) collects its garbage as before
            import gc
            gc.unfreeze()
    by_name = {e.name: e for result, _info in results.values() for e in result.exercises}
    if info is not None:
        for _result, shard_info in results.values():
            info.check_bugs += shard_info.check_bugs
            info.unlisted += shard_info.unlisted
            info.diagnoses += shard_info.diagnoses
    first = results[0][0]
    return GradeResult(first.assignment, first.submission, [by_name[n] for n in names],
                       _hidden_elsewhere(assignment),   # all shards' exercises, not the first's
                       calls=sum(r.calls for r, _info in results.values()),
                       workers=sum(r.workers for r, _info in results.values()), notes=first.notes)
