"""Notebooks in: turning a student's notebook into one importable module, without running it.

Only the cells that matter are kept: cells tagged ``exercise`` (the tag the published
notebooks carry), cells that define one of the assignment's exercise names, and cells made of
imports only.  Inside those cells only definitions are kept (imports, ``def``, ``class``,
assignments, top-level ``if``/``try`` blocks); calls, prints, loops and plots are dropped, so
nothing of the rest of the notebook runs.  A cell with a syntax error is reported by its
number, and only the exercises it defines are affected.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from grader.discover import Unit, describe_syntax_error, top_level_names

EXERCISE_TAG = "exercise"
KEPT_STATEMENTS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                   ast.ClassDef, ast.Assign, ast.AnnAssign, ast.If, ast.Try)
_MAGIC = re.compile(r"^\s*[%!]")


def read_cells(path: Path) -> list[dict]:
    """The notebook's cells as plain dicts; raises ValueError with a readable message."""
    import nbformat
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for bad files
        raise ValueError(f"{path.name} is not a readable notebook ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'no details'})") from None
    return [dict(cell) for cell in nb.cells]


def unit_from_notebook(path: Path, module: str, exercise_names: list[str]) -> Unit:
    unit = Unit(module=module, origin=path.name)
    try:
        cells = read_cells(path)
    except ValueError as exc:
        unit.problem = str(exc)
        return unit
    lines: list[str] = []
    for index, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        source = _without_magics(cell.get("source", ""))
        tags = set((cell.get("metadata") or {}).get("tags", []))
        label = f"cell {index}"
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            names = [n for n in exercise_names if re.search(rf"\b(def|class)\s+{re.escape(n)}\b",
                                                           source)]
            message = describe_syntax_error(exc, f"{path.name} {label}", source)
            for name in names:
                unit.broken[name] = message
            continue
        defined = top_level_names(tree)
        imports_only = tree.body and all(isinstance(n, (ast.Import, ast.ImportFrom))
                                         for n in tree.body)
        if not (EXERCISE_TAG in tags or imports_only or defined & set(exercise_names)):
            continue
        kept = [node for node in tree.body if _keep(node)]
        if not kept:
            continue
        cell_lines = source.splitlines()
        lines.append(f"# --- {label} ---")
        for node in kept:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            for number in range(first, node.end_lineno + 1):
                lines.append(cell_lines[number - 1])
                unit.line_origins[len(lines)] = f"{label}, line {number}"
        unit.defines |= top_level_names(ast.Module(body=kept, type_ignores=[]))
    unit.source = "\n".join(lines) + "\n"
    return unit


def _keep(node: ast.stmt) -> bool:
    if not isinstance(node, KEPT_STATEMENTS):
        return False
    if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
        return False
    return True


def _without_magics(source) -> str:
    if isinstance(source, list):
        source = "".join(source)
    return "\n".join("# " + line if _MAGIC.match(line) else line for line in source.splitlines())
