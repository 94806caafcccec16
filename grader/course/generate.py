"""Student stubs from reference solutions: ``solutions/<topic>.py`` -> ``exercises/<topic>.py``.

Everything between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` is replaced by
``raise NotImplementedError`` at the block's indentation (a docstring above the markers is
kept: it is where the exercise is taught).  ``# BEGIN SOLUTION NO PROMPT`` removes its block
without a replacement (helpers that only the solution needs).  The stubs are never edited by
hand: ``grade generate`` rewrites them, and ``grade generate --check`` (and the test suite)
fails when they are out of date.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from grader.errors import ConfigError
from grader.i18n import _

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?P<noprompt> NO PROMPT)?\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
STUB_BODY = ("# TODO: write your code here", "raise NotImplementedError")


def header(topic: str) -> str:
    return (f"# Generated from solutions/{topic}.py by `grade generate`: edit the code below, "
            "keep the names.\n")


def stub_source(solution: str, topic: str, where: str = "") -> str:
    out: list[str] = []
    inside = None
    for number, line in enumerate(solution.splitlines(), 1):
        begin = BEGIN.match(line)
        if begin:
            if inside is not None:
                raise ConfigError(_("{where}: BEGIN SOLUTION inside another block",
                                    where=f"{where}:{number}"))
            inside = (number, begin.group("indent"), bool(begin.group("noprompt")))
            continue
        if END.match(line):
            if inside is None:
                raise ConfigError(_("{where}: END SOLUTION without BEGIN SOLUTION",
                                    where=f"{where}:{number}"))
            _line, indent, noprompt = inside
            if not noprompt:
                out += [indent + text for text in STUB_BODY]
            inside = None
            continue
        if inside is None:
            out.append(line)
    if inside is not None:
        raise ConfigError(_("{where}: BEGIN SOLUTION is never closed", where=f"{where}:{inside[0]}"))
    text = header(topic) + "\n".join(out).rstrip("\n") + "\n"
    try:
        ast.parse(text)
    except SyntaxError as exc:
        raise ConfigError(_("{where}: the generated stub is not valid Python (line {line}: "
                            "{error})", where=where, line=exc.lineno, error=exc.msg)) from None
    return text


def planned(solutions_dir: Path, stubs_dir: Path, topics: list[str]) -> dict[Path, str]:
    """Stub path -> the text it should have."""
    result = {}
    for topic in topics:
        source = solutions_dir / f"{topic}.py"
        if not source.is_file():
            raise ConfigError(_("no reference solution for topic {topic}: expected {path}",
                                topic=repr(topic), path=source))
        result[stubs_dir / f"{topic}.py"] = stub_source(source.read_text(), topic, str(source))
    return result


def stale(solutions_dir: Path, stubs_dir: Path, topics: list[str]) -> list[Path]:
    """Stubs that differ from what ``generate`` would write."""
    return [path for path, text in planned(solutions_dir, stubs_dir, topics).items()
            if not path.is_file() or path.read_text() != text]


def write(solutions_dir: Path, stubs_dir: Path, topics: list[str]) -> list[Path]:
    stubs_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for path, text in planned(solutions_dir, stubs_dir, topics).items():
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed
