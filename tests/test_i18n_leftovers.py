"""English leftovers: messages a student or an instructor reads that bypassed ``_()``.

- what the worker says of a value it cannot send (a numpy array, a result too deep or too
  large: grader/sandbox/wire.py), read by the student as "got" or as the error;
- the messages ``grade batch`` records for a submission cut off or killed (its gradebook and
  feedback), and a hidden check's description when hidden feedback is "none";
- the instructor's: a missing or stale stub when building notebooks, a missing or doubled check,
  a check that needs the reference where there is none, a worker that cannot start;
- a guard: no error of the grader is built from an f-string or a bare literal any more.
"""
from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from grader import i18n
from grader.errors import ConfigError, InternalError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "grader"


def test_a_value_the_worker_cannot_send_is_described_in_chinese():
    from grader.sandbox import wire
    with i18n.language("zh_CN"):
        frame = wire.encode({"value": np.ones(3)})
        with pytest.raises(wire.WireError) as deep:
            nested: list = []
            for _ in range(wire.MAX_DEPTH + 2):
                nested = [nested]
            wire.encode({"value": nested})
    value = wire.decode(frame[8:])["value"]
    assert value.reason == "形状为 (3)、数据类型为 float64 的 numpy 数组，不是 torch.Tensor"
    assert str(deep.value) == f"结果的嵌套超过 {wire.MAX_DEPTH} 层"
    # English as before
    english = wire.decode(wire.encode({"value": np.ones(3)})[8:])["value"]
    assert english.reason == "a numpy array of shape (3) and dtype float64, not a torch.Tensor"


def test_batch_and_hidden_feedback_messages_in_chinese(course):
    from grader.classroom.batch import partial_result
    from grader.judge.score import CheckResult, ExerciseResult, GradeResult
    entry = SimpleNamespace(label="alice", name="alice", notes=())
    with i18n.language("zh_CN"):
        result = partial_result(course, entry, [], 30)
    check = result["exercises"][0]["checks"][0]
    assert check["status"] == "timeout"
    assert check["message"] == "未评分：这份提交的时间限制（30 秒）先用完了"
    graded = GradeResult("t", "alice", [ExerciseResult("corr2d", "convolution", [
        CheckResult("corr2d", "matches_conv2d", "matches torch's conv2d", "fail", 3, "hidden")])])
    with i18n.language("zh_CN"):
        hidden = graded.with_hidden_feedback("none")
    assert hidden.exercises[0].checks[0].description == "隐藏检查"


def test_a_missing_stub_in_chinese(course, tmp_path):
    from dataclasses import replace

    from grader.course.notebook_build import build_notebook
    assignment = replace(course, stubs_dir=tmp_path)
    with i18n.language("zh_CN"), pytest.raises(ConfigError) as missing:
        build_notebook("convolution", assignment)
    assert str(missing.value) == (f"主题 'convolution' 没有练习模板：应当是 "
                                  f"{tmp_path / 'convolution.py'}（请先运行 `grade generate`）")
    (tmp_path / "convolution.py").write_text("def corr2d(X, K):\n    pass\n")
    with i18n.language("zh_CN"), pytest.raises(ConfigError) as stale:
        build_notebook("convolution", assignment)
    assert "没有定义 Conv2D" in str(stale.value) and "模板过时了？" in str(stale.value)


def test_a_doubled_check_and_a_missing_check_file_in_chinese(course, tmp_path):
    from dataclasses import replace

    from grader.judge import run
    doubled = tmp_path / "doubled.py"
    doubled.write_text("def test_a():\n    pass\n\n\ndef test_a():\n    pass\n")
    with i18n.language("zh_CN"), pytest.raises(ConfigError) as twice:
        run._scan_redefinitions(str(doubled), 1, 2)
    assert str(twice.value).startswith(f"{doubled}:5：test_a 定义了两次（第 1 行的第一个定义会丢失）")
    assignment = replace(course, checks_dir=tmp_path)
    with i18n.language("zh_CN"), pytest.raises(ConfigError) as missing:
        run._check_files(assignment)
    assert "没有检查：应当是" in str(missing.value)


def test_a_check_without_its_reference_in_chinese(tmp_path):
    from grader.judge.plugin import GraderPlugin
    assignment = SimpleNamespace(solutions_dir=tmp_path)
    plugin = GraderPlugin(assignment, None, None, {})
    with i18n.language("zh_CN"), pytest.raises(InternalError) as public:
        plugin.reference_module("convolution", "corr2d.book_example", "public")
    assert str(public.value) == (
        f"检查 corr2d.book_example 需要参考答案 convolution.py，但它不在 {tmp_path} 中；"
        "公开检查在学生版中运行，而学生版中没有参考答案：公开检查不能使用 `reference`")
    with i18n.language("zh_CN"), pytest.raises(InternalError) as hidden:
        plugin.reference_module("convolution")
    assert str(hidden.value).startswith("这个检查需要参考答案 convolution.py")


def test_a_worker_that_cannot_start_in_chinese(tmp_path):
    from grader.sandbox.client import WorkerSession
    from grader.sandbox.process import Limits

    def launcher(*args):
        raise OSError("no fork server")
    session = WorkerSession(["answer"], {}, lambda root: None, Limits(), "process",
                            launcher=launcher)
    try:
        with i18n.language("zh_CN"), pytest.raises(InternalError) as failed:
            session.request({"op": "ping"}, 10)
    finally:
        session.close()
    assert str(failed.value) == "无法启动工作进程：no fork server"


# the errors whose message a person reads
ERRORS = {"InternalError", "ConfigError", "UsageError", "SandboxUnavailable", "GraderError",
          "WorkerFault", "StudentError", "StudentCrash", "StudentTimeout", "Unavailable",
          "NotImplementedYet"}


def test_no_error_message_is_built_outside_the_catalog():
    """An error of the grader built from an f-string or a bare sentence is English whatever
    the language: every one goes through ``_()`` (or is built by a function that does)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(PACKAGE))
        if relative.startswith("checks/"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in ERRORS:
                continue
            for argument in node.args[:2]:
                literal = isinstance(argument, ast.Constant) and isinstance(argument.value, str) \
                    and " " in argument.value
                if isinstance(argument, ast.JoinedStr) or literal or (
                        isinstance(argument, ast.BinOp) and isinstance(argument.left, (
                            ast.JoinedStr, ast.Constant))):
                    found.append(f"{relative}:{node.lineno}")
    assert not found, f"errors built outside _(): {found}"


def test_a_batch_entry_with_nothing_to_grade_in_chinese(tmp_path):
    from grader.classroom.batch import _gradable_root
    (tmp_path / "notes.txt").write_text("hello")
    with i18n.language("zh_CN"):
        folder, why = _gradable_root(tmp_path)
    assert why.startswith("没有找到 .py 或 .ipynb 文件")


def test_check_in_a_notebook_says_why_the_grader_did_not_start_in_chinese(tmp_path,
                                                                           monkeypatch):
    """What check() shows in the notebook when its judge process cannot start."""
    import subprocess

    from grader.kernel import judge_process

    def refuse(*args, **kwargs):
        raise OSError("permission denied")
    monkeypatch.setattr(subprocess, "Popen", refuse)
    with i18n.language("zh_CN"), pytest.raises(judge_process.JudgeFailed) as failed:
        judge_process.grade_notebook(tmp_path / "lab.ipynb", ["dropout"])
    assert str(failed.value).startswith("无法启动评分器（") and \
        str(failed.value).endswith("）：permission denied")


def test_capped_output_and_unreadable_code_in_chinese():
    """What a student reads when their printing is cut, when their exception cannot be shown,
    and when Python's own parser gives up on their file."""
    import io

    from grader.sandbox import process, worker
    from grader.submission.source import unparsable

    class Unprintable(Exception):
        def __str__(self):
            raise ValueError("no")
    with i18n.language("zh_CN"):
        printed = worker.CappedText()
        printed.write("x" * (worker.OUTPUT_CAP + 5))
        text = printed.getvalue()
        pump = process.OutputDrain(io.BytesIO(b"y" * 20), 8)
        pump.run()
        drained = pump.text()
        shown = worker._safe_str(Unprintable())
        why = unparsable("conv.py", RecursionError())
    assert text.endswith("\n……（另有 5 个字符未显示）")
    assert drained == "yyyyyyyy\n……（另有 12 字节的输出被丢弃）"
    assert shown == "<Unprintable，其消息无法显示>"
    assert why == ("无法读取 conv.py：它的代码嵌套太深，超出了 Python 解析器的能力。Python 本身也无法运行"
                   "这段代码；请把这个表达式分成几步来写。")
