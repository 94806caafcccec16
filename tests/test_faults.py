"""Whatever the student's code does to its own process, the judge grades on.

Each test is a submission that misbehaves in one exercise; that exercise gets the named
status and a message, the other exercises are graded normally (full marks here, since the
rest of the submission is the reference).
"""
from __future__ import annotations

import textwrap

import pytest

from conftest import exercise_of, statuses

def corr2d_file(body: str, header: str = "import torch\n") -> dict:
    code = header + "\n\ndef corr2d(X, K):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    return {"convolution.py": code}


def assert_isolated(result, exercise="corr2d"):
    for other in result.exercises:
        if other.name != exercise:
            assert other.score == other.max_score, (other.name, other.to_dict())


@pytest.fixture
def quick(course):
    """The course with short time limits, so that hanging submissions fail fast."""
    from dataclasses import replace
    exercises = tuple(replace(e, call_timeout=2.0) for e in course.exercises)
    return replace(course, exercises=exercises,
                   limits=replace(course.limits, import_seconds=3.0))


@pytest.fixture
def grade_corr2d(grade, quick):
    """Grade corr2d (misbehaving) next to pool2d (the reference) with a few checks each."""
    def _grade(files, **kw):
        kw.setdefault("assignment", quick)
        return grade(files=files, base="solutions", exercises=("corr2d", "pool2d"),
                     only_checks={"book_example", "matches_conv2d", "output_shape",
                                  "book_example_max", "max_matches_max_pool2d"}, **kw)
    return _grade


@pytest.mark.parametrize("body, status, words", [
    ("import os\nos._exit(3)\n", "crash", "exited with status 3"),
    ("import ctypes\nctypes.string_at(0)\n", "crash", "segmentation fault"),
    ("while True:\n    pass\n", "timeout", "did not finish"),
    ("raise SystemExit(1)\n", "error", "exit(1)"),
    ("return [[1.0]]\n", "fail", "should be a tensor"),
    ("class T(torch.Tensor):\n    pass\nreturn torch.zeros(1, 1).as_subclass(T)\n",
     "fail", "subclass of torch.Tensor"),
    ("return torch.full((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1), "
     "float('nan'))\n", "fail", "nan"),
    ("print('x' * 10_000_000)\nreturn X\n", "fail", "wrong shape"),
    ("import torch.nn.functional as F\nF.conv2d = lambda *a, **k: None\n"
     "torch.testing.assert_close = lambda *a, **k: None\nreturn torch.zeros(1)\n",
     "fail", "wrong shape"),
    ("return X[100]\n", "error", "IndexError"),
])
def test_misbehaving_corr2d(grade_corr2d, body, status, words):
    result = grade_corr2d(corr2d_file(body))
    got = statuses(result, "corr2d")
    assert got["book_example"] == status, exercise_of(result, "corr2d").to_dict()
    check = exercise_of(result, "corr2d").checks[0]
    text = " ".join(filter(None, [check.message, *(check.feedback.to_dict().values()
                                                    if check.feedback else [])]))
    assert words in text, text
    assert_isolated(result)


def test_timeout_poisons_the_check_instead_of_hanging_while_shrinking(grade, quick):
    """matches_conv2d is a hypothesis check: without poisoning, shrinking would re-run the
    hanging call once per shrink step (2 s each here).  Counted, not timed (a busy machine
    stretches the seconds, never the count): the call that hung is the only one sent to a
    worker.  (Graded alone: after another check's timeout, the exercise's hung function is
    not called at all, and shrinking would not be tried.)"""
    from dataclasses import replace
    # a check budget of 5 calls' time: a grader that re-runs the call stops after 5, not 30
    brief = replace(quick, exercises=tuple(replace(e, check_timeout=10.0)
                                           for e in quick.exercises))
    result = grade(files=corr2d_file("while True:\n    pass\n"), exercises=("corr2d",),
                   only_checks={"matches_conv2d"}, assignment=brief)
    assert statuses(result, "corr2d") == {"matches_conv2d": "timeout"}
    assert result.calls == 1, f"{result.calls} calls sent: the hanging call was re-run"


def test_exception_at_import_names_the_file_and_line(grade_corr2d):
    files = {"convolution.py": "import torch\n\nx = 1 / 0\n\ndef corr2d(X, K):\n    return X\n"}
    result = grade_corr2d(files)
    ex = exercise_of(result, "corr2d")
    assert ex.status == "unavailable" and ex.score == 0
    assert "ZeroDivisionError" in ex.message and "convolution.py, line 3" in ex.message
    assert_isolated(result)


def test_syntax_error_names_the_line_and_others_are_graded(grade_corr2d):
    files = {"convolution.py": "import torch\n\ndef corr2d(X, K)\n    return X\n"}
    result = grade_corr2d(files)
    ex = exercise_of(result, "corr2d")
    assert ex.status == "unavailable"
    assert "SyntaxError in convolution.py, line 3" in ex.message
    assert_isolated(result)


def test_missing_name_is_reported(grade_corr2d):
    files = {"convolution.py": "import torch\n\ndef corr_2d(X, K):\n    return X\n"}
    ex = exercise_of(grade_corr2d(files), "corr2d")
    assert ex.status == "unavailable"
    assert "corr2d is not defined" in ex.message and "convolution.py" in ex.message


def test_exit_at_import_is_a_crash_of_that_file_only(grade_corr2d):
    files = {"convolution.py": "import os\nos._exit(0)\n\ndef corr2d(X, K):\n    return X\n"}
    result = grade_corr2d(files)
    ex = exercise_of(result, "corr2d")
    assert ex.status == "unavailable" and "importing convolution.py failed" in ex.message
    assert_isolated(result)


def test_hang_at_import_is_reported_and_others_graded(grade_corr2d):
    files = {"convolution.py": "while True:\n    pass\n\ndef corr2d(X, K):\n    return X\n"}
    result = grade_corr2d(files)
    ex = exercise_of(result, "corr2d")
    assert ex.status == "unavailable" and "took longer than" in ex.message
    assert_isolated(result)


def test_fresh_process_worker_handles_a_crash(grade_corr2d):
    result = grade_corr2d(corr2d_file("import os\nos._exit(7)\n"), fresh_process=True)
    assert statuses(result, "corr2d")["book_example"] == "crash"
    assert_isolated(result)


def test_grading_does_not_modify_the_submission(grade, tmp_path):
    folder = tmp_path / "untouched"
    folder.mkdir()
    source = "import torch\n\ndef corr2d(X, K):\n    open('written.txt', 'w').write('x')\n" \
             "    return X\n"
    (folder / "convolution.py").write_text(source)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    grade(path=folder, exercises=("corr2d",), only_checks={"book_example"})
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert before == after


HANGS = {"convolution.py": "corr2d(X, K)", "pooling.py": "pool2d(X, pool_size, mode='max')",
         "dropout.py": "dropout(X, drop_prob)"}


def hanging(course, file: str, signature: str) -> str:
    """The reference file with one function replaced by ``while True: pass``."""
    text = (course.solutions_dir / file).read_text()
    return text + f"\n\ndef {signature}:\n    while True:\n        pass\n"


def test_a_function_that_timed_out_is_not_waited_on_again(grade, quick, course):
    # three hanging exercises: each waits for one call deadline, then every later call of the
    # same function (any check of the exercise) fails at once, naming the check that hung
    files = {f: hanging(course, f, sig) for f, sig in HANGS.items()}
    result = grade(files=files, base="solutions", assignment=quick,
                   exercises=("corr2d", "pool2d", "dropout", "conv_output_shape"))
    for name in ("corr2d", "pool2d", "dropout"):
        checks = exercise_of(result, name).checks
        timed_out = [c for c in checks if c.status == "timeout"]
        waited = [c for c in timed_out if "did not finish within" in c.message]
        at_once = [c for c in timed_out if c not in waited]
        assert len(waited) == 1, [c.to_dict() for c in timed_out]
        assert at_once, name
        first = waited[0]
        for check in at_once:
            assert check.message.startswith(f"{name} is not run again: it already timed out"), \
                check.message
            if first.visibility == "public":
                assert f"in check {first.name}" in check.message
                assert check.feedback.call == first.feedback.call   # the call that hung
    assert exercise_of(result, "conv_output_shape").score == \
        exercise_of(result, "conv_output_shape").max_score


def test_a_traceback_shows_the_students_frames_only_never_a_scenarios(tmp_path, monkeypatch):
    """A scenario is compiled in the worker as "<scenario NAME>", a relative name: resolved
    against the worker's working folder (the submission's root) it looked like a file of the
    student's, and feedback said "at <scenario train_from_loader>, line 9"."""
    from grader.sandbox.worker import Worker
    (tmp_path / "homework.py").write_text("def f(x):\n    return x[0]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib
    homework = importlib.import_module("homework")
    namespace = {"f": homework.f}
    exec(compile("def scenario_body():\n    return f(object())\n", "<scenario scenario_body>",
                 "exec"), namespace)
    worker = Worker(None, {"root": str(tmp_path)})
    try:
        namespace["scenario_body"]()
    except TypeError as exc:
        error = worker.describe(exc)
    assert [frame["file"] for frame in error["frames"]] == ["homework.py"]
    assert "scenario" not in repr(error)
