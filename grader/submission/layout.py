"""Finding the student's work in whatever they handed in: one rule for every entry point.

``grade``, ``grade batch``, the Gradescope entry point and the workflows all call
:func:`find_work` (through :func:`grader.submission.discover.load`), so a submission is found
the same way everywhere: by *where the assignment's exercises are defined*, never by counting
files.  Flat files, a zipped folder (files one level down), a whole repository (a stub
``exercises/`` next to filled ``notebooks/``, a README, the grader's own package), a macOS zip
(``__MACOSX/``, ``.DS_Store``), ``.ipynb_checkpoints/`` copies: all are read the same way.

The rule.  Every folder of the submission (walked by :mod:`reader`: no links, bounded) that
holds ``.py`` files or notebooks is a candidate.  Each candidate is scored by parsing its files
(never running them): how many of the assignment's exercises it *implements* (a definition
whose body is more than the stub's ``raise NotImplementedError``), then how many it defines at
all.  The best candidate is graded; ties go to the folder nearer the top, then by name.  When
no folder defines any exercise, the top-most folder with files is graded (its exercises then
say what is missing).  The result says which folder was graded when it is not the top one, and
which other folders also defined exercises and were not graded.

Only one folder is graded: exercises split over several folders are reported, not merged (the
same module names in two folders would make the choice ambiguous).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from grader.i18n import _
from grader.submission import reader
from grader.submission.source import top_level_names


@dataclass
class Work:
    """Where the student's work is: the folder to grade and its files (names in it)."""
    folder: Path
    files: list[str]
    refused: list = field(default_factory=list)       # reader.Refused in the graded folder
    notes: list[str] = field(default_factory=list)    # what the student should know
    data: dict = field(default_factory=dict)          # name -> bytes already read


@dataclass
class _Candidate:
    folder: str                                        # relative, "" for the top
    files: list[str] = field(default_factory=list)     # names in the folder
    implemented: set = field(default_factory=set)
    defined: set = field(default_factory=set)
    data: dict = field(default_factory=dict)

    def rank(self):
        depth = self.folder.count("/") + 1 if self.folder else 0
        return (-len(self.implemented), -len(self.defined), depth, self.folder)

    def label(self) -> str:
        return f"{self.folder}/" if self.folder else _("the top folder")


def find_work(root: Path, exercise_names, budget: reader.Budget | None = None) -> Work:
    """The folder of ``root`` that holds the student's work (see the module's rule).

    ``exercise_names``: every exercise of the assignment (not a selection, so that the same
    submission is found the same way whatever is graded).  Raises UsageError when ``root``
    itself cannot be read (a link, a system folder).
    """
    root = Path(root)
    budget = budget or reader.Budget()
    listing = reader.walk(root, budget=budget)
    names = set(exercise_names)
    candidates: dict[str, _Candidate] = {}
    wrong_case: list[reader.Refused] = []
    for name in listing.files:
        folder, _sep, base = name.rpartition("/")
        if base.endswith(reader.GRADABLE):
            candidates.setdefault(folder, _Candidate(folder)).files.append(base)
        elif reader.looks_gradable(base):                 # DROPOUT.PY, lenet.IPYNB
            wrong_case.append(reader.Refused(name, reader.wrong_case_message(base)))
    notes = [listing.stopped] if listing.stopped else []
    total = reader.TotalBytes()              # what scoring the folders may read, in all
    for candidate in candidates.values():
        for base in candidate.files:
            rel = f"{candidate.folder}/{base}" if candidate.folder else base
            if budget.expired():
                notes.append(budget.message(rel))
                break
            try:
                total.take(rel, listing.sizes.get(rel, 0))
                data = reader.read_bytes(root / rel, rel, root=root)
            except reader.Refusal:
                continue                    # reported when the chosen folder is read
            candidate.data[base] = data
            implemented, defined = definitions(data, base, names)
            candidate.implemented |= implemented
            candidate.defined |= defined
    refused = listing.refused + wrong_case
    refused_here = lambda folder: [r for r in refused  # noqa: E731
                                   if r.name.rpartition("/")[0] == folder]
    if not candidates:
        return Work(root, [], refused, notes)
    ordered = sorted(candidates.values(), key=_Candidate.rank)
    best = ordered[0]
    if not best.defined:                 # nothing defines an exercise: the top-most folder
        best = min(candidates.values(), key=lambda c: (c.folder.count("/") + bool(c.folder),
                                                        c.folder))
        if names:
            shown = ", ".join(sorted(names)[:6]) + (", ..." if len(names) > 6 else "")
            notes.append(_("no file of the submission defines any of the assignment's "
                           "exercises ({names}); graded {folder}", names=shown,
                           folder=best.label()))
    elif best.folder:
        if best.implemented:
            notes.append(_("graded the files in {folder}/ ({files}): they define {count} of "
                           "the assignment's exercises, {written} written",
                           folder=best.folder, files=", ".join(best.files),
                           count=len(best.defined), written=len(best.implemented)))
        else:
            notes.append(_("graded the files in {folder}/ ({files}): they define {count} of "
                           "the assignment's exercises", folder=best.folder,
                           files=", ".join(best.files), count=len(best.defined)))
    for other in ordered:
        if other is best or not other.defined:
            continue
        why = (_("its definitions are the unchanged stubs") if not other.implemented
               else _("it implements {count} exercises, {folder} {best}",
                      count=len(other.implemented), folder=best.label(),
                      best=len(best.implemented)))
        notes.append(_("not graded: {folder} ({why}); keep all your work in one folder",
                       folder=other.label(), why=why))
    notes += [r.message for r in refused if r.name.rpartition("/")[0] != best.folder]
    folder = root / best.folder if best.folder else root
    return Work(folder, sorted(best.files), refused_here(best.folder), notes, best.data)


def default_submission(stubs_dir: Path, exercise_names) -> Path:
    """What `grade` grades with no ``--submission``: the course's stub folder (``exercises/``),
    or the ``notebooks/`` folder next to it when that implements more of the exercises (a
    student who worked in the published notebooks, e.g. in a GitHub Classroom repository).
    Decided by the same rule as :func:`find_work`, between these two folders only."""
    stubs_dir = Path(stubs_dir)
    notebooks = stubs_dir.parent / "notebooks"
    if not reader.is_real_folder(notebooks) or not reader.is_real_folder(stubs_dir):
        return stubs_dir
    names = set(exercise_names)
    ranked = []
    for order, folder in enumerate((stubs_dir, notebooks)):
        implemented, defined = set(), set()
        for name in reader.walk(folder, recursive=False).files:
            if name.endswith(reader.GRADABLE):
                try:
                    data = reader.read_bytes(folder / name, name, root=folder)
                except reader.Refusal:
                    continue
                found = definitions(data, name, names)
                implemented |= found[0]
                defined |= found[1]
        ranked.append((-len(implemented), -len(defined), order, folder))
    return min(ranked)[3]


def definitions(data: bytes, name: str, exercises: set) -> tuple[set, set]:
    """(implemented, defined): which of ``exercises`` a file defines, and with a real body.
    Parsing only; a file that does not parse counts as defining (and implementing) what its
    ``def``/``class`` lines name: it is the student's work, with a problem to report."""
    from grader.submission import notebook
    if name.endswith(".ipynb"):
        try:
            cells = notebook.read_cells(Path(name), data)
        except ValueError:
            return set(), set()
        sources = []
        for cell in cells:
            if cell.get("cell_type") == "code":
                text = notebook.python_source(notebook._text(cell.get("source", "")))
                if text is not None:
                    sources.append(text)
    else:
        sources = [data.decode("utf-8", errors="replace").lstrip("\ufeff")]
    implemented, defined = set(), set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            found = notebook.names_in_broken_source(source) & exercises
            implemented |= found
            defined |= found
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and node.name in exercises:
                defined.add(node.name)
                if not is_stub(node):
                    implemented.add(node.name)
        defined |= top_level_names(tree) & exercises
    return implemented, defined


def is_stub(node: ast.AST) -> bool:
    """A definition still as the stub generator wrote it: its body is only a docstring,
    ``pass`` or ``...``, or it still raises ``NotImplementedError`` where the student's code
    goes (stubs keep the given lines above that marker).  A class is a stub when any of its
    methods is."""
    if isinstance(node, ast.ClassDef):
        return any(is_stub(n) for n in node.body
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    body = _without_docstring(node.body)
    return all(_is_placeholder(n) for n in body) or any(_raises_not_implemented(n)
                                                        for n in body)


def _without_docstring(body: list) -> list:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _is_placeholder(node: ast.AST) -> bool:
    return isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(
        node.value, ast.Constant)) or _raises_not_implemented(node)


def _raises_not_implemented(node: ast.AST) -> bool:
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False
