"""Start-up paid once (issue 18 §2): `grade -j 2` forks its judges from one process that has
imported what they need, and they share one fork server (each with a connection of its own),
so a second judge costs its share of the checks, not a second start-up."""
from __future__ import annotations

import json
import multiprocessing

import torch

from conftest import ROOT
from grader.errors import InternalError
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


def _attached(server):
    """A handle on ``server`` already handed over (before any process is forked with it)."""
    handle, peer = server.attach_later()
    server.hand_over(peer)
    return handle


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
        handles = [_attached(server), _attached(server)]
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


def _wait_then_ask(handle, peers, conn) -> None:
    for peer in peers:
        peer.close()               # as a judge of grade -j N does (run._shard_main)
    session = _session(handle.launch)
    try:
        conn.send(_ask(session, 2.5))
    except Exception as exc:   # noqa: BLE001 - reported to the test
        conn.send(f"{type(exc).__name__}: {exc}")
    finally:
        session.close()
        handle.close()


def test_a_judge_forked_before_the_server_is_ready_waits_for_it_and_is_not_stranded():
    """attach_later: a judge forked while the template warms up asks for its first worker at
    once; the request is answered once the coordinator has handed its connection over.  A
    judge whose server is gone (or never started) gets an error, never a wait without end:
    its copy of the server's end was closed in the judge."""
    context = multiprocessing.get_context("fork")
    server = ForkServer()
    handle, peer = server.attach_later()
    mine, theirs = context.Pipe()
    child = context.Process(target=_wait_then_ask, args=(handle, (peer,), theirs), daemon=True)
    child.start()
    try:
        assert not mine.poll(0.5)           # no answer before the connection is handed over
        server.hand_over(peer)
        assert mine.poll(60) and mine.recv() == 5.0
        child.join(30)
        assert child.exitcode == 0
    finally:
        child.kill()
        server.close()

    broken = ForkServer(python="/bin/false")
    handle, peer = broken.attach_later()
    mine, theirs = context.Pipe()
    child = context.Process(target=_wait_then_ask, args=(handle, (peer,), theirs), daemon=True)
    child.start()
    try:
        try:
            broken.hand_over(peer)
        except RuntimeError as exc:
            assert "did not start" in str(exc)
        else:
            raise AssertionError("a server that never started accepted a connection")
        assert mine.poll(30), "the judge was left waiting for a server that is gone"
        assert mine.recv().startswith("InternalError: could not start a worker")
        child.join(30)
    finally:
        child.kill()
        broken.close()


def test_two_judges_stop_at_once_when_their_fork_server_cannot_start(course, monkeypatch):
    """grade -j 2 forks its judges before the fork server is ready: one that never starts
    ends the run with its error, and takes the judges with it."""
    original = ForkServer.__init__

    def broken(self, *args, **kwargs):
        original(self, "/bin/false", *args[1:], **{k: v for k, v in kwargs.items()
                                                   if k != "python"})
    monkeypatch.setattr(ForkServer, "__init__", broken)
    before = set(multiprocessing.active_children())
    try:
        run(GradeRequest(course, ROOT / "solutions", ("corr2d", "pool2d", "dropout",
                                                      "conv_output_shape"),
                         sandbox="process", jobs=2))
    except InternalError as exc:
        assert "could not start a worker" in str(exc) and "did not start" in str(exc)
    else:
        raise AssertionError("graded without a fork server")
    assert set(multiprocessing.active_children()) <= before    # no judge left behind
