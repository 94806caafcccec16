"""Notebooks out (grader/course/notebook_build.py) and in (grader/submission/notebook.py).

Out: every topic's notebook validates, holds each exercise's stub and no solution text, and is
the same bytes every time.  In: a notebook grades exactly like the same code in a .py file,
without running anything but the definitions the exercises need; a broken notebook costs only
the exercises it breaks, with a message that names the cell.
"""
from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest
from nbformat import v4

from conftest import exercise_of, statuses
from grader.course import notebook_build
from grader.submission import notebook
from grader.submission.notebook import unit_from_notebook


# ----------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def built(course, tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebooks")
    paths = notebook_build.write_notebooks(course, folder)
    return {p.stem: p for p in paths}


def solution_definitions(course, topic: str) -> dict[str, str]:
    """name -> the reference's definition (decorators included), taken with ast."""
    source = (course.solutions_dir / f"{topic}.py").read_text()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            found[node.name] = "\n".join(source.splitlines()[first - 1:node.end_lineno])
    return found


def exercise_cells(nb) -> dict[str, int]:
    return {c.metadata["grader"]["exercise"]: i for i, c in enumerate(nb.cells)
            if c.metadata.get("grader", {}).get("exercise")}


def filled(course, built, topic: str, **replace) -> nbformat.NotebookNode:
    """The built notebook with every exercise cell holding the reference (or ``replace``)."""
    nb = nbformat.read(built[topic], as_version=4)
    definitions = solution_definitions(course, topic)
    for name, index in exercise_cells(nb).items():
        nb.cells[index].source = replace.get(name, definitions[name])
    return nb


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def setup_index(nb) -> int:
    return next(i for i, c in enumerate(nb.cells)
                if "exercise-setup" in c.metadata.get("tags", []))


def table(result) -> dict:
    return {(e.name, c.name): (c.status, c.points) for e in result.exercises for c in e.checks}


def first_checks(course, names, n=1) -> set[str]:
    return {c.name for name in names for c in course.exercise(name).checks[:n]}


def message(result, exercise) -> str:
    ex = exercise_of(result, exercise)
    return ex.message or " ".join(c.message or "" for c in ex.checks)


def unit(tmp_path, cells, names=(), nbformat_version=4, name="work.ipynb"):
    """A notebook from (source, metadata) pairs or plain sources, read back as a Unit."""
    nb = v4.new_notebook()
    for index, cell in enumerate(cells):
        source, metadata = cell if isinstance(cell, tuple) else (cell, {})
        made = v4.new_markdown_cell(source[3:]) if source.startswith("md:") else \
            v4.new_code_cell(source)
        made["id"] = f"c{index}"
        made.metadata.update(metadata)
        nb.cells.append(made)
    path = tmp_path / name
    if nbformat_version == 3:
        from nbformat import converter
        nbformat.write(converter.convert(nb, 3), str(path), version=3)
    else:
        write(nb, path)
    return unit_from_notebook(path, path.stem, list(names))


def tagged(name):
    return {"tags": ["exercise"], "grader": {"exercise": name}}


SETUP = {"tags": ["exercise-setup"]}


# ----------------------------------------------------------------------------- notebooks out
def test_built_notebooks_validate_hold_the_stubs_and_no_solution_text(course, built):
    assert sorted(built) == sorted(course.topics)
    for topic, path in built.items():
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
        ids = [c.id for c in nb.cells]
        assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[\w-]{1,64}", i) for i in ids)
        # every exercise's stub, verbatim, in a tagged cell
        stub = (course.stubs_dir / f"{topic}.py").read_text()
        _, parts = notebook_build.stub_parts(stub)
        cells = exercise_cells(nb)
        for spec in (e for e in course.exercises if e.topic == topic):
            cell = nb.cells[cells[spec.name]]
            assert "exercise" in cell.metadata.tags and cell.cell_type == "code"
            part = next(p for p in parts if p.name == spec.name)
            assert cell.source == part.code
            assert nb.cells[cells[spec.name] - 1].cell_type == "markdown"
            assert f"`{spec.name}" in nb.cells[cells[spec.name] - 1].source
        # the setup cell keeps the rest of the stub's code
        setup = [c for c in nb.cells if "exercise-setup" in c.metadata.get("tags", [])]
        assert len(setup) == 1 and "import torch" in setup[0].source or topic == "translation"
        # no solution text anywhere in the notebook
        text = "\n".join(c.source for c in nb.cells)
        solution = (course.solutions_dir / f"{topic}.py").read_text()
        for block in solution.split("# BEGIN SOLUTION")[1:]:
            for line in block.split("# END SOLUTION")[0].splitlines():
                line = line.strip()
                if len(line) > 8 and line not in stub:      # (the docstrings quote some)
                    assert line not in text, f"{topic}: solution text in the notebook: {line}"
        assert "BEGIN SOLUTION" not in text
        # a check("name") cell after each exercise, check() at the end (grader/kernel/)
        names = [e.name for e in course.exercises if e.topic == topic]
        for name in names:
            after = nb.cells[cells[name] + 1]
            assert after.source == f'check("{name}")' and "check" in after.metadata.tags
        assert nb.cells[-1].source == "check()"
        loads = [c for c in nb.cells if "check-setup" in c.metadata.get("tags", [])]
        assert len(loads) == 1 and "from grader import check" in loads[0].source
        assert nb.cells.index(loads[0]) < min(cells.values())


def test_the_book_helpers_are_in_the_setup_cells(built):
    def setup_of(topic):
        nb = nbformat.read(built[topic], as_version=4)
        return next(c.source for c in nb.cells if "exercise-setup" in c.metadata.get("tags", []))
    assert "dropout1, dropout2 = 0.2, 0.5" in setup_of("dropout")
    assert "class Reshape" in setup_of("lenet") and "class Flatten" in setup_of("lenet")
    assert "def linreg" in setup_of("weight_decay")
    assert all(f"class {c}(" in setup_of("seq2seq") for c in ("Encoder", "Decoder",
                                                              "EncoderDecoder"))


def test_building_is_deterministic(course, tmp_path):
    first = notebook_build.write_notebooks(course, tmp_path / "a")
    second = notebook_build.write_notebooks(course, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_markdown_renders_fields_formulas_and_examples(built):
    nb = nbformat.read(built["convolution"], as_version=4)
    text = nb.cells[exercise_cells(nb)["corr2d"] - 1].source
    assert text.startswith("## Exercise 1: `corr2d(X, K)`")
    assert "- **X**: a 2-D tensor of shape (h, w)." in text
    assert "```python\n>>> X = torch.tensor(" in text
    assert "$$Y_{i,j} = \\sum" in text


def test_formulas_and_book_helpers_name_the_right_things(course):
    assert set(notebook_build.FORMULAS) <= set(course.names)
    for latex in notebook_build.FORMULAS.values():
        assert latex.count("{") == latex.count("}") and "$" not in latex
        # a command run into the next symbol (\quadH_2) is an unknown command to MathJax
        assert not re.search(r"\\q?quad[A-Za-z]", latex), latex
    from grader.sandbox import notebook_support as runtime
    # the stand-in for d2l never hands out an exercise: those must be the student's own
    assert not runtime.BOOK_HELPERS & set(course.names)
    for name in runtime.BOOK_HELPERS:
        assert runtime._book_helper(name) is not runtime._ABSENT, name


# ----------------------------------------------------------------------------- notebooks in
def test_filled_notebooks_score_like_the_solutions(course, built, grade, tmp_path):
    # every topic, one check per exercise (the full checks run in the other test files)
    folder = tmp_path / "filled"
    for topic in course.topics:
        write(filled(course, built, topic), folder / f"{topic}.ipynb")
    checks = first_checks(course, course.names)
    from_notebooks = grade(path=folder, only_checks=checks)
    from_solutions = grade(path=course.solutions_dir, only_checks=checks)
    assert table(from_notebooks) == table(from_solutions)
    assert from_notebooks.score == from_notebooks.max_score > 0


def test_unfilled_notebooks_are_not_implemented_yet(course, built, grade):
    names = [e.name for e in course.exercises if e.topic in ("convolution", "seq2seq")]
    result = grade(path=built["convolution"].parent, exercises=names,
                   only_checks=first_checks(course, names))
    assert result.score == 0
    for name in names:
        assert set(statuses(result, name).values()) == {"not-implemented"}, name


@pytest.mark.parametrize("mutant", ["corr2d/clips_input_in_place",
                                    "DropoutMLP/ignores_is_training"])
def test_a_notebook_and_its_py_twin_get_the_same_checks(course, built, grade, tmp_path, mutant):
    """A realistic wrong answer (tests/mutants/) in a notebook and in a .py: same verdicts."""
    exercise = mutant.split("/")[0]
    topic = course.exercise(exercise).topic
    code = (course.root / "tests" / "mutants" / f"{mutant}.py").read_text()
    kills = re.search(r"kills:(.*)", code).group(1).replace(",", " ").split()
    write(filled(course, built, topic, **{exercise: code}), tmp_path / "nb" / f"{topic}.ipynb")
    twin = tmp_path / "py"
    twin.mkdir()
    (twin / f"{topic}.py").write_text((course.solutions_dir / f"{topic}.py").read_text() +
                                      "\n\n" + code)
    checks = set(kills) | first_checks(course, [exercise], n=2)
    as_notebook = grade(path=tmp_path / "nb", exercises=[exercise], only_checks=checks)
    as_py = grade(path=twin, exercises=[exercise], only_checks=checks)
    assert table(as_notebook) == table(as_py)
    assert as_notebook.score < as_notebook.max_score


def test_only_the_definitions_run(course, built, grade, tmp_path):
    """Training loops, prints, plots and magics in any cell (tagged or not) never run."""
    definitions = solution_definitions(course, "convolution")
    hang = "import time\nwhile True:\n    time.sleep(1)\n"
    nb = filled(course, built, "convolution",
                corr2d=definitions["corr2d"] + "\n\n" + hang +
                "for epoch in range(10 ** 9):\n    print(corr2d(X, K))\n"
                "net = train(Conv2D((1, 2)), num_epochs=10 ** 6)\n",
                Conv2D="%%time\n" + definitions["Conv2D"] + "\n" + hang)
    nb.cells.insert(3, v4.new_code_cell("%matplotlib inline\n!pip install d2l==0.17.6\n"
                                        "import matplotlib.pyplot as plt\n"
                                        "plt.plot([1, 2]); plt.show()\n" + hang))
    nb.cells[3]["id"] = "extra"
    write(nb, tmp_path / "nb" / "convolution.ipynb")
    names = ["corr2d", "Conv2D", "corr2d_multi_in"]
    result = grade(path=tmp_path / "nb", exercises=names,
                   only_checks=first_checks(course, names, n=2))
    # full marks is the proof, not a clock: a hang that ran would hold the module's import
    # until its deadline (limits.import_seconds), and the import error would cost the points
    assert result.score == result.max_score, result.to_dict()


def test_book_style_notebook_with_d2l_grades(course, grade, tmp_path):
    """Written with the book: `from d2l import torch as d2l`, no setup cell, d2l.NAME helpers."""
    definitions = solution_definitions(course, "convolution")
    cells = [
        "%matplotlib inline\nimport torch\nfrom torch import nn\nfrom d2l import torch as d2l",
        definitions["corr2d"],
        # the book's corr2d_multi_in calls d2l.corr2d: the notebook's own corr2d
        "def corr2d_multi_in(X, K):\n    d2l.plt.figure()\n"
        "    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))",
        "def corr2d_multi_in_out(X, K):\n    return d2l.no_such_helper(X, K)",
        # seq2seq's base classes from d2l, without the setup cell
        "from d2l.torch import sequence_mask\n"
        "class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):\n"
        "    def forward(self, pred, label, valid_len):\n"
        "        weights = sequence_mask(torch.ones_like(label), valid_len)\n"
        "        self.reduction = 'none'\n"
        "        unweighted = super().forward(pred.permute(0, 2, 1), label)\n"
        "        return (unweighted * weights).mean(dim=1)",
        solution_definitions(course, "seq2seq")["sequence_mask"],
        "class Seq2SeqEncoder(d2l.Encoder):\n    pass",
    ]
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(source) for source in cells]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"c{index}"
    write(nb, tmp_path / "nb" / "book.ipynb")
    names = ["corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "MaskedSoftmaxCELoss"]
    result = grade(path=tmp_path / "nb", exercises=names,
                   only_checks=first_checks(course, names))
    for name in ("corr2d", "corr2d_multi_in", "MaskedSoftmaxCELoss"):
        assert exercise_of(result, name).score == exercise_of(result, name).max_score, name
    text = message(result, "corr2d_multi_in_out")
    assert "d2l.no_such_helper is not available" in text and "book.ipynb, cell 4, line 2" in text
    assert "notebook_support" not in text            # the stand-in never shows in a traceback


def test_broken_cells_cost_only_their_exercises(course, built, grade, tmp_path):
    definitions = solution_definitions(course, "convolution")
    nb = filled(course, built, "convolution",
                corr2d="def corr2d(X, K)\n    return X",                     # syntax error
                conv_output_shape=definitions["conv_output_shape"].replace(
                    "def conv_output_shape(", "def conv_output_shapes("))     # renamed
    cells = exercise_cells(nb)
    # duplicate definitions: a wrong first try above, the right one in the exercise cell
    nb.cells.insert(cells["corr2d_pad_stride"],
                    v4.new_code_cell("def corr2d_pad_stride(X, K, padding=0, stride=1):\n"
                                     "    return X\n"))
    nb.cells[cells["corr2d_pad_stride"]]["id"] = "first-try"
    write(nb, tmp_path / "nb" / "convolution.ipynb")
    (tmp_path / "nb" / "pooling.ipynb").write_text('{"cells": [')            # bad JSON
    names = ["corr2d", "Conv2D", "conv_output_shape", "corr2d_pad_stride", "pool2d",
             "corr2d_multi_in_out_1x1"]
    result = grade(path=tmp_path / "nb", exercises=names,
                   only_checks=first_checks(course, names))
    corr2d_cell = cells["corr2d"] + 1
    assert f"SyntaxError in convolution.ipynb, cell {corr2d_cell}, line 1" in \
        message(result, "corr2d")
    assert (f"conv_output_shape is not defined in convolution.ipynb: its exercise cell "
            f"(cell {cells['conv_output_shape'] + 1}) defines conv_output_shapes instead"
            ) in message(result, "conv_output_shape")
    assert "pooling.ipynb is not a readable notebook: the file is not valid JSON (line 1" in \
        message(result, "pool2d")
    for name in ("corr2d", "conv_output_shape", "pool2d"):
        assert exercise_of(result, name).status == "unavailable", name
    # the others are graded: the last definition of corr2d_pad_stride wins
    for name in ("corr2d_pad_stride", "corr2d_multi_in_out_1x1"):
        assert exercise_of(result, name).score == exercise_of(result, name).max_score, name
    # Conv2D calls the broken corr2d: it fails, with the name of the missing function
    assert exercise_of(result, "Conv2D").score == 0
    assert "corr2d" in message(result, "Conv2D")


def test_broken_setup_cell_is_named(course, built, grade, tmp_path):
    nb = filled(course, built, "pooling")
    setup = setup_index(nb)
    nb.cells[setup].source = "import torch\nfrom torch import (nn\n"
    write(nb, tmp_path / "nb" / "pooling.ipynb")
    result = grade(path=tmp_path / "nb", exercises=["pool2d"],
                   only_checks=first_checks(course, ["pool2d"]))
    text = message(result, "pool2d")
    assert f"cell {setup + 1} (the setup cell)" in text and "SyntaxError" in text


def test_edited_setup_cell_and_helpers_in_other_cells(course, built, grade, tmp_path):
    """The student rewrites the setup cell, and puts a helper in a scratch cell above."""
    nb = filled(course, built, "dropout", dropout=(
        "def dropout(X, drop_prob):\n"
        "    assert 0 <= drop_prob <= 1\n"
        "    return keep(X.float(), 1 - drop_prob)"))
    setup = setup_index(nb)
    nb.cells[setup].source = "import torch as T\nimport torch.nn as nn\ntorch = T\n" \
                             "dropout1, dropout2 = 0.2, 0.5\n"
    helper = v4.new_code_cell(
        "X = torch.arange(16).reshape(2, 8)\n"
        "def keep(X, keep_prob):\n"
        "    if keep_prob == 0:\n"
        "        return torch.zeros_like(X)\n"
        "    return (torch.rand(X.shape) < keep_prob).float() * X / keep_prob\n"
        "print(keep(X, 0.5))\n")
    helper["id"] = "helper"
    nb.cells.insert(setup + 1, helper)
    write(nb, tmp_path / "nb" / "dropout.ipynb")
    names = ["dropout", "DropoutMLP"]
    result = grade(path=tmp_path / "nb", exercises=names,
                   only_checks=first_checks(course, names, n=3))
    assert result.score == result.max_score, result.to_dict()


@pytest.mark.parametrize("variant", ["v3", "list-sources-and-outputs"])
def test_old_format_and_raw_json_notebooks_grade(course, built, grade, tmp_path, variant):
    nb = filled(course, built, "pooling")
    path = tmp_path / "nb" / "pooling.ipynb"
    path.parent.mkdir()
    if variant == "v3":
        from nbformat import converter
        path.write_text(nbformat.writes(converter.convert(nb, 3), version=3))
        assert json.loads(path.read_text())["nbformat"] == 3
    else:
        data = json.loads(nbformat.writes(nb))
        for count, cell in enumerate(data["cells"], 1):
            source = cell["source"]
            source = "".join(source) if isinstance(source, list) else source
            cell["source"] = source.splitlines(keepends=True)
            if cell["cell_type"] == "code":
                cell["execution_count"] = count
                cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                                    "text": ["tensor([[4., 5.],\n", " [7., 8.]])\n"]}]
        path.write_text(json.dumps(data))
    names = ["pool2d", "pool2d_multi"]
    result = grade(path=path, exercises=names, only_checks=first_checks(course, names))
    assert result.score == result.max_score, result.to_dict()


# ----------------------------------------------------------------------------- reading, fast
def test_magics_and_shell_lines_become_pass_keeping_line_numbers():
    source = ("%matplotlib inline\n!pip install d2l\nfiles = !ls\nhelp?\n"
              "def f(x):\n    %time y = x\n    return (x\n        % 2)\n")
    text = notebook.python_source(source)
    assert text.splitlines() == ["pass", "pass", "files = None", "pass", "def f(x):",
                                 "    pass", "    return (x", "        % 2)"]
    assert notebook.python_source("%%bash\nls\n") is None
    assert notebook.python_source("%%time\ndef f():\n    pass\n") == "\ndef f():\n    pass"
    # inside a string, a line starting with % or ! is left alone
    quoted = 'x = """\n%s\n!\n"""\n!ls\n'
    assert notebook.python_source(quoted).splitlines() == ['x = """', "%s", "!", '"""', "pass"]


def test_selection_keeps_definitions_and_what_they_need(tmp_path):
    u = unit(tmp_path, [
        ("import torch\nfrom torch import nn\nscale = 2\n", SETUP),
        "import math\nHELP = 3\nnet = train()\nfor i in range(9):\n    HELP = i\n"
        "def helper(x):\n    return x * HELP * math.pi\nprint(helper(1))",
        ("def f(x):\n    return helper(x) * scale\nf(3)\nwhile True:\n    pass\n"
         "result = f(2)\n", tagged("f")),
        "def f(x):\n    return helper(x)\n",                      # redefined below: last wins
        "demo = f(1)\nplt.plot(demo)",
    ], names=["f"])
    assert u.problem is None and not u.broken
    code = u.source
    for wanted in ("import torch", "scale = 2", "import math", "HELP = 3", "def helper",
                   "return helper(x)\n"):
        assert wanted in code, wanted
    for unwanted in ("train()", "for i", "print(", "f(3)", "while True", "result =", "demo =",
                     "plt.plot"):
        assert unwanted not in code, unwanted
    assert code.index("return helper(x) * scale") < code.index("return helper(x)\n")
    ast.parse(code)
    assert u.where(code.splitlines().index("def helper(x):") + 1) == "work.ipynb, cell 2, line 6"


def test_d2l_imports_are_rewritten_and_other_imports_guarded(tmp_path):
    u = unit(tmp_path, [
        "from d2l import torch as d2l\nimport d2lzh_pytorch as d2lzh\n"
        "from d2l.torch import (sgd,\n    linreg)\nimport no_such_module_here as m\n",
        ("def f():\n    return d2l.linreg, d2lzh.Timer, d2l.plt.figure(), d2l.f, linreg",
         tagged("f")),
        ("def g():\n    return m.thing", tagged("g")),
    ], names=["f", "g"])
    code = "\n".join(u.source.splitlines()[1:])        # after the runtime's line
    assert "import d2l" not in code and "from d2l" not in code and "d2lzh_pytorch" not in code
    namespace = {"__file__": str(tmp_path / "work.py")}
    exec(compile(u.source, "work.py", "exec"), namespace)
    linreg, timer, figure, f, imported = namespace["f"]()
    assert linreg.__name__ == "linreg" and timer.__name__ == "Timer" and f is namespace["f"]
    assert "ignored while grading" in repr(figure) and imported is linreg
    with pytest.raises(ModuleNotFoundError, match="no_such_module_here.*cell 1, line 5"):
        namespace["g"]()
    with pytest.raises(NameError, match="d2l.sgd is not available"):
        namespace["sgd"]([], 0.1, 1)
    with pytest.raises(AttributeError, match="d2l.corr2d is not available: .* does not "
                                             "define corr2d"):
        namespace["d2l"].corr2d


def test_if_try_blocks_lose_their_calls_and_compile_errors_name_the_cell(tmp_path):
    u = unit(tmp_path, [
        # the course platform's way to import the book's package
        "import sys\ntry:\n    import d2lzh1981 as d2l\nexcept ImportError:\n"
        "    sys.path.append('/home/kesci/input')\n    for i in range(10 ** 9):\n"
        "        print(i)\n    import d2lzh1981 as d2l\n",
        ("def f():\n    return d2l.Accumulator(2)", tagged("f")),
        ("def g(x, x):\n    return x", tagged("g")),               # the parser accepts it
    ], names=["f", "g"])
    assert "for i" not in u.source and "sys.path.append" not in u.source
    namespace = {"__file__": str(tmp_path / "work.py")}
    exec(compile(u.source, "work.py", "exec"), namespace)
    assert namespace["f"]().data == [0.0, 0.0]
    assert u.broken["g"].startswith("SyntaxError in work.ipynb, cell 3, line 1: duplicate "
                                    "argument 'x'")


def test_v3_notebook_list_sources_and_tags_are_read(tmp_path):
    u = unit(tmp_path, ["md:# title", ("def f():\n    return 1\n", tagged("f")),
                        "import torch"], names=["f"], nbformat_version=3)
    assert u.problem is None and {"f", "torch"} <= u.defines
    path = tmp_path / "lists.ipynb"
    data = json.loads(nbformat.writes(v4.new_notebook()))
    data["cells"] = [{"cell_type": "code", "metadata": {}, "execution_count": 7, "id": "a",
                      "outputs": [], "source": ["def f():\n", "    return 1\n"]}]
    path.write_text(json.dumps(data))
    assert "def f():\n    return 1" in unit_from_notebook(path, "lists", ["f"]).source


@pytest.mark.parametrize("content, words", [
    ("{\"cells\": [", "not valid JSON (line 1, column 12"),
    ("[1, 2]", "has no 'nbformat' field"),
    ("\xff\xfe", "not UTF-8"),
])
def test_unreadable_notebooks_say_why(tmp_path, content, words):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content.encode("latin-1") if content.startswith("\xff") else
                     content.encode())
    u = unit_from_notebook(path, "bad", ["f"])
    assert u.problem and words in u.problem and "bad.ipynb" in u.problem
