"""Notebooks in: turning a student's notebook into one importable module, without running it.

The grader reads a notebook the way it reads a ``.py`` file: by parsing, never by running it.
What it keeps is what the exercises need, in notebook order (so, as when the notebook runs top
to bottom, the last definition of a name wins):

* the *definitions* (imports, ``def``, ``class``, top-level ``if``/``try`` blocks made of
  those) of the cells that matter: the setup cell (tag ``exercise-setup``), the exercise cells
  (tag ``exercise``), cells that define an exercise's name, and cells made of imports only;
* then, from any code cell, every definition of a name that the kept code uses (a helper
  written in another cell, a constant such as ``dropout1``, an import, the ``NAME`` that
  ``d2l.NAME`` stands for), until nothing is missing; and the definitions of names that
  another file of the submission reads as ``d2l.NAME`` (``also_keep``).  Assignments are kept only this way: ``dropout1, dropout2 = 0.2, 0.5`` is kept when
  an exercise reads ``dropout1``, ``net = train(...)`` is not, since nothing graded reads it.

Everything else (calls, prints, plots, ``for`` loops, training runs, IPython magics and shell
lines) is never run.  A cell that is not Python (a syntax error) is reported by its number and
only costs the exercises that it defines or that need a name it defines.

Imports.  Every kept top-level import is guarded: if its module is not installed where the
notebook is graded (``matplotlib``, ``IPython``), the name is bound to a placeholder that
explains this when the graded code uses it, instead of failing the whole notebook.  The
book's package ``d2l`` (``from d2l import torch as d2l``; also ``d2lzh_pytorch`` and the
course's ``d2lzh1981``) is never imported, installed or not: ``d2l.NAME`` stands for the
``NAME`` the notebook defines, as the book builds ``d2l`` from its own earlier sections
(``d2l.corr2d`` is the student's ``corr2d``, ``d2l.Encoder`` the setup cell's), or failing
that for a ``NAME`` defined in another file of the same submission, a few given utilities
(``linreg``, ``Accumulator``, the encoder-decoder base classes...) and no-op plotting.  So a
notebook written with the book grades the same on every machine, and the book's own
solutions can never be graded in place of the student's.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import _
from grader.submission.source import Unit, describe_syntax_error, top_level_names, unparsable

EXERCISE_TAG = "exercise"
SETUP_TAG = "exercise-setup"
BOOK_PACKAGES = {"d2l", "d2lzh", "d2lzh_pytorch", "d2lzh1981", "d2l_zh"}
_BOOK_SUBMODULES = {"torch", "mxnet", "tensorflow", "jax", "paddle"}   # d2l.torch.NAME
RUNTIME = "_grader_nb_"              # the name of this module inside a graded notebook
# cell magics whose body is Python (the body is read; other cell magics are not Python)
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit"}

_LINE_MAGIC = re.compile(r"^(?P<indent>\s*)(?:[%!]|\?{1,2}[\w.]|[\w.]+\?{1,2}\s*$)")
_MAGIC_ASSIGN = re.compile(r"^(?P<indent>\s*)(?P<target>[A-Za-z_][\w., ]*?)\s*=\s*[%!](?!=)")


# ----------------------------------------------------------------------------- reading
def read_cells(path: Path, data: bytes | None = None) -> list[dict]:
    """The notebook's cells (nbformat 4, converted from 3), as plain dicts.

    ``data``: the file's bytes, as :mod:`grader.submission.reader` read them (default: read
    ``path`` through it, regular files only).
    Raises ValueError with a message for the student when the file is not a notebook.
    """
    from nbformat import converter, reader
    from grader.submission import reader as safe
    try:
        if data is None:
            data = safe.read_bytes(Path(path))
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(_("{name} is not a readable notebook: it is not UTF-8 text (byte "
                           "{byte})", name=path.name, byte=exc.start)) from None
    except safe.Refusal as exc:
        raise ValueError(str(exc)) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(_("{name} is not a readable notebook: its JSON is nested too "
                           "deeply.  Start again from the published notebook.",
                           name=path.name)) from None
    except json.JSONDecodeError as exc:
        raise ValueError(_("{name} is not a readable notebook: the file is not valid JSON "
                           "(line {line}, column {column}: {error}).  Was it saved "
                           "completely?  Open it in Jupyter and save it again, or start again "
                           "from the published notebook.", name=path.name, line=exc.lineno,
                           column=exc.colno, error=exc.msg)) from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise ValueError(_("{name} is not a readable notebook: the JSON has no 'nbformat' "
                           "field", name=path.name))
    try:
        nb = converter.convert(reader.reads(text), 4)
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise ValueError(_("it has no list of cells"))
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for bad files
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(_("{name} is not a readable notebook ({detail})", name=path.name,
                           detail=detail)) from None
    return [dict(cell) if isinstance(cell, dict) else {} for cell in cells]


def _text(source) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return source if isinstance(source, str) else ""


# ----------------------------------------------------------------------------- IPython syntax
def python_source(source: str) -> str | None:
    """The cell's text with IPython syntax made harmless, or None if it is not Python.

    ``%magic`` and ``!shell`` lines (also ``x = !ls``, ``obj?``) at the start of a statement
    become ``pass``, keeping the line count, so line numbers stay those of the cell.  A cell
    magic whose body is Python (``%%time``) keeps its body; other cell magics (``%%bash``,
    ``%%writefile``) make the cell not Python.
    """
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return None
        lines[first] = ""
    text = "\n".join(lines)
    try:
        ast.parse(text)
        return text
    except SyntaxError:
        pass
    except (ValueError, RecursionError, MemoryError):
        return text                 # not a magic's fault: reported when the cell is parsed
    scanner = _LineScanner()
    for index, line in enumerate(lines):
        match = _MAGIC_ASSIGN.match(line) or _LINE_MAGIC.match(line)
        if match and scanner.at_statement_start():
            indent = match.group("indent")
            if "target" in match.groupdict() and match.group("target"):
                lines[index] = f"{indent}{match.group('target')} = None"
            else:
                lines[index] = f"{indent}pass"
            continue                      # a magic's text is not Python: not scanned
        scanner.feed(line)
    return "\n".join(lines)


class _LineScanner:
    """Whether the next line starts a statement, learnt from the lines before it in one pass
    (linear in the cell's size): open brackets, an open triple-quoted string and a trailing
    backslash carry a statement on to the next line; comments and single-line strings do
    not.  (Re-tokenizing everything above each candidate line was quadratic: 60 s for 4,000
    magic lines.)"""

    def __init__(self):
        self.depth = 0                    # open ( [ {
        self.quote: str | None = None     # the open triple quote, if any
        self.backslash = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.backslash

    def feed(self, line: str) -> None:
        i, n = 0, len(line)
        self.backslash = False
        while i < n:
            if self.quote is not None:                 # inside a triple-quoted string
                end = line.find(self.quote, i)
                while end > 0 and _escaped(line, end):
                    end = line.find(self.quote, end + 1)
                if end < 0:
                    return
                i, self.quote = end + 3, None
                continue
            char = line[i]
            if char == "#":
                return
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char in "\'\"":
                if line.startswith(char * 3, i):
                    self.quote, i = char * 3, i + 3
                    continue
                end = i + 1                                # a one-line string
                while end < n and line[end] != char:
                    end += 2 if line[end] == "\\" else 1
                i = end + 1
                continue
            elif char == "\\" and i == n - 1:
                self.backslash = True
            i += 1


def _escaped(line: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and line[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


# ----------------------------------------------------------------------------- analysis
@dataclass
class Cell:
    index: int                      # 1-based, counting every cell as Jupyter shows them
    tags: set
    exercise: str | None            # metadata.grader.exercise of a published exercise cell
    setup: bool
    source: str
    tree: ast.Module | None = None
    error: str | None = None        # why the cell is not Python
    execution_count: int | None = None   # [n] as Jupyter shows it (None: never run)

    @property
    def label(self) -> str:
        return _("cell {index}", index=self.index)

    def describe(self) -> str:
        if self.setup:
            return _("{cell} (the setup cell)", cell=self.label)
        if self.exercise:
            return _("{cell} (the exercise cell of {exercise})", cell=self.label,
                     exercise=self.exercise)
        first = next((line.strip() for line in self.source.splitlines() if line.strip()), "")
        return f"{self.label} ({first[:40]!r})" if first else self.label


@dataclass
class Statement:
    cell: Cell
    node: ast.stmt
    kind: str                        # "definition", "assignment" or "other" (never kept)
    defines: set = field(default_factory=set)
    reads: set = field(default_factory=set)
    attaches: set = field(default_factory=set)   # names it changes: N.attr = ..., @to(N)
    book: set = field(default_factory=set)       # NAME of every d2l.NAME it reads


def _bound_in_function(fn) -> set[str]:
    args = fn.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    declared_global: set[str] = set()
    body = fn.body if isinstance(fn.body, list) else [fn.body]
    for node in body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                names.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(sub.name)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in sub.names}
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                names.add(sub.name)
            elif isinstance(sub, ast.Global):
                declared_global |= set(sub.names)
    return names - declared_global


def global_reads(node: ast.AST) -> set[str]:
    """Module-level names a statement reads, when it runs or when its functions are called."""
    found: set[str] = set()

    def visit(n, local):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for d in getattr(n, "decorator_list", []):
                visit(d, local)
            for d in n.args.defaults + [k for k in n.args.kw_defaults if k is not None]:
                visit(d, local)
            for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs + \
                    [a for a in (n.args.vararg, n.args.kwarg) if a is not None]:
                if a.annotation is not None:
                    visit(a.annotation, local)
            if getattr(n, "returns", None) is not None:
                visit(n.returns, local)
            inner = (local or set()) | _bound_in_function(n)
            for b in (n.body if isinstance(n.body, list) else [n.body]):
                visit(b, inner)
            return
        if isinstance(n, ast.ClassDef):
            for x in n.bases + [k.value for k in n.keywords] + n.decorator_list:
                visit(x, local)
            class_local = set(local or set())
            for b in n.body:
                visit(b, class_local)
                class_local |= top_level_names(ast.Module(body=[b], type_ignores=[]))
            return
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            targets = {s.id for g in n.generators for s in ast.walk(g.target)
                       if isinstance(s, ast.Name)}
            inner = (local or set()) | targets
            for child in ast.iter_child_nodes(n):
                visit(child, inner)
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            if local is None or n.id not in local:
                found.add(n.id)
            return
        for child in ast.iter_child_nodes(n):
            visit(child, local)

    visit(node, None)
    return found


def _kind(node: ast.stmt) -> str:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                         ast.ClassDef)):
        return "definition"
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return "assignment"
    if isinstance(node, (ast.If, ast.Try)) or type(node).__name__ == "TryStar":
        if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            return "other"
        inner = {_kind(n) for n in _nested(node)} - {"other"}   # calls in it: see _strip
        if not inner:
            return "other"
        return "assignment" if "assignment" in inner else "definition"
    return "other"


def _nested(node):
    """The statements inside a top-level if/try block (not inside its functions)."""
    blocks = [getattr(node, name, []) for name in ("body", "orelse", "finalbody")]
    blocks += [h.body for h in getattr(node, "handlers", [])]
    for block in blocks:
        for stmt in block:
            if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(
                    stmt.value, ast.Constant)):
                continue
            yield stmt


def _attaches(node: ast.stmt) -> set[str]:
    names: set[str] = set()
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            while isinstance(target, (ast.Attribute, ast.Subscript)):
                target = target.value
                if isinstance(target, ast.Name):
                    names.add(target.id)
    for decorator in getattr(node, "decorator_list", []):
        if isinstance(decorator, ast.Call):           # @d2l.add_to_class(Seq2SeqEncoder)
            names |= {a.id for a in decorator.args if isinstance(a, ast.Name)}
    return names


def statements(cell: Cell, book_aliases: frozenset = frozenset()) -> list[Statement]:
    found = []
    for node in cell.tree.body:
        book = book_reads(node, book_aliases)
        found.append(Statement(cell, node, _kind(node),
                               top_level_names(ast.Module(body=[node], type_ignores=[])),
                               global_reads(node) | book, _attaches(node), book))
    return found


def book_aliases(trees) -> frozenset:
    """The names a notebook binds to the book's package (``d2l`` in ``from d2l import torch
    as d2l``)."""
    aliases = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                aliases |= {a.asname or a.name.split(".")[0] for a in node.names
                            if _is_book(a.name)}
            elif isinstance(node, ast.ImportFrom) and not node.level and _is_book(node.module):
                aliases |= {a.asname or a.name for a in node.names
                            if a.name in _BOOK_SUBMODULES}
    return frozenset(aliases)


def book_reads(node: ast.AST, aliases: frozenset) -> set[str]:
    """``NAME`` for every ``d2l.NAME`` (or ``d2l.torch.NAME``) a statement reads: the book's
    name stands for the notebook's own ``NAME``, so the cell defining it is needed too."""
    if not aliases:
        return set()
    found = set()
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Attribute):
            continue
        base = sub.value
        if isinstance(base, ast.Attribute) and base.attr in _BOOK_SUBMODULES:
            base = base.value
        if isinstance(base, ast.Name) and base.id in aliases:
            found.add(sub.attr)
    return found - _BOOK_SUBMODULES


_BROKEN_NAMES = [
    re.compile(r"^(?:async\s+)?def\s+([A-Za-z_]\w*)"),
    re.compile(r"^class\s+([A-Za-z_]\w*)"),
]


def names_in_broken_source(source: str) -> set[str]:
    """What a cell that does not parse would have defined (read line by line, at column 0)."""
    names: set[str] = set()
    for line in source.splitlines():
        for pattern in _BROKEN_NAMES:
            match = pattern.match(line)
            if match:
                names.add(match.group(1))
        match = re.match(r"^import\s+(.+)$", line)
        if match:
            for item in match.group(1).split("#")[0].split(","):
                words = item.split()
                if words:
                    names.add(words[-1] if "as" in words else words[0].split(".")[0])
        match = re.match(r"^from\s+\S+\s+import\s+\(?([^)#]+)", line)
        if match:
            for item in match.group(1).split(","):
                words = item.split()
                if words and words[0] != "*":
                    names.add(words[-1])
        match = re.match(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=(?!=)", line)
        if match:
            names |= {n.strip() for n in match.group(1).split(",")}
    return names


# ----------------------------------------------------------------------------- the unit
def redefinitions(cells: list[Cell], name: str) -> list[str]:
    """A note for every function or class defined at top level by more than one cell: the
    grader runs the cells in order (as Restart & Run All does), so the last one is graded;
    the student may have run them in another order (the [n] Jupyter shows)."""
    where: dict[str, list[Cell]] = {}
    for cell in cells:
        if cell.tree is None:
            continue
        for node in cell.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                seen = where.setdefault(node.name, [])
                if not any(c is cell for c in seen):
                    seen.append(cell)
    notes = []
    for defined, found in where.items():
        if len(found) < 2:
            continue
        def run(cell):
            return _("run as [{count}]", count=cell.execution_count) \
                if cell.execution_count is not None else _("not run")
        listed = ", ".join(f"{c.label} ({run(c)})" for c in found)
        last = found[-1]
        if len(found) == 2:
            note = _("{file}: {name} is defined in {count} cells: {cells}. The grader runs the "
                     "cells in order, as Restart & Run All does, so the definition in {last} "
                     "is the one graded; the earlier one is replaced by it", file=name,
                     name=defined, count=len(found), cells=listed, last=last.label)
        else:
            note = _("{file}: {name} is defined in {count} cells: {cells}. The grader runs the "
                     "cells in order, as Restart & Run All does, so the definition in {last} "
                     "is the one graded; the earlier ones are replaced by it", file=name,
                     name=defined, count=len(found), cells=listed, last=last.label)
        ran = [c for c in found if c.execution_count is not None]
        if ran and max(ran, key=lambda c: c.execution_count) is not last:
            latest = max(ran, key=lambda c: c.execution_count)
            note += _(". In your session {cell} ran last ([{count}]), so what you tried is not "
                      "what is graded: delete or rename the copy you do not want",
                      cell=latest.label, count=latest.execution_count)
        notes.append(note)
    return notes


def unit_from_notebook(path: Path, module: str, exercise_names: list[str],
                       data: bytes | None = None, also_keep=frozenset()) -> Unit:
    """The notebook as one module for the worker: only what the exercises need, never run.

    ``data``: the file's bytes when the caller has read them already (through ``reader``).
    ``also_keep``: names whose definitions are kept too, because another file of the
    submission reads them as ``d2l.NAME`` (see ``discover.build``)."""
    path = Path(path)
    try:
        raw_cells = read_cells(path, data)
    except ValueError as exc:
        return Unit(module=module, origin=path.name, problem=str(exc))
    return unit_from_cells(path, module, exercise_names, raw_cells, also_keep)


def unit_from_cells(path: Path, module: str, exercise_names: list[str],
                    raw_cells: list[dict], also_keep=frozenset()) -> Unit:
    """The unit of a notebook's cells (plain dicts, as :func:`read_cells` gives them); also
    used for a script exported from a notebook, cut at its cell markers.  ``also_keep``: as
    in :func:`unit_from_notebook`."""
    unit = Unit(module=module, origin=path.name)
    exercises = set(exercise_names)
    cells: list[Cell] = []
    for index, raw in enumerate(raw_cells, 1):
        if raw.get("cell_type") != "code":
            continue
        metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        tags = {t for t in tags if isinstance(t, str)}
        grader_meta = metadata.get("grader") if isinstance(metadata.get("grader"), dict) else {}
        exercise = grader_meta.get("exercise") if isinstance(grader_meta.get("exercise"),
                                                             str) else None
        setup = SETUP_TAG in tags or grader_meta.get("setup") is True
        text = _text(raw.get("source", ""))
        cell = Cell(index, tags, exercise, setup, text)
        count = raw.get("execution_count")
        cell.execution_count = count if isinstance(count, int) and not isinstance(count, bool) \
            else None
        source = python_source(text)
        if source is None:
            continue                                  # %%bash, %%html...: not Python
        cell.source = source
        try:
            cell.tree = ast.parse(source)
            # what the parser lets through but Python refuses (duplicate parameters, nonlocal
            # at top level): such a cell would not run in Jupyter either
            compile(cell.tree, f"{path.name}, {cell.label}", "exec", dont_inherit=True,
                    flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except SyntaxError as exc:
            cell.tree = None
            cell.error = describe_syntax_error(exc, f"{path.name}, {cell.label}", source)
        except (ValueError, RecursionError, MemoryError) as exc:   # null bytes, absurd nesting
            cell.tree = None
            cell.error = unparsable(f"{path.name}, {cell.label}", exc)
        cells.append(cell)

    unit.notes += redefinitions(cells, path.name)
    aliases = book_aliases(c.tree for c in cells if c.tree is not None)
    all_statements = []
    for cell in cells:
        if cell.tree is not None:
            try:
                all_statements += statements(cell, aliases)
            except RecursionError as exc:          # nesting the parser took but we cannot walk
                cell.tree = None
                cell.error = unparsable(f"{path.name}, {cell.label}", exc)
    kept = _select(cells, all_statements, exercises, set(also_keep))
    _report_broken(unit, cells, all_statements, kept, exercises, path.name)
    _emit(unit, [s for s in all_statements if id(s) in kept])
    unit.offers = set().union(*[s.defines for s in all_statements if s.kind != "other"])
    unit.book_needs = set().union(*[s.book for s in all_statements if id(s) in kept]) \
        - unit.defines
    return unit


def _select(cells, all_statements, exercises, also_keep=frozenset()) -> set[int]:
    """ids of the statements to keep: roots, then every definition of a name they need."""
    def is_candidate(cell: Cell) -> bool:
        if cell.tree is None:
            return False
        if cell.setup or cell.exercise or EXERCISE_TAG in cell.tags:
            return True
        body = cell.tree.body
        if body and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body):
            return True
        return bool(top_level_names(cell.tree) & exercises)

    candidates = {id(c) for c in cells if is_candidate(c)}
    # a worklist over names, each statement and name handled once: linear in the notebook
    # (a fixpoint that rescanned every statement per round was quadratic in a long chain of
    # statements that each use the previous one)
    by_defines: dict[str, list[Statement]] = {}
    by_attaches: dict[str, list[Statement]] = {}
    for s in all_statements:
        if s.kind == "other":
            continue
        for name in s.defines:
            by_defines.setdefault(name, []).append(s)
        for name in s.attaches:
            by_attaches.setdefault(name, []).append(s)
    kept: set[int] = set()
    needed: set[str] = set()
    defined: set[str] = set()
    work: list[tuple[str, str]] = []          # ("needed" | "defined", name)

    def keep(s: Statement) -> None:
        if id(s) in kept:
            return
        kept.add(id(s))
        for name in s.reads - needed:
            needed.add(name)
            work.append(("needed", name))
        for name in s.defines - defined:
            defined.add(name)
            work.append(("defined", name))

    for name in sorted(exercises | also_keep):
        needed.add(name)
        work.append(("needed", name))
    for s in all_statements:
        if s.kind == "definition" and id(s.cell) in candidates:
            keep(s)
    while work:
        what, name = work.pop()
        for s in (by_defines if what == "needed" else by_attaches).get(name, ()):
            keep(s)
    return kept


def _report_broken(unit, cells, all_statements, kept, exercises, name):
    """Exercises lost to a cell that is not Python, or missing from their exercise cell."""
    kept_statements = [s for s in all_statements if id(s) in kept]
    defined = set().union(*[s.defines for s in kept_statements]) if kept_statements else set()
    broken_names: dict[str, Cell] = {}     # name -> the last broken cell that would define it
    last_definer: dict[str, Cell] = {}
    for cell in cells:
        if cell.tree is not None:
            for n in top_level_names(cell.tree):
                last_definer[n] = cell
        else:
            names = names_in_broken_source(cell.source)
            if cell.exercise:
                names.add(cell.exercise)
            for n in names:
                last_definer[n] = cell
                broken_names[n] = cell
    for exercise in sorted(exercises):
        cell = last_definer.get(exercise)
        if cell is not None and cell.tree is None:
            unit.broken[exercise] = cell.error
            continue
        if exercise not in defined:
            published = next((c for c in cells if c.exercise == exercise), None)
            if published is not None:
                others = sorted(top_level_names(published.tree)) if published.tree else []
                what = (_("defines {names} instead", names=", ".join(others)) if others
                        else _("defines nothing"))
                unit.broken[exercise] = _(
                    "{exercise} is not defined in {file}: its exercise cell ({cell}) {what}.  "
                    "Keep the name {exercise}: it is what the grader calls.",
                    exercise=exercise, file=name, cell=published.label, what=what)
            continue
        missing = _missing_names(exercise, kept_statements, defined)
        for missing_name in sorted(missing):
            if missing_name in broken_names:
                cell = broken_names[missing_name]
                unit.broken[exercise] = _(
                    "{exercise} needs {name}, which {cell} of {file} defines, but that cell "
                    "is not valid Python:\n{error}", exercise=exercise, name=missing_name,
                    cell=cell.describe(), file=name, error=cell.error)
                break


def _missing_names(exercise, kept_statements, defined) -> set[str]:
    """Names the exercise's code needs (transitively) that no kept statement defines."""
    import builtins
    definers: dict[str, list[Statement]] = {}
    for s in kept_statements:
        for name in s.defines:
            definers.setdefault(name, []).append(s)
    need, seen, missing = {exercise}, set(), set()
    while need:
        name = need.pop()
        seen.add(name)
        if name not in definers:
            if not hasattr(builtins, name):
                missing.add(name)
            continue
        for s in definers[name]:
            need |= s.reads - seen
    return missing - defined


# ----------------------------------------------------------------------------- emitting
def _emit(unit: Unit, kept: list[Statement]) -> None:
    lines: list[str] = []
    future: list[str] = []
    body: list[tuple[str, str | None]] = []        # (text, origin)
    by_cell: dict[int, list[Statement]] = {}
    for s in kept:
        by_cell.setdefault(s.cell.index, []).append(s)
    uses_runtime = False
    for index in sorted(by_cell):
        group = by_cell[index]
        cell = group[0].cell
        cell_lines = cell.source.splitlines()
        all_nodes = cell.tree.body
        positions = {id(n): k for k, n in enumerate(all_nodes)}
        body.append((f"# --- {cell.label} ---", None))
        for s in group:
            node = s.node
            position = positions[id(node)]
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            shares = (position > 0 and all_nodes[position - 1].end_lineno >= first) or (
                position + 1 < len(all_nodes) and all_nodes[position + 1].lineno <= node.end_lineno)
            if shares:
                text = (ast.get_source_segment(cell.source, node) or ast.unparse(node))
                chunk = text.splitlines()
            else:
                chunk = cell_lines[first - 1:node.end_lineno]
            origins = [_("{cell}, line {line}", cell=cell.label, line=first + k)
                       for k in range(len(chunk))]
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                future.append(" ".join(line.strip() for line in chunk))
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                chunk, origins = _guarded_import(node, chunk, origins)
                uses_runtime = True
            elif isinstance(node, (ast.If, ast.Try)) or type(node).__name__ == "TryStar":
                chunk = _strip(node, chunk, first)
                chunk, used = _book_imports_inside(node, chunk, first)
                uses_runtime |= used
            body += list(zip(chunk, origins))
    lines += future
    if uses_runtime:
        lines.append(f"import grader.sandbox.notebook_support as {RUNTIME}")
    for text, origin in body:
        lines.append(text)
        if origin is not None:
            unit.line_origins[len(lines)] = origin
    unit.source = "\n".join(lines) + "\n"
    unit.defines = set().union(*[s.defines for s in kept]) if kept else set()


def _is_book(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in BOOK_PACKAGES


def _book_binding(node: ast.Import | ast.ImportFrom) -> str | None:
    """The one-line replacement of an import of the book's package (None: not the book's)."""
    if isinstance(node, ast.Import):
        if not all(_is_book(a.name) for a in node.names):
            return None
        targets = [a.asname or a.name.split(".")[0] for a in node.names]
        values = [f"{RUNTIME}.book_module(globals(), {t!r})" for t in targets]
        return f"{', '.join(targets)} = {', '.join(values)}"
    if not _is_book(node.module) or node.level:
        return None
    if any(a.name == "*" for a in node.names):
        return "pass"
    targets = [a.asname or a.name for a in node.names]
    values = [f"{RUNTIME}.book_name(globals(), {a.name!r}, {(a.asname or a.name)!r})"
              for a in node.names]
    return f"{', '.join(targets)} = {', '.join(values)}"


def _guarded_import(node, chunk: list[str], origins: list[str]):
    book = _book_binding(node)
    if book is not None:
        return [book] + [""] * (len(chunk) - 1), origins
    if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
        fallback = "pass"
    else:
        names = [a.asname or (a.name if isinstance(node, ast.ImportFrom)
                              else a.name.split(".")[0]) for a in node.names]
        statement = " ".join(line.strip() for line in chunk)
        values = [f"{RUNTIME}.missing({n!r}, {statement!r}, {origins[0]!r}, _grader_error_)"
                  for n in names]
        fallback = f"{', '.join(names)} = {', '.join(values)}"
    guarded = ["try: " + chunk[0].lstrip(), *chunk[1:],
               f"except ImportError as _grader_error_: {fallback}"]
    return guarded, origins + [origins[0]]


def _alone(block: list[ast.stmt]):
    """The statements of a block that share no line with another statement of it."""
    for k, stmt in enumerate(block):
        before = block[k - 1].end_lineno if k > 0 else 0
        after = block[k + 1].lineno if k + 1 < len(block) else float("inf")
        if before < stmt.lineno and stmt.end_lineno < after:
            yield stmt


def _blocks(node):
    for name in ("body", "orelse", "finalbody"):
        yield getattr(node, name, [])
    for handler in getattr(node, "handlers", []):
        yield handler.body


def _replace(chunk: list[str], first: int, stmt: ast.stmt, text: str) -> None:
    """Put ``text`` where ``stmt`` was (its first line from its column on), blank the rest."""
    start, end = stmt.lineno - first, stmt.end_lineno - first
    line = chunk[start].encode()
    chunk[start] = line[:stmt.col_offset].decode(errors="replace") + text
    for k in range(start + 1, end + 1):
        chunk[k] = ""


def _strip(node, chunk: list[str], first: int) -> list[str]:
    """In a kept if/try block, calls, loops and the like become ``pass`` (same lines)."""
    for block in _blocks(node):
        for stmt in _alone(block):
            if isinstance(stmt, (ast.If, ast.Try)) or type(stmt).__name__ == "TryStar":
                if _kind(stmt) != "other":
                    _strip(stmt, chunk, first)
                    continue
            if _kind(stmt) == "other" and not isinstance(stmt, ast.Pass):
                _replace(chunk, first, stmt, "pass")
    return chunk


def _book_imports_inside(node, chunk: list[str], first: int):
    """Replace imports of the book's package inside a kept if/try block (same lines)."""
    used = False
    for block in _blocks(node):
        for stmt in _alone(block):
            if isinstance(stmt, (ast.If, ast.Try)) or type(stmt).__name__ == "TryStar":
                used |= _book_imports_inside(stmt, chunk, first)[1]
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                book = _book_binding(stmt)
                if book is not None:
                    _replace(chunk, first, stmt, book)
                    used = True
    return chunk, used


# ----------------------------------------------------------------------------- at grading
# A graded notebook's module imports grader.sandbox.notebook_support as ``_grader_nb_`` (the book's
# d2l names, guarded imports).
