"""Start-up paid once (issue 18 §2): `grade -j 2` forks its judges from one process that has
imported what they need, and they share one fork server (each with a connection of its own),
so a second judge costs its share of the checks, not a second start-up."""
from __future__ import annotations

import json
import multiprocessing

import torch

from conftest import ROOT
from grader.judge.run import GradeRequest, run
from grader.sandbox.client import WorkerSession
from grader.sandbox.forkserver import ForkServer
from grader.sandbox.process import Limits

SOURCE = "def double(x):\n    return 2 * x\n"


def _session(launcher) -> WorkerSession:
    def write(root):
        (root / "m.py").write_text(SOURCE)
    return WorkerSession(["m"], {"double": "m"}, write, Limits(), "process", [], launcher)


def _ask(session, value: float) -> float:
    reply = session.request({"op": "call", "name": "double", "args": (torch.tensor(value),),
                             "kwargs": {}, "seed": 1}, 30)
    return float(reply["value"])


def _in_other_process(handle, conn) -> None:
    session = _session(handle.launch)
    try:
        conn.send(_ask(session, 4.0))
    finally:
        session.close()
        handle.close()


def test_attached_handles_share_one_fork_server_across_processes():
    server = ForkServer()
    try:
        handles = [server.attach(), server.attach()]
        context = multiprocessing.get_context("fork")
        pipes = [context.Pipe() for _ in handles]
        children = [context.Process(target=_in_other_process, args=(handle, theirs))
                    for handle, (_, theirs) in zip(handles, pipes)]
        for child in children:
            child.start()
        # the first handle keeps working while the other processes use theirs
        session = _session(server.launch)
        assert _ask(session, 1.5) == 3.0
        session.close()
        assert [mine.recv() for mine, _ in pipes] == [8.0, 8.0]
        for child in children:
            child.join(30)
            assert child.exitcode == 0
        for handle in handles:
            handle.close()          # closes its connection only: the server still answers
        assert server.request({"op": "status", "pid": 0}) == {"code": None, "alive": False}
        assert server.proc.poll() is None
    finally:
        server.close()
    assert server.proc.poll() is not None


def test_two_judges_start_one_fork_server_and_grade_the_same(course, monkeypatch):
    started = []
    original = ForkServer.__init__

    def counting(self, *args, **kwargs):
        started.append(multiprocessing.current_process().name)
        original(self, *args, **kwargs)
    monkeypatch.setattr(ForkServer, "__init__", counting)
    exercises = ("corr2d", "pool2d", "dropout", "conv_output_shape", "tokenize",
                 "truncate_pad", "l2_penalty", "sequence_mask")
    checks = frozenset({"book_example", "book_example_max", "matches_conv2d", "output_shape"})

    def graded(jobs):
        result = run(GradeRequest(course, ROOT / "solutions", exercises, sandbox="process",
                                  only_checks=checks, jobs=jobs))
        return json.dumps(result.to_dict(), sort_keys=True)
    two = graded(2)
    assert started == ["MainProcess"]          # one fork server, none in the judges
    assert two == graded(1)
