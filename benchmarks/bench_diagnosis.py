"""Diagnosis from the catalogue of known mistakes, measured over the catalogue itself.

    python benchmarks/bench_diagnosis.py [EXERCISE ...] [--list]

Grades every catalogued mistake (tests/mutants/<exercise>/<name>.py) as a submission (the
reference with the mistake swapped in, the mistake's exercise only, every check) and prints:
how many are diagnosed as themselves, as another mistake (must be 0: a wrong diagnosis is
worse than none), or not at all (and why), and the time the diagnosis cost per failing
exercise (median, 90th percentile, largest).  ``--list`` prints one line per mistake.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from grader import assignment
from grader.course import mutants as mutants_mod
from grader.judge.diagnosis import called_exercises
from grader.judge.run import GradeRequest, RunInfo, run
from grader.sandbox.forkserver import ForkServer


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    listing = "--list" in sys.argv
    course = assignment.load()
    catalogue = [m for m in mutants_mod.discover(course.mistakes_dir)
                 if not args or m.exercise in args]
    outcome: Counter = Counter()
    reasons: Counter = Counter()
    seconds: list[float] = []
    wrong: list[str] = []
    started = time.perf_counter()
    with ForkServer(mode="process") as server, tempfile.TemporaryDirectory() as tmp:
        for index, mistake in enumerate(catalogue):
            exercise = course.exercise(mistake.exercise)
            folder = Path(tmp) / f"m{index}"
            folder.mkdir()
            for name, text in mutants_mod.submission_files(mistake, course.solutions_dir,
                                                           exercise.topic).items():
                (folder / name).write_text(text)
            info = RunInfo()
            # the exercise and those it calls (a diagnosis needs them graded: they are right)
            source = (course.solutions_dir / f"{exercise.topic}.py").read_text()
            callees = called_exercises(source, mistake.exercise, set(course.names))
            result = run(GradeRequest(course, folder, (*callees, mistake.exercise), "process",
                                      launcher=server.launch), info)
            shown = any(c.feedback is not None and (c.feedback.diagnosis or "")
                        .startswith("known mistake") for e in result.exercises
                        if e.name == mistake.exercise for c in e.checks)
            attempts = [d for d in info.diagnoses if d[0] == mistake.exercise]
            if attempts and attempts[0][3] and not shown:
                attempts = [(mistake.exercise, "dropped: an exercise it calls fails",
                             attempts[0][2], None)]
            if not attempts:
                kind, why = "none", "the exercise did not fail (advice or forbidden call only)"
            else:
                _, why, spent, found = attempts[0]
                seconds.append(spent)
                if found == mistake.name:
                    kind = "itself"
                elif found is None:
                    kind = "none"
                else:
                    kind = "another"
                    wrong.append(f"{mistake.id} diagnosed as {found}")
            outcome[kind] += 1
            if kind == "none":
                reasons[why] += 1
            if listing:
                print(f"{mistake.id:<55} {kind:<8} {why}", flush=True)
    total = time.perf_counter() - started
    print(f"catalogued mistakes graded: {len(catalogue)} ({total:.0f} s)")
    print(f"  diagnosed as themselves: {outcome['itself']}")
    print(f"  diagnosed as another:    {outcome['another']}")
    print(f"  no diagnosis:            {outcome['none']}")
    for why, count in reasons.most_common():
        print(f"      {count:4d}  {why}")
    for line in wrong:
        print(f"  WRONG: {line}")
    if seconds:
        ordered = sorted(seconds)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        print(f"diagnosis time per failing exercise: median {statistics.median(ordered):.3f} s, "
              f"90th percentile {p90:.3f} s, largest {ordered[-1]:.3f} s "
              f"({len(ordered)} failing exercises)")


if __name__ == "__main__":
    main()
