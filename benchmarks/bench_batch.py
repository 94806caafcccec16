"""Benchmark: `grade batch` on N identical reference submissions, --jobs 1 vs --jobs 2.

    python benchmarks/bench_batch.py                  # the core exercises, N = 4 and 16
    python benchmarks/bench_batch.py --all --small 2 --large 6   # the whole lesson

    python benchmarks/bench_batch.py --scheduler local     # also a local Dask cluster

Prints, per --jobs, the wall time for a small and a large class, the throughput, the marginal
cost per submission ((T_large - T_small) / (large - small): what one more student costs once
the slots are warm), the same in CPU seconds of grading (every process of the batch: the
figure a loaded machine does not stretch), and the speed-up of --jobs 2 over --jobs 1.  With ``--scheduler local``
(needs the ``cluster`` extra) the same classes are also graded with ``grade batch --scheduler``
on a local Dask cluster of 2 workers (``dask scheduler`` and ``dask worker --nworkers 2
--nthreads 1 --preload grader.classroom.dask_worker``, started and warmed before timing, their
start-up printed apart; the time the workers take to stop printed after), and its throughput
is compared with ``--jobs 2``'s (target: within 10%); the cluster run gives no ``--jobs``
(every worker thread grades).  ``--scheduler tcp://HOST:8786`` times an existing cluster instead.  Figures, not
assertions; on a shared machine, read the load printed with them.

CPU seconds are the kernel's count for every process this script starts, and theirs (a cgroup
made for the run, ``cpuacct``: a slot's fork server and its sandboxed workers are killed, not
waited for, so ``getrusage`` misses most of them); where no cgroup can be made (not root, no
cgroup v1 ``cpuacct``), the processes waited for only, and the line says so.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
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


class CpuMeter:
    """CPU seconds used by this process and everything it starts, as the kernel counts them.

    This process moves itself into a ``cpuacct`` cgroup of its own (cgroup v1, as on the
    development machine); every process started afterwards (``grade batch``, its slots, their
    bubblewrap sandboxes, fork servers and workers, a local Dask cluster) is counted there,
    however it ends.  Without that cgroup, ``getrusage(RUSAGE_CHILDREN)``: the processes
    waited for only (``exact`` is then False)."""

    BASE = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self):
        self.group = self.BASE / f"grader-bench-{os.getpid()}"
        try:
            self.group.mkdir()
            (self.group / "cgroup.procs").write_text("0")
            self.exact = True
        except OSError:
            self.exact = False

    def seconds(self) -> float:
        if self.exact:
            return int((self.group / "cpuacct.usage").read_text()) / 1e9
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    def close(self) -> None:
        if not self.exact:
            return
        try:
            (self.BASE / "cgroup.procs").write_text("0")     # back where we came from
            for _attempt in range(50):      # a killed process leaves the group when reaped
                try:
                    self.group.rmdir()
                    return
                except OSError:
                    time.sleep(0.1)
        except OSError:
            pass


METER: CpuMeter | None = None

TIMEOUT = 3600.0      # per submission: a loaded machine must not cut a submission short


def timed_batch(submissions: Path, assignment: Path, jobs: int, sandbox: str,
                scheduler: str | None = None, cpu: list | None = None) -> float:
    """Wall seconds of one `grade batch`; ``cpu`` gets the CPU seconds of it and every
    process it started (its slots, their fork servers and workers; a local Dask cluster's
    scheduler and workers too: the figure a loaded machine does not stretch; see CpuMeter)."""
    where = "dask" if scheduler else jobs
    book = submissions.parent / f"book-{where}-{submissions.name}.db"
    grade = str(Path(sys.executable).with_name("grade"))
    command = [grade, "batch", str(submissions), "--gradebook", str(book), "--assignment",
               str(assignment), "--sandbox", sandbox, "--timeout", str(TIMEOUT)]
    # on the cluster, no --jobs: every worker thread grades, with submissions queued ahead
    command += ["--scheduler", scheduler] if scheduler else ["--jobs", str(jobs)]
    used = METER.seconds()
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, cwd=ROOT, text=True)
    wall = time.perf_counter() - start
    if re.search(r"\b[1-9]\d* (crashed|timed out)", done.stdout):
        print(f"  (not every submission was graded: {done.stdout.strip().splitlines()[-1]})")
    if cpu is not None:
        cpu.append(METER.seconds() - used)
    return wall


def local_cluster(folder: Path, assignment: Path, sandbox: str, workers: int = 2):
    """A `dask scheduler` and `workers` preloaded `dask worker` processes on this machine,
    each with a warm grading slot; returns (processes, address, start-up seconds)."""
    import json
    from distributed import Client
    dask = str(Path(sys.executable).with_name("dask"))
    address_file = folder / "scheduler.json"
    start = time.perf_counter()
    processes = [subprocess.Popen(
        [dask, "scheduler", "--scheduler-file", str(address_file), "--port", "0",
         "--dashboard-address", ":0"], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)]
    while not address_file.exists():
        time.sleep(0.1)
    processes.append(subprocess.Popen(
        [dask, "worker", "--scheduler-file", str(address_file), "--nworkers", str(workers),
         "--nthreads", "1", "--preload", "grader.classroom.dask_worker",
         "--assignment", str(assignment), "--sandbox", sandbox],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(0.5)
    address = json.loads(address_file.read_text())["address"]
    try:
        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=300)
    except BaseException:
        stop(processes)
        raise
    return processes, address, time.perf_counter() - start


def stop(processes) -> list[float]:
    """Stop the cluster's processes, workers first; the seconds each took to exit."""
    seconds = []
    for process in reversed(processes):
        start = time.perf_counter()
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=4)
    parser.add_argument("--large", type=int, default=16)
    parser.add_argument("--all", action="store_true", help="the whole lesson, not the core")
    parser.add_argument("--sandbox", default="auto", choices=["auto", "bwrap", "process"])
    parser.add_argument("--scheduler", default=None, metavar="local|tcp://HOST:8786",
                        help="also time grade batch --scheduler on this Dask cluster")
    parser.add_argument("--skip-jobs-1", action="store_true",
                        help="time only --jobs 2 (and the cluster)")
    args = parser.parse_args()
    global METER
    METER = CpuMeter()
    try:
        measure(args)
    finally:
        METER.close()


def measure(args) -> None:
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        tmp = Path(tmp)
        assignment = ROOT / "pyproject.toml" if args.all else core_assignment(tmp)
        small = make_class(tmp / "small", args.small)
        large = make_class(tmp / "large", args.large)
        print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  {os.cpu_count()} cores  "
              f"load {os.getloadavg()[0]:.2f}  {'whole lesson' if args.all else 'core'}, "
              f"sandbox {args.sandbox}; CPU "
              + ("of every process started (cgroup)" if METER.exact else
                 "of the processes waited for only (no cgroup: sandboxed workers missed)"))
        figures, marginals = {}, {}
        for jobs in ((2,) if args.skip_jobs_1 else (1, 2)):
            cpu: list = []
            t_small = timed_batch(small, assignment, jobs, args.sandbox, cpu=cpu)
            t_large = timed_batch(large, assignment, jobs, args.sandbox, cpu=cpu)
            marginal = (t_large - t_small) / (args.large - args.small)
            marginal_cpu = (cpu[1] - cpu[0]) / (args.large - args.small)
            figures[jobs] = t_large
            marginals[jobs] = marginal
            print(f"--jobs {jobs}: {args.small} submissions {t_small:6.1f} s, {args.large} "
                  f"submissions {t_large:6.1f} s, {args.large / t_large:5.2f} per s, "
                  f"marginal {marginal:5.2f} s per submission; CPU {cpu[0]:.1f} s and "
                  f"{cpu[1]:.1f} s, marginal {marginal_cpu:5.2f} CPU s per submission  (load "
                  f"{os.getloadavg()[0]:.2f})", flush=True)
        if 1 in figures:
            print(f"speed-up of --jobs 2 over --jobs 1 on {args.large}: "
                  f"{figures[1] / figures[2]:.2f}x (target >= 1.8)")
        if args.scheduler:
            processes = []
            scheduler = args.scheduler
            if scheduler == "local":
                processes, scheduler, startup = local_cluster(tmp, assignment, args.sandbox)
                print(f"local Dask cluster (2 workers) up in {startup:.1f} s", flush=True)
            cpu = []
            try:
                timed_batch(make_class(tmp / "warm", 2), assignment, 2, args.sandbox,
                            scheduler)                   # every worker's slot warm
                t_small = timed_batch(small, assignment, 2, args.sandbox, scheduler, cpu)
                t_large = timed_batch(large, assignment, 2, args.sandbox, scheduler, cpu)
            finally:
                stopped = stop(processes)
            if processes:
                print(f"dask worker (2 worker processes) stopped in {stopped[0]:.1f} s, "
                      f"dask scheduler in {stopped[1]:.1f} s", flush=True)
            marginal = (t_large - t_small) / (args.large - args.small)
            marginal_cpu = (cpu[1] - cpu[0]) / (args.large - args.small)
            print(f"--scheduler: {args.small} submissions {t_small:6.1f} s, {args.large} "
                  f"submissions {t_large:6.1f} s, {args.large / t_large:5.2f} per s, "
                  f"marginal {marginal:5.2f} s per submission; CPU {cpu[0]:.1f} s and "
                  f"{cpu[1]:.1f} s, marginal {marginal_cpu:5.2f} CPU s per submission  "
                  f"(load {os.getloadavg()[0]:.2f})")
            # the cluster's start-up and each worker's first submission are not in its
            # times (warmed above), the slots' are: the whole-class ratio flatters the
            # cluster, the ratio of marginal costs (warm against warm) does not
            print(f"throughput of the Dask cluster / --jobs 2 on {args.large}: "
                  f"{figures[2] / t_large:.2f} whole class, {marginals[2] / marginal:.2f} "
                  f"per extra submission (target >= 0.9)")


if __name__ == "__main__":
    main()
