"""What an instructor adding an exercise is told (issue 13 §5): generate, validate, hidden checks."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from grader.cli import cli

from conftest import ROOT, write_assignment


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.chdir(ROOT)
    return CliRunner()


def test_generate_says_what_it_did_and_names_a_topic_missing_from_the_table(tmp_path, monkeypatch):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copytree(ROOT / "exercises", course / "exercises")
    (course / "solutions" / "batch_norm.py").write_text("def batch_norm(X):\n    return X\n")
    toml = write_assignment(course / "lesson.toml", {"corr2d": ["book_example"]})
    text = toml.read_text().replace(f'"{ROOT}/solutions"', '"solutions"') \
        .replace(f'"{ROOT}/exercises"', '"exercises"')
    toml.write_text(text)
    monkeypatch.chdir(tmp_path)                     # paths are relative to the TOML's folder
    result = CliRunner().invoke(cli, ["generate", "--assignment", str(toml)])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert "batch_norm.py: no stub written" in result.output
    assert 'topic = "batch_norm"' in result.output


def test_a_hidden_check_without_the_reference_is_not_told_it_is_public(tmp_path):
    from grader import assignment as assignment_mod
    from grader.errors import InternalError
    from grader.judge.plugin import GraderPlugin
    course = assignment_mod.load(ROOT / "pyproject.toml")
    from dataclasses import replace
    plugin = GraderPlugin(replace(course, solutions_dir=tmp_path / "nowhere"), None, None, {})
    with pytest.raises(InternalError) as hidden:
        plugin.reference_module("convolution", "corr2d.matches_conv2d", "hidden")
    assert "public checks must not" not in str(hidden.value)
    assert "corr2d.matches_conv2d" in str(hidden.value) and "relative to the folder" in \
        str(hidden.value)
    with pytest.raises(InternalError) as public:
        plugin.reference_module("convolution", "corr2d.book_example", "public")
    assert "must not use `reference`" in str(public.value)


def test_validate_one_exercise(runner):
    result = runner.invoke(cli, ["validate", "--sandbox", "process", "conv_output_shape"])
    assert result.exit_code == 0, result.output
    assert "validate: OK" in result.output
    unknown = runner.invoke(cli, ["validate", "batch_norm"])
    assert unknown.exit_code == 2 and "unknown exercise 'batch_norm'" in unknown.output
