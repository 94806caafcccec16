"""The reference gets full marks, the stubs get zero, and grading is deterministic."""
from __future__ import annotations

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def reference_result(course, forkserver):
    from grader.judge.run import GradeRequest, RunInfo, run
    info = RunInfo()
    result = run(GradeRequest(course, course.solutions_dir, sandbox="process",
                              launcher=forkserver.launch), info)
    return result, info


def test_reference_gets_full_marks(reference_result):
    result, info = reference_result
    failing = [(e.name, c.name, c.status, c.message) for e in result.exercises for c in e.checks
               if c.status != "pass" and not c.advisory]
    assert not failing
    assert result.score == result.max_score > 0
    assert not info.check_bugs and not info.unlisted


def test_runs_ten_times_more_inputs_than_the_anchors(reference_result):
    # the anchors (otter-grader, nbgrader) run about 24 fixed inputs for these exercises
    result, _ = reference_result
    assert result.calls >= 240


def test_stubs_get_zero_with_not_implemented(grade, course):
    result = grade(path=course.stubs_dir)
    assert result.score == 0
    for exercise in result.exercises:
        assert exercise.status == "not-implemented", exercise.to_dict()
        assert exercise.message == "not implemented yet"


def test_same_submission_same_json(grade, tmp_path):
    wrong = (ROOT / "tests" / "mutants" / "corr2d" / "flipped_kernel.py").read_text()
    files = {"convolution.py": (ROOT / "solutions" / "convolution.py").read_text() + wrong}
    first = grade(files=files, base="solutions", exercises=("corr2d", "dropout")).to_json()
    second = grade(files=files, base="solutions", exercises=("corr2d", "dropout")).to_json()
    assert first == second
    assert '"status": "fail"' in first
