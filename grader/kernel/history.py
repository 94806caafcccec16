"""What the kernel has run: IPython's own cell history, made into a notebook the grader reads.

IPython keeps the source of every cell it executed, numbered by execution count (``In[7]``);
:func:`executed_cells` reads it from the history manager.  :func:`history_notebook` lays
those cells out as a notebook whose cell *k* is ``In[k]`` (so the grader's "cell 7" is the
student's ``In [7]``), in execution order: as in the kernel, the last definition of a name
that ran is the one graded, and a cell that was edited but not run is not there at all.

When the notebook file is known (:func:`find_notebook`), its cells' metadata (the setup and
exercise tags of a published notebook) is carried over to the executed cells with the same
source, so the grader reads them exactly as ``grade -s`` reads the saved notebook, and
:func:`stale_notes` says when the file's definition of an exercise is not the code that ran.

Parsing only (``ast``): nothing here runs student code.  No torch, no judge.
"""
from __future__ import annotations

import ast
import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader.i18n import _
from grader.submission.notebook import names_in_broken_source, python_source
from grader.submission.source import top_level_names


@dataclass(frozen=True)
class Executed:
    number: int          # the execution count: In[number]
    source: str          # as the student typed it (magics included)

    @property
    def label(self) -> str:
        return f"In [{self.number}]"


def executed_cells(shell) -> list[Executed]:
    """Every cell this kernel session has executed, oldest first (IPython's history)."""
    history = getattr(shell, "history_manager", None)
    cells: list[Executed] = []
    if history is not None:
        try:
            for _session, number, source in history.get_range(raw=True):
                cells.append(Executed(int(number), str(source)))
            return cells
        except Exception:  # noqa: BLE001 - an old or odd history manager: use the plain list
            cells = []
        raw = list(getattr(history, "input_hist_raw", []) or [])
    else:
        raw = list(shell.user_ns.get("In", []) or [])
    return [Executed(n, str(s)) for n, s in enumerate(raw) if n > 0]


def up_to_the_call(cells: list[Executed], number: int, line: int | None) -> list[Executed]:
    """The history as it stands when ``check()`` runs from line ``line`` of cell ``number``.

    The cell that calls ``check()`` is in the history whole, but only its statements above
    the call have run: the statement with the call and everything after it are dropped.
    """
    if line is None:
        return cells
    out = []
    for cell in cells:
        if cell.number == number:
            source = before_line(cell.source, line)
            cell = Executed(cell.number, source)
        out.append(cell)
    return out


def before_line(source: str, line: int) -> str:
    """The cell's lines above the top-level statement that holds ``line`` (1-based, counted
    as IPython compiled the cell: without its leading empty lines)."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return source                      # a cell magic runs its body elsewhere: keep it
    line += next((i for i, text in enumerate(lines) if text.strip()), 0)
    text = python_source(source)
    try:
        tree = ast.parse(text or "")
    except (SyntaxError, ValueError, RecursionError):
        return source
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if first <= line <= (node.end_lineno or first):
            return "\n".join(lines[:first - 1])
    return source


def defined_names(source: str) -> set[str]:
    """Top-level names a cell defines; for a cell that is not Python, what it would define."""
    text = python_source(source)
    if text is None:
        return set()
    try:
        return top_level_names(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError):
        return names_in_broken_source(text)


def last_definers(cells: list[Executed], names) -> dict[str, Executed]:
    """name -> the last executed cell that defines it (for the names that one defines)."""
    wanted = set(names)
    found: dict[str, Executed] = {}
    for cell in cells:
        for name in defined_names(cell.source) & wanted:
            found[name] = cell
    return found


# ----------------------------------------------------------------------------- the file
def find_notebook(user_ns: dict, given: str | os.PathLike | None = None) -> Path | None:
    """The notebook file this kernel belongs to, when the front end says (or ``given``).

    VS Code sets ``__vsc_ipynb_file__``; Jupyter Server sets ``JPY_SESSION_NAME`` (ipykernel
    copies it to ``__session__``), a path that may be relative to the server's root.
    """
    if given is not None:
        return Path(given).expanduser().resolve()
    candidates = [user_ns.get("__vsc_ipynb_file__"), user_ns.get("__session__"),
                  os.environ.get("JPY_SESSION_NAME")]
    for value in candidates:
        if not isinstance(value, str) or not value.endswith(".ipynb"):
            continue
        path = Path(value).expanduser()
        for option in (path, Path.cwd() / path, Path.cwd() / path.name):
            if option.is_file():
                return option.resolve()
    return None


@dataclass
class DiskCell:
    number: int                 # 1-based, counting every cell (as the grader names cells)
    source: str
    metadata: dict


def disk_cells(path: Path) -> list[DiskCell]:
    """The code cells of the saved notebook (empty when it cannot be read)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        cells = data.get("cells") if isinstance(data, dict) else None
    except (OSError, ValueError):
        return []
    found = []
    for number, cell in enumerate(cells if isinstance(cells, list) else [], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        found.append(DiskCell(number, source, metadata))
    return found


def _same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


# ----------------------------------------------------------------------------- out
def history_notebook(cells: list[Executed], saved: list[DiskCell] | None = None) -> dict:
    """The executed cells as an nbformat-4 notebook (a plain dict): cell k is ``In[k]``.

    Gaps in the numbering are filled with empty markdown cells, so numbers stay aligned.
    Metadata of a saved cell with the same source (tags such as ``exercise-setup``) is kept.
    """
    by_source: dict[str, dict] = {}
    for cell in saved or []:
        keep = {k: v for k, v in cell.metadata.items() if k in ("tags", "grader")}
        if keep:
            by_source.setdefault(cell.source.strip(), keep)
    out = []
    for cell in cells:
        while len(out) + 1 < cell.number:
            out.append({"cell_type": "markdown", "id": f"gap-{len(out) + 1}",
                        "metadata": {}, "source": ""})
        if len(out) + 1 > cell.number:          # out of order: never in IPython, but be safe
            continue
        out.append({"cell_type": "code", "id": f"in-{cell.number}", "execution_count":
                    cell.number, "metadata": dict(by_source.get(cell.source.strip(), {})),
                    "outputs": [], "source": cell.source})
    return {"nbformat": 4, "nbformat_minor": 5, "cells": out,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"},
                         "language_info": {"name": "python"}}}


def stale_notes(cells: list[Executed], saved: list[DiskCell], names, notebook: str) -> list[str]:
    """Where the saved notebook's definition of an exercise is not the code that ran."""
    ran = last_definers(cells, names)
    notes = []
    for name in names:
        on_disk = [c for c in saved
                   if (c.metadata.get("grader") or {}).get("exercise") == name
                   or name in defined_names(c.source)]
        if not on_disk:
            continue
        cell = on_disk[-1]
        executed = ran.get(name)
        if executed is None:
            notes.append(_("{name}: cell {number} of {notebook} defines it, but that cell has "
                           "not run in this kernel: run it, then check again.", name=name,
                           number=cell.number, notebook=notebook))
        elif not any(_same(c.source, executed.source) for c in on_disk):
            notes.append(_("{name}: the code graded is {cell}, as it ran; cell {number} of "
                           "{notebook} now holds different code (edited since it ran, or not "
                           "saved yet). Run that cell to grade your edit.", name=name,
                           cell=executed.label, number=cell.number, notebook=notebook))
    return notes
