"""Where a warm batch slot spends the judge's CPU time per submission.

    python benchmarks/profile_slot.py [--runs 2] [--interval-ms 2] [EXERCISE ...]

Grades the reference solutions the way a ``grade batch`` slot does (one judge process, one
warm fork server, one submission after another), once to warm up, then ``--runs`` more times
under a sampling profiler of the judge's CPU time (``ITIMER_PROF``: samples come only while
the judge itself computes, so the figures do not depend on the machine's load; the worker's
own time is not in them).  Each sample is put in one stage by the innermost frame that names
one: the references' answers, deadlines (the reference timed on a slow call's input),
comparisons (torch.testing and the expect_* helpers), worker round trips (encoding, decoding,
the pipe), example generation (hypothesis strategies), the hypothesis engine (seeding, the
test-case digest, shrinking), the check bodies, replaying recorded examples (copying them,
checking their outcomes: grader/judge/replay.py), pytest (collection, set-up, failure reports),
diagnosis transcripts, report building, and the rest.  Prints CPU seconds per submission and
shares.  Figures, not assertions.
"""
from __future__ import annotations

import argparse
import collections
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (stage, path fragments): the innermost frame that matches decides the sample's stage
STAGES = (
    ("references' answers", ("/solutions/", "grader_reference_")),
    ("deadlines (reference timed)", ("grader/judge/deadlines.py",)),
    ("comparisons", ("torch/testing/", "grader/judge/checking.py")),
    ("worker round trips", ("grader/sandbox/client.py", "grader/sandbox/wire.py",
                            "grader/sandbox/usage.py", "multiprocessing/connection.py")),
    ("diagnosis transcripts", ("grader/judge/diagnosis.py",)),
    ("example generation", ("hypothesis/strategies/", "hypothesis/extra/",
                            "grader/judge/strategies.py", "hypothesis/internal/conjecture/data",
                            "hypothesis/internal/conjecture/providers",
                            "hypothesis/internal/conjecture/choice",
                            "hypothesis/internal/conjecture/datatree")),
    ("shrinking", ("hypothesis/internal/conjecture/shrink",)),
    ("hypothesis digest (source)", ("hypothesis/internal/reflection.py",)),
    ("check bodies", ("grader/checks/",)),
    ("replay (copies, checks)", ("grader/judge/replay.py",)),
    ("hypothesis engine", ("hypothesis/",)),
    ("pytest failure reports", ("_pytest/_code/", "_pytest/reports.py")),
    ("pytest collection", ("_pytest/python.py:collect", "_pytest/main.py:perform_collect",
                           "_pytest/main.py:collect", "_pytest/pathlib.py")),
    ("grader plugin", ("grader/judge/plugin.py", "grader/judge/student.py",
                       "grader/judge/values.py")),
    ("pytest (set-up, runner)", ("_pytest/", "pluggy/")),
    ("report building", ("grader/judge/score.py", "grader/reports/")),
    ("reading the submission", ("grader/submission/",)),
)


def stage_of(frame) -> str:
    while frame is not None:
        code = frame.f_code
        where = f"{code.co_filename}:{code.co_name}"
        for stage, fragments in STAGES:
            if any(fragment in where for fragment in fragments):
                return stage
        frame = frame.f_back
    return "other"


def place(frame, depth: int) -> str:
    """The innermost ``depth`` frames, shortened: what --detail counts."""
    names = []
    while frame is not None and len(names) < depth:
        code = frame.f_code
        names.append(f"{'/'.join(code.co_filename.split('/')[-2:])}:{code.co_name}")
        frame = frame.f_back
    return " < ".join(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--interval-ms", type=float, default=2.0)
    parser.add_argument("--sandbox", default="process", choices=["process", "bwrap"])
    parser.add_argument("--detail", type=int, default=0, metavar="N",
                        help="also the N commonest innermost frames of each stage")
    parser.add_argument("--depth", type=int, default=1, help="frames shown by --detail")
    parser.add_argument("--no-replay", action="store_true",
                        help="generate every check's examples anew (grader/judge/replay.py "
                             "off): the slot as it was before replay")
    args = parser.parse_args()

    from grader import assignment
    from grader.judge import replay
    from grader.judge.run import GradeRequest, run
    replay.ENABLED = not args.no_replay
    from grader.sandbox.forkserver import ForkServer
    course = assignment.load(ROOT / "pyproject.toml")
    forbidden = sorted({f for e in course.exercises for f in e.forbidden})
    samples: collections.Counter = collections.Counter()
    places: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

    def sample(_signum, frame):
        stage = stage_of(frame)
        samples[stage] += 1
        if args.detail:
            places[stage][place(frame, args.depth)] += 1

    with ForkServer(mode=args.sandbox, forbidden=forbidden) as server:
        request = GradeRequest(course, course.solutions_dir, tuple(args.exercises),
                               args.sandbox, launcher=server.launch)
        started = time.process_time()
        run(request)                                   # warm: imports, first-call costs
        print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  load {os.getloadavg()[0]:.2f}  "
              f"{len(request.exercises) or len(course.exercises)} exercises, replay "
              f"{'off' if args.no_replay else 'on'}; "
              f"first (cold) submission {time.process_time() - started:.2f} CPU s")
        signal.signal(signal.SIGPROF, sample)
        interval = args.interval_ms / 1000
        cpu = wall = 0.0
        for _ in range(args.runs):
            started, clock = time.process_time(), time.perf_counter()
            signal.setitimer(signal.ITIMER_PROF, interval, interval)
            try:
                result = run(request)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0, 0)
            cpu += time.process_time() - started
            wall += time.perf_counter() - clock
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
    if not args.no_replay:
        refused = sorted(getattr(t, "__name__", "?") for t in replay._REFUSED)
        print(f"replay: {len(replay._RECORDINGS)} checks recorded ({replay.size() / 1e6:.1f} "
              f"MB), {len(refused)} never replayed: {', '.join(refused) or '-'}")
    total = sum(samples.values()) or 1
    per = cpu / args.runs
    print(f"warm submission: {per:.2f} CPU s of the judge, {wall / args.runs:.2f} s wall "
          f"(score {result.score:g}/{result.max_score:g}, {result.calls} calls to the worker, "
          f"load {os.getloadavg()[0]:.2f})")
    print(f"{'stage':<30} {'CPU s':>7} {'share':>6}")
    for stage, count in samples.most_common():
        print(f"{stage:<30} {per * count / total:7.2f} {100 * count / total:5.1f}%")
        for where, n in places[stage].most_common(args.detail):
            print(f"    {per * n / total:7.3f}  {where}")


if __name__ == "__main__":
    main()
