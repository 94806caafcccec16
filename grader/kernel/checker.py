"""``check()``: grade, from inside the notebook, what this kernel has run.

1. Read the cells the kernel executed (:mod:`grader.kernel.history`) and choose the exercises:
   those named, or every exercise of the assignment that an executed cell defines.
2. Write them as a notebook in a private temporary folder and grade it with a separate grader
   process (:mod:`grader.kernel.judge_process`), exactly as ``grade -s`` grades a saved
   notebook with the same cells: the judge and the sandboxed workers never share memory
   with the kernel.
3. Show the result inline (:mod:`grader.kernel.render`): a progress indicator while it runs,
   then the table (text/html and text/plain); cell numbers in messages become ``In [n]``.

One check runs at a time in a kernel: a second one (from a thread, a widget callback) is
refused with a message instead of waiting.  Problems the student can fix (no exercise defined
yet, an unknown name, the grader missing) are messages, never tracebacks.
"""
from __future__ import annotations

import json
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from grader import selection
from grader.i18n import _
from grader.kernel import history, render
from grader.kernel.judge_process import JudgeFailed, grade_notebook

_running = threading.Lock()


class StudentError(Exception):
    """Something the student can fix: shown as a message, not a traceback."""


@dataclass
class Report:
    """What check() found: the grader's JSON result (``data``), notes, and its renderings."""
    data: dict
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _shown_in: int | None = None

    score = property(lambda self: self.data.get("score"))
    max_score = property(lambda self: self.data.get("max_score"))

    @property
    def exercises(self) -> dict[str, dict]:
        return {e["name"]: e for e in self.data.get("exercises", []) if isinstance(e, dict)}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": render.to_text(self.data, self.notes, self.seconds),
                "text/html": render.to_html(self.data, self.notes, self.seconds)}

    def _ipython_display_(self):
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
        if shell is not None and self._shown_in == shell.execution_count:
            return                          # check() already showed it in this cell
        display(self._repr_mimebundle_(), raw=True)

    def __repr__(self):
        return f"<check: {render.number(self.score)} / {render.number(self.max_score)} points>"


# ----------------------------------------------------------------------------- choosing
def _load_assignment(assignment):
    from grader import assignment as assignment_mod
    return assignment_mod.load(assignment)


def choose(requested, executed, names: list[str], notebook_names: list[str] | None = None):
    """(exercises to grade, notes about the rest); StudentError when nothing can be graded."""
    defined = history.last_definers(executed, names)
    if requested:
        unknown = [n for n in dict.fromkeys(requested) if n not in names]
        if unknown:
            raise StudentError(selection.unknown_exercises(unknown, names))
        chosen = [n for n in dict.fromkeys(requested) if n in defined]
        missing = [n for n in dict.fromkeys(requested) if n not in defined]
    else:
        chosen = [n for n in names if n in defined]
        missing = [n for n in notebook_names or [] if n in names and n not in defined
                   and chosen]           # the notebook's exercises whose cells have not run
    notes = [_("{name} is not defined in this kernel yet: run the cell that defines it, then "
               "check again.", name=n) for n in missing]
    if not chosen:
        if missing:
            raise StudentError("\n".join(notes))
        if notebook_names:
            raise StudentError(_(
                "No exercise is defined in this kernel yet: run the cells with your exercises "
                "(this notebook's exercises: {names}), then check again.  check() grades what "
                "this kernel has run, not the file on disk.", names=", ".join(notebook_names)))
        raise StudentError(_("No exercise is defined in this kernel yet: run the cells with "
                             "your exercises, then check again.  check() grades what this "
                             "kernel has run, not the file on disk."))
    return chosen, notes


def choose_checks(spec, exercises: list[str], checks) -> None:
    """StudentError, before the grader starts, when ``checks`` (check()'s ``checks=``) is
    empty or names a check that none of ``exercises`` has (grader/selection.py)."""
    from grader.errors import GraderError
    if checks is None:
        return
    try:
        spec.select(exercises).select_checks(selection.check_names(",".join(checks)))
    except GraderError as exc:
        raise StudentError(str(exc)) from None


def given_notebook(notebook) -> Path | None:
    """check(notebook=...) as a path; StudentError when no such file exists (a typo would
    silently lose the warnings about cells edited since they ran), naming the close match
    and the notebooks of that folder."""
    if notebook is None:
        return None
    path = Path(notebook).expanduser()
    if path.is_file():
        return path
    folder = (path.parent if path.parent.is_dir() else Path.cwd()).resolve()
    here = sorted(p.name for p in folder.glob("*.ipynb"))
    close = selection.close_match(path.name, here)
    said = _("check(notebook={name}): there is no such file", name=repr(str(notebook)))
    if close:
        said += "\n" + _("did you mean {close}?", close=repr(close))
    if here:
        said += "\n" + _("The notebooks in {folder}: {names}", folder=folder,
                          names=", ".join(here))
    raise StudentError(said)


# ----------------------------------------------------------------------------- the result
def relabel(result: dict, origin: str) -> dict:
    """Cell numbers of the history notebook are execution counts: say ``In [n]``."""
    # "cell 3" as the judge wrote it, in the language it wrote in (the kernel's: --lang)
    template = _("cell {index}", index="\0")
    cell = re.escape(template).replace(re.escape("\0"), r"(\d+)")
    at_origin = re.compile(re.escape(origin) + r"[,，]? ?" + cell)
    # a word boundary where the words are Latin ("cell 3", not "cell 30" or "excell 3")
    edge = (lambda char: r"\b" if char.isascii() else "")
    bare = re.compile(edge(template[0]) + cell + edge(template[-1]))

    def fix(text, messages: bool):
        if not isinstance(text, str):
            return text
        text = at_origin.sub(lambda m: f"In [{m.group(1)}]", text)
        return bare.sub(lambda m: f"In [{m.group(1)}]", text) if messages else text

    for exercise in result.get("exercises", []):
        exercise["message"] = fix(exercise.get("message"), True)
        if isinstance(exercise.get("advice"), list):
            exercise["advice"] = [fix(a, False) for a in exercise["advice"]]
        for check in exercise.get("checks", []):
            check["message"] = fix(check.get("message"), True)
            feedback = check.get("feedback")
            if isinstance(feedback, dict):
                for key in list(feedback):
                    feedback[key] = fix(feedback[key], False)
    return result


# ----------------------------------------------------------------------------- check()
def check(*exercises: str, checks=None, notebook=None, assignment=None,
          lang=None) -> Report | None:
    """Grade exercises as this kernel has them, in a separate grader process; show the result.

    ``check("dropout")`` grades one exercise, ``check()`` every exercise the kernel defines.
    ``checks``: only these checks (names, as ``grade --checks``).  ``notebook``: the notebook
    file, when the front end does not say (used to tag setup cells and to warn about cells
    edited since they ran).  ``assignment``: an assignment TOML (default: the course around
    the working directory).  ``lang``: ``"zh_CN"`` or ``"en"``, the language of the result
    (default: the kernel's locale when it names one, else the assignment's ``language``, else
    English).  Returns a :class:`Report` (``.score``, ``.max_score``, ``.exercises``), or None
    when nothing was graded (the message says why).
    """
    from grader import i18n
    from IPython import get_ipython
    from IPython.display import display

    shell = get_ipython()
    if shell is None:
        raise RuntimeError(_("check() runs inside a Jupyter/IPython kernel; in a terminal "
                             "use `grade -s NOTEBOOK`"))
    if isinstance(checks, str):
        checks = [c.strip() for c in checks.split(",") if c.strip()]
    if not _running.acquire(blocking=False):
        _say(_("A check is already running in this kernel: wait for its result, then check "
               "again."), "warning")
        return None
    try:
        chosen = _language(lang, assignment)
        with i18n.language(chosen):
            return _check(shell, display, [str(e) for e in exercises], checks, notebook,
                          assignment, chosen)
    except StudentError as exc:
        _say(str(exc))
        return None
    finally:
        _running.release()


def _say(text: str, kind: str = "error") -> None:
    from IPython.display import display
    display({"text/plain": text, "text/html": render.message_html(text, kind)}, raw=True)


def _language(lang, assignment) -> str:
    """check()'s language: ``lang``, else the locale, else the assignment's, else English."""
    from grader import i18n
    from grader.errors import GraderError
    try:
        default = _load_assignment(assignment).language
    except GraderError:
        default = None             # _check says that the assignment cannot be found
    try:
        return i18n.resolve_for_person(lang, default)
    except ValueError as exc:
        raise StudentError(str(exc)) from None


def _check(shell, display, requested, checks, notebook, assignment, lang="en") -> Report:
    from grader.errors import GraderError
    try:
        spec = _load_assignment(assignment)
    except GraderError as exc:
        raise StudentError(_("check() cannot find the assignment: {error}.\nStart Jupyter in "
                             "the course folder (or a folder inside it), or name the "
                             "assignment: check(..., assignment='path/to/pyproject.toml').",
                             error=exc)) from None
    executed = history.executed_cells(shell)
    if executed:                 # the running cell is the last one IPython stored
        running = executed[-1].number
        executed = history.up_to_the_call(executed, running, _calling_line(shell, running))
    path = history.find_notebook(shell.user_ns, given_notebook(notebook))
    saved = history.disk_cells(path) if path is not None else []
    notebook_names = _notebook_exercises(path) if path is not None else None
    chosen, notes = choose(requested, executed, spec.names, notebook_names)
    choose_checks(spec, requested or chosen, checks)   # the names asked for, defined or not
    if path is not None and saved:
        notes = history.stale_notes(executed, saved, chosen, path.name) + notes

    what = _("checking {names}", names=", ".join(chosen)) if len(chosen) <= 3 else \
        _("checking {count} exercises", count=len(chosen))
    handle = display({"text/plain": render.progress_text(0, 0, "", 0, what),
                      "text/html": render.progress_html(0, 0, "", 0, what)},
                     raw=True, display_id=True)
    shown = [None]

    def progress(done, total, exercise, seconds):
        state = (done, total, exercise, int(seconds))
        if state == shown[0]:
            return                      # update the indicator only when what it says changes
        shown[0] = state
        handle.update({"text/plain": render.progress_text(done, total, exercise, seconds, what),
                       "text/html": render.progress_html(done, total, exercise, seconds, what)},
                      raw=True)

    origin = _safe_stem(path) + ".ipynb"
    try:
        with tempfile.TemporaryDirectory(prefix="grader-check-") as folder:
            target = Path(folder) / origin
            target.write_text(json.dumps(history.history_notebook(executed, saved)),
                              encoding="utf-8")
            run = grade_notebook(target, chosen, checks=checks, assignment=assignment,
                                 on_progress=progress, lang=lang)
    except JudgeFailed as exc:
        said = _("check() could not grade: {error}", error=exc)
        handle.update({"text/plain": said, "text/html": render.message_html(said)}, raw=True)
        return None
    except KeyboardInterrupt:
        handle.update({"text/plain": _("check interrupted"), "text/html": render.message_html(
            _("check interrupted: the grader was stopped."), "warning")}, raw=True)
        raise
    notes += [n.removeprefix("grade: ") for n in run.notes]
    report = Report(relabel(run.result, origin), notes, run.seconds)
    handle.update(report._repr_mimebundle_(), raw=True)
    report._shown_in = shell.execution_count
    return report


def _calling_line(shell, running: int) -> int | None:
    """The line of the running cell (``In[running]``) that called check() (IPython names
    each compiled cell and maps the name to its number), or None when it cannot be told."""
    import sys
    cells = getattr(getattr(shell, "compile", None), "_filename_map", None)
    if not isinstance(cells, dict):
        return None
    frame = sys._getframe(1)
    while frame is not None:
        if cells.get(frame.f_code.co_filename) == running:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _safe_stem(path: Path | None) -> str:
    stem = path.stem if path is not None else "notebook"
    stem = re.sub(r"[^\w-]", "_", stem)[:60]
    return stem or "notebook"


def _notebook_exercises(path: Path) -> list[str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        names = data["metadata"]["grader"]["exercises"]
        return [str(n) for n in names] if isinstance(names, list) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ----------------------------------------------------------------------------- the magic
MAGIC_OPTIONS = ("--checks", "--lang")


def check_magic(line: str):
    """``%check [EXERCISE ...] [--checks NAME,...] [--lang zh_CN|en]``: check() as a line
    magic (``--checks=NAME`` too).  An unknown option (``--lnag``) is said, with the close
    match, and nothing is graded: it would otherwise be taken for an exercise's name."""
    words = line.split()
    options, names, at = {}, [], 0
    while at < len(words):
        word = words[at]
        key, equals, value = word.partition("=")
        if key in MAGIC_OPTIONS:
            if not equals:
                value = words[at + 1] if at + 1 < len(words) else ""
                at += 1
            options[key] = value
        elif word.startswith("-"):
            close = selection.close_match(key, MAGIC_OPTIONS)
            said = _("{magic}: unknown option {option}", magic="%check", option=repr(key))
            if close:
                said += "\n" + _("did you mean {close}?", close=repr(close))
            _say(said + "\n" + _("Write: {usage}", usage="%check [EXERCISE ...] "
                                                          "[--checks NAME,...] [--lang zh_CN|en]"))
            return None
        else:
            names.append(word)
        at += 1
    return check(*names, checks=options.get("--checks"), lang=options.get("--lang") or None)


def load_ipython_extension(shell) -> None:
    """``%load_ext grader``: registers ``%check`` and puts ``check`` in the namespace."""
    shell.register_magic_function(check_magic, magic_kind="line", magic_name="check")
    shell.user_ns.setdefault("check", check)
