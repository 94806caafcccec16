"""``grade validate``: the instructor's self-check before publishing.

It fails, with a list of precise problems, unless:
- the assignment table is consistent: every exercise has at least one public and one hidden
  check, graded checks have points and advisory checks have none, the points add up to the
  declared ``total`` (when one is declared), every check in the table exists in the code and
  every check in the code is in the table;
- public checks do not use the ``reference`` fixture (the student release has no solutions);
- ``exercises/`` is exactly what ``grade generate`` writes from ``solutions/``;
- the references get full marks (and no check fails with an error of its own);
- the stubs get zero, every exercise reported "not implemented yet";
- every check fails on at least one mutant in ``tests/mutants`` (a check that cannot fail,
  e.g. one weakened to ``assert True``, is reported with the mutants it let through);
- every correct alternative in ``tests/alternatives`` gets full marks (a check made too
  strict, e.g. ``atol=0`` against the reference, is reported with the answer it refused).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import _
from grader.reports import wording
from grader.course import mutants as mutants_mod
from grader.course import generate
from grader.judge.run import GradeRequest, RunInfo, checks_dir, run


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        self.problems.append(problem)


def validate(assignment, *, sandbox: str = "process", mutants_dir: Path | None = None,
             alternatives_dir: Path | None = None, progress=None) -> Report:
    from grader.sandbox.forkserver import ForkServer
    report = Report()
    say = progress or (lambda text: None)
    say(_("checking the assignment table"))
    _check_table(assignment, report)
    _check_public_checks_need_no_reference(assignment, report)
    say(_("checking that exercises/ matches solutions/"))
    for path in generate.stale(assignment.solutions_dir, assignment.stubs_dir, assignment.topics):
        report.add(_("{path} is out of date with solutions/: run `grade generate`", path=path))
    with ForkServer(mode=sandbox) as server:
        def grade(path, exercises=(), only=None, info=None):
            return run(GradeRequest(assignment, path, tuple(exercises), sandbox,
                                    only_checks=frozenset(only) if only else None,
                                    launcher=server.launch), info)
        say(_("grading the reference solutions"))
        info = RunInfo()
        result = grade(assignment.solutions_dir, info=info)
        for exercise in result.exercises:
            for check in exercise.checks:
                if check.status != "pass" and not check.advisory:
                    report.add(_("the reference fails {check} [{status}]: {message}",
                                 check=f"{exercise.name}.{check.name}",
                                 status=wording.check_status(check.status),
                                 message=check.message))
        for bug in info.check_bugs:
            report.add(_("a check raised an error of its own: {bug}", bug=bug))
        # the course's own table must list every check; another assignment file may pick a
        # subset of the checks on purpose
        for name in info.unlisted:
            if assignment.source.name == "pyproject.toml":
                report.add(_("check {name} is in the code but not in the assignment table",
                             name=name))
            else:
                report.notes.append(_("not in this assignment: {name}", name=name))
        report.notes.append(_("reference: {score} / {max_score}", score=f"{result.score:g}",
                              max_score=f"{result.max_score:g}"))
        say(_("grading the stubs"))
        stubs = grade(assignment.stubs_dir)
        for exercise in stubs.exercises:
            if exercise.score != 0:
                report.add(_("the stub of {name} gets {points} points", name=exercise.name,
                             points=f"{exercise.score:g}"))
            if exercise.status != "not-implemented":
                report.add(_("the stub of {name} is not reported as not implemented ({status})",
                             name=exercise.name,
                             status=wording.exercise_status(exercise.status)))
        _check_mutants(assignment, report, grade, mutants_dir, say)
        _check_alternatives(assignment, report, grade, alternatives_dir, say)
    return report


def _check_table(assignment, report: Report) -> None:
    import tomllib
    for exercise in assignment.exercises:
        visibilities = {c.visibility for c in exercise.checks}
        for needed in ("public", "hidden"):
            if needed not in visibilities:
                report.add(_("{name} has no public check", name=exercise.name)
                           if needed == "public" else
                           _("{name} has no hidden check", name=exercise.name))
        if exercise.max_points <= 0:
            report.add(_("{name} is worth no points", name=exercise.name))
    advisory = _advisory_checks(assignment)
    for exercise in assignment.exercises:
        for check in exercise.checks:
            is_advice = (exercise.name, check.name) in advisory
            if is_advice and check.points:
                report.add(_("{check} is advice but has {points} points",
                             check=f"{exercise.name}.{check.name}", points=f"{check.points:g}"))
            if not is_advice and check.points <= 0:
                report.add(_("{check} is graded but has no points",
                             check=f"{exercise.name}.{check.name}"))
    table = tomllib.loads(assignment.source.read_text())
    table = table.get("tool", {}).get("grader", table)
    declared = table.get("total")
    if set(table.get("exercises", {})) - set(assignment.names):
        declared = None         # `grade validate EXERCISE...`: a selection has no total
    if declared is not None and abs(declared - assignment.max_points) > 1e-9:
        report.add(_("the points add up to {points}, but total = {total}",
                     points=f"{assignment.max_points:g}", total=f"{declared:g}"))


def _check_functions(assignment):
    """(exercise, check name, function node, advisory) for every check in the check files."""
    for topic in assignment.topics:
        path = checks_dir(assignment) / f"{topic}.py"
        if not path.is_file():
            continue
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "check":
                    exercise = ast.literal_eval(decorator.args[0]) if decorator.args else None
                    keywords = {k.arg: k.value for k in decorator.keywords}
                    name = ast.literal_eval(keywords["name"]) if "name" in keywords else \
                        node.name.removeprefix("test_")
                    advisory = "advisory" in keywords and ast.literal_eval(keywords["advisory"])
                    yield exercise, name, node, advisory


def _advisory_checks(assignment) -> set:
    return {(e, n) for e, n, _node, advisory in _check_functions(assignment) if advisory}


def _check_public_checks_need_no_reference(assignment, report: Report) -> None:
    for exercise, name, node, _advisory in _check_functions(assignment):
        try:
            spec = assignment.exercise(exercise).check(name)
        except Exception:  # noqa: BLE001 - an exercise not in this assignment
            continue
        if spec and spec.visibility == "public" and \
                any(a.arg == "reference" for a in node.args.args):
            report.add(_("{check} is public but uses the reference solution (the student "
                         "release has none): compare with literals or torch instead",
                         check=f"{exercise}.{name}"))


def _check_mutants(assignment, report: Report, grade, mutants_dir, say) -> None:
    folder = Path(mutants_dir) if mutants_dir else assignment.root / "tests" / "mutants"
    found = [m for m in mutants_mod.discover(folder) if m.exercise in assignment.names] \
        if folder.is_dir() else []
    killed: dict[tuple[str, str], bool] = {}
    in_code = {(e, n) for e, n, _node, _advisory in _check_functions(assignment)}
    for index, mutant in enumerate(found, 1):
        say(_("mutant {index}/{count}: {mutant}", index=index, count=len(found), mutant=mutant.id))
        exercise = assignment.exercise(mutant.exercise)
        claimed = [k for k in mutant.kills if exercise.check(k)]
        for unknown in sorted(set(mutant.kills) - set(claimed)):
            if (mutant.exercise, unknown) not in in_code:   # else: left out of this assignment
                report.add(_("mutant {mutant} names an unknown check {check}",
                             mutant=mutant.id, check=unknown))
        if not claimed:
            continue
        files = mutants_mod.submission_files(mutant, assignment.solutions_dir, exercise.topic)
        import tempfile
        with tempfile.TemporaryDirectory(prefix="grader-mutant-") as tmp:
            for name, text in files.items():
                (Path(tmp) / name).write_text(text)
            result = grade(Path(tmp), (mutant.exercise,), claimed)
        statuses = {c.name: c.status for c in result.exercises[0].checks}
        for check in claimed:
            failed = statuses.get(check) != "pass"
            killed[(mutant.exercise, check)] = killed.get((mutant.exercise, check)) or failed
            if not failed:
                report.add(_("{check} passes on mutant {mutant} ({description}), which it "
                             "should catch", check=f"{mutant.exercise}.{check}",
                             mutant=mutant.id, description=mutant.description))
    for exercise in assignment.exercises:
        for check in exercise.checks:
            if (exercise.name, check.name) not in killed:
                report.add(_("{check} is not shown to fail: no mutant in {folder} names it on "
                             "its kills: line", check=f"{exercise.name}.{check.name}",
                             folder=folder))
    report.notes.append(_("{count} mutants", count=len(found)))


def _check_alternatives(assignment, report: Report, grade, alternatives_dir, say) -> None:
    """Every correct answer in tests/alternatives/<exercise>/ loses no point: a check that
    refuses one (too strict a tolerance, an unstated assumption) is reported."""
    import tempfile
    folder = Path(alternatives_dir) if alternatives_dir else \
        assignment.root / "tests" / "alternatives"
    found = sorted(p for p in folder.glob("*/*.py") if p.parent.name in assignment.names) \
        if folder.is_dir() else []
    for index, path in enumerate(found, 1):
        exercise = assignment.exercise(path.parent.name)
        alternative = mutants_mod.Mutant(exercise.name, path.stem, path, "", ())
        say(_("alternative {index}/{count}: {alternative}", index=index, count=len(found),
                alternative=alternative.id))
        files = mutants_mod.submission_files(alternative, assignment.solutions_dir,
                                             exercise.topic)
        with tempfile.TemporaryDirectory(prefix="grader-alternative-") as tmp:
            for name, text in files.items():
                (Path(tmp) / name).write_text(text)
            result = grade(Path(tmp), (exercise.name,))
        for check in result.exercises[0].checks:
            if check.status != "pass" and not check.advisory:
                report.add(_("{check} fails the correct alternative {alternative} ({path}) "
                             "[{status}]: {message}", check=f"{exercise.name}.{check.name}",
                             alternative=alternative.id, path=path,
                             status=wording.check_status(check.status),
                             message=check.message))
    report.notes.append(_("{count} alternatives", count=len(found)))
