"""The command line, through click's CliRunner: output formats, selection, exit codes."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from grader.cli import cli

from conftest import ROOT


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.chdir(ROOT)
    return CliRunner()


def test_help_lists_commands_and_exit_codes(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "generate" in result.output and "Exit codes" in result.output
    run_help = runner.invoke(cli, ["run", "--help"])
    for option in ("--submission", "--format", "--fail-under", "--sandbox"):
        assert option in run_help.output


def test_json_for_selected_exercises(runner):
    result = runner.invoke(cli, ["pool2d", "--submission", "solutions", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "grader-result" and data["version"] == 1
    assert [e["name"] for e in data["exercises"]] == ["pool2d"]
    assert data["score"] == data["max_score"] == 9
    check = data["exercises"][0]["checks"][0]
    assert set(check) >= {"name", "status", "points", "max_points", "message"}


def test_wrong_submission_text_feedback_and_fail_under(runner, tmp_path):
    shutil.copy(ROOT / "solutions" / "convolution.py", tmp_path / "convolution.py")
    with open(tmp_path / "convolution.py", "a") as handle:
        handle.write((ROOT / "tests" / "mutants" / "corr2d" / "flipped_kernel.py").read_text())
    result = runner.invoke(cli, ["corr2d", "-s", str(tmp_path), "--fail-under", "10"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "reproduces the book's example" in out
    for label in ("called", "expected", "got", "hint"):
        assert label in out
    assert "corr2d(X=torch.tensor(" in out
    assert "Total" in out and "/ 10" in out


def test_usage_errors_exit_2(runner, tmp_path):
    unknown = runner.invoke(cli, ["no_such_exercise", "-s", "solutions"])
    assert unknown.exit_code == 2 and "unknown exercise" in unknown.stderr
    missing = runner.invoke(cli, ["-s", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not found" in missing.stderr
    bad = runner.invoke(cli, ["--format", "xml"])
    assert bad.exit_code == 2


def test_broken_assignment_exits_3(runner, tmp_path):
    (tmp_path / "broken.toml").write_text("[tool.grader]\ntitle = 'x'\n")
    result = runner.invoke(cli, ["--assignment", str(tmp_path / "broken.toml")])
    assert result.exit_code == 3 and "no [tool.grader.exercises" in result.stderr


def test_generate_check_passes_here(runner):
    result = runner.invoke(cli, ["generate", "--check"])
    assert result.exit_code == 0, result.output


def test_grading_writes_nothing_where_it_runs(tmp_path):
    """`grade` run from a student's folder leaves no .hypothesis/ there (issue 12, section 7)."""
    import subprocess
    import sys
    work = tmp_path / "homework"
    work.mkdir()
    shutil.copy(ROOT / "solutions" / "translation.py", work / "translation.py")
    done = subprocess.run([sys.executable, "-m", "grader", "--assignment",
                           str(ROOT / "pyproject.toml"), "--submission", str(work),
                           "--sandbox", "process", "tokenize"],
                          cwd=work, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["translation.py"]


def test_a_check_name_that_is_no_check_is_a_usage_error(runner):
    """`grade --checks` with a typo was a silent 0 / 0 (exit 0): now exit 2, before any
    grading, naming the unknown checks, the close match first, then the valid names."""
    typo = runner.invoke(cli, ["corr2d", "-s", "solutions", "--checks", "book_exampel,nosuch"])
    assert typo.exit_code == 2, typo.output
    said = typo.stderr
    assert "unknown check 'book_exampel': did you mean 'book_example'?" in said
    assert "unknown check 'nosuch'\n" in said
    assert "The checks of corr2d: book_example, edge_detection_example, output_shape" in said
    several = runner.invoke(cli, ["corr2d", "dropout", "-s", "solutions", "--checks",
                                  "keep_shape"])
    assert several.exit_code == 2
    assert "did you mean 'keeps_shape'?" in several.stderr
    assert "  corr2d: book_example," in several.stderr and "  dropout: keeps_shape," in \
        several.stderr
    # a check of another exercise than those selected is unknown here too
    other = runner.invoke(cli, ["dropout", "-s", "solutions", "--checks", "book_example"])
    assert other.exit_code == 2 and "unknown check 'book_example'" in other.stderr
    empty = runner.invoke(cli, ["corr2d", "-s", "solutions", "--checks", " , "])
    assert empty.exit_code == 2 and "name at least one check" in empty.stderr
    chinese = runner.invoke(cli, ["corr2d", "-s", "solutions", "--lang", "zh_CN", "--checks",
                                  "book_exampel"])
    assert chinese.exit_code == 2
    assert "未知的检查 'book_exampel'：你是想写 'book_example' 吗？" in chinese.stderr
    assert "corr2d 的检查：book_example," in chinese.stderr


def test_every_unknown_exercise_is_named_with_its_close_match(runner):
    result = runner.invoke(cli, ["corr2", "dropot", "pool2d", "-s", "solutions"])
    assert result.exit_code == 2
    assert "unknown exercise 'corr2': did you mean 'corr2d'?" in result.stderr
    assert "unknown exercise 'dropot': did you mean 'dropout'?" in result.stderr
    assert "The exercises of this assignment: polynomial_features, " in result.stderr
    validate = runner.invoke(cli, ["validate", "corr2", "--sandbox", "process"])
    assert validate.exit_code == 2 and "did you mean 'corr2d'?" in validate.output


@pytest.mark.parametrize("option", [["--timeout", "0"], ["--timeout", "-5"], ["--jobs", "0"],
                                    ["--memory-mb", "-1"], ["--memory-mb", "0"]])
def test_batch_limits_must_be_positive(runner, tmp_path, option):
    """`--timeout 0` recorded every submission as timed out, `--memory-mb -1` as crashed:
    a usage error now, before the gradebook is opened."""
    result = runner.invoke(cli, ["batch", str(tmp_path), "--gradebook",
                                 str(tmp_path / "book.db"), *option])
    assert result.exit_code == 2 and "is not a positive number" in result.stderr
    assert option[0] in result.stderr and not (tmp_path / "book.db").exists()
    run = runner.invoke(cli, ["dropout", "-s", "solutions", "-j", "0"])
    assert run.exit_code == 2 and "is not a positive number" in run.stderr
