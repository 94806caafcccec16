"""What hanging functions cost a submission: wall time of `grade` on a submission whose
exercises loop forever.

    python benchmarks/bench_hangs.py [--jobs N] [EXERCISE ...]

Builds a submission from the reference solutions with each named exercise's function
replaced by ``while True: pass`` (default: corr2d, pool2d and dropout), grades those exercises
with the course's own time limits (`grade -s DIR EXERCISE... --format json`), and prints the
wall time and the CPU time of grading (the load average is printed: on a shared machine the
CPU time is the steadier figure), the statuses, and how many checks waited for a call
deadline against how many failed at once.  A hanging call is cut after 5 s of its own CPU
time (grader/judge/deadlines.py), so each hanging function costs about that once.  Target
(shared/TARGETS.md): at most 60 s in all, however many hang.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from grader import assignment

# exercise -> (solutions file, the function's signature)
HANGS = {"corr2d": ("convolution.py", "corr2d(X, K)"),
         "pool2d": ("pooling.py", "pool2d(X, pool_size, mode='max')"),
         "dropout": ("dropout.py", "dropout(X, drop_prob)")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", metavar="EXERCISE",
                        help=f"among {', '.join(HANGS)} [default: all three]")
    parser.add_argument("--jobs", "-j", type=int, default=None)
    args = parser.parse_args()
    args.exercises = args.exercises or list(HANGS)
    unknown = set(args.exercises) - set(HANGS)
    if unknown:
        parser.error(f"unknown exercise(s): {', '.join(sorted(unknown))}")
    course = assignment.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submission"
        folder.mkdir()
        for file in course.solutions_dir.glob("*.py"):
            shutil.copy(file, folder / file.name)
        for name in args.exercises:
            file, signature = HANGS[name]
            with open(folder / file, "a") as out:
                out.write(f"\n\ndef {signature}:\n    while True:\n        pass\n")
        command = [sys.executable, "-c", "from grader.cli import main; main()", "run", "-s",
                   str(folder),
                   *args.exercises, "--format", "json"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    report = json.loads(done.stdout)
    print(f"{'exercise':<12} {'checks':>6} {'waited':>6} {'at once':>7}  statuses")
    for exercise in report["exercises"]:
        checks = exercise["checks"]
        counts = Counter(c["status"] for c in checks)
        waited = sum(1 for c in checks if "did not finish within" in (c.get("message") or ""))
        at_once = sum(1 for c in checks if "is not run again" in (c.get("message") or ""))
        print(f"{exercise['name']:<12} {len(checks):6d} {waited:6d} {at_once:7d}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"wall time of grade ({len(args.exercises)} hanging, call_timeout "
          f"{course.exercise(args.exercises[0]).call_timeout:g} s, jobs "
          f"{args.jobs or 'default'}): {seconds:.1f} s; CPU time of grade and everything it "
          f"started: {cpu:.1f} s (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
