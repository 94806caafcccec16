"""Per-call deadlines (issue 18 §2): counted in worker seconds, from the reference's cost.

A call's limit is measured in time a busy machine does not stretch (grader/sandbox/usage.py),
so a loaded machine never fails correct code; a call that outlives the floor is given
MULTIPLE times the reference's cost on the same input (grader/judge/deadlines.py), so a hang
costs about the floor, not the assignment's call_timeout.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import types

import pytest
import torch

from conftest import exercise_of, write_assignment
from grader import assignment as assignment_mod
from grader.judge import deadlines
from grader.sandbox import usage
from grader.sandbox.client import CallLimit

BUSY = "import time\nend = time.process_time() + 60\nwhile time.process_time() < end:\n    pass\n"


class FakeKernel:
    """usage() of a worker that, for every wall second, waits ``waiting`` s for a CPU and
    uses ``cpu`` s of CPU in all its threads."""

    def __init__(self, waiting: float, cpu: float):
        self.waiting, self.cpu, self.start = waiting, cpu, time.monotonic()

    def __call__(self):
        wall = time.monotonic() - self.start
        return usage.Usage(int(wall * self.waiting * 1e9), int(wall * self.cpu * 1e9))


def wait_for(limit: CallLimit, wall: float) -> bool:
    """Poll ``limit`` for ``wall`` seconds as the client does; True when it ran out."""
    end = time.monotonic() + wall
    while time.monotonic() < end:
        left = limit.left()
        if left <= 0:
            return True
        time.sleep(min(left, 0.05))
    return False


def test_waiting_for_a_cpu_is_not_counted():
    # a worker that spends 90% of the wall time waiting for a CPU (a loaded machine)
    limit = CallLimit(usage.Stopwatch(FakeKernel(waiting=0.9, cpu=0.1)), 0.5)
    assert not wait_for(limit, 1.2)
    assert limit.used < 0.5
    # the same limit on an idle machine runs out
    assert wait_for(CallLimit(usage.Stopwatch(FakeKernel(waiting=0.0, cpu=1.0)), 0.5), 3.0)


def test_work_hidden_in_threads_is_counted():
    # the main thread waits for a CPU while four threads of the call burn it
    limit = CallLimit(usage.Stopwatch(FakeKernel(waiting=1.0, cpu=4.0)), 1.0)
    assert wait_for(limit, 1.5)


def test_time_blocked_does_not_spend_the_floor_but_counts_against_the_limit():
    # a call that sleeps (or waits on a loaded disk): no CPU time, so the floor and the
    # reference's limit are not spent; the whole limit (active seconds) still ends it
    asked = []
    limit = CallLimit(usage.Stopwatch(FakeKernel(waiting=0.0, cpu=0.0)), 1.0, floor=0.2,
                      extend=lambda: asked.append(1) or 0.2)
    assert not wait_for(limit, 0.7)
    assert asked == []
    assert wait_for(limit, 1.5)


def test_a_call_that_answers_before_the_first_poll_is_counted_whole():
    # a check's budget is the sum of its calls: one answering before the client's first
    # look (CallLimit.POLL) still counts what it took
    start = time.monotonic()
    limit = CallLimit(usage.Stopwatch(FakeKernel(waiting=0.0, cpu=1.0)), 5.0)
    time.sleep(0.1)
    spent = limit.spent()
    # what it took, never 0 and never more than the wall time (a busy machine may stretch the
    # sleep past CallLimit.POLL: the bound is the time that really passed)
    assert 0.1 <= spent <= time.monotonic() - start


def test_unmeasurable_usage_keeps_the_whole_limit_in_wall_seconds():
    # 2 s of wall time, not the 0.1 s floor or limit: 0.4 s in (1.6 s of margin for a
    # stalled test process on a busy machine), it has not run out; it does by 4 s
    limit = CallLimit(usage.Stopwatch(lambda: None), 2.0, floor=0.1, extend=lambda: 0.1)
    assert not wait_for(limit, 0.4)
    assert wait_for(limit, 3.6)


def test_a_real_process_sharing_its_cpu_is_measured_by_its_own_time():
    """Four busy processes on one CPU: each gets about a quarter of it, and its worker
    seconds say so (the wall time would fail it four times too early)."""
    if not os.path.exists(f"/proc/{os.getpid()}/schedstat"):
        pytest.skip("the kernel does not report schedstat")
    cpu = min(os.sched_getaffinity(0))
    pin = (lambda: os.sched_setaffinity(0, {cpu}))
    procs = [subprocess.Popen([sys.executable, "-c", BUSY], preexec_fn=pin) for _ in range(4)]
    try:
        time.sleep(0.3)
        watch = usage.Stopwatch(usage.Probe(procs[0].pid))      # the count starts here
        time.sleep(2.0)
        active, cpu = watch.seconds()
        assert cpu <= active < 0.6 * 2.0, (active, cpu)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_the_reference_cost_is_measured_on_the_same_input_and_cached():
    ran = []

    def slow(x, y=0):
        ran.append((x, y))
        end = time.thread_time() + 0.05
        while time.thread_time() < end:
            torch.rand(1)
        return x
    reference = types.SimpleNamespace(slow=slow, __file__="reference.py")
    costs = deadlines.ReferenceCosts(lambda topic: reference)
    message = {"op": "call", "name": "slow", "args": (3,), "kwargs": {"y": 1}, "seed": 7}
    torch.manual_seed(0)
    random.seed(0)
    state, python_state = torch.get_rng_state(), random.getstate()
    limit = costs.limit("topic", message)
    assert deadlines.MULTIPLE * 0.05 <= limit < deadlines.MULTIPLE * 0.5
    assert ran == [(3, 1)]
    # the judge's random streams are untouched: the check's own draws do not change
    assert torch.equal(torch.get_rng_state(), state) and random.getstate() == python_state
    assert costs.limit("topic", message) == limit and len(ran) == 1      # cached
    assert costs.limit("topic", dict(message, args=(4,))) is not None and len(ran) == 2
    # no reference, no such function, or an input it refuses: no limit of its own
    assert deadlines.ReferenceCosts(lambda topic: None).limit("topic", message) is None
    assert costs.limit("topic", dict(message, name="missing")) is None
    assert costs.limit("topic", dict(message, args=(), kwargs={})) is None


def test_a_hanging_function_waits_for_the_reference_limit_not_call_timeout(grade, tmp_path):
    # call_timeout 60 s: the old deadline; the hang is cut after the floor (5 s of its own)
    toml = write_assignment(tmp_path / "slow.toml",
                            {"corr2d": ["book_example", "matches_conv2d", "output_shape"]},
                            call_timeout=60)
    quick = assignment_mod.load(toml)
    files = {"convolution.py": "def corr2d(X, K):\n    while True:\n        pass\n"}
    result = grade(files=files, exercises=("corr2d",), assignment=quick)
    checks = exercise_of(result, "corr2d").checks
    assert [c.status for c in checks] == ["timeout"] * 3
    first, *later = checks
    assert "did not finish within its time limit" in first.message, first.message
    assert f"{deadlines.MULTIPLE} times what the model solution takes" in first.message
    assert "60 s" not in first.message
    for check in later:
        assert check.message.startswith("corr2d is not run again"), check.message


# the end of a right corr2d, after `h, w = K.shape` (the book's loop)
CROSS_CORRELATION = ("    Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))\n"
                     "    for i in range(Y.shape[0]):\n"
                     "        for j in range(Y.shape[1]):\n"
                     "            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()\n"
                     "    return Y\n")


def _assert_budget_runs_out(grade, course, files):
    """corr2d's matches_conv2d, graded with a 1 s budget, ends as a budget timeout."""
    from dataclasses import replace
    slow = replace(course, exercises=tuple(replace(e, check_timeout=1.0)
                                           for e in course.exercises))
    result = grade(files=files, exercises=("corr2d",), assignment=slow,
                   only_checks={"matches_conv2d"})
    check = exercise_of(result, "corr2d").checks[0]
    assert check.status == "timeout", check.to_dict()
    assert "ran out of its total time" in check.message


def test_a_check_out_of_time_while_shrinking_says_so_not_flaky(grade, course):
    """A slow wrong answer: the check's budget runs out while hypothesis shrinks, which makes
    the failing example "pass" on replay; the verdict is the budget, never "gave different
    results for the same input"."""
    # right and quick for its first six calls (the check's explicit examples), then wrong
    # and slow (0.8 s of CPU a call): the first failing call leaves the 1 s budget nearly
    # spent, and it runs out at hypothesis's first shrinking (or replaying) call
    files = {"convolution.py": "import time\n_calls = [0]\n\ndef corr2d(X, K):\n"
                               "    h, w = K.shape\n"
                               "    _calls[0] += 1\n"
                               "    if _calls[0] > 6:\n"
                               "        end = time.process_time() + 0.8\n"
                               "        while time.process_time() < end:\n            pass\n"
                               "        return X\n"
                               + CROSS_CORRELATION}
    _assert_budget_runs_out(grade, course, files)


def test_calls_quicker_than_a_poll_still_spend_the_checks_budget(grade, course):
    """Each call answers before the client first looks at its time (0.2 s of CPU, under
    CallLimit.POLL); the check's budget counts them whole and runs out (they once counted 0,
    and such a check ran as long as hypothesis cared to)."""
    # right, and 0.2 s of CPU a call: the check's examples spend its 1 s budget
    files = {"convolution.py": "import time\n\ndef corr2d(X, K):\n"
                               "    end = time.process_time() + 0.2\n"
                               "    while time.process_time() < end:\n        pass\n"
                               "    h, w = K.shape\n"
                               + CROSS_CORRELATION}
    _assert_budget_runs_out(grade, course, files)


# at import: pinned to one CPU with three busy children of its own (a loaded machine, made by
# the module itself so that only the worker is slowed), it computes for 1.5 s of CPU, which
# takes about 6 s of wall time; then it stops the children
CROWDED_IMPORT = """import os, signal, time
_cpu = min(os.sched_getaffinity(0))
os.sched_setaffinity(0, {_cpu})
_children = []
for _ in range(3):
    _pid = os.fork()
    if _pid == 0:
        while True:
            pass
    _children.append(_pid)
try:
    _end = time.process_time() + 1.5
    while time.process_time() < _end:
        pass
finally:
    for _pid in _children:
        os.kill(_pid, signal.SIGKILL)
        os.waitpid(_pid, 0)


def corr2d(X, K):
    h, w = K.shape
    Y = X.new_zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
"""


def test_an_import_slowed_by_a_busy_machine_is_timed_in_its_own_seconds(grade, tmp_path):
    """The import deadline counts the worker's own seconds, like a call's: an import that
    needs 1.5 s of CPU but waits for one most of the time (about 6 s of wall time) is within
    a 3 s limit (it once timed out in wall seconds)."""
    if not os.path.exists(f"/proc/{os.getpid()}/schedstat"):
        pytest.skip("the kernel does not report schedstat")
    toml = write_assignment(tmp_path / "crowded.toml", {"corr2d": ["book_example"]},
                            import_seconds=3)
    crowded = assignment_mod.load(toml)
    started = time.monotonic()
    result = grade(files={"convolution.py": CROWDED_IMPORT}, exercises=("corr2d",),
                   assignment=crowded)
    check = exercise_of(result, "corr2d").checks[0]
    assert check.status == "pass", check.to_dict()
    assert time.monotonic() - started > 3      # the import really took longer than the limit
