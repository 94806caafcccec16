"""How long the whole-lesson text report is for a submission that fails half the exercises.

    python benchmarks/bench_report_length.py [--save RESULT.pickle]

Builds the submission from the reference solutions with every second exercise replaced by its
first catalogued mistake (tests/mutants), grades the whole lesson, and prints the number of
lines of the default text report and of ``grade -v``.  ``--save`` keeps the graded result so
that another renderer (e.g. an older reports/text.py) can be measured on the same result.
"""
from __future__ import annotations

import pickle
import sys
import tempfile
from pathlib import Path

from grader import assignment
from grader.course import mutants as mutants_mod
from grader.judge.run import GradeRequest, run
from grader.reports.text import render_text


def half_failing(course, folder: Path) -> list[str]:
    files = {p.name: p.read_text() for p in course.solutions_dir.glob("*.py")}
    catalogue = mutants_mod.discover(course.mistakes_dir)
    broken = []
    for exercise in course.exercises[::2]:
        mistake = next((m for m in catalogue if m.exercise == exercise.name), None)
        if mistake is None:
            continue
        name = f"{exercise.topic}.py"
        files[name] = files[name].rstrip("\n") + "\n\n\n" + mistake.path.read_text()
        broken.append(mistake.id)
    for name, text in files.items():
        (folder / name).write_text(text)
    return broken


def main() -> None:
    course = assignment.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submission"
        folder.mkdir()
        broken = half_failing(course, folder)
        result = run(GradeRequest(course, folder, jobs=2))
    failing = sum(e.status != "complete" for e in result.exercises)
    print(f"{len(result.exercises)} exercises, {failing} not complete "
          f"({len(broken)} mistakes swapped in), score {result.score:g} / {result.max_score:g}")
    print(f"text report lines: default {len(render_text(result).splitlines())}, "
          f"-v {len(render_text(result, verbose=True).splitlines())}")
    if "--save" in sys.argv:
        Path(sys.argv[sys.argv.index("--save") + 1]).write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    main()
