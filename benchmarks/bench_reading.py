"""Reading a submission: how the judge's cost grows with the size of hostile notebooks.

Prints seconds for notebooks of N IPython magic lines (4,000 lines is a 48 KB notebook) and
of N statements that each use the previous one (``x1 = x0 + 1`` ... read by the exercise),
for N = 1k, 2k, 4k, 8k.  Linear reading shows times that double with N; the quadratic reader
this replaced took 3 / 17 / 60 s for 1k / 2k / 4k magic lines.

    python benchmarks/bench_reading.py
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.submission import discover  # noqa: E402

SIZES = (1000, 2000, 4000, 8000)


def notebook(path: Path, cells: list[str]) -> Path:
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": source} for source in cells]}))
    return path


def magic_lines(n: int) -> list[str]:
    body = "".join("%time x = 1\n" if k % 2 else "!echo hi\n" for k in range(n))
    return ["import torch\n" + body, "def corr2d(X, K):\n    return X\n"]


def chain(n: int) -> list[str]:
    lines = ["x0 = 1\n"] + [f"x{k} = x{k - 1} + 1\n" for k in range(1, n)]
    return ["".join(lines), f"def corr2d(X, K):\n    return X + x{n - 1}\n"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, make in (("magic lines", magic_lines), ("dependent statements", chain)):
            for n in SIZES:
                folder = Path(tmp) / f"{label.split()[0]}{n}"
                folder.mkdir()
                path = notebook(folder / "nb.ipynb", make(n))
                started = time.perf_counter()
                unit = discover.load(folder, ["corr2d"]).units["nb"]
                seconds = time.perf_counter() - started
                assert "corr2d" in unit.defines and not unit.problem, unit.problem
                print(f"{label:22} {n:6d} lines  {path.stat().st_size / 1024:7.1f} KB  "
                      f"{seconds:6.2f} s")


if __name__ == "__main__":
    main()
