"""Mutants: realistic wrong implementations that prove each check can fail.

``tests/mutants/<exercise>/<name>.py`` holds one mistake; its docstring describes it and
names, on a ``kills:`` line, the checks that must fail on it.  A mutant is graded as the
reference solution of its topic with the mutant's code appended (so its definition replaces
the correct one, and the topic's other exercises stay correct).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError

_KILLS = re.compile(r"^\s*kills:\s*(?P<names>.+)$", re.MULTILINE)


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
            raise ConfigError(f"{path}: the docstring needs a line 'kills: check, ...'")
        kills = tuple(n.strip() for n in match.group("names").split(",") if n.strip())
        found.append(Mutant(path.parent.name, path.stem, path, doc.splitlines()[0], kills))
    return found


def submission_files(mutant: Mutant, solutions_dir: Path, topic: str) -> dict[str, str]:
    """The files of a submission that is the reference with this mutant swapped in."""
    files = {p.name: p.read_text() for p in Path(solutions_dir).glob("*.py")}
    reference = files.get(f"{topic}.py")
    if reference is None:
        raise ConfigError(f"mutant {mutant.id}: no reference {topic}.py in {solutions_dir}")
    files[f"{topic}.py"] = (reference.rstrip("\n") + f"\n\n\n# --- mutant {mutant.id} ---\n"
                            + mutant.path.read_text())
    return files
