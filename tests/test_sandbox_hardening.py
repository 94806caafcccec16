"""What a worker holds and can reach, observed from inside it (issue 17, section 3).

A probe module is imported into a real worker (in each mode, forked from a warm fork server,
and in process mode also started fresh) and reports what it sees: its capabilities, its
open descriptors, its parent's descriptors, a controlling terminal, its private /tmp and
/dev/shm.  The judge side only reads the observations.
"""
from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from grader.sandbox import bwrap
from grader.sandbox import process as sandbox
from grader.sandbox.client import WorkerSession
from grader.sandbox.process import Limits

HAS_BWRAP = bwrap.probe()
MODES = [pytest.param("bwrap", marks=pytest.mark.skipif(not HAS_BWRAP, reason="no bubblewrap")),
         "process"]

PROBE = textwrap.dedent('''
    import os


    def _status():
        fields = {}
        with open("/proc/self/status") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return fields


    def _try(action):
        try:
            action()
            return "ok"
        except OSError as exc:
            return type(exc).__name__


    def privileges():
        status = _status()
        return {k: status.get(k, "") for k in ("CapEff", "CapPrm", "CapInh", "CapBnd",
                                                "CapAmb", "NoNewPrivs")}


    def descriptors():
        """Every descriptor this worker holds, as (fd, what it points at)."""
        found = []
        for name in sorted(os.listdir("/proc/self/fd"), key=int):
            try:
                found.append([int(name), os.readlink(f"/proc/self/fd/{name}")])
            except OSError:
                pass
        return found


    def reach_parents():
        """Try to open what the processes above us hold, and the terminal."""
        out = {"tty": _try(lambda: os.close(os.open("/dev/tty", os.O_RDWR)))}
        opened = []
        for pid in sorted({os.getppid(), 1, 2, 3} - {0, os.getpid()}):
            try:
                names = os.listdir(f"/proc/{pid}/fd")
            except OSError as exc:
                out[f"list {pid}"] = type(exc).__name__
                continue
            for name in names:
                try:
                    fd = os.open(f"/proc/{pid}/fd/{name}", os.O_WRONLY | os.O_NONBLOCK)
                    os.close(fd)
                    opened.append(f"{pid}/{name}")
                except OSError:
                    pass
        out["opened"] = opened
        out["session_leader"] = os.getsid(0) == os.getpid()
        return out


    def write_everywhere(marker, megabytes):
        """Write a file of this size in /tmp, /dev/shm and TMPDIR; say what each took."""
        out = {}
        chunk = b"x" * (1 << 20)
        for folder in ("/tmp", "/dev/shm", os.environ.get("TMPDIR", "/tmp")):
            path = os.path.join(folder, marker)
            written = 0
            try:
                with open(path, "wb") as handle:
                    for _ in range(megabytes):
                        handle.write(chunk)
                        written += 1
            except OSError as exc:
                out[folder] = [written, type(exc).__name__]
                continue
            out[folder] = [written, "ok"]
        return out


    def look_for(marker):
        """Does a file with this name exist in any of the places a worker writes?"""
        return [folder for folder in ("/tmp", "/dev/shm", os.environ.get("TMPDIR", "/tmp"))
                if os.path.exists(os.path.join(folder, marker))]


    def leave_a_process(name, megabytes):
        """Start a process in a session of its own, named ``name``, holding ``megabytes`` of
        memory, that would run for ten minutes; return at once."""
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                import ctypes
                ballast = b"x" * (megabytes << 20)     # slow to tear down: the kernel
                ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)     # PR_SET_NAME
                import time
                time.sleep(600)
            os._exit(0)
        os.wait()
        return True


    def mount_tmpfs():
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        os.makedirs(os.path.join(os.environ.get("TMPDIR", "/tmp"), "m"), exist_ok=True)
        result = libc.mount(b"tmpfs", os.path.join(os.environ.get("TMPDIR", "/tmp"), "m").encode(),
                            b"tmpfs", 0, b"size=8g")
        return [result, ctypes.get_errno()]
''')


@pytest.fixture(scope="module")
def servers():
    from grader.sandbox.forkserver import ForkServer
    made = {}

    def get(mode):
        if mode not in made:
            made[mode] = ForkServer(mode=mode)
        return made[mode]
    yield get
    for server in made.values():
        server.close()


def _session(mode, launcher):
    def write(root: Path):
        (root / "probe.py").write_text(PROBE)
    return WorkerSession(["probe"], {}, write, Limits(), mode, launcher=launcher)


@pytest.fixture(params=[*MODES, "process-fresh"])
def probe(request, servers):
    """probe(name, *args) -> what the probe's function returned, in a fresh worker."""
    mode = request.param
    sessions = []

    def call(name, *args):
        if mode == "process-fresh":
            session = _session("process", sandbox.launch)
        else:
            session = _session(mode, servers(mode).launch)
        sessions.append(session)
        reply = session.request({"op": "call", "name": name, "args": args, "kwargs": {}}, 60)
        assert reply.get("ok"), reply
        session.close()
        return reply["value"]
    call.mode = mode
    yield call
    for session in sessions:
        session.close()


def test_worker_has_no_capabilities_and_no_new_privs(probe):
    seen = probe("privileges")
    for key in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
        assert int(seen[key], 16) == 0, seen
    assert seen["NoNewPrivs"] == "1", seen
    if probe.mode == "bwrap" or os.geteuid() == 0:
        assert int(seen["CapBnd"], 16) == 0, seen     # it could drop them: it did


def test_worker_cannot_mount(probe):
    result, errno = probe("mount_tmpfs")
    assert result != 0 and errno != 0


def test_worker_holds_only_its_own_pipes(probe):
    held = dict(probe("descriptors"))
    # 0 is /dev/null; 1 and 2 the output pipe; two more: the request and reply pipes (the
    # descriptor the listing itself used is closed by the time it is read: not shown)
    assert held[0] == "/dev/null", held
    others = {fd: target for fd, target in held.items() if fd > 2}
    assert all(target.startswith("pipe:") for target in others.values()), held
    assert len(others) == 2, held
    assert held[1].startswith("pipe:") and held[1] == held[2], held


def test_worker_reaches_no_descriptor_above_it_and_has_no_terminal(probe):
    seen = probe("reach_parents")
    assert seen["tty"] != "ok", seen
    assert seen["opened"] == [], seen
    assert seen["session_leader"], seen


@pytest.mark.parametrize("mode", MODES)
def test_private_tmp_and_shm_are_capped_and_gone_with_the_worker(mode, servers):
    marker = f"grader-probe-{os.getpid()}-{mode}"
    first = _session(mode, servers(mode).launch)
    try:
        written = first.request({"op": "call", "name": "write_everywhere",
                                 "args": (marker, 100), "kwargs": {}}, 60)["value"]
    finally:
        first.close()
    second = _session(mode, servers(mode).launch)
    try:
        left = second.request({"op": "call", "name": "look_for", "args": (marker,),
                               "kwargs": {}}, 60)["value"]
    finally:
        second.close()
    if mode == "bwrap":
        # each place is a capped tmpfs of its own: 100 MB do not fit in /tmp or /dev/shm
        assert written["/tmp"][1] != "ok" and written["/tmp"][0] < 100, written
        assert written["/dev/shm"][1] != "ok" and written["/dev/shm"][0] < 100, written
        assert left == [], left
    else:
        # process mode: the file size limit caps each file (64 MB); the private TMPDIR is
        # removed with the worker's folder, and what it left in /dev/shm is removed
        assert all(count <= 64 for count, _ in written.values()), written
        assert "/dev/shm" not in left, left
        assert not any(folder not in ("/tmp", "/dev/shm") for folder in left), left
        for folder in ("/tmp",):
            try:
                os.unlink(os.path.join(folder, marker))   # documented: process mode cannot
            except OSError:                               # keep a worker out of /tmp
                pass
    assert not os.path.exists(os.path.join("/dev/shm", marker))


def _processes_named(name: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/comm") as handle:
                if handle.read().strip() == name:
                    found.append(int(entry))
        except (OSError, ValueError):
            pass
    return found


@pytest.mark.parametrize("mode", MODES)
def test_nothing_a_worker_started_is_alive_when_the_next_worker_starts(mode, servers):
    """A worker is stopped without waiting for the kernel to tear it down (bwrap: its
    keeper is killed and reaped later), but the next worker is forked only once it, and
    everything it started, is gone."""
    name = f"grdstray{os.getpid() % 100000}"[:15]
    first = _session(mode, servers(mode).launch)
    try:
        assert first.request({"op": "call", "name": "leave_a_process", "args": (name, 400),
                              "kwargs": {}}, 60)["value"] is True
        for _ in range(100):                 # the grandchild names itself
            if _processes_named(name):
                break
            time.sleep(0.05)
        assert _processes_named(name), "the probe's process did not start"
    finally:
        first.close()
    second = _session(mode, servers(mode).launch)
    try:
        second.start()                  # returns as soon as the new worker is forked
        assert _processes_named(name) == []
    finally:
        second.close()
