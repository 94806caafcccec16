"""The text report a student reads (grader/reports/text.py): short by default, whole with -v."""
from __future__ import annotations

from grader.judge.score import CheckResult, ExerciseResult, Feedback, GradeResult
from grader.reports.text import render_text

LONG = ("reproduces the book's example: corr2d(arange(9).reshape(3, 3), [[0, 1], [2, 3]]) "
        "exactly, as printed in the chapter")


def _check(name, status, description=None, advisory=False, message=None, feedback=None,
           points=1):
    return CheckResult("corr2d", name, description or f"check {name}", status, points, "public",
                       advisory, message, feedback)


def _result():
    full = Feedback(call="corr2d(X=torch.tensor([[0.]]), K=torch.tensor([[1.]]))",
                    expected="torch.tensor([[19.]])", actual="torch.tensor([[5.]])",
                    details="1 of 1 elements differ", hint="do not flip the kernel",
                    diagnosis="known mistake: your corr2d flips the kernel")
    failing = ExerciseResult("corr2d", "convolution", [
        _check("a", "fail", LONG, message="the result has wrong values", feedback=full),
        _check("b", "fail", message="the result has the wrong shape",
               feedback=Feedback(call="corr2d(X=1)", hint="a hint for b only")),
        _check("c", "pass"), _check("d", "pass"),
        _check("e", "fail", advisory=True, message="corr2d changes X in place", points=0),
    ], advice=["corr2d changes X in place"])
    complete = ExerciseResult("pool2d", "pooling", [_check("a", "pass"), _check("b", "pass")])
    return GradeResult("Lesson 2", "exercises", [failing, complete])


def test_default_report_is_short_and_whole_where_it_matters():
    text = render_text(_result())
    lines = text.splitlines()
    assert sum("pool2d" in line for line in lines) == 1          # one line per passed exercise
    assert "…" not in text                                         # descriptions wrap, not cut
    assert "exactly, as printed in the chapter" in text
    assert "known mistake: your corr2d flips the kernel" in text   # the first failure in full
    assert "expected  torch.tensor([[19.]])" in text
    assert "the result has the wrong shape" in text                # the next one summarised
    assert "a hint for b only" not in text and "corr2d(X=1)" not in text
    assert "2 other checks pass" in text
    assert text.count("changes X in place") == 1                   # advice once
    assert "grade -v" in text


def test_verbose_report_shows_everything_and_advice_once():
    text = render_text(_result(), verbose=True)
    assert "a hint for b only" in text and "check c" in text
    assert text.count("changes X in place") == 1


def test_a_scenario_is_not_called_called():
    result = _result()
    result.exercises[0].checks[0].feedback.call = "called truncate_pad(line, 3, '<pad>')"
    text = render_text(result)
    assert "called called" not in text
    assert "check     called truncate_pad" in text


def test_no_internal_name_or_machine_path_reaches_a_student(grade, course):
    import json
    result = grade(path=course.stubs_dir, exercises=("DropoutMLP", "xavier_uniform_"))
    text = json.dumps(result.to_dict()) + render_text(result, verbose=True)
    for internal in ("mlp_train", "xavier_fill", "run_network", "_forward"):
        assert internal not in text, internal
    assert result.submission == "exercises"
    assert str(course.root) not in text


def test_a_name_defined_in_two_notebook_cells_is_named_by_cell_and_run_order(tmp_path):
    import nbformat

    from grader.submission import discover
    nb = nbformat.v4.new_notebook()
    solved = nbformat.v4.new_code_cell("def corr2d(X, K):\n    return X\n", execution_count=7)
    copy = nbformat.v4.new_code_cell("def corr2d(X, K):\n    raise NotImplementedError\n",
                                     execution_count=3)
    nb.cells = [nbformat.v4.new_markdown_cell("# 卷积"), solved, copy]
    path = tmp_path / "convolution.ipynb"
    path.write_text(nbformat.writes(nb))
    submission = discover.load(path, ["corr2d"])
    (note,) = [n for n in submission.notes if "corr2d is defined" in n]
    assert "cell 2 (run as [7]), cell 3 (run as [3])" in note
    assert "the definition in cell 3 is the one graded" in note
    assert "In your session cell 2 ran last ([7])" in note
