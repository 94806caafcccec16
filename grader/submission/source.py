"""One module of Python source as the judge holds it: a :class:`Unit`, and the parsing helpers
that both plain files (discover.py) and notebooks (notebook.py) use.

Parsing only (``ast``), never execution.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from grader.i18n import _


@dataclass
class Unit:
    module: str                  # the import name the worker uses
    origin: str                  # what the student calls it: "convolution.py", "lenet.ipynb"
    source: str = ""             # Python source handed to the worker
    problem: str | None = None   # the whole unit cannot be used (unreadable, syntax error)
    broken: dict = field(default_factory=dict)   # name -> why its definition cannot be used
    defines: set = field(default_factory=set)    # top-level names
    line_origins: dict = field(default_factory=dict)  # source line -> "cell 3, line 2"
    notes: list = field(default_factory=list)    # what the student should know (report notes)
    # d2l.NAME across files: names its kept code reads as ``d2l.NAME`` without defining them
    # (another file of the submission must keep them), and names it could define if asked
    book_needs: set = field(default_factory=set)
    offers: set = field(default_factory=set)

    def where(self, line: int | None) -> str:
        if line is None:
            return self.origin
        origin = self.line_origins.get(line) or _("line {line}", line=line)
        return _("{file}, {line}", file=self.origin, line=origin)



def describe_syntax_error(exc: SyntaxError, where: str, source: str) -> str:
    line = exc.lineno or 0
    text = (exc.text or "").rstrip("\n")
    if not text and 0 < line <= len(source.splitlines()):
        text = source.splitlines()[line - 1]
    message = _("{error} in {where}, line {line}: {message}", error=type(exc).__name__,
                where=where, line=line, message=exc.msg)
    if text.strip():
        message += f"\n    {text.strip()}"
    return message


def top_level_names(tree: ast.Module) -> set[str]:
    """Names a module defines at top level (also inside top-level if/try blocks)."""
    names: set[str] = set()

    def visit(body):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            names.add(sub.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
    visit(tree.body)
    return names


def unparsable(name: str, exc: BaseException) -> str:
    """The "could not read" message for source Python's parser gives up on (not a bug of the
    grader: absurdly nested expressions exhaust the parser; null bytes are refused)."""
    if isinstance(exc, (MemoryError, RecursionError)):
        why = _("its code is nested too deeply for Python's parser")
    else:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _("could not read {name}: {why}.  Python itself cannot run this code; write the "
             "expression in several steps.", name=name, why=why)
