"""Every mutant (a realistic wrong implementation) loses exactly the checks it claims to."""
from __future__ import annotations

import pytest

from grader.course import mutants as mutants_mod

from conftest import MUTANTS, statuses

ALL = mutants_mod.discover(MUTANTS)


def test_every_check_is_killed_by_some_mutant(course):
    killed = {(m.exercise, k) for m in ALL for k in m.kills}
    missing = [f"{e.name}.{c.name}" for e in course.exercises for c in e.checks
               if (e.name, c.name) not in killed and any(m.exercise == e.name for m in ALL)]
    assert not missing, f"checks no mutant kills: {missing}"


def test_mutants_name_real_checks(course):
    for mutant in ALL:
        exercise = course.exercise(mutant.exercise)
        unknown = [k for k in mutant.kills if exercise.check(k) is None]
        assert not unknown, f"{mutant.id} claims to kill unknown checks {unknown}"


@pytest.mark.parametrize("mutant", ALL, ids=[m.id for m in ALL])
def test_mutant_is_caught(grade, course, mutant):
    exercise = course.exercise(mutant.exercise)
    files = mutants_mod.submission_files(mutant, course.solutions_dir, exercise.topic)
    result = grade(files=files, exercises=(mutant.exercise,), only_checks=mutant.kills)
    got = statuses(result, mutant.exercise)
    survived = [k for k in mutant.kills if got[k] == "pass"]
    assert not survived, f"{mutant.id} passes {survived}: {got}"
    # a mutant is a wrong answer, never a crash of the grader
    for check in next(e for e in result.exercises if e.name == mutant.exercise).checks:
        assert check.status in ("pass", "fail", "error"), (check.name, check.status, check.message)
        if check.status != "pass":
            assert check.message, f"{mutant.id}: {check.name} failed without a message"
