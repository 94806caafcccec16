"""Diagnosis: naming the student's mistake from the course's catalogue of known mistakes.

When an exercise fails, the judge compares the student's answers with the answers of each
catalogued mistake of that exercise (``tests/mutants/<exercise>/<name>.py`` by default; the
``mistakes`` path of the assignment table) on the same inputs: first the call each failing
check ended on, then other calls the checks made, preferring those on which the remaining
candidates disagree.  If exactly one mistake reproduces every answer compared, and on at least
one of them its answer differs from the reference's (the evidence), the feedback says so in
the words of the mistake's description, written for the student.  Anything less (two
candidates left, a call that cannot be replayed, the replay budget spent) gives no diagnosis:
a wrong diagnosis is worse than none.  The work is bounded by a count of replays, never by
time, so the same submission always gets the same diagnosis.

Mistakes are trusted course material, like the references: they run here, in the judge
(a mistake module is the topic's reference with the mistake's code appended, exactly as
``grade validate`` grades it), never in the student's worker.  The student's side only ever
sent values; the judge replays the same requests (same arguments, same seed) on each mistake.

:func:`traced_causes` is the other half: a failing exercise whose definition calls another
exercise that fails its own checks is told to fix that one first.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import io
import math
import signal
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox import wire

MAX_ENTRIES_PER_CHECK = 24      # calls kept per check (the last one always)
CONFIRMATIONS = 4               # calls compared after the failing ones, even with one candidate
MAX_REPLAYS = 120               # mistake-calls replayed per failing exercise; more = no diagnosis
CALL_SECONDS = 10.0             # one replayed call (only a hanging mistake reaches it)
BIG_CALL = 200_000              # calls with more argument elements are compared only if failing
RTOL, ATOL = 1e-4, 1e-5         # answers this close are "the same answer"


# --------------------------------------------------------------------------- recording
@dataclass(eq=False)
class Entry:
    """One request the checks sent to the worker, and what came back (plain values only)."""
    check: str
    hidden: bool
    op: str                     # "call" | "scenario"
    name: str                   # function name, or the scenario's name
    source: str | None          # a scenario's source
    args: tuple
    kwargs: dict
    seed: int
    outcome: tuple              # ("value", v) | ("error", type name) | ("mismatch",)
    seconds: float = 0.0


class Transcript:
    """The requests of one exercise's checks, recorded by :class:`CheckContext`."""

    def __init__(self):
        self.entries: dict[str, list[Entry]] = {}
        self.last: dict[str, Entry] = {}

    def record(self, check: str, hidden: bool, message: dict, outcome: tuple,
               seconds: float = 0.0) -> None:
        try:
            args = copy.deepcopy(tuple(message.get("args", ())))
            kwargs = copy.deepcopy(dict(message.get("kwargs", {})))
        except Exception:  # noqa: BLE001 - an argument that cannot be copied is not replayed
            return
        entry = Entry(check, hidden, message.get("op", "call"), str(message.get("name")),
                      message.get("source"), args, kwargs, int(message.get("seed", 0)),
                      outcome, seconds)
        kept = self.entries.setdefault(check, [])
        if len(kept) < MAX_ENTRIES_PER_CHECK:
            kept.append(entry)
        self.last[check] = entry


# --------------------------------------------------------------------------- the catalogue
@dataclass(frozen=True)
class Mistake:
    exercise: str
    name: str
    path: Path
    sentence: str               # what the student reads


def catalogue(folder: Path | None, exercise: str) -> list["Mistake"]:
    """The catalogued mistakes of ``exercise`` (files ``folder/<exercise>/*.py``), each with
    its sentence in the current language (domain ``mistakes``, ``folder/locale``)."""
    if folder is None:
        return []
    from grader.course.mutants import describe
    from grader.i18n import mistake_text
    found = []
    for path in sorted((Path(folder) / exercise).glob("*.py")):
        try:
            # in the current language: the catalogue's own translations (<folder>/locale)
            sentence = mistake_text(describe(path, exercise), folder)
        except (OSError, SyntaxError, ValueError):
            continue
        if sentence:
            found.append(Mistake(exercise, path.stem, path, sentence))
    return found


_MODULES: dict = {}


def mistake_module(mistake: Mistake, reference_path: Path):
    """The topic's reference with the mistake appended, as a module of the judge (cached)."""
    try:
        key = (str(mistake.path), mistake.path.stat().st_mtime_ns, str(reference_path),
               reference_path.stat().st_mtime_ns)
    except OSError:
        return None
    if key not in _MODULES:
        from grader.course.mutants import with_mistake
        source = with_mistake(reference_path.read_text(), mistake.path.read_text(),
                              f"{mistake.exercise}/{mistake.name}")
        name = f"grader_mistake_{mistake.exercise}_{mistake.name}"
        module = types.ModuleType(name)
        module.__file__ = str(mistake.path)
        sys.modules[name] = module
        try:
            with _quiet():
                exec(compile(source, str(mistake.path), "exec"), module.__dict__)
        except Exception:  # noqa: BLE001 - a broken catalogue entry is skipped, never fatal
            module = None
        _MODULES[key] = module
    return _MODULES[key]


# --------------------------------------------------------------------------- replaying
class _TooSlow(Exception):
    pass


def replay(module, entry: Entry) -> tuple | None:
    """What ``module`` (a mistake or the reference) answers to ``entry``'s request, as the
    worker would have sent it back; None when it cannot be replayed here."""
    import torch
    from grader.sandbox.scenario_lib import namespace
    try:
        if entry.op == "scenario":
            if not entry.source:
                return None
            env = namespace(module)
            exec(compile(entry.source, f"<scenario {entry.name}>", "exec"), env)
            target = env[entry.name]
        else:
            target = getattr(module, entry.name)
    except Exception:  # noqa: BLE001
        return None
    args, kwargs = copy.deepcopy(entry.args), copy.deepcopy(entry.kwargs)
    state, threads = torch.random.get_rng_state(), torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(entry.seed)
    import random
    random.seed(entry.seed)
    try:
        with _quiet(), _deadline(CALL_SECONDS):
            value = target(*args, **kwargs)
        outcome = ("value", _as_sent(value))
    except _TooSlow:
        return None
    except Exception as exc:  # noqa: BLE001 - the mistake's own exception is an answer
        outcome = ("mismatch",) if type(exc).__name__ == "Mismatch" else \
            ("error", type(exc).__name__)
    finally:
        torch.random.set_rng_state(state)
        torch.set_num_threads(threads)
    return outcome


def _as_sent(value):
    """The value as the worker's reply would carry it (tensors, numbers, Opaque, ...)."""
    try:
        frame = wire.encode({"v": value})
        return wire.decode(frame[8:])["v"]
    except Exception:  # noqa: BLE001
        return wire.Opaque(type(value).__name__, "", "not plain data")


@contextlib.contextmanager
def _quiet():
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def _deadline(seconds: float):
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _TooSlow()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def same(a: tuple, b: tuple) -> bool:
    """Two outcomes are the same answer (values within RTOL/ATOL, NaN where NaN)."""
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return a[1] == b[1]
    if a[0] == "mismatch":
        return True
    return _same_value(a[1], b[1])


def _same_value(x, y) -> bool:
    import torch
    if isinstance(x, torch.Tensor) or isinstance(y, torch.Tensor):
        if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)):
            return False
        if tuple(x.shape) != tuple(y.shape) or x.is_complex() != y.is_complex():
            return False
        if x.dtype == torch.bool or y.dtype == torch.bool:
            return x.dtype == y.dtype and bool(torch.equal(x, y))
        kind = torch.complex128 if x.is_complex() else torch.float64
        return bool(torch.allclose(x.to(kind), y.to(kind), rtol=RTOL, atol=ATOL, equal_nan=True))
    if isinstance(x, bool) or isinstance(y, bool):
        return type(x) is type(y) and x == y
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=RTOL, abs_tol=ATOL)
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(_same_value(p, q) for p, q in zip(x, y))
    if isinstance(x, dict) and isinstance(y, dict):
        return set(x) == set(y) and all(_same_value(x[k], y[k]) for k in x)
    if isinstance(x, wire.Opaque) or isinstance(y, wire.Opaque):
        return isinstance(x, wire.Opaque) and isinstance(y, wire.Opaque) and \
            x.type_name == y.type_name
    try:
        return type(x) is type(y) and bool(x == y)
    except Exception:  # noqa: BLE001
        return False


# --------------------------------------------------------------------------- diagnosing
@dataclass
class Diagnosis:
    mistake: Mistake
    compared: int                       # calls compared
    public_only: bool                   # every call compared came from a public check
    seconds: float = 0.0


@dataclass
class Attempt:
    """What one diagnosis attempt did (for benchmarks): None or the diagnosis, and why."""
    diagnosis: Diagnosis | None
    reason: str
    seconds: float
    candidates: list[str] = field(default_factory=list)


def diagnose(transcript: Transcript, failing: list[str], mistakes: list[Mistake],
             reference, reference_path: Path, budget: int = MAX_REPLAYS) -> Attempt:
    """The one catalogued mistake that reproduces the student's answers, if exactly one does.

    ``failing``: the failing checks, in the report's order (their last calls are compared
    first); ``reference``: the reference module (the evidence is an answer that differs
    from it); ``reference_path``: its file (each mistake is appended to it).
    """
    started = time.perf_counter()
    if not mistakes or not failing:
        return Attempt(None, "nothing to compare", 0.0)
    modules = {}
    for mistake in mistakes:
        module = mistake_module(mistake, reference_path)
        if module is not None:
            modules[mistake] = module
    primary = list({id(e): e for e in (transcript.last[c] for c in failing
                                        if c in transcript.last)}.values())
    if not primary:
        return Attempt(None, "no failing call recorded", time.perf_counter() - started)
    others = _others(transcript, primary)
    alive = list(modules)
    evidence: set = set()
    compared = []
    confirmations = 0
    queue = list(primary)
    replays = [0]
    while queue or others:
        if replays[0] > budget:
            return Attempt(None, "replay budget spent", time.perf_counter() - started,
                           [m.name for m in alive])
        if queue:
            entry = queue.pop(0)
        else:
            if len(alive) <= 1 and confirmations >= CONFIRMATIONS:
                break
            entry = _most_telling(others, alive, modules, replays) if len(alive) > 1 \
                else others.pop(0)
            confirmations += 1
        answers = {}
        for mistake in alive:
            replays[0] += 1
            answer = replay(modules[mistake], entry)
            if answer is None:
                return Attempt(None, "a call could not be replayed",
                               time.perf_counter() - started, [m.name for m in alive])
            answers[mistake] = answer
        alive = [m for m in alive if same(answers[m], entry.outcome)]
        compared.append(entry)
        if alive and any(m not in evidence for m in alive):
            right = replay(reference, entry)
            for mistake in alive:
                if right is not None and not same(answers[mistake], right):
                    evidence.add(mistake)
        if not alive:
            return Attempt(None, "no catalogued mistake matches", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if len(alive) != 1:
        return Attempt(None, "ambiguous", seconds, [m.name for m in alive])
    if confirmations < min(CONFIRMATIONS, len(_others(transcript, primary))):
        return Attempt(None, "too few calls to confirm", seconds, [alive[0].name])
    if alive[0] not in evidence:
        return Attempt(None, "no answer differs from the reference", seconds, [alive[0].name])
    found = Diagnosis(alive[0], len(compared), all(not e.hidden for e in compared), seconds)
    return Attempt(found, "diagnosed", seconds, [alive[0].name])


def _others(transcript: Transcript, primary: list[Entry]) -> list[Entry]:
    """The other recorded calls, alternating between checks, small ones only."""
    taken = {id(e) for e in primary}
    lists = [[e for e in entries if id(e) not in taken and _size(e) <= BIG_CALL
              and e.outcome[0] != "mismatch"]
             for _, entries in sorted(transcript.entries.items())]
    out = []
    while any(lists):
        for entries in lists:
            if entries:
                out.append(entries.pop(0))
    return out


def _size(entry: Entry) -> int:
    import torch
    total = 0
    stack = [*entry.args, *entry.kwargs.values()]
    while stack:
        item = stack.pop()
        if isinstance(item, torch.Tensor):
            total += item.numel()
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return total


def _most_telling(others: list[Entry], alive, modules, replays: list, look: int = 4) -> Entry:
    """Among the next few calls, the one on which the candidates split into most groups."""
    best, best_score = 0, -1
    for index, entry in enumerate(others[:look]):
        answers = []
        for mistake in alive:
            replays[0] += 1
            answer = replay(modules[mistake], entry)
            if answer is None:
                continue
            answers.append(answer)
        groups: list[tuple] = []
        for answer in answers:
            if not any(same(answer, g) for g in groups):
                groups.append(answer)
        if len(groups) > best_score:
            best, best_score = index, len(groups)
        if best_score == len(alive):
            break
    return others.pop(best)


# --------------------------------------------------------------------------- causes elsewhere
def called_exercises(source: str, name: str, exercises: set[str]) -> list[str]:
    """The other exercises that ``name``'s definition in ``source`` calls, directly or through
    the module's own helper functions (parsing only: nothing runs)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    defs = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs[node.name] = node      # the last definition wins, as when the module runs
    if name not in defs:
        return []
    found, seen, todo = [], {name}, [defs[name]]
    while todo:
        node = todo.pop()
        # a parameter or local variable that happens to share an exercise's name (the
        # `dropout` probability of an attention layer) is not a call of that exercise
        local = {a.arg for a in ast.walk(node) if isinstance(a, ast.arg)} | \
            {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store)}
        for sub in ast.walk(node):
            used = sub.id if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) \
                else None
            if used is None or used in seen or used in local:
                continue
            seen.add(used)
            if used in exercises:
                found.append(used)      # graded on its own: what it calls is its business
            elif used in defs:
                todo.append(defs[used])
    return sorted(set(found), key=found.index)


def cause_sentence(exercise: str, culprits: list[tuple[str, str]]) -> str:
    """``culprits``: (name, status) of the called exercises that are not complete."""
    from grader.i18n import _
    parts = []
    for name, status in culprits:
        if status == "not-implemented":
            parts.append(_("your {name}, which {exercise} calls and which is not implemented "
                           "yet", name=name, exercise=exercise))
        else:
            parts.append(_("your {name}, which {exercise} calls and which fails its own "
                           "checks", name=name, exercise=exercise))
    names = _(" and ").join(name for name, _status in culprits)
    return _("this failure comes from {causes}: fix {names} first, then grade {exercise} "
             "again", causes=_(" and from ").join(parts), names=names, exercise=exercise)


def trace_causes(result, submission, names: list[str]) -> None:
    """Say where a failure caused elsewhere comes from (in place, on ``result``).

    A failing exercise whose definition calls another exercise of the assignment (``names``,
    the whole assignment's, whatever was selected) that is not complete in this run is told
    to fix that one first, on its first failing check; a catalogued diagnosis of it is
    dropped, since the catalogue assumes the exercises it calls are right.  When a called
    exercise was not graded in this run nothing is known about it, and a catalogued
    diagnosis is dropped too (never a wrong diagnosis): grade the whole lesson for both.
    """
    status = {e.name: e.status for e in result.exercises}
    for exercise in result.exercises:
        if exercise.status in ("complete", "not-implemented", "unavailable"):
            continue
        unit, _ = submission.locate(exercise.name, exercise.topic)
        if unit is None:
            continue
        callees = called_exercises(unit.source, exercise.name, set(names) - {exercise.name})
        if not callees:
            continue
        culprits = [(c, status[c]) for c in callees if c in status and status[c] != "complete"]
        unknown = [c for c in callees if c not in status]
        failing = [c for c in exercise.checks if not c.advisory and c.status != "pass"]
        for check in exercise.checks:
            if (culprits or unknown) and check.feedback is not None and check.feedback.diagnosis:
                check.feedback.diagnosis = None
        if culprits and failing:
            from grader.judge.score import Feedback
            target = next((c for c in failing if c.visibility == "public"), failing[0])
            if target.feedback is None:
                target.feedback = Feedback()
            target.feedback.diagnosis = cause_sentence(exercise.name, culprits)
