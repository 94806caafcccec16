"""check() inside a Jupyter kernel (grader/kernel/).

The real thing first: a real ipykernel, driven by nbclient as Jupyter drives it, runs a
notebook that defines ``dropout`` wrongly, checks it, edits the cell without running it (not
graded: a note says so), runs it, checks again; the scores equal ``grade -s`` on a saved
notebook with the same cells.  Then the published student notebook, executed end to end.
The pieces (history -> notebook, choosing exercises, In [n] labels, escaping, one check at a
time) are tested without a kernel.

The kernel tests need the ``notebook`` extra (``pip install -e .[notebook]``); they skip
without it, except when GRADER_REQUIRE_JUPYTER is set (CI sets it: there they must run).
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from conftest import ROOT, write_assignment
from grader.kernel import history, render
from grader.kernel import checker as check_mod


def _need_jupyter():
    try:
        import ipykernel  # noqa: F401
        import nbclient  # noqa: F401
    except ImportError as exc:
        if os.environ.get("GRADER_REQUIRE_JUPYTER"):
            pytest.fail(f"GRADER_REQUIRE_JUPYTER is set but the notebook extra is missing "
                        f"({exc}): pip install -e .[notebook]")
        pytest.skip("the notebook extra is not installed (pip install -e .[notebook]): "
                    "check() was not tried in a real kernel")


def solution(name: str, topic: str) -> str:
    source = (ROOT / "solutions" / f"{topic}.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return "\n".join(source.splitlines()[node.lineno - 1:node.end_lineno])
    raise LookupError(name)


WRONG_DROPOUT = '''\
def dropout(X, drop_prob):
    """Forgets to rescale the kept elements by 1 / (1 - drop_prob)."""
    assert 0 <= drop_prob <= 1
    X = X.float()
    if drop_prob == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > drop_prob).float()
    return mask * X
'''


class Session:
    """A notebook in a real kernel: run cells by index, edit them, read their outputs."""

    def __init__(self, client, nb, path: Path):
        self.client, self.nb, self.path = client, nb, path

    def run(self, index: int) -> dict:
        cell = self.nb.cells[index]
        self.client.execute_cell(cell, index)
        return cell

    def add(self, source: str) -> int:
        cell = v4.new_code_cell(source)
        cell["id"] = f"cell{len(self.nb.cells)}"
        self.nb.cells.append(cell)
        return len(self.nb.cells) - 1

    def save(self):
        nbformat.write(self.nb, str(self.path))


def outputs(cell, mime: str) -> str:
    """The cell's last rendering in ``mime`` (display updates replace what was shown)."""
    found = []
    for out in cell.outputs:
        if out.get("output_type") in ("display_data", "execute_result"):
            found.append(out["data"].get(mime, ""))
        elif out.get("output_type") == "stream":
            found.append(out.get("text", ""))
    text = "\n".join(found)
    return text if mime == "text/html" else " ".join(text.split())   # text: as one line


def stdout_json(cell) -> dict:
    return json.loads("".join(o["text"] for o in cell.outputs if o.get("output_type") == "stream"))


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A notebook file in a temp folder, and a real kernel that knows it is that notebook."""
    _need_jupyter()
    from nbclient import NotebookClient
    folder = tmp_path_factory.mktemp("kernel")
    path = folder / "lab.ipynb"
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                  "display_name": "Python 3"}})
    client = NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    # Jupyter Server tells the kernel its notebook this way (ipykernel: __session__)
    env = dict(os.environ, JPY_SESSION_NAME=str(path))
    with client.setup_kernel(env=env):
        yield Session(client, nb, path)


# ----------------------------------------------------------------------------- real kernel
def test_check_in_a_real_kernel_wrong_then_fixed(kernel, tmp_path):
    s = kernel
    # nothing defined yet: a message, not a traceback, and no grading
    first = s.run(s.add("from grader import check\ncheck()"))
    assert "No exercise is defined in this kernel yet" in outputs(first, "text/plain")
    assert not any(o.get("output_type") == "error" for o in first.outputs)
    typo = s.run(s.add("check('dropot')"))
    assert "did you mean 'dropout'" in outputs(typo, "text/plain")

    s.run(s.add("import torch"))
    wrong = s.add(WRONG_DROPOUT)
    s.run(wrong)
    s.save()
    checked = s.run(s.add("r = check('dropout')\nprint(__import__('json').dumps(r.data))"))
    data = stdout_json(checked)
    ex = data["exercises"][0]
    assert ex["name"] == "dropout" and 0 < ex["score"] < ex["max_score"]
    html = outputs(checked, "text/html")
    text = outputs(checked, "text/plain")
    assert "<table" in html and "<details" in html and "dropout" in html
    assert f"{ex['score']} / {ex['max_score']}" in html and f"{ex['score']} / " in text
    failed = [c for c in ex["checks"] if c["status"] == "fail" and not c["advisory"]]
    assert failed and all(c["feedback"] for c in failed)
    assert "called" in html and "expected" in html and "hint" in html
    assert "starting the grader" not in html.split("dl-grader-check")[-1]   # progress replaced

    # the same cells saved as a notebook: grade -s gives the same result
    saved = tmp_path / "same.ipynb"
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(c.source) for c in s.nb.cells]
    nbformat.write(nb, str(saved))
    official = subprocess.run([sys.executable, "-m", "grader", "-s", str(saved), "dropout",
                               "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                              timeout=600)
    assert official.returncode == 0, official.stderr
    # (where a message names a cell, check() says In [n]: the same cell, as they ran in order)
    expected = check_mod.relabel(json.loads(official.stdout), "same.ipynb")
    assert expected["exercises"] == data["exercises"]
    assert any("In [4], line" in a for a in ex["advice"])

    # the kernel patches torch and points PYTHONPATH at a fake grader that gives full marks:
    # the grader is a separate process with a clean environment, so nothing changes
    fake = tmp_path / "fake"
    (fake / "grader").mkdir(parents=True)
    (fake / "grader" / "__init__.py").write_text("")
    (fake / "grader" / "__main__.py").write_text(
        "print('{\"schema\": \"grader-result\", \"score\": 11, \"max_score\": 11}')")
    s.run(s.add(f"import os\nos.environ['PYTHONPATH'] = {str(fake)!r}\n"
                "torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True"))

    # edited and saved, but not run: still the old code, and check() says so
    s.nb.cells[wrong].source = solution("dropout", "dropout")
    s.save()
    again = s.run(s.add("r = check('dropout')\nprint(__import__('json').dumps(r.data))"))
    assert stdout_json(again)["exercises"] == data["exercises"]
    said = outputs(again, "text/plain")
    assert "now holds different code" in said and "In [" in said

    # run the edited cell: now it is graded, full marks, through the magic this time
    s.run(wrong)
    s.run(s.add("%load_ext grader"))
    fixed = s.run(s.add("%check dropout"))
    plain = outputs(fixed, "text/plain")
    assert "Total" in plain
    assert f"{ex['max_score']} / {ex['max_score']}" in plain
    assert "now holds different code" not in plain
    shown = [o for o in fixed.outputs if "Total" in o.get("data", {}).get("text/plain", "")]
    assert len(shown) == 1           # the magic's return value is not shown a second time

    # a cell that is not Python, named by its execution count
    broken = s.run(s.add("def dropout(X, drop_prob):\n    return X *"))
    count = broken.execution_count
    # (in the checking cell, what comes after check() has not run: it is not graded)
    said = s.run(s.add("\ncheck('dropout')\ndef dropout(X, drop_prob):\n    return X"))
    shown = outputs(said, "text/plain")
    assert f"In [{count}]" in shown and "SyntaxError" in shown and "0 / " in shown


def test_published_student_notebook_runs_end_to_end(tmp_path):
    """`grade publish`, then the release's dropout notebook, every cell, in a real kernel."""
    _need_jupyter()
    from nbclient import NotebookClient
    from grader import assignment as assignment_mod
    from grader.course.publish import publish
    table = write_assignment(tmp_path / "a.toml", {
        "dropout": [c.name for c in _course().exercise("dropout").checks],
        "DropoutMLP": [c.name for c in _course().exercise("DropoutMLP").checks]})
    release = publish(assignment_mod.load(table), tmp_path / "out")["student"]
    path = release / "notebooks" / "dropout.ipynb"
    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, PYTHONPATH=str(release), JPY_SESSION_NAME=str(path))
    client = NotebookClient(nb, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]
    assert not errors, errors
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert [c.source for c in checks] == ['check("dropout")', 'check("DropoutMLP")']
    for cell in checks:
        html = outputs(cell, "text/html")
        assert "not-implemented" in html and "hidden checks" in html and "graded when you " \
            "submit" in html
    last = outputs(nb.cells[-1], "text/plain")
    assert "dropout" in last and "DropoutMLP" in last and "Total" in last and "hidden" in last


def _course():
    from grader import assignment as assignment_mod
    return assignment_mod.load(ROOT / "pyproject.toml")


# ----------------------------------------------------------------------------- pieces
def test_history_becomes_a_notebook_numbered_by_execution_count(tmp_path):
    cells = [history.Executed(1, "import torch"), history.Executed(3, "def dropout(X, p):\n"
                                                                   "    return X"),
             history.Executed(4, "%time x = 1")]
    nb = history.history_notebook(cells, [history.DiskCell(2, "import torch",
                                                           {"tags": ["exercise-setup"]})])
    nbformat.validate(nbformat.from_dict(nb))
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds == ["code", "markdown", "code", "code"]      # cell k is In[k]
    assert nb["cells"][0]["metadata"] == {"tags": ["exercise-setup"]}
    assert nb["cells"][2]["source"].startswith("def dropout")


def test_the_checking_cell_counts_only_above_the_call():
    cell = "\n\nimport torch\n@torch.no_grad()\ndef f():\n    check('f')\ncheck('f')\nx = 1"
    # IPython compiles the cell without its two leading empty lines: line 5 is check('f')
    assert history.before_line(cell, 5) == "\n\nimport torch\n@torch.no_grad()\ndef f():\n" \
        "    check('f')"
    assert history.before_line(cell, 2) == "\n\nimport torch"      # the call inside f()
    assert history.before_line("%%time\ncheck('f')", 2) == "%%time\ncheck('f')"
    cells = [history.Executed(1, "a = 1"), history.Executed(2, "check()\ndef g(): pass")]
    assert history.up_to_the_call(cells, 2, 1)[1].source == ""
    assert history.up_to_the_call(cells, 2, None) == cells


def test_choose_names_what_is_missing():
    ran = [history.Executed(1, "def dropout(X, p): pass"), history.Executed(2, "def corr2d(")]
    names = ["dropout", "corr2d", "pool2d"]
    assert check_mod.choose([], ran, names) == (["dropout", "corr2d"], [])
    chosen, notes = check_mod.choose([], ran, names, ["dropout", "pool2d"])
    assert chosen == ["dropout", "corr2d"] and "pool2d is not defined" in notes[0]
    chosen, notes = check_mod.choose(["pool2d", "dropout"], ran, names)
    assert chosen == ["dropout"] and "pool2d is not defined in this kernel yet" in notes[0]
    with pytest.raises(check_mod.StudentError, match="No exercise is defined"):
        check_mod.choose([], [history.Executed(1, "x = 1")], names, ["dropout"])
    with pytest.raises(check_mod.StudentError, match="did you mean 'corr2d'"):
        check_mod.choose(["corr2"], ran, names)


def test_stale_notes_compare_the_file_with_what_ran():
    ran = [history.Executed(5, "def dropout(X, p):\n    return X")]
    same = [history.DiskCell(3, "def dropout(X, p):\n    return X\n", {})]
    edited = [history.DiskCell(3, "def dropout(X, p):\n    return 2 * X", {})]
    assert history.stale_notes(ran, same, ["dropout"], "lab.ipynb") == []
    [note] = history.stale_notes(ran, edited, ["dropout"], "lab.ipynb")
    assert "In [5]" in note and "cell 3 of lab.ipynb" in note
    [note] = history.stale_notes([], edited, ["dropout"], "lab.ipynb")
    assert "has not run in this kernel" in note


def test_cell_numbers_become_execution_counts():
    result = {"exercises": [{"message": "SyntaxError in lab.ipynb, cell 7, line 2: oops",
                             "checks": [{"message": "needs X, which cell 4 (the setup cell)",
                                         "feedback": {"output": "my cell 3", "details":
                                                      "at lab.ipynb, cell 9, line 1"}}]}]}
    check_mod.relabel(result, "lab.ipynb")
    ex = result["exercises"][0]
    assert ex["message"] == "SyntaxError in In [7], line 2: oops"
    assert ex["checks"][0]["message"] == "needs X, which In [4] (the setup cell)"
    assert ex["checks"][0]["feedback"] == {"output": "my cell 3", "details": "at In [9], line 1"}


def test_everything_shown_is_escaped_and_capped():
    evil = "<script>alert(1)</script>\x1b[31m" + "x" * 10000
    result = {"score": 0, "max_score": 1, "hidden": {"checks": 2, "points": 3},
              "exercises": [{"name": "<b>dropout</b>", "status": "failed", "score": 0,
                             "max_score": 1, "message": None, "advice": [evil],
                             "checks": [{"name": "n", "description": evil, "status": "fail",
                                         "points": 0, "max_points": 1, "message": evil,
                                         "feedback": {"call": evil, "actual": evil,
                                                      "diagnosis": "<i>why</i>"}}]}]}
    html = render.to_html(result, notes=[evil])
    assert "<script" not in html and "<b>dropout" not in html and "<i>why" not in html
    assert "&lt;script&gt;" in html and "&lt;i&gt;why&lt;/i&gt;" in html
    assert "\x1b" not in html and len(html) < 40000 and "more characters" in html
    assert "2 hidden checks (3 points) are graded when you submit" in html
    text = render.to_text(result)
    assert "\x1b" not in text and "diagnosis" in text and "hidden checks" in text


def test_a_second_check_while_one_runs_is_refused(monkeypatch):
    import IPython
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda data, **kw: shown.append(data))
    assert check_mod._running.acquire(blocking=False)
    try:
        started = threading.Thread(target=lambda: shown.append(check_mod.check("dropout")))
        started.start()
        started.join(10)
    finally:
        check_mod._running.release()
    assert "already running" in shown[0]["text/plain"] and shown[1] is None


def test_the_check_setup_cell_explains_a_missing_grader(monkeypatch, capsys):
    from grader.course.notebook_build import CHECK_SETUP
    monkeypatch.setitem(sys.modules, "grader", None)          # as if not installed
    exec(compile(CHECK_SETUP, "cell", "exec"), {})
    said = capsys.readouterr().out
    assert "not installed" in said and sys.executable in said and "pip install -e ." in said


def test_the_kernel_side_imports_neither_torch_nor_the_judge():
    code = ("import sys, grader.kernel.checker, grader.kernel.history; "
            "from grader import check; "
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('grader.judge')"
            " or m == 'pytest'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_an_interrupted_check_stops_the_grader_and_what_it_started(monkeypatch, tmp_path):
    """The kernel's stop button during check(): the grader's whole process group goes."""
    import time
    from grader.kernel import judge_process
    pids = tmp_path / "pids"
    script = ("import os, subprocess, time; child = subprocess.Popen(['sleep', '600']); "
              f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}'); time.sleep(600)")
    monkeypatch.setattr(judge_process, "command", lambda *a, **k: [sys.executable, "-c", script])

    def progress(done, total, exercise, seconds):
        if pids.exists() and pids.read_text():
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        judge_process.grade_notebook(tmp_path / "x.ipynb", ["dropout"], on_progress=progress)
    for pid in map(int, pids.read_text().split()):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                break                                   # killed, waiting for init to reap it
            time.sleep(0.05)
        else:
            pytest.fail(f"process {pid} outlived the interrupted check")


def test_a_grader_that_cannot_grade_says_why(monkeypatch, tmp_path):
    from grader.kernel import judge_process
    script = ("import sys; sys.stderr.write('grade: error: no course found: run grade inside a "
              "course folder\\n'); sys.exit(2)")
    monkeypatch.setattr(judge_process, "command", lambda *a, **k: [sys.executable, "-c", script])
    with pytest.raises(judge_process.JudgeFailed, match="^no course found"):
        judge_process.grade_notebook(tmp_path / "x.ipynb", ["dropout"])
    env = judge_process.judge_environment()
    assert not any(k.startswith("PYTHON") and k not in ("PYTHONPATH", "PYTHONIOENCODING")
                   for k in env)


def test_check_names_are_checked_before_the_grader_starts(course):
    """check(..., checks=) with a check none of the exercises has: a message naming it and
    the valid names, never a silent 0 / 0."""
    from grader import i18n
    check_mod.choose_checks(course, ["corr2d"], ["book_example"])
    check_mod.choose_checks(course, ["corr2d"], None)
    with i18n.language("en"), pytest.raises(check_mod.StudentError) as typo:
        check_mod.choose_checks(course, ["corr2d"], ["book_exampel"])
    assert "did you mean 'book_example'?" in str(typo.value)
    assert "The checks of corr2d: book_example," in str(typo.value)
    with i18n.language("en"), pytest.raises(check_mod.StudentError,
                                            match="name at least one check"):
        check_mod.choose_checks(course, ["corr2d"], [])
    with i18n.language("zh_CN"), pytest.raises(check_mod.StudentError, match="未知的检查"):
        check_mod.choose_checks(course, ["corr2d"], ["book_exampel"])


def test_a_notebook_name_that_is_no_file_is_said(tmp_path, monkeypatch):
    """check(notebook="lba.ipynb"): a message with the close match, never a silent run
    without the notebook's stale-cell warnings."""
    (tmp_path / "lab.ipynb").write_text("{}")
    (tmp_path / "notes.ipynb").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert check_mod.given_notebook("lab.ipynb") == Path("lab.ipynb")
    assert check_mod.given_notebook(None) is None
    from grader import i18n
    with i18n.language("en"), pytest.raises(check_mod.StudentError) as typo:
        check_mod.given_notebook("lba.ipynb")
    said = str(typo.value)
    assert "check(notebook='lba.ipynb'): there is no such file" in said
    assert "did you mean 'lab.ipynb'?" in said and "lab.ipynb, notes.ipynb" in said


def test_an_unknown_magic_option_is_said_not_taken_for_an_exercise(monkeypatch):
    """``%check dropout --lnag zh_CN`` graded nothing and said 'unknown exercise --lnag'."""
    import IPython.display
    from grader import i18n
    shown, calls = [], []
    monkeypatch.setattr(IPython.display, "display", lambda data, **kw: shown.append(data))
    monkeypatch.setattr(check_mod, "check", lambda *a, **k: calls.append((a, k)))
    with i18n.language("en"):
        assert check_mod.check_magic("dropout --lnag zh_CN") is None
    said = shown[0]["text/plain"]
    assert "%check: unknown option '--lnag'" in said and "did you mean '--lang'?" in said
    assert calls == []
    check_mod.check_magic("dropout corr2d --checks=book_example --lang zh_CN")
    check_mod.check_magic("dropout --checks keeps_shape")
    assert calls == [(("dropout", "corr2d"), {"checks": "book_example", "lang": "zh_CN"}),
                     (("dropout",), {"checks": "keeps_shape", "lang": None})]
