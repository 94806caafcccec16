"""A ``.py`` file read the way Python reads it, and treated the way its notebook would be.

* Bytes become text as Python decodes a source file (:func:`decode`): a UTF-8 byte order mark
  (Windows editors' "UTF-8 with BOM") is dropped, and a PEP 263 coding declaration
  (``# -*- coding: latin-1 -*-``) is honoured (``tokenize.detect_encoding``).  The worker gets
  the text as UTF-8, so the declaration is rewritten to say so, on the same line (line
  numbers do not move).
* The book's packages (``from d2l import torch as d2l``, ``import d2lzh_pytorch``) are never
  imported, exactly as in notebooks (:func:`book_imports`): ``d2l.NAME`` stands for the
  student's own ``NAME``, so an unused import costs nothing.
* A script exported from a notebook (nbconvert's ``# In[3]:`` markers and
  ``get_ipython().run_line_magic(...)`` lines, or jupytext's ``# %%`` cells) is graded as the
  notebook it came from (:func:`notebook_cells`): only the definitions the exercises need are
  kept; training loops, plots and magics at top level are never run.

Parsing only, never execution.  Errors are messages for the student (ValueError).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize

from grader.i18n import _
from grader.submission import notebook

_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_CELL_MARKER = re.compile(r"^# ?(?:In\[[ \d*]*\]:?|%%.*)[ \t]*$")
_RUNTIME_IMPORT = f"import grader.sandbox.notebook_support as {notebook.RUNTIME}; "


def decode(data: bytes, name: str) -> str:
    """The text Python would read from ``data`` (BOM and PEP 263 honoured), its coding
    declaration (if any) rewritten to UTF-8 in place.  Raises ValueError with a message."""
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError as exc:
        raise ValueError(_("could not read {name}: {error}.  Save the file as UTF-8 (and "
                           "remove the coding line).", name=name, error=exc.msg)) from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise ValueError(_("could not read {name}: it is not valid {encoding} text (byte "
                               "{byte}).  Save the file as UTF-8.", name=name,
                               encoding=encoding, byte=exc.start)) from None
        raise ValueError(_("could not read {name}: it is not valid {encoding} text.  Save the "
                           "file as UTF-8.", name=name, encoding=encoding)) from None
    text = text.removeprefix("\ufeff")
    lines = text.split("\n", 2)
    for index in range(min(2, len(lines))):
        match = _CODING.match(lines[index])
        if match:
            lines[index] = (f"# -*- coding: utf-8 -*- (declared {match.group(1)}; the grader "
                            "re-encoded it)")
            break
    return "\n".join(lines)


def is_exported_notebook(text: str, tree: ast.Module | None) -> bool:
    """A script written by nbconvert or jupytext: cell markers, or top-level IPython calls."""
    if any(_CELL_MARKER.match(line) for line in text.splitlines()):
        return True
    if tree is None:
        return False
    for node in tree.body:
        if isinstance(node, (ast.Expr, ast.Assign)) and isinstance(node.value, ast.Call):
            func = node.value.func
            while isinstance(func, ast.Attribute):
                func = func.value
            if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) \
                    and func.func.id == "get_ipython":
                return True
    return False


def notebook_cells(text: str) -> list[dict]:
    """The script cut into code cells at its markers (the markers' lines become blank, so each
    cell's line numbers stay those of its lines in the script, counted from its marker)."""
    cells: list[list[str]] = [[]]
    for line in text.splitlines():
        if _CELL_MARKER.match(line):
            cells.append([])
        else:
            cells[-1].append(line)
    return [{"cell_type": "code", "metadata": {}, "source": "\n".join(lines) + "\n"}
            for lines in cells if any(line.strip() for line in lines)]


def book_imports(text: str, tree: ast.Module) -> str:
    """``text`` with every top-level import of the book's packages (also inside top-level
    if/try blocks) bound to the student's own names instead, as notebooks do (same lines)."""
    lines = text.split("\n")
    changed = False

    def visit(body: list) -> None:
        nonlocal changed
        for k, node in enumerate(body):
            if isinstance(node, (ast.If, ast.Try)) or type(node).__name__ == "TryStar":
                for block in notebook._blocks(node):
                    visit(block)
                continue
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            binding = notebook._book_binding(node)
            before = body[k - 1].end_lineno if k > 0 else 0
            after = body[k + 1].lineno if k + 1 < len(body) else float("inf")
            if binding is None or before >= node.lineno or after <= node.end_lineno:
                continue                  # not the book's, or sharing a line: left alone
            notebook._replace(lines, 1, node, _RUNTIME_IMPORT + binding)
            changed = True

    visit(tree.body)
    return "\n".join(lines) if changed else text
