"""Issue 15: the words the worker itself makes are in the student's language.

The worker builds a few sentences next to student code: a scenario's ``Mismatch`` (the shapes
a network lacks, an LSTM where the exercise pins a GRU), the message of ``exit()``, the
``d2l.NAME`` and missing-module errors of a graded notebook.  The judge's language reaches the
worker in its start-up message (grader/sandbox/client.py), and the compiled catalogs travel
into the bubblewrap sandbox with the worker's modules (grader/sandbox/bwrap.py).  What the
worker says stays untrusted text, shown escaped and capped as before.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader import i18n
from grader.sandbox import bwrap
from grader.sandbox import process as sandbox
from grader.sandbox.client import WorkerSession
from grader.sandbox.process import Limits

HAS_BWRAP = sandbox.bwrap_available() and bwrap.probe()
MODES = [pytest.param("bwrap", marks=pytest.mark.skipif(not HAS_BWRAP, reason="no bubblewrap")),
         "process"]

SUBMISSION = textwrap.dedent('''
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = torch.nn.Linear(3, 4)

    def leave():
        raise SystemExit(3)
''')

# a scenario that loads weights of shapes the student's network does not have
SCENARIO = textwrap.dedent('''
    @scenario
    def load(seed):
        load_by_shape(student.Net(), [torch.zeros(4, 3), torch.zeros(5)])
''')


def _ask(mode: str, lang: str, *messages: dict) -> list[dict]:
    """The worker's replies to ``messages``, in one worker started in ``lang``."""
    def write(root: Path):
        (root / "answer.py").write_text(SUBMISSION)
    session = WorkerSession(["answer"], {}, write, Limits(), mode, launcher=sandbox.launch)
    try:
        with i18n.language(lang):           # the worker starts with the first request
            return [session.request(message, 60) for message in messages]
    finally:
        session.close()


@pytest.mark.parametrize("mode", MODES)
def test_the_worker_speaks_the_students_language(mode):
    """One worker of each kind started in Chinese (bubblewrap's reads the catalogs it was
    given): a scenario's Mismatch and exit()'s message come back in Chinese."""
    scenario = {"op": "scenario", "source": SCENARIO, "name": "load", "args": (0,),
                "kwargs": {}}
    exit_call = {"op": "call", "name": "leave", "args": (), "kwargs": {}}
    mismatch, exited = _ask(mode, "zh_CN", scenario, exit_call)
    assert mismatch["mismatch"] == "应当有 2 个参数张量，找到了 2 个；缺少形状 (5)；多出形状 (4)", \
        mismatch
    assert exited["error"]["message"] == "代码调用了 exit(3)", exited


def test_scenario_sentences_in_english_and_chinese():
    """The sentences scenario_lib builds, in the language of the process (the worker's)."""
    import torch

    from grader.sandbox import scenario_lib
    assert scenario_lib.describe_shape_difference([(4, 3), (5,)], [(4, 3), (4,)]) == \
        "expected 2 parameter tensors, found 2; missing shapes (5); unexpected shapes (4)"
    with i18n.language("zh_CN"):
        with pytest.raises(scenario_lib.Mismatch) as found:
            with scenario_lib.gru_state_contract(torch.nn.LSTM(2, 3), "the decoder"):
                raise RuntimeError("Expected hidden[0] size")
        assert "基于 nn.LSTM 构建" in str(found.value)
        assert "(num_layers, batch_size, num_hiddens)" in str(found.value)


def test_notebook_runtime_messages_in_chinese():
    from grader.sandbox import notebook_support
    with i18n.language("zh_CN"):
        with pytest.raises(AttributeError) as found:
            getattr(notebook_support.book_module({}, "d2l"), "train_ch13")
        assert "d2l.train_ch13 不可用" in str(found.value), str(found.value)
        with pytest.raises(ModuleNotFoundError) as found:
            notebook_support.missing("plt", "import matplotlib.pyplot as plt", "cell 2",
                                     ImportError("no module")).show()
        assert "plt 不可用" in str(found.value), str(found.value)
