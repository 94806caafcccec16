"""Per-exercise cost of grading the reference solutions: wall time, the judge's CPU time and
student calls.

    python benchmarks/bench_exercises.py [--no-replay] [EXERCISE ...]

Runs one warm grading first (so that imports are not counted, and, as in a batch slot, every
passing check's examples are recorded: grader/judge/replay.py), then prints, per exercise,
the time from its first check to its last, the judge's CPU seconds in that span (which a
loaded machine does not stretch; the worker's are not counted) and the number of calls sent
to the worker.  ``--no-replay`` generates every example anew, as a judge did before replay.
Use it to keep each exercise cheap: the whole lesson must grade in well under 15 s.
"""
from __future__ import annotations

import os
import sys
import time
from grader import assignment
from grader.sandbox.forkserver import ForkServer
from grader.judge.run import GradeRequest, run
try:
    from grader.judge import replay
except ImportError:          # a checkout from before replay: figures to compare with
    replay = None


def main() -> None:
    args = sys.argv[1:]
    if replay is not None:
        replay.ENABLED = "--no-replay" not in args
    selected = tuple(a for a in args if a != "--no-replay")
    course = assignment.load()
    with ForkServer() as server:
        request = GradeRequest(course, course.solutions_dir, selected, "process",
                               launcher=server.launch)
        run(request)                                   # warm-up: imports, fork server
        marks: list[tuple[float, float, str]] = []
        request.progress = lambda done, total, name: marks.append(
            (time.perf_counter(), time.process_time(), name))
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run(request)
        total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    spent: dict[str, list[float]] = {}
    previous = (start, start_cpu)
    for stamp, cpu, name in marks:
        seconds = spent.setdefault(name, [0.0, 0.0])
        seconds[0] += stamp - previous[0]
        seconds[1] += cpu - previous[1]
        previous = (stamp, cpu)
    print(f"# load {os.getloadavg()[0]:.2f}, replay "
          f"{'on' if replay is not None and replay.ENABLED else 'off'}")
    print(f"{'exercise':<28} {'seconds':>8} {'judge CPU':>9} {'checks':>7} {'score':>9}")
    for exercise in result.exercises:
        wall, cpu = spent.get(exercise.name, (0.0, 0.0))
        print(f"{exercise.name:<28} {wall:8.2f} {cpu:9.2f} {len(exercise.checks):7d} "
              f"{exercise.score:>4g}/{exercise.max_score:<4g}")
    print(f"{'total (warm)':<28} {total:8.2f} {total_cpu:9.2f}   calls to the worker: "
          f"{result.calls}")


if __name__ == "__main__":
    main()
