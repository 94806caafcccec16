"""The pytest plugin object that turns a pytest session into check results.

Registered by :func:`grader.judge.run.run` for one in-process pytest session over the check files.
It selects the checks the assignment lists, provides the ``student`` and ``reference``
fixtures, seeds every check, and turns each test's outcome (never its traceback or source)
into a :class:`grader.judge.score.CheckResult`.  What is the same for every submission is
computed once per judge process: the checks' hypothesis digests (grader/judge/reuse.py) and
the examples of a check that passed, replayed for the next submission instead of generated
again (grader/judge/replay.py).
"""
from __future__ import annotations

import functools
import importlib.util
import random
import sys
from pathlib import Path

import pytest

from grader.i18n import _, check_text
from grader.judge import error_hints, replay, reuse, values
from grader.sandbox.client import WorkerFault
from grader.errors import InternalError
from grader.judge.deadlines import ReferenceCosts
from grader.judge.diagnosis import Transcript
from grader.judge.score import CheckResult, Feedback
from grader.judge.student import (CheckContext, Failure, Hung, NotImplementedYet, Student,
                                  StudentCrash, StudentError, StudentProblem, StudentTimeout,
                                  Unavailable, describe_error, import_hint)

_SPEC = pytest.StashKey()
_CONTEXT = pytest.StashKey()


class GraderPlugin:
    def __init__(self, assignment, pool, submission, signatures: dict,
                 only_checks: set | None = None, progress=None):
        self.assignment = assignment
        self.pool = pool
        self.submission = submission
        self.signatures = signatures
        self.only_checks = only_checks
        self.progress = progress
        self.on_check = None            # called with each CheckResult as it is decided
        self.results: dict[tuple[str, str], CheckResult] = {}
        self.collection_errors: list[str] = []
        self.check_bugs: list[str] = []
        self.unlisted: list[str] = []
        self.fatal: InternalError | None = None
        self.expected: list[tuple[str, str]] = []
        self._references: dict[str, object] = {}
        self.transcripts: dict[str, Transcript] = {}
        self.shape_hints: dict[str, str] = {}     # exercise -> the hint of its shape check
        self.diagnoses: list[tuple[str, str, float, str | None]] = []   # for benchmarks
        self.hung: dict[str, Hung] = {}           # exercise -> its functions that timed out
        self._total = 0
        self._last_item: dict = {}
        # a slow call's limit from the reference's cost on its input (grader/judge/deadlines.py)
        self.costs = ReferenceCosts(self.reference_if_present)

    # ----------------------------------------------------------------- collection
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "grader(exercise, hint, advisory): a graded check")

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")

    def pytest_collection_modifyitems(self, session, config, items):
        wanted = {e.name: e for e in self.assignment.exercises}
        keep, drop = [], []
        for item in items:
            marker = item.get_closest_marker("grader")
            if marker is None:
                self.collection_errors.append(f"{item.nodeid}: a check needs @check(exercise)")
                drop.append(item)
                continue
            exercise = wanted.get(marker.kwargs.get("exercise"))
            name = marker.kwargs.get("name") or check_name(item)
            if exercise is None or (self.only_checks is not None
                                     and name not in self.only_checks):
                drop.append(item)
                continue
            spec = exercise.check(name)
            if spec is None:
                self.unlisted.append(f"{exercise.name}.{name}")
                drop.append(item)
                continue
            item.stash[_SPEC] = (exercise, spec, marker.kwargs)
            if "shape" in name and marker.kwargs.get("hint"):
                self.shape_hints.setdefault(exercise.name, marker.kwargs["hint"])
            _stop_shrinking_after_poison(item)
            reuse.pin_digest(item.obj)     # once per judge process (grader/judge/reuse.py)
            item.repr_failure = _exception_only
            keep.append(item)
        self.expected = [(e.name, c.name) for e in self.assignment.exercises for c in e.checks
                         if self.only_checks is None or c.name in self.only_checks]
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep
        self._total = len(keep)
        # an exercise's worker is released after its last check
        self._last_item = {item.stash[_SPEC][0].name: item for item in keep}

    # ----------------------------------------------------------------- fixtures
    @pytest.fixture(autouse=True)
    def _grader_seed(self):
        import torch

        from grader.sandbox.worker import seed_torch
        seed_torch(torch, 0)          # torch.manual_seed(0), without its per-call stack traces
        random.seed(0)
        yield

    @pytest.fixture
    def student(self, request):
        exercise, spec, _marker = request.node.stash[_SPEC]
        unit, problem = self.submission.locate(exercise.name, exercise.topic)
        session = self.pool.session(exercise.name)
        hint = None
        if unit is not None:
            problem = self.import_problem(unit, session)
            hint = self.import_hint(unit, session) if problem else None
        context = CheckContext(session, exercise, f"{exercise.name}.{spec.name}",
                               self.signatures.get(exercise.topic, {}), self.where, problem,
                               spec, self.hung.setdefault(exercise.name, Hung()), self.costs)
        request.node.stash[_CONTEXT] = context
        context.transcript = self.transcripts.setdefault(exercise.name, Transcript())
        if problem:
            raise Unavailable(problem, hint=hint)
        return Student(context)

    @pytest.fixture
    def student_source(self, request):
        """The text of the exercise's definition in the submission (for static advice)."""
        exercise, _spec, _marker = request.node.stash[_SPEC]
        unit, problem = self.submission.locate(exercise.name, exercise.topic)
        if unit is None:
            raise Unavailable(problem or _("{name} is not defined", name=exercise.name))
        return SourceView(unit, exercise.name)

    @pytest.fixture
    def reference(self, request):
        exercise, spec, _marker = request.node.stash[_SPEC]
        return self.reference_module(exercise.topic, f"{exercise.name}.{spec.name}",
                                     spec.visibility)

    def reference_module(self, topic: str, check: str | None = None,
                         visibility: str = "hidden"):
        if topic not in self._references:
            path = Path(self.assignment.solutions_dir) / f"{topic}.py"
            if not path.is_file():
                who = _("check {check}", check=check) if check else _("this check")
                if visibility == "public":
                    why = _("public checks run in the student release, where the solutions "
                            "are not: a public check must not use `reference`")
                else:
                    why = _("it is a hidden check, graded where the solutions are: check the "
                            "`solutions` path of [tool.grader.paths] (relative to the folder "
                            "of the assignment TOML) and that solutions/ has this topic's file")
                raise InternalError(_("{who} needs the reference solution {file}, which is not "
                                      "in {folder}; {why}", who=who, file=f"{topic}.py",
                                      folder=path.parent, why=why))
            name = f"grader_reference_{topic}"
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            self._references[topic] = module
        return self._references[topic]

    def reference_if_present(self, topic: str):
        """The topic's reference module, or None where there is none (a student release)."""
        if not (Path(self.assignment.solutions_dir) / f"{topic}.py").is_file():
            return None
        return self.reference_module(topic)

    def import_problem(self, unit, session) -> str | None:
        """Why the unit's module cannot be used by the worker, if it cannot."""
        try:
            session.wait_ready()
        except WorkerFault as fault:
            raise InternalError(_("the worker could not start: {detail}\n{output}",
                                  detail=fault.detail, output=fault.output))
        fault = session.imports.faults.get(unit.module)
        if fault is not None:
            return _("importing {file} failed: {fault}", file=unit.origin, fault=fault.detail)
        error = session.imports.errors.get(unit.module)
        if error is not None:
            return describe_error(error, self.where, imported=unit.origin)
        return None

    def import_hint(self, unit, session) -> str | None:
        """The hint that fits why the unit's module could not be imported (its exception)."""
        error = session.imports.errors.get(unit.module)
        return import_hint(error) if isinstance(error, dict) else None

    def where(self, file: str, line) -> str:
        module = file[:-3] if file.endswith(".py") else file
        unit = self.submission.units.get(module)
        line = line if isinstance(line, int) else None
        return unit.where(line) if unit else f"{file}, line {line}"

    # ----------------------------------------------------------------- running
    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        """A property check that passed before in this process replays its examples instead
        of generating them again (grader/judge/replay.py); None: pytest runs it."""
        if not replay.ENABLED:
            return None
        funcargs = {name: pyfuncitem.funcargs[name]
                    for name in pyfuncitem._fixtureinfo.argnames}

        def swallowed():
            context = pyfuncitem.stash.get(_CONTEXT, None)
            return context.swallowed if context is not None else None
        return True if replay.run_check(pyfuncitem.obj, funcargs, swallowed) else None

    # ----------------------------------------------------------------- outcomes
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        yield
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            exercise, spec, marker = item.stash[_SPEC]
            result = self.classify(item, exercise, spec, marker,
                                   call.excinfo.value if call.excinfo else None)
            self.results[(exercise.name, spec.name)] = result
            if self.on_check:
                self.on_check(result)
            if self.progress:
                self.progress(len(self.results), self._total, exercise.name)
        if call.when == "teardown" and self._last_item.get(item.stash[_SPEC][0].name) is item:
            self.pool.release(item.stash[_SPEC][0].name)
            try:
                self.diagnose(item.stash[_SPEC][0])
            except Exception as exc:  # noqa: BLE001 - a diagnosis is extra: never lose a grade
                self.diagnoses.append((item.stash[_SPEC][0].name,
                                       f"diagnosis failed: {type(exc).__name__}: {exc}", 0.0,
                                       None))

    def diagnose(self, exercise) -> None:
        """Name the student's mistake, if exactly one catalogued mistake explains the answers
        (grader/judge/diagnosis.py); the sentence goes on the first failing check."""
        from grader.judge import diagnosis
        transcript = self.transcripts.pop(exercise.name, None)
        results = [self.results[(exercise.name, c.name)] for c in exercise.checks
                   if (exercise.name, c.name) in self.results]
        graded = [r for r in results if not r.advisory]
        failing = [r for r in graded if r.status in ("fail", "error")]
        # only with every check run: the diagnosis must not depend on a --checks selection
        if (transcript is None or not failing or self.only_checks is not None
                or any(r.status == "not-implemented" or r.unavailable for r in graded)):
            return
        reference_path = Path(self.assignment.solutions_dir) / f"{exercise.topic}.py"
        mistakes = diagnosis.catalogue(self.assignment.mistakes_dir, exercise.name)
        if not mistakes or not reference_path.is_file():
            return
        attempt = diagnosis.diagnose(transcript, [r.name for r in failing], mistakes,
                                     self.reference_module(exercise.topic), reference_path)
        found = attempt.diagnosis
        self.diagnoses.append((exercise.name, attempt.reason, attempt.seconds,
                               found.mistake.name if found else None))
        if found is None:
            return
        target = next((r for r in failing if r.visibility == "public"), failing[0])
        sentence = found.mistake.sentence     # in the student's language (diagnosis.catalogue)
        text = _("known mistake: {sentence}", sentence=sentence[:1].lower() + sentence[1:])
        if target.feedback is None:
            target.feedback = Feedback()
        target.feedback.diagnosis = values.scrub(text)

    def classify(self, item, exercise, spec, marker, exc) -> CheckResult:
        # the check's description and hints in the student's language (domain ``checks``,
        # msgid the English text: the docstring's first line, the hint= string)
        doc = check_text((item.obj.__doc__ or spec.name).strip().splitlines()[0])
        result = CheckResult(exercise.name, spec.name, doc, "pass", spec.points, spec.visibility,
                             bool(marker.get("advisory")))
        context = item.stash.get(_CONTEXT, None)
        if context is not None and context.swallowed is not None and (
                exc is None or _is_flaky(_unwrap(exc))):
            # a poison met while shrinking (a timeout, the check's budget spent) makes the
            # failing example pass the next time: hypothesis calls that flaky; it is the poison
            exc = context.swallowed
        if exc is None:
            return result
        exc = _unwrap(exc)
        last = context.last_call.describe() if context and context.last_call else None
        if isinstance(exc, StudentProblem):
            result.status = exc.status
            result.message = exc.message
            result.unavailable = isinstance(exc, Unavailable)
            call = exc.call.describe() if exc.call else None
            if isinstance(exc, Unavailable) and exc.hint:
                # the file does not import: what that kind of error usually means
                result.feedback = Feedback(hint=exc.hint)
            if not isinstance(exc, (NotImplementedYet, Unavailable)):
                # the student's code raised: a hint that fits the kind of error
                hint = error_hints.hint_for_error(exc.type_name, exc.detail) \
                    if isinstance(exc, StudentError) else None
                result.feedback = Feedback(call=call, output=exc.output or None, hint=hint)
        elif isinstance(exc, AssertionError):
            result.status = "fail"
            if isinstance(exc, Failure):
                result.message = exc.rationale
                result.feedback = Feedback(call=last, expected=exc.expected, actual=exc.actual,
                                           details=exc.details,
                                           hint=self.hint_for(exc, exercise, spec, marker),
                                           output=(context.last_stdout or None) if context else None)
            else:
                result.message = str(exc).strip() or _("the check failed")
                result.feedback = Feedback(call=last, hint=_hint(marker.get("hint")))
        elif _is_flaky(exc):
            result.status = "fail"
            result.message = _("gave different results for the same input: the answer must "
                               "not depend on hidden state or unseeded randomness")
            result.feedback = Feedback(call=last, hint=_hint(marker.get("hint")))
        elif isinstance(exc, InternalError):
            self.fatal = exc
            result.status = "error"
            result.message = str(exc)
        else:
            self.check_bugs.append(f"{exercise.name}.{spec.name}: {type(exc).__name__}: {exc}")
            result.status = "error"
            error = type(exc).__name__ + ": " + str(exc)
            result.message = values.scrub(_("the check could not evaluate the answer ({error})",
                                            error=error))[:1000]
            result.feedback = Feedback(call=last) if last else None
        if result.message:
            result.message = values.scrub(result.message)
        return result


    def hint_for(self, failure: Failure, exercise, spec, marker) -> str | None:
        """The hint that fits the failure observed: the failure's own, else the check's for a
        wrong value; for a wrong shape or type, the exercise's shape hint (a check's hint is
        written for the mistake it targets, not for a shape that is already wrong)."""
        if failure.help:
            return _hint(failure.help)
        # a check that ran the student's network in a scenario reports the exception it caught
        # as what came back ("RuntimeError: mat1 and mat2 shapes ..."): the error's own hint
        raised = error_hints.hint_for_reported(failure.actual)
        if raised:
            return raised
        own = marker.get("hint") or None
        if getattr(failure, "kind", "value") == "value" or "shape" in spec.name:
            return _hint(own)
        return _hint(self.shape_hints.get(exercise.name))


class SourceView:
    """A read-only view of one definition in the student's source."""

    def __init__(self, unit, name: str):
        from grader.submission.discover import definition_source
        self.unit, self.name = unit, name
        self.text, self.first_line = definition_source(unit.source, name) or ("", 1)

    def where(self, line_in_definition: int) -> str:
        return self.unit.where(self.first_line + line_in_definition - 1)


_POISONS = (NotImplementedYet, Unavailable, StudentTimeout, StudentCrash)


def _exception_only(excinfo, style=None) -> str:
    """A failing check's report text: the exception's last line.  The verdict is built from
    the exception itself (:meth:`GraderPlugin.classify`), so pytest's own report, which parses
    the check file and formats every frame's arguments (tensors included), went unread and
    cost up to a third of grading a wrong submission."""
    return excinfo.exconly()


def _stop_shrinking_after_poison(item) -> None:
    """Once a property check is poisoned (not implemented, unavailable, timed out, crashed),
    every further example fails the same way: shrinking would only replay it thousands of
    times.  The inner test (hypothesis's documented hook for wrapping) records the problem
    and lets the remaining examples pass; the plugin reports the recorded problem."""
    hypothesis = getattr(item.obj, "hypothesis", None)
    inner = getattr(hypothesis, "inner_test", None)
    if inner is None or getattr(inner, "_grader_swallows_poison", False):
        return

    def guarded(*args, **kwargs):
        # Always run the body (a poisoned call fails at once, without the worker): an example
        # must draw the same data every time it runs, or hypothesis reports it as flaky.
        student = kwargs.get("student")
        context = getattr(student, "_ctx", None) if student is not None else None
        try:
            return inner(*args, **kwargs)
        except _POISONS as problem:
            if context is None:
                raise
            if context.swallowed is None:
                context.swallowed = problem

    def inner_test(*args, **kwargs):
        # recorded, or ended as a replay did (grader/judge/replay.py)
        return replay.example(inner_test, guarded, args, kwargs)
    inner_test._grader_swallows_poison = True
    functools.update_wrapper(inner_test, inner)
    hypothesis.inner_test = inner_test


def check_name(item) -> str:
    name = getattr(item, "originalname", None) or item.name
    return name[5:] if name.startswith("test_") else name


def _unwrap(exc: BaseException) -> BaseException:
    """Hypothesis reports flaky failures as exception groups: find the student's problem."""
    if isinstance(exc, BaseExceptionGroup):
        inner = list(_leaves(exc))
        for candidate in inner:
            if isinstance(candidate, StudentProblem):
                return candidate
        if _is_flaky(exc):
            return exc
        return inner[0] if inner else exc
    return exc


def _leaves(group):
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            yield from _leaves(exc)
        else:
            yield exc


def _is_flaky(exc) -> bool:
    from hypothesis.errors import Flaky
    return isinstance(exc, Flaky)


def _hint(text: str | None) -> str | None:
    """A check's hint in the student's language (domain ``checks``; msgid its English text)."""
    return check_text(text) if text else None
