"""A score depends only on the submission (issue 12, section 1).

The same submission graded with ``--jobs 1`` and ``--jobs 2``, whole and one exercise at a
time, gives the same scores and the same JSON bytes; a notebook grades like the same code in
``.py`` files.  The submissions: the book's ``masked_softmax`` calling ``d2l.sequence_mask``
with ``sequence_mask`` in another cell (plus a ``.clone()``, so that it does not write into X), the same split over two notebooks of a folder, and
members of the mixed class of benchmarks/make_class.py (a mutant, the notebooks filled with
the reference, the reference itself).  Kept cheap: eight exercises, enough for two judges.
"""
from __future__ import annotations

import json
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT
from grader.judge.run import GradeRequest, run
from grader.submission.notebook import unit_from_notebook

sys.path.insert(0, str(ROOT / "benchmarks"))
import make_class  # noqa: E402

# two shares of four exercises each with --jobs 2 (run.MIN_EXERCISES_PER_JOB), shared out
# alternately: masked_softmax in one share, sequence_mask and DotProductAttention in the
# other.  Beside the three attention exercises, cheap exercises of four other topics (lenet,
# not corr2d: 1.3 s instead of 15 s of checking in benchmarks/bench_exercises.py, in each of
# the six gradings of all eight here).
EXERCISES = ("sequence_mask", "masked_softmax", "DotProductAttention", "lenet",
             "conv_output_shape", "tokenize", "truncate_pad", "l2_penalty")
# graded alone as well: those whose definitions span cells or notebooks
ALONE = ("sequence_mask", "masked_softmax", "DotProductAttention")

IMPORTS = "import math\nimport torch\nfrom torch import nn\nfrom d2l import torch as d2l"
SEQUENCE_MASK = '''\
def sequence_mask(X, valid_len, value=0):
    """在序列中屏蔽不相关的项"""
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32,
                        device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X'''
MASKED_SOFTMAX = '''\
def masked_softmax(X, valid_lens):
    """通过在最后一个轴上掩蔽元素来执行softmax操作"""
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    else:
        shape = X.shape
        if valid_lens.dim() == 1:
            valid_lens = torch.repeat_interleave(valid_lens, shape[1])
        else:
            valid_lens = valid_lens.reshape(-1)
        X = d2l.sequence_mask(X.reshape(-1, shape[-1]).clone(), valid_lens, value=-1e6)
        return nn.functional.softmax(X.reshape(shape), dim=-1)'''
DOT_PRODUCT = '''\
class DotProductAttention(nn.Module):
    def __init__(self, dropout, **kwargs):
        super(DotProductAttention, self).__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = d2l.masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)'''


def _notebook(*sources) -> nbformat.NotebookNode:
    cells = [new_markdown_cell(s[1:]) if s.startswith("#") else new_code_cell(s)
             for s in sources]
    return new_notebook(cells=cells)


@pytest.fixture(scope="module")
def submissions(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("determinism")
    found = {}
    one = root / "book.ipynb"
    nbformat.write(_notebook(IMPORTS, SEQUENCE_MASK, "## 注意力", MASKED_SOFTMAX,
                             "masked_softmax(torch.rand(2, 2, 4), torch.tensor([2, 3]))",
                             DOT_PRODUCT), str(one))
    found["one notebook"] = one
    two = root / "two_notebooks"
    two.mkdir()
    nbformat.write(_notebook(IMPORTS, SEQUENCE_MASK), str(two / "a_masks.ipynb"))
    nbformat.write(_notebook(IMPORTS, MASKED_SOFTMAX, DOT_PRODUCT), str(two / "b_attn.ipynb"))
    found["two notebooks"] = two
    # members of the mixed class: the reference, its notebooks, and a mutant
    found["class reference"] = make_class.reference(root / "reference")
    make_class.filled_notebooks(course, root / "notebooks", root / "scratch")
    found["class notebooks"] = root / "notebooks"
    mutant = root / "mutant"
    make_class.reference(mutant)
    (mutant / "attention.py").write_text(
        (ROOT / "solutions" / "attention.py").read_text()
        + "\n\n" + (ROOT / "tests" / "mutants" / "masked_softmax" / "off_by_one.py").read_text())
    found["class mutant"] = mutant
    return found


def _json(result) -> str:
    data = json.loads(result.to_json())
    data["submission"] = "-"            # the path, not what was graded
    return json.dumps(data, indent=1, sort_keys=True)


def _scores(result) -> dict:
    return {e.name: e.score for e in result.exercises}


def _grade(course, path, exercises, jobs=1, launcher=None):
    return run(GradeRequest(course, path, tuple(exercises), sandbox="process", jobs=jobs,
                            launcher=launcher))


def test_d2l_name_keeps_the_cell_that_defines_it(submissions):
    """``d2l.sequence_mask`` needs the cell defining sequence_mask, whatever is selected."""
    unit = unit_from_notebook(submissions["one notebook"], "nb", ["masked_softmax"])
    assert "sequence_mask" in unit.defines
    assert "X[~mask] = value" in unit.source
    assert "torch.rand(2, 2, 4)" not in unit.source       # calls are still never run


def _exercises(result) -> dict:
    return {e["name"]: e for e in json.loads(_json(result))["exercises"]}


def test_same_score_and_bytes_whatever_jobs_and_selection(course, submissions, forkserver):
    """The book's masked_softmax (d2l.sequence_mask, defined in another cell): -j 1, -j 2 and
    each exercise alone give the same bytes (it gave 38/38, 20/38 and 1/12)."""
    path = submissions["one notebook"]
    one_judge = _grade(course, path, EXERCISES, launcher=forkserver.launch)
    two_judges = _grade(course, path, EXERCISES, jobs=2)
    assert _scores(two_judges) == _scores(one_judge)
    assert _json(two_judges) == _json(one_judge)
    whole = _exercises(one_judge)
    for exercise in ALONE:
        alone = _grade(course, path, (exercise,), launcher=forkserver.launch)
        assert list(_exercises(alone).values()) == [whole[exercise]], exercise
    # the book's code, graded right: sequence_mask was found every time
    for exercise in one_judge.exercises:
        if exercise.name in ALONE:
            assert exercise.score == exercise.max_score, exercise.name


def test_definition_in_another_notebook_of_the_folder(course, submissions, forkserver):
    path = submissions["two notebooks"]
    whole = _exercises(_grade(course, path, ALONE, launcher=forkserver.launch))
    alone = _grade(course, path, ("masked_softmax",), launcher=forkserver.launch)
    assert list(_exercises(alone).values()) == [whole["masked_softmax"]]
    assert alone.score == alone.max_score


MASK_ROWS = '''\
def mask_rows(X, valid_lens, value):
    """屏蔽每一行中超出有效长度的元素（辅助函数）"""
    keep = torch.arange(X.shape[-1])[None, :] < valid_lens[:, None]
    return torch.where(keep, X, torch.full_like(X, value))'''
MASKED_SOFTMAX_WITH_HELPER = MASKED_SOFTMAX.replace(
    "d2l.sequence_mask(X.reshape(-1, shape[-1]).clone(), valid_lens, value=-1e6)",
    "d2l.mask_rows(X.reshape(-1, shape[-1]), valid_lens, -1e6)")


def test_d2l_helper_from_another_notebook_is_kept(course, tmp_path, forkserver):
    """``d2l.mask_rows`` where mask_rows is no exercise and lives only in another notebook of
    the folder (it was dropped from that notebook's unit: 1/12): kept, whatever the
    selection and --jobs, also for a .py file reading it and for a helper of a helper."""
    assert "d2l.mask_rows(" in MASKED_SOFTMAX_WITH_HELPER
    folder = tmp_path / "helpers_elsewhere"
    folder.mkdir()
    nbformat.write(_notebook(IMPORTS, "## 辅助函数", MASK_ROWS, "mask_rows(torch.ones(2, 3), "
                             "torch.tensor([1, 2]), 0)"), str(folder / "a_helpers.ipynb"))
    nbformat.write(_notebook(IMPORTS, MASKED_SOFTMAX_WITH_HELPER, DOT_PRODUCT),
                   str(folder / "b_attention.ipynb"))
    alone = _grade(course, folder, ("masked_softmax",), launcher=forkserver.launch)
    assert alone.score == alone.max_score, _json(alone)
    # EXERCISES: two judges' shares with -j 2; the six not in this folder cost nothing
    one_judge = _grade(course, folder, EXERCISES, launcher=forkserver.launch)
    assert _json(_grade(course, folder, EXERCISES, jobs=2)) == _json(one_judge)
    assert list(_exercises(alone).values()) == [_exercises(one_judge)["masked_softmax"]]
    # the same helper read from a .py file, through a chain (d2l.mask_rows -> d2l.fill_value)
    (folder / "b_attention.ipynb").unlink()
    (folder / "a_helpers.ipynb").unlink()
    nbformat.write(_notebook(IMPORTS, MASK_ROWS.replace("value))", "d2l.fill_value(value)))"),
                             "def fill_value(v):\n    return v"), str(folder / "a_helpers.ipynb"))
    (folder / "attention.py").write_text(IMPORTS + "\n\n\n" + MASKED_SOFTMAX_WITH_HELPER + "\n")
    from_py = _grade(course, folder, ("masked_softmax",), launcher=forkserver.launch)
    assert from_py.score == from_py.max_score, _json(from_py)


def test_class_members_same_whatever_jobs(course, submissions, forkserver):
    """Members of benchmarks/make_class.py's mixed class: a mutant graded with -j 1 and -j 2;
    the filled notebooks grade like the reference .py files (only where a message points
    differs: a cell instead of a line)."""
    mutant = submissions["class mutant"]
    one_judge = _grade(course, mutant, EXERCISES, launcher=forkserver.launch)
    assert _json(_grade(course, mutant, EXERCISES, jobs=2)) == _json(one_judge)
    graded = next(e for e in one_judge.exercises if e.name == "masked_softmax")
    assert graded.score < graded.max_score
    py = _grade(course, submissions["class reference"], EXERCISES, launcher=forkserver.launch)
    nb = _grade(course, submissions["class notebooks"], EXERCISES, launcher=forkserver.launch)
    assert py.score == py.max_score

    def verdicts(result):
        return [(e.name, c.name, c.status, c.points) for e in result.exercises
                for c in e.checks]
    assert verdicts(nb) == verdicts(py)


def test_a_check_selection_is_shared_out_with_the_exercises(course, forkserver):
    """``--checks`` with ``-j 2``: each judge runs the selected checks of its own exercises
    (tokenize's char_example is in one share; the other judge runs nothing, never every
    check), and the bytes are those of one judge."""
    checks = frozenset({"char_example"})
    one = run(GradeRequest(course, course.solutions_dir, EXERCISES, sandbox="process",
                           only_checks=checks, launcher=forkserver.launch))
    two = run(GradeRequest(course, course.solutions_dir, EXERCISES, sandbox="process",
                           jobs=2, only_checks=checks))
    assert _json(one) == _json(two)
    ran = {e.name: [(c.name, c.status) for c in e.checks] for e in two.exercises}
    assert ran == {name: [("char_example", "pass")] if name == "tokenize" else []
                   for name in EXERCISES}
