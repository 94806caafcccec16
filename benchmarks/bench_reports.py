"""Time the HTML class report: rendering the class page and writing every page of a class.

    python benchmarks/bench_reports.py [--students 500] [--exercises 45]

Prints figures (seconds, bytes); asserts nothing.  The class is synthetic (the same generator
as tests/test_html_report.py), so no grading is needed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--exercises", type=int, default=45)
    args = parser.parse_args()
    from test_html_report import synthetic_class
    from grader.reports import charts, html

    entries = synthetic_class(args.students, args.exercises)
    start = time.perf_counter()
    charts.histogram([1, 2, 3], ["a", "b", "c"], x_label="x", y_label="y", prefix="warm")
    print(f"first chart (matplotlib import, fonts): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    page = html.render_class(entries, title="Big class")
    print(f"class page, {args.students} students x {args.exercises} exercises: "
          f"{time.perf_counter() - start:.2f} s, {len(page.encode()):,} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        paths = html.write_reports(Path(tmp), entries, title="Big class")
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in paths)
    print(f"write_reports: {len(paths)} files, {size:,} bytes in {seconds:.2f} s "
          f"({1000 * seconds / len(paths):.1f} ms per file)")


if __name__ == "__main__":
    main()
