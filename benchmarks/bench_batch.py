"""Benchmark: `grade batch` on N identical reference submissions, --jobs 1 vs --jobs 2.

    python benchmarks/bench_batch.py                  # the core exercises, N = 4 and 16
    python benchmarks/bench_batch.py --all --small 2 --large 6   # the whole lesson

Prints, per --jobs, the wall time for a small and a large class, the throughput, the marginal
cost per submission ((T_large - T_small) / (large - small): what one more student costs once
the slots are warm), and the speed-up of --jobs 2 over --jobs 1.  Figures, not assertions.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("dropout", "corr2d", "pool2d")


def core_assignment(folder: Path) -> Path:
    """The course's own table, cut down to the three core exercises."""
    text = (ROOT / "pyproject.toml").read_text().split("[tool.grader]", 1)[1]
    blocks = re.split(r"(?m)^(?=\[tool\.grader\.exercises\.)", text)
    head = blocks[0]
    kept = [b for b in blocks[1:]
            if re.match(r"\[tool\.grader\.exercises\.(%s)[\].]" % "|".join(CORE), b)]
    path = folder / "core.toml"
    path.write_text(f"[tool.grader]{head}[tool.grader.paths]\nsolutions = \"{ROOT}/solutions\"\n"
                    f"stubs = \"{ROOT}/exercises\"\n" + "".join(kept))
    return path


def make_class(folder: Path, n: int) -> Path:
    for i in range(n):
        shutil.copytree(ROOT / "solutions", folder / f"student{i:03d}",
                        ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def timed_batch(submissions: Path, assignment: Path, jobs: int, sandbox: str) -> float:
    book = submissions.parent / f"book-{jobs}-{submissions.name}.db"
    grade = str(Path(sys.executable).with_name("grade"))
    start = time.perf_counter()
    subprocess.run([grade, "batch", str(submissions), "--jobs", str(jobs), "--gradebook",
                    str(book), "--assignment", str(assignment), "--sandbox", sandbox],
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=4)
    parser.add_argument("--large", type=int, default=16)
    parser.add_argument("--all", action="store_true", help="the whole lesson, not the core")
    parser.add_argument("--sandbox", default="auto", choices=["auto", "bwrap", "process"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        tmp = Path(tmp)
        assignment = ROOT / "pyproject.toml" if args.all else core_assignment(tmp)
        small = make_class(tmp / "small", args.small)
        large = make_class(tmp / "large", args.large)
        print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  {os.cpu_count()} cores  "
              f"load {os.getloadavg()[0]:.2f}  {'whole lesson' if args.all else 'core'}, "
              f"sandbox {args.sandbox}")
        figures = {}
        for jobs in (1, 2):
            t_small = timed_batch(small, assignment, jobs, args.sandbox)
            t_large = timed_batch(large, assignment, jobs, args.sandbox)
            marginal = (t_large - t_small) / (args.large - args.small)
            figures[jobs] = t_large
            print(f"--jobs {jobs}: {args.small} submissions {t_small:6.1f} s, {args.large} "
                  f"submissions {t_large:6.1f} s, {args.large / t_large:5.2f} per s, "
                  f"marginal {marginal:5.2f} s per submission")
        print(f"speed-up of --jobs 2 over --jobs 1 on {args.large}: "
              f"{figures[1] / figures[2]:.2f}x (target >= 1.8)")


if __name__ == "__main__":
    main()
