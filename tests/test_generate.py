"""exercises/ is generated from solutions/ and must never drift from it."""
from __future__ import annotations

import ast

import pytest

from grader.course import generate
from grader.errors import ConfigError


def test_exercises_are_up_to_date(course):
    stale = generate.stale(course.solutions_dir, course.stubs_dir, course.topics)
    assert not stale, f"run `grade generate`: {stale} differ from solutions/"


def test_stubs_keep_docstrings_and_drop_solutions(course):
    for topic in course.topics:
        solution = (course.solutions_dir / f"{topic}.py").read_text()
        stub = (course.stubs_dir / f"{topic}.py").read_text()
        assert "BEGIN SOLUTION" not in stub and "END SOLUTION" not in stub
        for block in solution.split("# BEGIN SOLUTION")[1:]:
            body = block.split("# END SOLUTION")[0]
            for line in body.splitlines():
                if line.strip() and not line.strip().startswith("#") and len(line.strip()) > 12:
                    assert line not in stub.splitlines(), f"{topic}: solution line in stub: {line}"
        tree = ast.parse(stub)
        exercises = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                     and not n.name.startswith("_")]
        undocumented = [n.name for n in exercises if not ast.get_docstring(n)]
        assert exercises and not undocumented, f"{topic}: no docstring for {undocumented}"


def test_markers_replace_block_with_raise():
    text = generate.stub_source(
        'def f(x):\n    """Doc."""\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION\n', "t")
    assert "raise NotImplementedError" in text and "return x" not in text
    assert '"""Doc."""' in text


def test_no_prompt_blocks_vanish():
    text = generate.stub_source("# BEGIN SOLUTION NO PROMPT\ndef helper():\n    pass\n"
                                "# END SOLUTION\nx = 1\n", "t")
    assert "helper" not in text and "NotImplementedError" not in text and "x = 1" in text


@pytest.mark.parametrize("source", [
    "# BEGIN SOLUTION\nx = 1\n",
    "# END SOLUTION\n",
    "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n",
])
def test_unbalanced_markers_are_config_errors(source):
    with pytest.raises(ConfigError):
        generate.stub_source(source, "t")
