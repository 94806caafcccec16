"""Reading a submission: which files, which modules, where each exercise is defined.

Everything here is parsing (``ast``), never execution: the judge does not run student code.
A submission is a folder of ``.py`` files and/or notebooks, or one such file.  Each becomes a
:class:`Unit` (one importable module for the worker); problems found while parsing (a syntax
error, an unreadable notebook) are attached to the unit or to the names they break, so one
broken file or cell never stops the others from being graded.
"""
from __future__ import annotations

import ast
import hashlib
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import _
from grader.errors import UsageError
from grader.submission import layout, notebook, pyfile, reader
from grader.submission.source import Unit, describe_syntax_error, top_level_names, unparsable


@dataclass
class Submission:
    path: Path
    units: dict[str, Unit]
    notes: list[str] = field(default_factory=list)   # what the student should know: refusals

    def locate(self, name: str, topic: str) -> tuple[Unit | None, str | None]:
        """The unit defining ``name`` (the topic's own file first), or why there is none."""
        preferred = self.units.get(topic)
        ordered = ([preferred] if preferred else []) + sorted(
            (u for u in self.units.values() if u is not preferred), key=lambda u: u.module)
        for unit in ordered:
            if name in unit.broken:
                return None, unit.broken[name]
            if unit.problem is None and name in unit.defines:
                return unit, None
        if preferred is not None and preferred.problem:
            return None, preferred.problem
        broken_elsewhere = [u for u in ordered if u.problem]
        if preferred is None and broken_elsewhere:
            return None, broken_elsewhere[0].problem
        if preferred is not None:
            expected = preferred.origin
        elif any(u.origin.endswith(".ipynb") for u in self.units.values()):
            expected = _("a cell of {notebook} (or of any notebook of the submission)",
                         notebook=f"{topic}.ipynb")
        else:
            expected = f"{topic}.py"
        return None, _("{name} is not defined: expected a definition of {name} in {expected}",
                       name=name, expected=expected)

    def digest(self) -> str:
        """Content hash of what is graded (stable across copies and file times)."""
        h = hashlib.sha256()
        for module in sorted(self.units):
            unit = self.units[module]
            h.update(f"{module}\0{unit.origin}\0{unit.problem}\0".encode())
            h.update(unit.source.encode())
        return h.hexdigest()

    def write(self, dest: Path) -> list[str]:
        """Write the importable units into ``dest``; return their module names."""
        modules = []
        for module, unit in sorted(self.units.items()):
            if unit.problem is None:
                (dest / f"{module}.py").write_text(unit.source, encoding="utf-8")
                modules.append(module)
        return modules


def load(path: Path, exercise_names: list[str] | None = None, *,
         budget: reader.Budget | None = None, all_names: list[str] | None = None) -> Submission:
    """Read a submission: a folder (anywhere in it: :func:`layout.find_work` finds the
    student's work), a ``.py`` file or a notebook.  Files are read through
    :mod:`grader.submission.reader` (regular files only, bounded, under a deadline).  Never
    modifies anything.

    ``exercise_names``: the exercises graded now; ``all_names``: every exercise of the
    assignment (how the work is found; default ``exercise_names``).  A refused or unreadable
    file becomes a unit with a ``problem`` (its exercises say why); the other files are
    graded.  Raises UsageError when there is nothing to grade at all.
    """
    path = Path(path)
    budget = budget or reader.Budget()
    reader.check_root(path)
    if path.is_dir():
        work = layout.find_work(path, all_names or exercise_names or [], budget)
    elif path.suffix in reader.GRADABLE:
        work = layout.Work(path.parent, [path.name])
    elif reader.looks_gradable(path.name):
        raise UsageError(reader.wrong_case_message(path.name))
    else:
        raise UsageError(_("cannot grade {path}: give a folder, a .py file or a .ipynb "
                           "notebook", path=path))
    return build(path, work.folder, work.files, work.refused, exercise_names or [], budget,
                 list(work.notes), work.data)


def build(path: Path, folder: Path, names: list[str], refused: list, exercise_names: list[str],
          budget: reader.Budget, notes: list[str], data: dict | None = None) -> Submission:
    """The submission made of ``folder``'s files ``names`` (relative), plus a unit with a
    problem for each refused entry that looks like a student's file."""
    if not names and not any(reader.looks_gradable(r.name) for r in refused):
        detail = "".join(f"\n  {r.message}" for r in refused)
        raise UsageError(_("{path} has no .py or .ipynb files to grade",
                           path=path.name or path) + detail)
    units: dict[str, Unit] = {}
    notebooks: dict[str, tuple[Path, bytes]] = {}      # module -> its file and bytes
    total = reader.TotalBytes()
    for name in names:
        file = folder / name
        module = module_name(Path(name).stem, taken=units)
        if budget.expired():
            units[module] = Unit(module=module, origin=Path(name).name,
                                 problem=budget.message(Path(name).name))
            continue
        try:
            content = (data or {}).get(name)
            if content is None:
                content = reader.read_bytes(file, Path(name).name, root=folder)
            total.take(Path(name).name, len(content))
        except reader.Refusal as exc:
            units[module] = Unit(module=module, origin=Path(name).name, problem=str(exc))
            continue
        if file.suffix == ".py":
            units[module] = python_unit(file, module, content, exercise_names)
        else:
            units[module] = notebook.unit_from_notebook(file, module, exercise_names,
                                                        data=content)
        if units[module].offers - units[module].defines:
            notebooks[module] = (file, content)
        notes += units[module].notes
    _keep_book_names(units, notebooks, exercise_names)
    _what_a_worker_carries(units, exercise_names, notes)
    for entry in refused:
        notes.append(entry.message)
        if reader.looks_gradable(entry.name):          # DROPOUT.PY stands for dropout.py
            module = module_name(Path(entry.name).stem.lower(), taken=units)
            units[module] = Unit(module=module, origin=Path(entry.name).name,
                                 problem=entry.message)
    return Submission(path, units, notes)


def _what_a_worker_carries(units: dict[str, Unit], exercise_names, notes: list[str],
                           limits: reader.Limits = reader.LIMITS) -> None:
    """Every worker gets every importable unit (an exercise may import a helper file), and
    it carries at most ``limits.code_bytes`` in ``limits.code_files`` files: past that, the
    files that define no exercise go first, then those that do, the largest first; each one
    left out says why (and so do its exercises), once in the notes too.  Depends only on the
    files and the assignment's exercises, never on the sandbox or the selection."""
    carried = [u for u in units.values() if u.problem is None]
    sizes = {u.module: len(u.source.encode("utf-8")) for u in carried}
    total, count = sum(sizes.values()), len(carried)
    if total <= limits.code_bytes and count <= limits.code_files:
        return
    wanted = set(exercise_names)
    left_out, kept_bytes, kept = [], total, count
    for unit in sorted(carried, key=lambda u: (bool(u.defines & wanted), -sizes[u.module],
                                               u.module)):
        if kept_bytes <= limits.code_bytes and kept <= limits.code_files:
            break
        left_out.append(unit)
        kept_bytes, kept = kept_bytes - sizes[unit.module], kept - 1
    for unit in left_out:
        unit.problem = reader.code_size_message(unit.origin, total, count, limits)
    names = ", ".join(u.origin for u in left_out[:5])
    if len(left_out) > 5:
        names = _("{names} and {count} more", names=names, count=len(left_out) - 5)
    notes.append(_("{left} files were left out ({names}): the submission's code adds up to "
                   "{size} MB in {count} files, more than the grader takes from one "
                   "submission ({limit} MB in {files} files).  Submit only your own code: "
                   "no data or copied libraries in .py files.", left=len(left_out),
                   names=names, size=f"{total / reader.MB:.1f}", count=count,
                   limit=f"{limits.code_bytes / reader.MB:g}", files=limits.code_files))


def _keep_book_names(units: dict[str, Unit], notebooks: dict, exercise_names) -> None:
    """``d2l.NAME`` stands for a NAME defined in another file of the submission too (the book
    builds ``d2l`` from its earlier sections: the student's other notebooks).  A notebook
    keeps only what its own exercises need, so a helper that only another file reads as
    ``d2l.NAME`` would be dropped: rebuild each notebook that offers such a name with it kept,
    until no new name is asked for (a kept helper may read ``d2l.OTHER`` in turn).  Depends
    only on the files, never on which exercises are graded now."""
    asked: dict[str, set] = {module: set() for module in notebooks}
    while True:
        wanted = set().union(*[u.book_needs for u in units.values() if u.problem is None])
        changed = False
        for module in sorted(notebooks):
            unit = units[module]
            more = (wanted & unit.offers) - unit.defines - asked[module]
            if not more:
                continue
            asked[module] |= more
            file, content = notebooks[module]
            if file.suffix == ".py":
                text = pyfile.decode(content, file.name)
                units[module] = notebook.unit_from_cells(
                    file, module, list(exercise_names), pyfile.notebook_cells(text),
                    also_keep=frozenset(asked[module]))
            else:
                units[module] = notebook.unit_from_notebook(
                    file, module, exercise_names, data=content,
                    also_keep=frozenset(asked[module]))
            changed = True
        if not changed:
            return


def module_name(stem: str, taken) -> str:
    name = re.sub(r"\W", "_", stem)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "m_" + name
    base, n = name, 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    return name


def python_unit(file: Path, module: str, data: bytes, exercise_names=()) -> Unit:
    """One ``.py`` file's unit, from its bytes (read by :mod:`reader`), read as Python reads
    it and treated as its notebook would be (:mod:`pyfile`)."""
    unit = Unit(module=module, origin=file.name)
    try:
        text = pyfile.decode(data, file.name)
    except ValueError as exc:
        unit.problem = str(exc)
        return unit
    tree, error = None, None
    try:
        tree = ast.parse(text, filename=file.name)
    except SyntaxError as exc:
        error = exc
    except (MemoryError, RecursionError, ValueError) as exc:
        unit.problem = unparsable(file.name, exc)
        return unit
    if pyfile.is_exported_notebook(text, tree):
        return notebook.unit_from_cells(file, module, list(exercise_names),
                                        pyfile.notebook_cells(text))
    unit.source = text
    if tree is None:
        unit.problem = describe_syntax_error(error, unit.origin, text)
        return unit
    unit.source = pyfile.book_imports(text, tree)
    unit.defines = top_level_names(tree)
    aliases = notebook.book_aliases([tree])
    unit.book_needs = notebook.book_reads(tree, aliases) - unit.defines
    return unit


def definition_source(source: str, name: str) -> tuple[str, int] | None:
    """The text of the (last) top-level def/class ``name`` and its first line, or None."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, MemoryError, RecursionError, ValueError):
        return None
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.name == name:
            found = (ast.get_source_segment(source, node), node.lineno)
    return found


def signatures(source: str) -> dict[str, list[str]]:
    """Positional parameter names of each top-level function (and class constructor)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, MemoryError, RecursionError, ValueError):
        return {}
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = [a.arg for a in node.args.posonlyargs + node.args.args]
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    found[node.name] = [a.arg for a in item.args.posonlyargs + item.args.args][1:]
    return found
