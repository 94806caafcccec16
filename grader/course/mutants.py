"""Mutants: realistic wrong implementations that prove each check can fail.

``tests/mutants/<exercise>/<name>.py`` holds one mistake; its docstring describes it and
names, on a ``kills:`` line, the checks that must fail on it.  The same files are the catalogue
of known mistakes the judge diagnoses (grader/judge/diagnosis.py): the docstring's first
paragraph, or a ``diagnosis:`` line when that reads better, is what a student is told when
their answers match this mistake and no other (:func:`describe`; translated in the
``mistakes`` domain, grader/i18n.py, its catalog in ``tests/mutants/locale``).  A mutant is graded as the
reference solution of its topic with the mutant's code appended (so its definition replaces
the correct one, and the topic's other exercises stay correct).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError
from grader.i18n import _

_KILLS = re.compile(r"^\s*kills:\s*(?P<names>.+)$", re.MULTILINE)
_DIAGNOSIS = re.compile(r"^\s*diagnosis:\s*(?P<text>.+)$", re.MULTILINE)
_NOT_VERBS = {"The", "A", "An", "No", "One", "Every", "Only", "Correct", "Correct,"}


@dataclass(frozen=True)
class Mutant:
    exercise: str
    name: str
    path: Path
    description: str
    kills: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.exercise}/{self.name}"


def discover(folder: Path) -> list[Mutant]:
    found = []
    for path in sorted(Path(folder).glob("*/*.py")):
        source = path.read_text()
        doc = ast.get_docstring(ast.parse(source)) or ""
        match = _KILLS.search(doc)
        if not match:
            raise ConfigError(_("{path}: the docstring needs a line {line}", path=path,
                                line="'kills: check, ...'"))
        kills = tuple(n.strip() for n in match.group("names").split(",") if n.strip())
        found.append(Mutant(path.parent.name, path.stem, path, doc.splitlines()[0], kills))
    return found


def describe(path: Path, exercise: str) -> str:
    """The sentence a student reads when their answers match this mistake, or "" (in English:
    the msgid of its translation, domain ``mistakes``, see :func:`extract_babel`).

    A ``diagnosis:`` line in the docstring is used as written; otherwise the docstring's first
    paragraph, which by convention starts with a verb ("Flips the kernel: ..."), becomes
    "your corr2d flips the kernel: ...".  Correct-valued mistakes (a forbidden call, advice)
    never reach a student this way: a diagnosis needs an answer that differs from the
    reference.
    """
    return describe_source(Path(path).read_text(), exercise)


def describe_source(source: str, exercise: str) -> str:
    """:func:`describe` of a mistake's source text."""
    doc = ast.get_docstring(ast.parse(source)) or ""
    written = _DIAGNOSIS.search(doc)
    if written:
        return written.group("text").strip()
    paragraph = []
    for line in doc.splitlines():
        if not line.strip() or _KILLS.match(line):
            break
        paragraph.append(line.strip())
    text = " ".join(paragraph).strip()
    if not text:
        return ""
    first = text.split()[0]
    if first[:1].isupper() and (first.endswith("s") or first in ("Never", "Also")) \
            and first not in _NOT_VERBS:
        return f"your {exercise} {first.lower()}{text[len(first):]}"
    if first[:1].isupper() and (len(first) == 1 or first[1:].islower()) and "_" not in first:
        text = text[0].lower() + text[1:]          # "A 5 x 5 kernel" -> "a 5 x 5 kernel"
    return f"in your {exercise}: {text}"


def extract_babel(fileobj, keywords, comment_tags, options):
    """Babel extraction method for the ``mistakes`` domain: the diagnosis sentence of one
    mistake file (``<catalogue>/<exercise>/<name>.py``; the exercise is its folder's name),
    exactly as :func:`describe` gives it, with the mistake's id as the translator's comment.

    Use (README "Translations"): ``pybabel extract -F tests/mutants/babel.cfg -o
    tests/mutants/locale/mistakes.pot tests/mutants`` with, in babel.cfg,
    ``[grader.course.mutants.extract_babel: */*.py]``.
    """
    path = Path(getattr(fileobj, "name", "") or "")
    source = fileobj.read()
    if isinstance(source, bytes):
        source = source.decode(options.get("encoding", "utf-8") if options else "utf-8")
    sentence = describe_source(source, path.parent.name)
    if not sentence:
        return
    lineno = 1
    for number, line in enumerate(source.splitlines(), 1):
        if _DIAGNOSIS.match(line):
            lineno = number
            break
    yield lineno, None, sentence, [f"mistake {path.parent.name}/{path.stem}"]


def submission_files(mutant: Mutant, solutions_dir: Path, topic: str) -> dict[str, str]:
    """The files of a submission that is the reference with this mutant swapped in."""
    files = {p.name: p.read_text() for p in Path(solutions_dir).glob("*.py")}
    reference = files.get(f"{topic}.py")
    if reference is None:
        raise ConfigError(_("mutant {mutant}: no reference {file} in {folder}", mutant=mutant.id,
                            file=f"{topic}.py", folder=solutions_dir))
    files[f"{topic}.py"] = with_mistake(reference, mutant.path.read_text(), mutant.id)
    return files


def with_mistake(reference: str, mistake: str, label: str) -> str:
    """The topic's reference source with a mistake's code appended (its definitions win):
    how ``grade validate`` grades a mutant and how diagnosis replays a catalogued mistake."""
    return reference.rstrip("\n") + f"\n\n\n# --- mutant {label} ---\n" + mistake
