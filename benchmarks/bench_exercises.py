"""Per-exercise cost of grading the reference solutions: wall time and student calls.

    python benchmarks/bench_exercises.py [EXERCISE ...]

Runs one warm grading first (so that imports are not counted), then prints, per exercise,
the time from its first check to its last and the number of calls sent to the worker.
Use it to keep each exercise cheap: the whole lesson must grade in well under 15 s.
"""
from __future__ import annotations

import sys
import time
from grader import assignment
from grader.sandbox.forkserver import ForkServer
from grader.judge.run import GradeRequest, run


def main() -> None:
    course = assignment.load()
    selected = tuple(sys.argv[1:])
    with ForkServer() as server:
        request = GradeRequest(course, course.solutions_dir, selected, "process",
                               launcher=server.launch)
        run(request)                                   # warm-up: imports, fork server
        marks: list[tuple[float, str]] = []
        request.progress = lambda done, total, name: marks.append((time.perf_counter(), name))
        start = time.perf_counter()
        result = run(request)
        total = time.perf_counter() - start
    spent: dict[str, float] = {}
    previous = start
    for stamp, name in marks:
        spent[name] = spent.get(name, 0.0) + stamp - previous
        previous = stamp
    print(f"{'exercise':<28} {'seconds':>8} {'checks':>7} {'score':>9}")
    for exercise in result.exercises:
        print(f"{exercise.name:<28} {spent.get(exercise.name, 0):8.2f} {len(exercise.checks):7d} "
              f"{exercise.score:>4g}/{exercise.max_score:<4g}")
    print(f"{'total (warm)':<28} {total:8.2f}   calls to the worker: {result.calls}")


if __name__ == "__main__":
    main()
