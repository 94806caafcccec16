"""Feedback when the student's code raises: a hint that fits the kind of error.

- Every rule of grader/judge/error_hints.py explains the message that torch (the installed
  one: each case below really raises it) or Python gives for that kind of error, and the older
  torch 1.x forms students still meet; an error no rule explains gets no hint, never a wrong
  one, and nothing free-form of the message reaches the hint.
- Golden tests: the student-like submissions of tests/error_hints/ (a matrix product in
  corr2d, a LeNet layer sized for the wrong input, a mask inverted with 1 - mask, a missing
  `import math`, the book's d2l.sequence_mask without a sequence_mask) graded in English and in
  Chinese: the exception, the student's own line, and the hint.
- torch's own NotImplementedError ("not implemented for 'Long'") is an error of the code that
  called it, with its hint; only a `raise NotImplementedError` of the submission's own code is
  "not implemented yet".
"""
from __future__ import annotations

import json
import string
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from grader import i18n
from grader.judge import error_hints
from grader.judge.run import GradeRequest, run

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "tests" / "error_hints"


def _raises(function):
    try:
        function()
    except BaseException as exc:  # noqa: BLE001 - the point is to catch what torch raises
        return type(exc).__name__, str(exc)
    raise AssertionError("did not raise")


def _inplace_after_use():
    w = torch.ones(2, requires_grad=True)
    y = w.sigmoid()
    y.add_(1)
    y.sum().backward()


def _leaf_in_place():
    w = torch.ones(2, requires_grad=True)
    w -= 1


def _backward_twice():
    w = torch.ones(2, requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    loss.backward()


def _grad_of_a_new_tensor():
    w = torch.ones(2, requires_grad=True)
    w = w - 0.1
    w.grad.zero_()


def _unpack_three_dims():
    h, w = torch.ones(2, 3, 4).shape


def _unbound():
    for _ in range(0):
        total = 0
    return total


class _NoSuper(nn.Module):
    def __init__(self):
        self.linear = nn.Linear(2, 2)


class _Misspelt(nn.Module):
    def foward(self, X):
        return X


class _NoLayer(nn.Module):
    def forward(self, X):
        return self.rnn(X)


# (the rule that must explain it, what raises it for real with the installed torch)
TORCH_AND_PYTHON = [
    ("matmul_shapes", lambda: torch.mm(torch.ones(1, 2), torch.ones(1, 2))),
    ("matmul_shapes", lambda: nn.Linear(256, 120)(torch.ones(4, 400))),
    ("batch_matmul", lambda: torch.bmm(torch.ones(2, 1, 2), torch.ones(2, 3, 2))),
    ("batch_matmul_dims", lambda: torch.bmm(torch.ones(1, 2), torch.ones(2, 3))),
    ("matrix_vector", lambda: torch.ones(2, 3) @ torch.ones(4)),
    ("vectors", lambda: torch.dot(torch.ones(3), torch.ones(4))),
    ("broadcast", lambda: torch.ones(2, 3) + torch.ones(2, 4)),
    ("broadcast", lambda: torch.ones(2, 3).masked_fill(torch.ones(2, 4, dtype=torch.bool), 0)),
    ("assign_shape", lambda: torch.zeros(2, 3).__setitem__(0, torch.ones(4))),
    ("reshape", lambda: torch.ones(5).reshape(2, 3)),
    ("view_contiguous", lambda: torch.ones(2, 3).t().view(6)),
    ("view_two_unknown", lambda: torch.ones(6).view(-1, -1)),
    ("negative_size", lambda: torch.zeros(-1, 3)),
    ("negative_size", lambda: torch.empty(2, -3)),
    ("conv_input_dims", lambda: nn.Conv2d(1, 6, 5)(torch.ones(28, 28))),
    ("conv_channels", lambda: nn.Conv2d(1, 6, 5)(torch.ones(1, 3, 28, 28))),
    ("kernel_too_big", lambda: nn.Conv2d(1, 6, 5)(torch.ones(1, 1, 2, 2))),
    ("kernel_too_big", lambda: nn.AvgPool2d(3)(torch.ones(1, 16, 2, 2))),
    ("pool_input_dims", lambda: F.max_pool2d(torch.ones(6), 2)),
    ("cat", lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 3, 4)])),
    ("cat", lambda: torch.cat([torch.ones(2, 3), torch.ones(3, 4)], dim=1)),
    ("cat", lambda: torch.stack([torch.ones(2, 3), torch.ones(2, 4)])),
    ("stack_empty", lambda: torch.stack([])),
    ("rnn_input", lambda: nn.GRU(32, 16)(torch.ones(5, 4, 16))),
    ("rnn_state", lambda: nn.GRU(32, 16, 2)(torch.ones(5, 4, 32), torch.zeros(1, 4, 16))),
    ("norm_features", lambda: nn.BatchNorm2d(4)(torch.ones(2, 3, 5, 5))),
    ("out_of_memory", lambda: torch.empty(10**15, dtype=torch.uint8)),    # fails at once
    ("memory_error", lambda: bytearray(10**15)),
    ("dtype_mix", lambda: torch.mm(torch.ones(2, 2), torch.ones(2, 2, dtype=torch.float64))),
    ("dtype_mix", lambda: nn.Linear(2, 2)(torch.ones(1, 2, dtype=torch.float64))),
    ("dtype_mix", lambda: nn.Conv2d(1, 1, 2)(torch.ones(1, 1, 3, 3, dtype=torch.float64))),
    ("dtype_mix", lambda: nn.GRU(4, 4)(torch.ones(2, 3, 4, dtype=torch.float64))),
    ("dtype_mix", lambda: torch.zeros(3).index_put_((torch.tensor([0]),),
                                                    torch.tensor([1.0], dtype=torch.float64))),
    ("integer_math", lambda: torch.arange(4).mean()),
    ("integer_math", lambda: torch.arange(4).softmax(0)),          # a NotImplementedError
    ("integer_math", lambda: torch.arange(4).__itruediv__(2)),
    ("integer_math", lambda: nn.Parameter(torch.arange(3))),
    ("index_dtype", lambda: nn.Embedding(10, 4)(torch.ones(2, 3))),
    ("index_dtype", lambda: F.cross_entropy(torch.ones(4, 10), torch.ones(4))),
    ("index_dtype", lambda: torch.ones(4)[torch.ones(2)]),
    ("index_dtype", lambda: torch.ones(2, 3).gather(1, torch.tensor([[1.0]]))),
    ("mask_dtype", lambda: torch.ones(2, 3).masked_fill(torch.ones(2, 3), 0)),
    ("mask_dtype", lambda: 1 - (torch.arange(3) < 2)),
    ("inplace_autograd", _inplace_after_use),
    ("leaf_inplace", _leaf_in_place),
    ("no_grad_fn", lambda: torch.ones(2).sum().backward()),
    ("backward_twice", _backward_twice),
    ("backward_scalar", lambda: (torch.ones(2, requires_grad=True) * 2).backward()),
    ("numpy_of_grad", lambda: torch.ones(2, requires_grad=True).numpy()),
    ("requires_grad_flag", lambda: (torch.ones(2, requires_grad=True) * 2).requires_grad_(False)),
    ("grad_is_none", _grad_of_a_new_tensor),
    ("parameter_assignment", lambda: setattr(nn.Linear(2, 2), "weight", torch.ones(2, 2))),
    ("tensor_truth", lambda: bool(torch.ones(2))),
    ("tensor_to_number", lambda: float(torch.ones(2))),
    ("tensor_to_number", lambda: torch.ones(2).item()),
    ("tensor_to_number", lambda: torch.tensor([torch.ones(2), torch.ones(2)])),
    ("ragged", lambda: torch.tensor([[1, 2], [3]])),
    ("zero_dim", lambda: len(torch.tensor(3.0))),
    ("size_not_int", lambda: torch.zeros((2.5, 3))),
    ("size_not_int", lambda: torch.ones(2.5)),
    ("size_not_int", lambda: range(2.0)),
    ("tensor_expected", lambda: torch.cat([[1, 2], [3]])),
    ("tuple_result", lambda: nn.GRU(2, 2)(torch.ones(3, 1, 2)).permute(1, 0, 2)),
    ("numpy_result", lambda: torch.ones(2).numpy().unsqueeze(0)),
    ("python_value", lambda: [1].shape),
    ("tensor_attribute", lambda: torch.ones(2).append(3)),
    ("module_attribute", lambda: torch.concatenate_along),
    ("missing_forward", lambda: _Misspelt()(torch.ones(1))),
    ("module_init", _NoSuper),
    ("missing_member", lambda: _NoLayer()(torch.ones(2))),
    ("none_value", lambda: None.shape),
    ("none_value", lambda: 1 + None),
    ("none_value", lambda: nn.Linear(2, 2)(None)),
    ("tensor_called", lambda: torch.ones(2)(3)),
    ("not_a_module", lambda: nn.Sequential(nn.ReLU)),
    ("signature", lambda: nn.Linear(2, 2)(torch.ones(1, 2), 3)),
    ("optimizer_params", lambda: torch.optim.SGD([], lr=0.1)),
    ("list_math", lambda: [1, 2] * 0.5),
    ("dim_range", lambda: torch.ones(2, 3).sum(dim=2)),
    ("index_range", lambda: torch.ones(5)[5]),
    ("too_many_indices", lambda: torch.ones(2, 3)[0, 0, 0]),
    ("embedding_range", lambda: nn.Embedding(10, 4)(torch.tensor([10]))),
    ("target_range", lambda: F.cross_entropy(torch.ones(4, 10), torch.tensor([0, 1, 2, 11]))),
    ("loss_batch", lambda: F.cross_entropy(torch.ones(4, 10), torch.ones(3, dtype=torch.long))),
    ("list_index", lambda: [1][3]),
    ("unpack", _unpack_three_dims),
    ("missing_import", lambda: eval("math.sqrt(2)", {})),
    ("missing_import", lambda: eval("d2l.corr2d", {})),
    ("undefined_name", lambda: eval("corr2d_multi_in(X, K)", {})),
    ("unbound_local", _unbound),
    ("division_by_zero", lambda: 1 / (1 - 1.0)),
    ("key", lambda: {"a": 1}["b"]),
    ("no_module", lambda: __import__("matplotlib_is_not_here")),
    ("syntax", lambda: compile("def f(:\n", "f.py", "exec")),
]

# torch 1.x's forms of the same errors, as students' own reports quote them (GitHub issues:
# OUCMachineLearning/OUCML#24, valerystrizh/pytorch-histogram-loss#13, vqdang/hover_net#94)
OLDER_TORCH = [
    ("dtype_mix", "RuntimeError", "expected scalar type Double but found Float"),
    ("dtype_mix", "RuntimeError", "expected scalar type Float but found Double"),
    ("conv_input_dims", "RuntimeError",
     "Expected 4-dimensional input for 4-dimensional weight [64, 3, 7, 7], but got "
     "3-dimensional input of size [3, 224, 224] instead"),
    ("matmul_shapes", "RuntimeError", "size mismatch, m1: [4 x 400], m2: [256 x 120] at "
     "/pytorch/aten/src/TH/generic/THTensorMath.cpp:136"),
    ("dtype_mix", "RuntimeError", "Found dtype Double but expected Float"),
]


@pytest.mark.parametrize("expected, raises", TORCH_AND_PYTHON,
                         ids=[f"{i}-{rule}" for i, (rule, _) in enumerate(TORCH_AND_PYTHON)])
def test_each_kind_of_error_gets_its_hint(expected, raises):
    type_name, message = _raises(raises)
    found = error_hints.rule_for(type_name, message)
    assert found is not None, f"no hint for {type_name}: {message}"
    assert found[0].name == expected, (type_name, message, found[0].name)
    hint = error_hints.hint_for_error(type_name, message)
    assert hint and "{" not in hint


@pytest.mark.parametrize("expected, type_name, message", OLDER_TORCH)
def test_older_torch_messages_get_the_same_hints(expected, type_name, message):
    found = error_hints.rule_for(type_name, message)
    assert found is not None and found[0].name == expected, (message, found)


def test_every_rule_is_exercised_by_a_real_error():
    """Each rule in the table has at least one case above: no rule is written from memory."""
    covered = {rule for rule, _ in TORCH_AND_PYTHON}
    assert covered | {"book_helper", "assertion", "recursion"} >= \
        {rule.name for rule in error_hints.RULES}
    assert len({rule.name for rule in error_hints.RULES}) == len(error_hints.RULES)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_pattern_gives_every_placeholder_of_its_hint():
    for rule in error_hints.RULES:
        if rule.values is not None:
            continue
        for pattern in rule.compiled:
            missing = _placeholders(rule.hint) - set(pattern.groupindex)
            assert not missing, (rule.name, pattern.pattern, missing)


def test_the_book_helper_and_the_numbers_in_the_hint():
    """The hint names the sizes of the failing product, and the d2l helper the submission
    lacks (the worker's message starts with d2l.NAME, in either language)."""
    assert error_hints.hint_for_error(
        "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (4x400 and 256x120)") == (
        "a matrix product (@, torch.mm, torch.matmul, nn.Linear) of 4x400 by 256x120: the "
        "inner sizes, 400 and 256, must be equal.  Use * for an element-wise product (as in a "
        "cross-correlation); for an nn.Linear layer, in_features (256) must be the number of "
        "features its input has (400): print X.shape before each layer.")
    hint = error_hints.hint_for_error("AttributeError", "d2l.sequence_mask 不可用：……")
    assert "d2l.sequence_mask stands for a sequence_mask of your own" in hint
    assert error_hints.hint_for_error("RecursionError", "maximum recursion depth exceeded")
    assert error_hints.hint_for_error("AssertionError", "")


def test_what_no_rule_explains_gets_no_hint():
    assert error_hints.hint_for_error("RuntimeError", "something else went wrong") is None
    assert error_hints.hint_for_error("ValueError", "math domain error") is None
    assert error_hints.hint_for_error("MyOwnError", "name 'x' is not defined") is None
    assert error_hints.hint_for_error("", "") is None
    assert error_hints.hint_for_reported("torch.tensor([1., 2.])") is None
    assert error_hints.hint_for_reported(None) is None


def test_the_message_cannot_put_its_own_text_in_the_hint():
    """The message is the student's (any exception, any text): placeholders only take short
    numbers and names, so markup, paths or long text never reach the hint."""
    assert error_hints.hint_for_error("NameError",
                                      "name '<img src=x onerror=alert(1)>' is not defined") is None
    long_name = "a" * 500
    hint = error_hints.hint_for_error("NameError", f"name '{long_name}' is not defined")
    assert hint is None or long_name not in hint
    assert error_hints.hint_for_error(
        "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (1x2 and /home/ta/x)") is None
    hint = error_hints.hint_for_error(
        "ModuleNotFoundError", "No module named '/srv/grader/secret'")
    assert hint is None


def test_a_hint_in_chinese():
    with i18n.language("zh_CN"):
        hint = error_hints.hint_for_error("NameError", "name 'math' is not defined")
    assert hint == "使用了 math 却没有导入：请在文件开头（或笔记本的第一个单元格中）添加 `import math`。"


def test_a_hint_for_an_error_a_scenario_caught():
    """A network check reports the exception its scenario caught as what came back."""
    assert "in_features (256)" in error_hints.hint_for_reported(
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x400 and 256x120)")


# ----------------------------------------------------------------------------- golden
CHECKS = frozenset({"edge_detection_example", "stage_shapes", "book_example_2d",
                    "scaled_by_sqrt_d", "loss_book_example"})
EXERCISES = ("corr2d", "lenet", "masked_softmax", "DotProductAttention", "MaskedSoftmaxCELoss")

GOLDEN = {
    "en": {
        ("corr2d", "edge_detection_example"): (
            "error",
            "corr2d raised RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x2 and "
            "1x2)\n  at convolution.py, line 10, in corr2d: Y[i, j] = torch.mm(X[i:i + h, "
            "j:j + w], K).sum()",
            "a matrix product (@, torch.mm, torch.matmul, nn.Linear) of 1x2 by 1x2: the inner "
            "sizes, 2 and 1, must be equal.  Use * for an element-wise product (as in a "
            "cross-correlation); for an nn.Linear layer, in_features (1) must be the number "
            "of features its input has (2): print X.shape before each layer."),
        ("lenet", "stage_shapes"): (
            "fail",
            "lenet() raised an error at stage 5 (after 4 matching stages), where a fully "
            "connected layer should give shape (2, 120)",
            "a matrix product (@, torch.mm, torch.matmul, nn.Linear) of 2x400 by 256x120: the "
            "inner sizes, 400 and 256, must be equal.  Use * for an element-wise product (as "
            "in a cross-correlation); for an nn.Linear layer, in_features (256) must be the "
            "number of features its input has (400): print X.shape before each layer."),
        ("masked_softmax", "book_example_2d"): (
            "error",
            "masked_softmax raised RuntimeError: Subtraction, the `-` operator, with a bool "
            "tensor is not supported. If you are trying to invert a mask, use the `~` or "
            "`logical_not()` operator instead.\n  at attention.py, line 16, in masked_softmax: "
            "X = X.reshape(-1, shape[-1]).masked_fill(1 - mask, -1e6)",
            "a mask is a bool tensor: masked_fill needs one (compare, e.g. "
            "torch.arange(n)[None, :] < valid_len[:, None]), and it is inverted with ~mask, "
            "not 1 - mask; use mask.float() where numbers are needed."),
        ("DotProductAttention", "scaled_by_sqrt_d"): (
            "error",
            "DotProductAttention raised NameError: name 'math' is not defined\n  at "
            "attention.py, line 27, in forward: scores = torch.bmm(queries, keys.transpose(1, "
            "2)) / math.sqrt(d)",
            "math is used without being imported: add `import math` at the top of the file "
            "(or in the notebook's first cell)."),
        ("MaskedSoftmaxCELoss", "loss_book_example"): (
            "error", None,
            "the book's package is not used by the grader: d2l.sequence_mask stands for a "
            "sequence_mask of your own.  Define sequence_mask in your file or notebook (the "
            "book's code for it, or your solution of that exercise)."),
    },
    "zh_CN": {
        ("corr2d", "edge_detection_example"): (
            "error",
            "corr2d 引发了 RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x2 and "
            "1x2)\n  位于 convolution.py，第 10 行，在 corr2d 中：Y[i, j] = torch.mm(X[i:i + h, "
            "j:j + w], K).sum()",
            "矩阵乘法（@、torch.mm、torch.matmul、nn.Linear）把 1x2 乘以 1x2：内侧的两个大小 2 和 "
            "1 必须相等。逐元素相乘（如互相关运算）请用 *；对 nn.Linear 层，in_features（1）必须等于"
            "其输入的特征数（2）：在每一层之前打印 X.shape。"),
        ("lenet", "stage_shapes"): (
            "fail",
            "lenet() 在第 5 阶段（在 4 个吻合的阶段之后）抛出了错误，而该阶段的全连接层应当给出形状 "
            "(2, 120)",
            "矩阵乘法（@、torch.mm、torch.matmul、nn.Linear）把 2x400 乘以 256x120：内侧的两个大小 "
            "400 和 256 必须相等。逐元素相乘（如互相关运算）请用 *；对 nn.Linear 层，in_features"
            "（256）必须等于其输入的特征数（400）：在每一层之前打印 X.shape。"),
        ("masked_softmax", "book_example_2d"): (
            "error", None,
            "掩码是布尔张量：masked_fill 需要布尔掩码（通过比较得到，例如 torch.arange(n)[None, :] < "
            "valid_len[:, None]），取反用 ~mask 而不是 1 - mask；需要数值时用 mask.float()。"),
        ("DotProductAttention", "scaled_by_sqrt_d"): (
            "error",
            "DotProductAttention 引发了 NameError: name 'math' is not defined\n  位于 "
            "attention.py，第 27 行，在 forward 中：scores = torch.bmm(queries, "
            "keys.transpose(1, 2)) / math.sqrt(d)",
            "使用了 math 却没有导入：请在文件开头（或笔记本的第一个单元格中）添加 `import math`。"),
        ("MaskedSoftmaxCELoss", "loss_book_example"): (
            "error", None,
            "评分器不使用书中的 d2l 包：d2l.sequence_mask 代表你自己的 sequence_mask。请在你的文件或"
            "笔记本中定义 sequence_mask（用书中的代码，或你对那道练习的解答）。"),
    },
}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_golden_hints_for_submissions_that_raise(course, forkserver, lang):
    result = run(GradeRequest(course, SUBMISSIONS, EXERCISES, sandbox="process",
                              only_checks=CHECKS, launcher=forkserver.launch, language=lang))
    checks = {(e.name, c.name): c for e in result.exercises for c in e.checks}
    assert set(checks) == set(GOLDEN[lang])
    for key, (status, message, hint) in GOLDEN[lang].items():
        check = checks[key]
        assert check.status == status, (key, check.status, check.message)
        if message is not None:
            assert check.message == message, (key, check.message)
        assert check.feedback.hint == hint, (key, check.feedback.hint)
    # the student's own file and line, never a path of the grading machine
    text = result.to_json()
    assert str(SUBMISSIONS) not in text and str(ROOT) not in text and "/tmp" not in text
    assert json.loads(text)["exercises"][0]["checks"][0]["feedback"]["hint"]


# ----------------------------------------------------------------------------- the worker
def test_torchs_not_implemented_error_is_an_error_not_a_stub(forkserver):
    """A stub raises NotImplementedError itself: "not implemented yet".  torch raises it for an
    operation without a kernel for a dtype (softmax of an int64 tensor): that is an error of
    the student's code, reported with its line and hint, never "not implemented yet"."""
    from grader.sandbox.client import WorkerSession
    from grader.sandbox.process import Limits

    source = textwrap.dedent('''
        import torch

        def stub(X):
            # TODO: write your code here
            raise NotImplementedError

        def softmax_of_positions(n):
            return torch.arange(n).softmax(0)
    ''')

    def write(root: Path):
        (root / "answer.py").write_text(source)
    session = WorkerSession(["answer"], {}, write, Limits(), "process",
                            launcher=forkserver.launch)
    try:
        stub = session.request({"op": "call", "name": "stub", "args": (1,), "kwargs": {}}, 60)
        torch_error = session.request({"op": "call", "name": "softmax_of_positions",
                                       "args": (3,), "kwargs": {}}, 60)
    finally:
        session.close()
    assert "not_implemented" in stub, stub
    assert "not_implemented" not in torch_error, torch_error
    error = torch_error["error"]
    assert error["type"] == "NotImplementedError"
    assert "not implemented for 'Long'" in error["message"]
    assert error["frames"][-1]["line"] == 9
    assert "dtype=torch.float32" in error_hints.hint_for_error(error["type"], error["message"])



# ----------------------------------------------------------------------------- at import
def test_a_file_that_does_not_import_gets_a_hint(grade, course, forkserver, tmp_path):
    """A NameError at the top level of the file (a layer built without `from torch import
    nn`): the exercise is unavailable, and the report says why, where, and the hint, in the
    text report and in every check's feedback (JSON, HTML), in both languages."""
    from grader.reports.text import render_text
    files = {"convolution.py": "import torch\n\n\ndef corr2d(X, K):\n    return X\n\n\n"
                               "edge = nn.Conv2d(1, 1, kernel_size=(1, 2))\n"}
    result = grade(files, exercises=("corr2d",), only_checks={"book_example"})
    [exercise] = result.exercises
    assert exercise.status == "unavailable"
    hint = ("nn is used without being imported: add `from torch import nn` at the top of the "
            "file (or in the notebook's first cell).")
    assert exercise.checks[0].feedback.hint == hint
    text = render_text(result)
    assert ("convolution.py could not be imported: NameError: name 'nn' is not defined\n"
            "      at convolution.py, line 8, in <module>: edge = nn.Conv2d(1, 1,") in text
    assert "    hint      nn is used without being imported: add `from torch import nn` at" \
        in text
    chinese = run(GradeRequest(course, tmp_path / "submission", ("corr2d",), sandbox="process",
                               only_checks=frozenset({"book_example"}),
                               launcher=forkserver.launch, language="zh_CN"))
    assert chinese.exercises[0].checks[0].feedback.hint == (
        "使用了 nn 却没有导入：请在文件开头（或笔记本的第一个单元格中）添加 `from torch import nn`。")


def test_a_notebook_names_the_cell_where_the_code_raised(course, forkserver, tmp_path):
    """The same corr2d in a notebook: the error names the cell and its line, with the hint
    (here in Chinese)."""
    import nbformat
    from nbformat import v4
    notebook = v4.new_notebook()
    notebook.cells = [
        v4.new_markdown_cell("# 互相关运算"), v4.new_code_cell("import torch"),
        v4.new_code_cell((SUBMISSIONS / "convolution.py").read_text().split("\n\n\n", 1)[1]),
        v4.new_code_cell("corr2d(torch.ones(3, 3), torch.ones(2, 2))")]
    nbformat.write(notebook, tmp_path / "lab.ipynb")
    result = run(GradeRequest(course, tmp_path / "lab.ipynb", ("corr2d",), sandbox="process",
                              only_checks=frozenset({"edge_detection_example"}),
                              launcher=forkserver.launch, language="zh_CN"))
    [check] = result.exercises[0].checks
    assert check.status == "error"
    assert check.message == (
        "corr2d 引发了 RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x2 and 1x2)\n"
        "  位于 lab.ipynb，第 3 个单元格，第 6 行，在 corr2d 中：Y[i, j] = torch.mm(X[i:i + h, "
        "j:j + w], K).sum()")
    assert check.feedback.hint == GOLDEN["zh_CN"][("corr2d", "edge_detection_example")][2]
