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
                raise ConfigError(f"{where}:{number}: BEGIN SOLUTION inside another block")
            inside = (number, begin.group("indent"), bool(begin.group("noprompt")))
            continue
        if END.match(line):
            if inside is None:
                raise ConfigError(f"{where}:{number}: END SOLUTION without BEGIN SOLUTION")
            _, indent, noprompt = inside
            if not noprompt:
                out += [indent + text for text in STUB_BODY]
            inside = None
            continue
        if inside is None:
            out.append(line)
    if inside is not None:
        raise ConfigError(f"{where}:{inside[0]}: BEGIN SOLUTION is never closed")
    text = header(topic) + "\n".join(out).rstrip("\n") + "\n"
    try:
        ast.parse(text)
    except SyntaxError as exc:
        raise ConfigError(f"{where}: the generated stub is not valid Python "
                          f"(line {exc.lineno}: {exc.msg})") from None
    return text


def planned(solutions_dir: Path, stubs_dir: Path, topics: list[str]) -> dict[Path, str]:
    """Stub path -> the text it should have."""
    result = {}
    for topic in topics:
        source = solutions_dir / f"{topic}.py"
        if not source.is_file():
            raise ConfigError(f"no reference solution for topic {topic!r}: expected {source}")
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
