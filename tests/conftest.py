"""Shared fixtures: the course, and grading a submission built from files in a temp folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import assignment as assignment_mod
from grader import i18n
from grader.judge.run import GradeRequest, run

ROOT = Path(__file__).resolve().parent.parent

# The suite expects English wherever it does not ask for a language: `grade` follows the
# locale (README "Translations"), so a machine whose locale is Chinese runs it in C.UTF-8.
if i18n.locale_language() not in (None, "en"):
    import os
    os.environ["LC_ALL"] = "C.UTF-8"
MUTANTS = ROOT / "tests" / "mutants"


@pytest.fixture(autouse=True)
def _language_restored():
    """Each test starts in the language the suite started in: a test that runs the CLI in
    process with --lang zh_CN (which sets the process's language) must not leave the next
    test, whichever it is under pytest-xdist's distribution, reading Chinese."""
    before = i18n.current_language()
    yield
    i18n.set_language(before)


@pytest.fixture(scope="session")
def course():
    return assignment_mod.load(ROOT / "pyproject.toml")


@pytest.fixture(scope="session")
def published_release(tmp_path_factory, course):
    """`grade publish` of the course, once per test session (the student release, the
    autograder, their zips); tests that change a copy unzip it first."""
    from grader.course import publish
    return publish.publish(course, tmp_path_factory.mktemp("published") / "release")


@pytest.fixture(scope="session")
def forkserver():
    """One warm template process for the whole test session: workers start in milliseconds."""
    from grader.sandbox.forkserver import ForkServer
    server = ForkServer()
    yield server
    server.close()


@pytest.fixture
def grade(course, tmp_path, forkserver):
    """grade(files={"dropout.py": "..."}, exercises=(...)) -> GradeResult.

    ``base="solutions"`` starts from a copy of the reference files (then ``files`` replace or
    extend them); ``base=None`` starts empty.
    """
    def _grade(files=None, exercises=(), base=None, only_checks=None, info=None, path=None,
               fresh_process=False, assignment=None):
        submission = path or tmp_path / "submission"
        if path is None:
            submission.mkdir(exist_ok=True)
            if base == "solutions":
                for file in course.solutions_dir.glob("*.py"):
                    shutil.copy(file, submission / file.name)
            for name, text in (files or {}).items():
                (submission / name).write_text(text)
        launcher = None if fresh_process else forkserver.launch
        return run(GradeRequest(assignment or course, submission, tuple(exercises), sandbox="process",
                                only_checks=frozenset(only_checks) if only_checks else None,
                                launcher=launcher), info)
    return _grade


def write_assignment(path: Path, checks: dict[str, list[str]], call_timeout: float = 10,
                     title: str = "Test assignment", import_seconds: float | None = None) -> Path:
    """A small assignment TOML over the real course: only these exercises and checks;
    ``import_seconds``: one module's import deadline (the sandbox's default where None)."""
    from grader import assignment as assignment_mod
    course = assignment_mod.load(ROOT / "pyproject.toml")
    lines = ["[tool.grader]", f'title = "{title}"', f"call_timeout = {call_timeout}",
             "[tool.grader.paths]", f'solutions = "{ROOT}/solutions"',
             f'stubs = "{ROOT}/exercises"']
    if import_seconds is not None:
        lines += ["[tool.grader.limits]", f"import_seconds = {import_seconds}"]
    for name, names in checks.items():
        spec = course.exercise(name)
        lines += [f"[tool.grader.exercises.{name}]", f'topic = "{spec.topic}"',
                  f"forbidden = {list(spec.forbidden)!r}".replace("'", '"'),
                  f"[tool.grader.exercises.{name}.checks]"]
        for check in names:
            c = spec.check(check)
            lines.append(f'{check} = {{ points = {c.points}, visibility = "{c.visibility}" }}')
    path.write_text("\n".join(lines) + "\n")
    return path


def statuses(result, exercise):
    ex = next(e for e in result.exercises if e.name == exercise)
    return {c.name: c.status for c in ex.checks}


def exercise_of(result, exercise):
    return next(e for e in result.exercises if e.name == exercise)
