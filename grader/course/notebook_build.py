"""Notebooks out: one Jupyter notebook per topic, built from the generated stub.

``build_notebook(topic, assignment)`` reads ``exercises/<topic>.py`` (the stub that
``grade generate`` writes: never the solution, so no solution text can reach a notebook) and
lays it out the way the course teaches it:

1. a title cell: the topic's docstring, and how the notebook is graded;
2. a *setup* code cell with the stub's module-level code that is not an exercise (imports, the
   book's given helpers such as ``Reshape``, ``linreg``, the ``Encoder`` base classes, the
   constants ``dropout1, dropout2``), tagged ``exercise-setup`` so the grader keeps it;
3. for every exercise, a markdown cell rendered from its docstring (what to implement, the
   shapes, the formula, in LaTeX where the book has one, the example) and a code cell with the
   stub, tagged ``exercise`` with ``metadata.grader.exercise = <name>``;
4. a cell that loads ``check`` (``from grader import check``, with a message for the student
   when the grader is not installed in the kernel's environment), a ``check("name")`` cell
   after every graded exercise, and a last ``check()`` cell for them all: ``check`` grades
   what the kernel has run, in a separate grader process (grader/kernel/).

The instructions and the exercises' statements (the prose of the stub's docstrings,
:func:`translated_statement`) are in the current language (grader/i18n.py, domain
``release``: ``grade publish`` writes them in the assignment's language); names, code,
examples and commands stay as they are.  The code cells keep the stub as it is.

The output is deterministic: cell ids are derived from the topic and the cell's place, and
nothing depends on time or randomness, so the same stub gives the same bytes.
"""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import ConfigError
from grader.i18n import language as _language
from grader.i18n import _
from grader.i18n import release_ngettext, release_text

if TYPE_CHECKING:
    import nbformat

EXERCISE_TAG = "exercise"
SETUP_TAG = "exercise-setup"
GRADE_TAG = "grade"
CHECK_TAG = "check"
CHECK_SETUP_TAG = "check-setup"
# The cell that loads check(); without the grader in the kernel's environment, check() says
# how to install it instead of failing with a bare ModuleNotFoundError.
def check_setup(notebook: str = "NAME.ipynb") -> str:
    """The source of the cell that loads ``check``, its comment and message in the current
    language (``{python}`` is filled in by the kernel: the interpreter it runs)."""
    comment = release_text("check(\"name\") grades an exercise as this kernel has run it, in "
                           "a separate grader process.")
    lines = release_text(
        "check() needs the course's grader in this notebook's Python environment ({python}), "
        "and it is not installed there.\nIn a terminal, in the course folder (the one with "
        "README.md and pyproject.toml), run\n    {python} -m pip install -e .\nthen restart "
        "the kernel and run the cells again.  Or save the notebook and grade the file in a "
        "terminal: grade -s notebooks/{notebook}").replace("{notebook}", notebook).split("\n")
    message = "\n               ".join(repr(line + "\n") for line in lines[:-1])
    message += ("\n               " if len(lines) > 1 else "") + repr(lines[-1])
    return (f"# {comment}\n"
            "try:\n"
            "    from grader import check\n"
            "except ImportError:\n"
            "    def check(*exercises, **options):\n"
            "        python = __import__(\"sys\").executable\n"
            f"        print(({message})\n"
            "              .replace(\"{python}\", python))\n"
            "    check()\n")


with _language("en"):
    CHECK_SETUP = check_setup()     # in English; build_notebook writes it in the current language
NBFORMAT_MINOR = 5

# The book's formula for the exercises whose docstring states one (the same formula, typeset).
FORMULAS: dict[str, str] = {
    "dropout": r"h_i' = \begin{cases} 0 & \text{with probability } p \\"
               r" \dfrac{h_i}{1 - p} & \text{otherwise} \end{cases}"
               r"\qquad\text{so that}\qquad E[h_i'] = h_i",
    "DropoutMLP": r"H_1 = \mathrm{dropout}\big(\mathrm{ReLU}(X W_1 + b_1),\ p_1\big),\quad"
                  r" H_2 = \mathrm{dropout}\big(\mathrm{ReLU}(H_1 W_2 + b_2),\ p_2\big),\quad"
                  r" O = H_2 W_3 + b_3",
    "corr2d": r"Y_{i,j} = \sum_{a=0}^{k_h-1} \sum_{b=0}^{k_w-1} X_{i+a,\, j+b}\, K_{a,b},"
              r"\qquad Y \in \mathbb{R}^{(h-k_h+1) \times (w-k_w+1)}",
    "Conv2D": r"Y = X \star W + b",
    "conv_output_shape": r"\left\lfloor \frac{n_h - k_h + 2 p_h}{s_h} \right\rfloor + 1"
                         r" \ \times\ "
                         r"\left\lfloor \frac{n_w - k_w + 2 p_w}{s_w} \right\rfloor + 1",
    "corr2d_pad_stride": r"Y_{i,j} = \sum_{a=0}^{k_h-1} \sum_{b=0}^{k_w-1}"
                         r" P_{i s_h + a,\, j s_w + b}\, K_{a,b}"
                         r"\qquad (P = X \text{ padded with zeros})",
    "corr2d_multi_in": r"Y = \sum_{c=0}^{c_i-1} X_c \star K_c",
    "corr2d_multi_in_out": r"Y_o = \sum_{c=0}^{c_i-1} X_c \star K_{o,c},"
                           r"\qquad o = 0, \dots, c_o - 1",
    "corr2d_multi_in_out_1x1": r"Y_{o,i,j} = \sum_{c=0}^{c_i-1} K_{o,c,0,0}\, X_{c,i,j}"
                               r"\qquad\Longleftrightarrow\qquad"
                               r" Y_{c_o \times hw} = K_{c_o \times c_i}\, X_{c_i \times hw}",
    "pool2d": r"Y_{i,j} = \max_{0 \le a < p_h,\ 0 \le b < p_w} X_{i+a,\, j+b}"
              r"\quad\text{or}\quad"
              r" Y_{i,j} = \frac{1}{p_h p_w} \sum_{a=0}^{p_h-1} \sum_{b=0}^{p_w-1} X_{i+a,\, j+b}",
    "pool2d_multi": r"c \times \left\lfloor \frac{h - p_h + 2 q_h}{s_h} \right\rfloor + 1"
                    r" \times \left\lfloor \frac{w - p_w + 2 q_w}{s_w} \right\rfloor + 1",
    "masked_softmax": r"\alpha_{j} = \begin{cases} \dfrac{\exp(x_j)}"
                      r"{\sum_{j' < \mathrm{valid\_len}} \exp(x_{j'})}"
                      r" & j < \mathrm{valid\_len} \\ 0 & \text{otherwise} \end{cases}",
    "DotProductAttention": r"\mathrm{softmax}\left(\frac{Q K^\top}{\sqrt{d}}\right) V",
    "AdditiveAttention": r"a(\mathbf{q}, \mathbf{k}) = \mathbf{w}_v^\top"
                         r" \tanh(\mathbf{W}_q \mathbf{q} + \mathbf{W}_k \mathbf{k})",
    "Seq2SeqEncoder": r"\mathbf{h}_t = f(\mathbf{x}_t, \mathbf{h}_{t-1}),"
                      r"\qquad \mathbf{c} = \mathbf{h}_T",
    "Seq2SeqDecoder": r"\mathbf{s}_{t'} = g(y_{t'-1}, \mathbf{c}, \mathbf{s}_{t'-1})",
    "MaskedSoftmaxCELoss": r"\ell_i = \frac{1}{T} \sum_{j=0}^{T-1}"
                           r" \mathbb{1}[j < \mathrm{valid\_len}_i]\,"
                           r" \mathrm{CE}(\mathrm{pred}_{i,j}, \mathrm{label}_{i,j})",
    "bleu": r"\exp\left(\min\left(0, 1 - \frac{\mathrm{len}_{\text{label}}}"
            r"{\mathrm{len}_{\text{pred}}}\right)\right) \prod_{n=1}^{k} p_n^{1/2^n}",
    "xavier_uniform_": r"U\left(-a, a\right),\qquad a = \mathrm{gain}"
                       r" \sqrt{\frac{6}{n_\text{in} + n_\text{out}}}",
    "grad_clipping": r"\mathbf{g} \leftarrow \min\left(1, \frac{\theta}{\|\mathbf{g}\|}\right)"
                     r" \mathbf{g}",
    "polynomial_features": r"\left(1,\ x,\ \frac{x^2}{2!},\ \frac{x^3}{3!},\ \dots,\ "
                           r"\frac{x^{d-1}}{(d-1)!}\right)",
    "evaluate_loss": r"\frac{1}{n} \sum_{i=1}^{n} \ell(\hat y_i, y_i)",
    "fit_polynomial": r"\hat{\mathbf{w}} = \operatorname*{argmin}_{\mathbf{w}}"
                      r" \|X_\text{train} \mathbf{w} - \mathbf{y}_\text{train}\|^2",
    "l2_penalty": r"\frac{\|\mathbf{w}\|^2}{2} = \frac{1}{2} \sum_i w_i^2",
    "sgd": r"\mathbf{w} \leftarrow \mathbf{w} - \frac{\eta}{|\mathcal{B}|}"
           r" \sum_{i \in \mathcal{B}} \nabla_{\mathbf{w}} \ell^{(i)}",
    "train_weight_decay": r"\ell(\mathbf{w}, b) + \frac{\lambda}{2} \|\mathbf{w}\|^2,"
                          r"\qquad \mathbf{w} \leftarrow (1 - \eta\lambda)\,\mathbf{w}"
                          r" - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}"
                          r" \nabla_{\mathbf{w}} \ell^{(i)}",
    "nin_block": r"h' = \left\lfloor \frac{h + 2p - k}{s} \right\rfloor + 1",
}


_TEXT = re.compile(r"\\text\{(\s*)([^{}]*?)(\s*)\}")


def formula(name: str) -> str:
    """The formula of exercise ``name`` (:data:`FORMULAS`), its words (``\\text{...}``) in the
    current language; subscripts such as ``\\text{train}`` stay as they are."""
    words = {"with probability": release_text("with probability"),
             "otherwise": release_text("otherwise"), "so that": release_text("so that"),
             "or": release_text("or"), "padded with zeros": release_text("padded with zeros")}
    return _TEXT.sub(lambda m: "\\text{" + m[1] + words.get(m[2], m[2]) + m[3] + "}",
                     FORMULAS[name])


# ----------------------------------------------------------------------------- the stub
class StubPart:
    """One top-level statement of the stub with its leading comments."""

    def __init__(self, code: str, name: str | None, node: ast.stmt, gap: int, index: int):
        self.code, self.name, self.node = code, name, node
        self.gap = gap          # blank lines above it in the stub
        self.index = index      # its place among the stub's statements


def stub_parts(source: str) -> tuple[str, list[StubPart]]:
    """(module docstring, top-level statements with their leading comments)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    body = list(tree.body)
    doc = ""
    previous_end = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        doc = inspect.cleandoc(body[0].value.value)
        previous_end = body[0].end_lineno
        body = body[1:]
    parts = []
    for index, node in enumerate(body):
        chunk = lines[previous_end:node.end_lineno]
        if previous_end == 0:   # the generated header ("# Generated from ...") is not handed out
            chunk = [line for line in chunk if not line.startswith("# Generated from ")]
        gap = 0
        while chunk and not chunk[0].strip():
            chunk.pop(0)
            gap += 1
        previous_end = node.end_lineno
        name = node.name if isinstance(node, (ast.FunctionDef, ast.ClassDef,
                                              ast.AsyncFunctionDef)) else None
        parts.append(StubPart("\n".join(chunk).rstrip(), name, node, gap, index))
    return doc, parts


def join_parts(parts: list[StubPart]) -> str:
    """The parts' code; neighbours in the stub keep their spacing, others get two blank lines."""
    text = ""
    for previous, part in zip([None, *parts], parts):
        if previous is not None:
            adjacent = part.index == previous.index + 1
            text += "\n" * ((part.gap if adjacent else 2) + 1)
        text += part.code
    return text


def is_stub(part: StubPart) -> bool:
    """A definition with the generated stub body in it: something for the student to write."""
    from grader.course.generate import STUB_BODY
    return part.name is not None and any(line.strip() == STUB_BODY[0]
                                         for line in part.code.splitlines())


def signature(node: ast.stmt) -> str:
    """How the grader calls it: ``corr2d(X, K)``, ``Conv2D(kernel_size)`` (no self/**kwargs)."""
    if isinstance(node, ast.ClassDef):
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef)
                     and n.name == "__init__"), None)
        if init is None:
            return f"{node.name}()"
        a = init.args
        args = ast.arguments(posonlyargs=a.posonlyargs[1:],
                             args=a.args if a.posonlyargs else a.args[1:],
                             vararg=a.vararg, kwonlyargs=a.kwonlyargs,
                             kw_defaults=a.kw_defaults, kwarg=None, defaults=a.defaults)
        return f"{node.name}({ast.unparse(args)})"
    return f"{node.name}({ast.unparse(node.args)})"


def methods_to_write(node: ast.ClassDef, source: str) -> list[str]:
    """The methods of a class stub (in the stub ``source``) with the generated stub body."""
    from grader.course.generate import STUB_BODY
    lines = source.splitlines()
    return [n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and any(line.strip() == STUB_BODY[0] for line in lines[n.lineno - 1:n.end_lineno])]


# ----------------------------------------------------------------------------- statements
_DOCTEST = re.compile(r"^(?P<indent>\s*)(?:>>>|\.\.\.)(?: |$)")
_SIGNATURE = re.compile(r"[A-Za-z_][\w.]*\([^()]*\)")      # a paragraph that is only a call


def statement_parts(doc: str) -> list[tuple[str, bool]]:
    """A teaching docstring cut into what is translated and what stays as written:
    ``(text, translated)`` in order.  Each paragraph (consecutive non-blank lines: prose, a
    field list, an indented table of layers) is translated as a whole, its line layout kept by
    the translation; blank lines, doctest examples (``>>>`` and the output under them) and a
    paragraph that is only a signature are kept."""
    parts: list[tuple[str, bool]] = []
    paragraph: list[str] = []
    example = None                       # the indentation of the doctest being read

    def flush():
        if paragraph:
            text = "\n".join(paragraph)
            parts.append((text, not _SIGNATURE.fullmatch(text)))
            paragraph.clear()

    for line in doc.splitlines():
        indent = len(line) - len(line.lstrip())
        doctest = _DOCTEST.match(line)
        if not line.strip():
            example = None
        elif doctest:
            example = len(doctest.group("indent"))
        elif example is not None and indent < example:
            example = None
        if not line.strip() or example is not None:
            flush()
            parts.append((line, False))
        else:
            paragraph.append(line)
    flush()
    return parts


def translated_statement(doc: str) -> str:
    """``doc`` (an exercise's or a topic's docstring) with its prose paragraphs in the current
    language (domain ``release``; :func:`extract_statements` gives the msgids)."""
    return "\n".join(release_text(text) if translated else text
                     for text, translated in statement_parts(doc))


_DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def translated_stub(source: str) -> str:
    """The stub ``source`` with its docstrings' prose in the current language (what a release's
    ``exercises/<topic>.py`` and the notebooks' code cells hold); the code is unchanged, and
    a docstring without a translation is left byte for byte."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    nodes = [n for n in ast.walk(tree) if isinstance(n, _DOCUMENTED)
             and ast.get_docstring(n) and isinstance(n.body[0], ast.Expr)]
    for node in sorted(nodes, key=lambda n: n.body[0].lineno, reverse=True):   # bottom up
        doc = ast.get_docstring(node)
        expr = node.body[0]
        text = translated_statement(doc)
        if text == doc:
            continue
        indent = " " * expr.col_offset
        text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        body = text.splitlines()
        literal = '"""' + body[0] + "".join(
            "\n" + (indent + line if line.strip() else "") for line in body[1:])
        literal += ('\n' + indent + '"""') if len(body) > 1 or text.endswith('"') else '"""'
        first, last = expr.lineno - 1, expr.end_lineno - 1
        lines[first:last + 1] = [lines[first][:expr.col_offset] + literal
                                 + lines[last][expr.end_col_offset:]]
    return "".join(lines)


def extract_statements(fileobj, keywords, comment_tags, options):
    """Babel extraction method (domain ``release``) for the exercises' statements in a stub
    (``exercises/<topic>.py``): the prose paragraphs of its docstring and of every docstring
    in it (the exercises', which the notebooks show, and the given helpers' and methods',
    which the stubs and the notebooks' code cells hold)."""
    source = fileobj.read()
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    tree = ast.parse(source)
    topic = Path(getattr(fileobj, "name", "") or "stub").stem
    found = [(1, topic, ast.get_docstring(tree) or "")]
    for node in ast.walk(tree):
        if isinstance(node, _DOCUMENTED) and not isinstance(node, ast.Module):
            found.append((node.lineno, f"{topic}.{node.name}", ast.get_docstring(node) or ""))
    for lineno, where, doc in found:
        for text, translated in statement_parts(doc):
            if translated:
                yield lineno, None, text, [f"statement of {where}"]


# ----------------------------------------------------------------------------- markdown
_FIELD = re.compile(r"^(?P<name>[A-Za-z_][\w.]*(?:\([^)]*\))?(?:,\s*[A-Za-z_]\w*)*):"
                    r"\s+(?P<text>\S.*)$")
_HEADING = re.compile(r"^(?:Examples?|Notes?|Hints?|示例|注意|提示)\b[^:：]{0,70}[:：]$")
_TABLE_ROW = re.compile(r"^\S.*?\S {4,}\S")
_CODE_SPAN = re.compile(r"(``.+?``)")
_EMPHASIS = re.compile(r"(?<![A-Za-z0-9_*])\*([A-Za-z\u4e00-\u9fff][\w -]*[A-Za-z\u4e00-\u9fff]"
                       r"|[\u4e00-\u9fff])\*(?![A-Za-z0-9_*])")   # *word*, *中文* too
# a name with what follows it (calls, attributes, indexing): code when it has a _ or a dot
_IDENTIFIER = re.compile(r"(?<![\w.`*])\*{0,2}[A-Za-z_]\w*"
                         r"(?:\([^()]*\)|\.[A-Za-z_]\w*|\[[^\[\]]*\])*(?![\w`])")
_LABELS = {"Example", "Examples", "Note", "Notes", "Hint", "Hints", "Returns"}


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("$", r"\$").replace("*", r"\*").replace("_", r"\_")
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)


def _code_names(text: str) -> str:
    def span(match):
        word = match.group(0)
        head = re.match(r"\**[\w.]*", word).group(0)
        if word.startswith("*"):
            return f"``{word}``"                            # *args, **kwargs
        if "_" not in word and "." not in head:
            return word
        if all(len(p) <= 1 for p in head.split(".")):       # e.g., i.e.
            return word
        return f"``{word}``"
    return _IDENTIFIER.sub(span, text)


def _inline(text: str) -> str:
    """Docstring prose -> markdown: ``code`` and names become code, *emphasis* stays."""
    out = []
    for i, piece in enumerate(_CODE_SPAN.split(text)):
        if i % 2:
            out.append("`" + piece[2:-2] + "`")
            continue
        for j, prose in enumerate(_EMPHASIS.split(piece)):
            if j % 2:
                out.append(f"*{prose}*")
                continue
            for k, sub in enumerate(_CODE_SPAN.split(_code_names(prose))):
                out.append("`" + sub[2:-2] + "`" if k % 2 else _escape(sub))
    return "".join(out)


def _fence(lines: list[str], indent: str = "") -> list[str]:
    text = inspect.cleandoc("\n".join(lines)).splitlines()
    language = "python" if any(line.lstrip().startswith(">>>") for line in text) else "text"
    return [f"{indent}```{language}", *[indent + line for line in text], f"{indent}```"]


def docstring_markdown(doc: str) -> str:
    """Render a teaching docstring as markdown.

    Lines like ``X: a 2-D tensor ...`` become a list, indented runs (formulas, layer tables,
    examples) and column-aligned tables become code blocks, ``code`` becomes `code`, and
    ``Example:`` lines become bold headings.
    """
    lines = inspect.cleandoc(doc).splitlines()
    out: list[str] = []

    def indent_of(line: str) -> int:
        return len(line) - len(line.lstrip())

    def separate():
        if out and out[-1] != "":
            out.append("")

    state = "start"              # what the previous line was: start/blank, prose, field
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            separate()
            state = "start"
            i += 1
            continue
        if indent_of(line) > 0:                   # an indented run: a formula, a table, code
            run = []
            while i < len(lines) and indent_of(lines[i]) > 0 or (
                    i + 1 < len(lines) and not lines[i].strip()
                    and indent_of(lines[i + 1]) > 0 and run):
                run.append(lines[i])
                i += 1
            separate()
            out += _fence(run)
            out.append("")
            state = "start"
            continue
        field = _FIELD.match(line)
        if field and field.group("name") in _LABELS:     # "Example: batches with ..."
            if state == "field":
                out.append("")
            out.append(f"**{field.group('name')}:** {_inline(field.group('text'))}")
            state = "prose"
            i += 1
            continue
        if field and state in ("start", "field") and len(field.group("name")) <= 40:
            column = line.index(field.group("text"))
            if state == "start":
                separate()
            item = [f"- **{_inline(field.group('name'))}**: {_inline(field.group('text'))}"]
            i += 1
            nested: list[str] = []
            while i < len(lines) and lines[i].strip() and indent_of(lines[i]) > 0:
                if indent_of(lines[i]) <= column and not nested:
                    item.append("  " + _inline(lines[i].strip()))
                else:
                    nested.append(lines[i])
                i += 1
            if nested:
                item.append("")
                item += _fence(nested, indent="  ")
            out += item
            state = "field"
            continue
        if state == "start" and _TABLE_ROW.match(line):   # a column-aligned table
            run = []
            while i < len(lines) and lines[i].strip():
                run.append(lines[i])
                i += 1
            separate()
            out += _fence(run)
            out.append("")
            continue
        if _HEADING.match(line.strip()) and state == "start":
            separate()
            out.append(f"**{_inline(line.strip()[:-1])}{line.strip()[-1]}**")   # : or ：
            out.append("")
            i += 1
            continue
        if state == "field":
            out.append("")                        # prose after a list: a new paragraph
        out.append(_inline(line))
        state = "prose"
        i += 1
    while out and out[-1] == "":
        out.pop()
    return "\n".join(re.sub(r"\n{3,}", "\n\n", "\n".join(out)).splitlines())


# ----------------------------------------------------------------------------- cells
def _cell_id(topic: str, index: int, slug: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_-]", "-", f"{topic}-{index:02d}-{slug}")
    return text[:64]


def build_notebook(topic: str, assignment) -> nbformat.NotebookNode:
    """The notebook of ``topic``: title, setup, one (markdown, stub) pair per exercise, grade."""
    import nbformat
    from nbformat import v4

    stub_path = Path(assignment.stubs_dir) / f"{topic}.py"
    if not stub_path.is_file():
        raise ConfigError(_("no stub for topic {topic}: expected {path} (run `grade "
                            "generate` first)", topic=repr(topic), path=stub_path))
    source = stub_path.read_text(encoding="utf-8")
    try:
        source = translated_stub(source)        # the code cells' docstrings too
        module_doc, parts = stub_parts(source)
        module_doc = translated_statement(module_doc)
    except SyntaxError as exc:
        raise ConfigError(_("{path}: not valid Python (line {line}: {error})",
                            path=stub_path, line=exc.lineno, error=exc.msg)) from None
    graded = {e.name: e for e in assignment.exercises if e.topic == topic}
    missing = [name for name in graded if name not in {p.name for p in parts}]
    if missing:
        raise ConfigError(_("{path} does not define {names} (stale stub? run `grade "
                            "generate`)", path=stub_path, names=", ".join(missing)))
    # exercises: graded names, and other stubs with a body to write (not graded here)
    exercise_parts = [p for p in parts if p.name in graded or is_stub(p)]
    setup_parts = [p for p in parts if p not in exercise_parts]

    cells = []

    def add(kind: str, slug: str, text: str, **metadata):
        make = v4.new_markdown_cell if kind == "markdown" else v4.new_code_cell
        cell = make(text)
        cell["id"] = _cell_id(topic, len(cells), slug)
        cell["metadata"] = metadata
        cells.append(cell)

    title, _blank, rest = module_doc.partition("\n\n")
    title = " ".join(title.split())
    names = [p.name for p in exercise_parts if p.name in graded]
    points = sum(graded[n].max_points for n in names)
    intro = [f"# {_inline(title.strip())}", "",
             release_ngettext("*{title}*: {count} graded exercise, {points}.",
                              "*{title}*: {count} graded exercises, {points}.", len(names),
                              title=_inline(_shown_title(assignment)), points=_points(points)), ""]
    if rest.strip():
        intro += [docstring_markdown(rest), ""]
    intro += [
        release_text("**How this notebook works.**"),
        "",
        "1. " + release_text(
            "Run the *setup* cell below first: it holds the imports and what the exercises "
            "are given."),
        "2. " + release_text(
            "Each exercise is a text cell that says what to compute, followed by a code cell "
            "with the function (or class) to write: replace `raise NotImplementedError` with "
            "your code. Keep the names and the parameters, they are what the grader calls."),
        "3. " + release_text(
            "Add cells of your own to try things out (prints, plots, training runs): the "
            "grader only reads the definitions (imports, `def`, `class`, constants) it needs, "
            "and never runs the rest of the notebook."),
        "4. " + release_text(
            "After each exercise, run its `check(\"name\")` cell: it grades the exercise as "
            "this notebook's kernel has it (the cells you have run; no need to save) and "
            "shows what is wrong. The last cell checks every exercise of the notebook."),
    ]
    add("markdown", "title", "\n".join(intro))

    if setup_parts:
        given = [p.name for p in setup_parts if p.name]
        text = release_text("## Setup") + "\n\n" + (release_text(
            "Run this cell first. Besides the imports it defines what the book provides and "
            "the exercises may use: {names} (given, not graded). You may add imports or "
            "helpers of your own here.", names=", ".join(f"`{n}`" for n in given)) if given
            else release_text("Run this cell first. You may add imports or helpers of your own "
                              "here."))
        add("markdown", "setup-text", text)
        code = join_parts(setup_parts)
        add("code", "setup", code, tags=[SETUP_TAG], grader={"setup": True})
    add("markdown", "check-setup-text", release_text(
        "Run the cell below once: it loads `check`. `check(\"name\")` grades an exercise "
        "with the cells this kernel has run (edit a cell, run it, check again), in a "
        "separate grader process, exactly as `grade` grades the saved notebook."))
    add("code", "check-setup", check_setup(f"{topic}.ipynb"),
        tags=[CHECK_SETUP_TAG])

    number = 0
    for part in exercise_parts:
        is_graded = part.name in graded
        number += is_graded
        doc = translated_statement(ast.get_docstring(part.node) or "")
        head = (release_text("## Exercise {number}: `{signature}`", number=number,
                             signature=signature(part.node)) if is_graded
                else release_text("## Optional: `{signature}`", signature=signature(part.node)))
        lines = [head, ""]
        if is_graded:
            lines += [f"*{_points(graded[part.name].max_points)}*", ""]
        else:
            lines += [release_text("*Not graded in this assignment.*"), ""]
        if doc:
            lines += [docstring_markdown(doc), ""]
        if part.name in FORMULAS:
            lines += [release_text("**The formula** (as in the book):"), "",
                      f"$${formula(part.name)}$$", ""]
        if isinstance(part.node, ast.ClassDef):
            methods = methods_to_write(part.node, source)
            what = (release_text("the methods {methods} of `{name}`",
                                 methods=", ".join(f"`{m}`" for m in methods), name=part.name)
                    if methods else f"`{part.name}`")
        else:
            what = release_text("the body of `{name}`", name=part.name)
        lines.append(release_text(
            "**Your turn:** write {what} in the cell below (replace `raise "
            "NotImplementedError`). Keep the name and the parameters: the grader calls "
            "`{signature}`. Helpers of your own may go in this cell or in a cell above it.",
            what=what, signature=signature(part.node)))
        add("markdown", f"{part.name}-text", "\n".join(lines))
        add("code", part.name, part.code, tags=[EXERCISE_TAG],
            grader={"exercise": part.name, "graded": is_graded})
        if is_graded:
            add("code", f"{part.name}-check", f'check("{part.name}")', tags=[CHECK_TAG],
                grader={"check": part.name})

    notebook_name = f"{topic}.ipynb"
    add("markdown", "grade-text",
        release_text("## Check your work") + "\n\n" + release_text(
            "The cell below checks every exercise of this notebook as this kernel has it: run "
            "your exercise cells first (a cell edited but not run is not graded). Only your "
            "exercise cells, the setup cell and the imports and helpers they use are graded, "
            "never your other cells. To grade the saved file instead, run "
            "`grade --submission {notebook}` (or `python -m grader --submission {notebook}`) "
            "in a terminal, in this folder.", notebook=notebook_name))
    add("code", "grade", "check()", tags=[GRADE_TAG], grader={"grade": True})

    nb = v4.new_notebook()
    nb.nbformat, nb.nbformat_minor = 4, NBFORMAT_MINOR
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "grader": {"topic": topic, "exercises": names},
    }
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def _shown_title(assignment) -> str:
    """The assignment's title in the current language (``[tool.grader.titles]``), else its
    ``title``."""
    return getattr(assignment, "shown_title", None) or assignment.title


def _points(value: float) -> str:
    value = int(value) if float(value).is_integer() else value
    # 1.5 points: the plural form of a count other than 1
    return release_ngettext("{points} point", "{points} points", 1 if value == 1 else 2,
                            points=value)


def write_notebooks(assignment, folder: Path) -> list[Path]:
    """Write ``<topic>.ipynb`` for every topic of the assignment into ``folder``."""
    import nbformat
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for topic in assignment.topics:
        path = folder / f"{topic}.ipynb"
        text = nbformat.writes(build_notebook(topic, assignment))
        if not text.endswith("\n"):
            text += "\n"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
