"""Correct answers written differently from the reference get full marks (and no advice when
they claim ``advice: none``)."""
from __future__ import annotations

import pytest

from grader.course import mutants as mutants_mod

from conftest import ROOT, exercise_of

FOLDER = ROOT / "tests" / "alternatives"
ALTERNATIVES = sorted(FOLDER.glob("*/*.py"))


@pytest.mark.parametrize("path", ALTERNATIVES, ids=[f"{p.parent.name}/{p.stem}"
                                                    for p in ALTERNATIVES])
def test_alternative_gets_full_marks(grade, course, path):
    exercise = course.exercise(path.parent.name)
    alternative = mutants_mod.Mutant(exercise.name, path.stem, path, "", ())
    files = mutants_mod.submission_files(alternative, course.solutions_dir, exercise.topic)
    result = exercise_of(grade(files=files, exercises=(exercise.name,)), exercise.name)
    wrong = [(c.name, c.status, c.message) for c in result.checks
             if c.status != "pass" and not c.advisory]
    assert not wrong and result.score == result.max_score
    if "advice: none" in path.read_text():
        assert result.advice == [], result.advice
