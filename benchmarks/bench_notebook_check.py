"""Benchmark: check("dropout") in a warm Jupyter kernel, next to `grade -s` on the same notebook.

    python benchmarks/bench_notebook_check.py [--runs 5] [--exercise dropout]

Starts a real kernel (the ``notebook`` extra: ipykernel, jupyter_client), runs the reference
solution's cells in it, does one check to warm up (torch imported in the kernel, files
cached), then times ``check(EXERCISE)`` from the execute request to the kernel's reply (the
rendered result is the last output of that cell), ``--runs`` times.  Then it saves a notebook
with the same cells and times ``grade -s NOTEBOOK EXERCISE`` as a student runs it in a
terminal (a fresh Python process), ``--runs`` times.  Prints medians and minima, and the
ratio.  Figures, not assertions.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def reference_cells(exercise: str) -> list[str]:
    """The topic's imports and the reference definition of ``exercise``, as two cells."""
    sys.path.insert(0, str(ROOT))
    from grader import assignment as assignment_mod
    topic = assignment_mod.load(ROOT / "pyproject.toml").exercise(exercise).topic
    source = (ROOT / "solutions" / f"{topic}.py").read_text()
    tree = ast.parse(source)
    lines = source.splitlines()
    imports = [ast.get_source_segment(source, n) for n in tree.body
               if isinstance(n, (ast.Import, ast.ImportFrom))]
    node = next(n for n in tree.body if getattr(n, "name", None) == exercise)
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return ["\n".join(imports), "\n".join(lines[first - 1:node.end_lineno])]


def execute(client, code: str) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    msg_id = client.execute(code)
    outputs = []
    while True:
        message = client.get_iopub_msg(timeout=600)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind in ("display_data", "update_display_data", "execute_result", "stream", "error"):
            outputs.append({"type": kind, **message["content"]})
        if kind == "status" and message["content"]["execution_state"] == "idle":
            return time.perf_counter() - start, outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exercise", default="dropout")
    args = parser.parse_args()
    from jupyter_client.manager import start_new_kernel

    cells = reference_cells(args.exercise)
    folder = Path(tempfile.mkdtemp(prefix="bench-notebook-"))
    notebook = folder / "bench.ipynb"
    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    print(f"kernel started in {time.perf_counter() - started:.2f} s")
    try:
        for cell in cells:
            execute(client, cell)
        check_cell = f"from grader import check\nr = check({args.exercise!r})"
        execute(client, check_cell)                       # warm-up
        times, score = [], None
        for _ in range(args.runs):
            seconds, outputs = execute(client, check_cell)
            times.append(seconds)
            final = [o for o in outputs if o["type"] in ("display_data", "update_display_data")]
            assert final and "text/html" in final[-1]["data"], outputs
            score = execute(client, "print(r.score, r.max_score)")[1][0]["text"].split()
    finally:
        manager.shutdown_kernel(now=True)

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [],
                     "execution_count": None, "source": c}
                    for i, c in enumerate([*cells, check_cell])]}
    notebook.write_text(json.dumps(nb))
    grade, grade_score = [], None
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "grader", "-s", str(notebook),
                               args.exercise, "--format", "json"], cwd=ROOT,
                              capture_output=True, text=True)
        grade.append(time.perf_counter() - start)
        data = json.loads(done.stdout)
        grade_score = [str(data["score"]), str(data["max_score"])]

    def line(label, values):
        return (f"{label:<44} median {statistics.median(values):6.2f} s   "
                f"min {min(values):6.2f} s")
    print(f"{args.exercise}: {args.runs} runs each, {os.cpu_count()} cores")
    print(line(f"check({args.exercise!r}) in a warm kernel, to rendered", times)
          + f"   score {'/'.join(score)}")
    print(line(f"grade -s bench.ipynb {args.exercise}", grade) + f"   score {'/'.join(grade_score)}")
    print(f"ratio check / grade -s (medians): "
          f"{statistics.median(times) / statistics.median(grade):.2f}")


if __name__ == "__main__":
    main()
