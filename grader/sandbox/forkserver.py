"""A warm template process that forks workers: no torch import per submission.

``python -m grader.sandbox.forkserver FD`` imports torch and the worker code once, then waits on the
Unix socket FD.  For each ``spawn`` request (with the worker's three pipe ends passed as file
descriptors) it forks a child that becomes a worker exactly as ``python -m grader.sandbox.worker``
would: its own session, a scrubbed environment, the same resource limits, its own private
copy of the submission, no capabilities and no descriptor but its own pipes
(:mod:`grader.sandbox.harden`).  The fork server never runs student code itself; it holds none
of the judge's descriptors (its output goes to a pipe of its own), and it is a child
subreaper, so anything a worker leaves behind is re-parented to it and killed on ``stop``.

Messages both ways are length-prefixed JSON.  The judge side is :class:`ForkServer`, whose
:meth:`ForkServer.launch` has the signature of :func:`grader.sandbox.process.launch`.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from grader.sandbox import harden

PR_SET_CHILD_SUBREAPER = 36
MB = 1024 * 1024
# What one spawn request carries into an isolated worker: the submission's modules, sent with
# the request and written into the worker's private tmpfs (TMPFS_INODES inodes).  The judge
# hands no worker more, in any sandbox mode: the reader leaves a submission's largest files
# out, with a message for the student, before any worker starts
# (grader/submission/reader.py, Limits.code_bytes and code_files), so that a submission's
# size is never the grader's internal error and grades the same with or without bubblewrap.
CARRY_BYTES = 32 * MB
CARRY_FILES = 1000


# --------------------------------------------------------------------------- messages
def _send(sock: socket.socket, message: dict, fds: list[int] = ()) -> None:
    data = json.dumps(message).encode()
    frame = struct.pack(">I", len(data)) + data
    if fds:
        socket.send_fds(sock, [frame], list(fds))
    else:
        sock.sendall(frame)


def _receive(sock: socket.socket, max_fds: int = 0):
    try:
        return _receive_frame(sock, max_fds)
    except (ConnectionError, OSError):
        return None, []


def _receive_frame(sock: socket.socket, max_fds: int):
    if max_fds:
        data, fds, _, _ = socket.recv_fds(sock, 4, max_fds)
    else:
        data, fds = sock.recv(4), []
    if not data:
        return None, []
    while len(data) < 4:
        more = sock.recv(4 - len(data))
        if not more:
            return None, fds
        data += more
    (length,) = struct.unpack(">I", data)
    body = bytearray(length)            # filled in place: a spawn request may be 32 MB
    view, got = memoryview(body), 0
    while got < length:
        count = sock.recv_into(view[got:], length - got)
        if not count:
            return None, fds
        got += count
    return json.loads(body), fds


# --------------------------------------------------------------------------- server side
class _Server:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.live: set[int] = set()
        self.statuses: dict[int, int] = {}
        self.isolated: dict[int, bool] = {}     # pid -> a keeper whose child is the worker
        self.probes: dict[int, object] = {}     # pid -> usage.Probe of its worker
        self.dying: set[int] = set()            # isolated workers killed, not yet reaped

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.live:        # a stray's or a killed keeper's status: nobody asks
                self.statuses[pid] = os.waitstatus_to_exitcode(status)
            self.live.discard(pid)      # (a stopped keeper reaped here stays in dying:
            self._forget_probe(pid)     # settle() must still wait for its worker)

    def _forget_probe(self, pid: int) -> None:
        probe = self.probes.pop(pid, None)
        if probe is not None:
            probe.close()

    def serve(self) -> None:
        """Answer requests until the first connection closes.  Judges in other processes
        (the shards of one ``grade -j N``) each get a connection of their own (op
        ``attach``, with the socket passed along); one request is answered at a time."""
        import select
        clients = [self.sock]
        while True:
            ready, _, _ = select.select(clients, [], [])
            for sock in ready:
                self.sock = sock
                message, fds = _receive(sock, max_fds=3)
                if message is None:
                    if sock is clients[0]:
                        clients = []
                        break
                    clients.remove(sock)
                    sock.close()
                    continue
                if message.get("op") == "attach":
                    if len(fds) == 1:
                        clients.append(socket.socket(fileno=fds[0]))
                    else:
                        for fd in fds:
                            os.close(fd)
                    _send(sock, {"attached": len(fds) == 1})
                    continue
                self.answer(message, fds)
            if not clients:
                break
        for pid in list(self.live):
            self.stop(pid)
        self.settle()

    def answer(self, message: dict, fds: list[int]) -> None:
        self.reap()
        op = message.get("op")
        if op == "spawn":
            self.settle()           # nothing of an earlier worker outlives its stop
            pid = os.fork()
            if pid == 0:
                self.become_worker(message, fds)   # never returns
            for fd in fds:
                os.close(fd)
            self.live.add(pid)
            self.isolated[pid] = bool(message.get("isolate"))
            _send(self.sock, {"pid": pid})
        elif op == "status":
            pid = int(message["pid"])
            _send(self.sock, {"code": self.statuses.get(pid), "alive": pid in self.live})
        elif op == "usage":
            _send(self.sock, self.usage(int(message["pid"])))
        elif op == "probe":
            self.send_probe(int(message["pid"]))
        elif op == "stop":
            _send(self.sock, {"code": self.stop(int(message["pid"]))})
        else:
            _send(self.sock, {"error": f"unknown op {op!r}"})

    def usage(self, pid: int) -> dict:
        """The worker's time so far (grader/sandbox/usage.py): ``pid`` itself, or for an
        isolated worker the keeper's one child (the worker, in its own PID namespace)."""
        try:
            from grader.sandbox import usage
            if pid not in self.live:
                return {}
            probe = self.probes.get(pid)
            if probe is None:
                worker = usage.only_child(pid) if self.isolated.get(pid) else pid
                if worker is None:
                    return {}
                probe = self.probes[pid] = usage.Probe(worker)
            found = probe()
        except Exception:  # noqa: BLE001 - unknown usage: the judge falls back to wall time
            return {}
        return {"waited": found.waited_ns, "cpu": found.cpu_ns} if found else {}

    def send_probe(self, pid: int) -> None:
        """The worker's two usage files, open, for the judge to read itself (op ``probe``):
        one request per worker instead of one per sample."""
        from grader.sandbox import usage
        probe = None
        try:
            if pid in self.live:
                worker = usage.only_child(pid) if self.isolated.get(pid) else pid
                probe = usage.Probe(worker) if worker is not None else None
        except Exception:  # noqa: BLE001 - the judge then asks by op "usage"
            probe = None
        if probe is None or probe.fds is None:
            _send(self.sock, {"probe": False})
            return
        try:
            _send(self.sock, {"probe": True}, list(probe.fds))
        finally:
            probe.close()

    def stop(self, pid: int):
        if self.isolated.get(pid) and pid in self.live:
            return self.stop_isolated(pid)
        # the worker's group (a plain fork is a session leader), and the process itself
        # (an isolated worker's keeper: the worker dies with it, by its parent-death signal)
        for kill, target in ((os.killpg, pid), (os.kill, pid)):
            try:
                kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if pid in self.live:
            try:
                _, status = os.waitpid(pid, 0)
                self.statuses[pid] = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                pass
            self.live.discard(pid)
        self.isolated.pop(pid, None)
        self._forget_probe(pid)
        self.kill_strays()
        return self.statuses.pop(pid, None)

    def stop_isolated(self, pid: int):
        """Stop an isolated worker without waiting for it to be gone.

        Killing its keeper is enough: the worker dies by its parent-death signal, and as
        process 1 of its own PID namespace it takes every process it started with it; its
        mounts go with its mount namespace.  What is left is the kernel tearing the
        processes down (a fork of the template, hundreds of MB mapped: tens of ms each), which
        then runs while the judge goes on with its checks; :meth:`settle`, before the next
        worker is forked, waits for it to end.  The exit code is the keeper's, if it had
        already exited (a worker that died on its own), else None."""
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.live.discard(pid)
        self.isolated.pop(pid, None)
        self._forget_probe(pid)
        self.dying.add(pid)
        return self.statuses.pop(pid, None)

    def settle(self) -> None:
        """Wait until every worker stopped by :meth:`stop_isolated` is gone, then kill what
        was left re-parented to this server (as :meth:`stop` does at once)."""
        if not self.dying:
            return
        for pid in list(self.dying):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass                        # reaped already by reap()
        self.dying.clear()
        # the keepers are gone, their workers perhaps not yet: re-parented to this server,
        # each is waited for here (a worker ends only once every process of its PID
        # namespace has)
        self.kill_strays()

    def kill_strays(self) -> None:
        """Processes re-parented to us that are not live workers: daemons left behind."""
        from grader.sandbox.process import children_of, kill_until_gone
        kill_until_gone(lambda: [p for p in children_of(os.getpid()) if p not in self.live])

    def become_worker(self, message: dict, fds: list[int]) -> None:
        code = 0
        try:
            self.sock.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            if message.get("isolate"):
                isolate(message, fds)       # returns in the worker, never in the keeper
            os.setsid()                     # no controlling terminal
            request_fd, reply_fd, output_fd = fds
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            for fd in (null, output_fd):
                os.close(fd)
            harden.close_inherited(keep=(request_fd, reply_fd))
            os.environ.clear()
            os.environ.update(message["env"])
            os.chdir(message["root"])
            harden.drop_privileges()
            harden.forbid_namespaces()
            from grader.sandbox import worker
            worker.apply_limits(message["limits"])
            worker.serve(request_fd, reply_fd)
        except BaseException:  # noqa: BLE001 - report on the output pipe, then exit
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)


# --------------------------------------------------------------------------- isolation
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWIPC = 0x20000, 0x10000000, 0x20000000, 0x8000000
MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x4000, 1 << 18, 2, 4, 8
PR_SET_PDEATHSIG = 1
TMPFS_INODES = 4096          # files (and folders) in one private tmpfs
SMALL_TMPFS_MB = 64          # /tmp and /dev/shm: nothing a worker needs is large there


def private_mounts(message: dict) -> list[tuple[str, int]]:
    """(mount point, size in MB) of each private tmpfs of one isolated worker."""
    size = int(message.get("tmpfs_mb", 256))
    mounts = [(message["scratch"], size), (message["root"], size),
              ("/dev/shm", SMALL_TMPFS_MB)]
    # /tmp too, unless the interpreter itself lives there (a virtualenv in /tmp, bound
    # read-only by bwrap): then /tmp stays the fork server's read-only folder
    if not any(p == "/tmp" or p.startswith("/tmp/") for p in _interpreter_paths()):
        mounts.append(("/tmp", SMALL_TMPFS_MB))
    return mounts


def _interpreter_paths() -> set[str]:
    return {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                          sys.executable, *sys.path) if p}


def isolate(message: dict, fds: list[int]) -> None:
    """Inside the sandboxed fork server: give this worker namespaces of its own.

    Workers forked from one template would otherwise share its mount and PID namespaces:
    one student's code could read another's files or kill another's worker.  A new user
    namespace (mapped to the same unprivileged user) lets us create a private mount namespace
    (fresh, capped tmpfs at ``/scratch``, ``/submission`` (where the submission's files are
    written), ``/tmp`` and ``/dev/shm``) and a PID namespace in which this worker is process 1
    and sees no other process to signal.  The process that called ``isolate`` stays outside as
    the keeper: it closes every descriptor, makes itself non-dumpable, waits for the worker and
    exits with its status (128 + N for signal N), and the worker dies with it.  The worker then
    drops every capability it holds in its new user namespace (:func:`harden.drop_privileges`,
    in :meth:`_Server.become_worker`), so it can neither undo nor resize these mounts.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    with open("/proc/self/setgroups", "w") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w") as handle:
        handle.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as handle:
        handle.write(f"{gid} {gid} 1")
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate")
    # every writable place is a fresh, capped tmpfs of this worker's own, gone with its mount
    # namespace when it ends: nothing it writes reaches the next worker (or student)
    for target, megabytes in private_mounts(message):
        size = f"size={megabytes}m,nr_inodes={TMPFS_INODES},mode=0755".encode()
        if target in ("/tmp", "/dev/shm"):
            size = size.replace(b"mode=0755", b"mode=1777")
        _check(libc.mount(b"tmpfs", target.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, size),
               f"mount tmpfs on {target}")
    pid = os.fork()
    if pid:                                  # the keeper: holds nothing, shows nothing
        harden.close_inherited(keep=())
        harden.not_dumpable()
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        os._exit(128 - code if code < 0 else code)
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    # a /proc of this worker's own PID namespace (it is process 1 there and sees nothing
    # else); where the kernel refuses (a /proc with locked over-mounts), the fork server's
    # stays, in which the worker's own user namespace keeps it out of other processes' files
    libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    for name, text in message.get("files", {}).items():
        path = os.path.join(message["root"], name)
        if os.path.dirname(os.path.normpath(path)) != message["root"]:
            raise ValueError(f"bad file name {name!r}")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def warm_up(forbidden: list[str]) -> None:
    """Pay once, in the template, for what torch initialises lazily: every fork inherits it.

    The forbidden built-ins are resolved (and the plain-Python ones wrapped) here, once, and
    ``torch._dynamo`` is imported (800 modules: 2.2 s of CPU and 67 MB more in the template,
    which every fork copies the page tables of): a worker would otherwise import it again,
    1.7-2.2 s each time, at its first optimizer step or its first random fill of a tensor on
    the meta device (``nn.init.normal_``, ``kaiming_normal_``, ``eye_``, ``nn.Embedding``,
    dropout...), which the network checks' ``run_network`` runs on every student network
    that initialises its weights that way (grader/checks/lenet.py builds them on the meta
    device).  Measured without it: the template ready in 2.0-2.4 s instead of 3.5-4.2 s, but
    a LeNet whose weights are set with ``nn.init.normal_`` 1.7 s slower in each of the six
    network exercises.
    """
    import torch
    import torch.nn.functional as F
    from torch import nn
    from grader.sandbox import worker
    worker.prepare_recorder(forbidden)
    X = torch.randn(1, 2, 5, 5)
    nn.Conv2d(2, 2, 3)(X).sum().backward()
    F.max_pool2d(X, 2), F.avg_pool2d(X, 2), F.dropout(X, 0.5), torch.softmax(X, -1)
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    model(torch.randn(4, 3)).sum().backward()
    # the first optimizer step imports torch._dynamo (see above): once here, not in every worker
    torch.optim.SGD(model.parameters(), lr=0.0).step()
    nn.GRU(3, 2)(nn.Embedding(5, 3)(torch.tensor([[1, 2]])))
    torch.bmm(torch.randn(1, 2, 3), torch.randn(1, 3, 2)), torch.rand(3) < 0.5
    torch.ones(2).numpy()


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    forbidden = json.loads(sys.argv[2]) if len(sys.argv) > 2 else []
    harden.close_inherited(keep=(sock.fileno(),))
    if len(sys.argv) > 3 and sys.argv[3] == "process":
        # same user as its workers: keep its /proc/<pid>/fd (the judge's socket) out of reach.
        # (Sandboxed, it stays dumpable: each worker's user namespace already keeps it out,
        # and its children must be able to write their own /proc/self/uid_map.)
        harden.not_dumpable()
    import torch
    torch.set_num_threads(1)
    import grader.sandbox.scenario_lib  # noqa: F401 - warm what every worker needs
    import grader.sandbox.wire  # noqa: F401
    import grader.sandbox.worker  # noqa: F401 - pre-imported so that every fork has it
    try:
        warm_up(forbidden)
    except Exception:  # noqa: BLE001 - an optimisation only: workers still work without it
        import traceback
        traceback.print_exc()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except OSError:
        pass
    _send(sock, {"ready": True})
    _Server(sock).serve()
    os._exit(0)      # skip the interpreter's teardown (torch's takes ~0.4 s): nothing to flush


# --------------------------------------------------------------------------- judge side
class ForkedProcess:
    """Looks enough like subprocess.Popen for the judge: pid, poll, wait, stdout.

    In a sandboxed fork server ``pid`` is a number in the sandbox's PID namespace, not the
    judge's: everything about the process then goes through the server, never ``os.kill``.
    """

    def __init__(self, pid: int, server: "ForkServer", stdout, host_pid: bool = True):
        self.pid, self.server, self.stdout = pid, server, stdout
        self.host_pid = host_pid
        self.returncode = None
        self._stopped = False

    def poll(self):
        if self.returncode is None and not self._alive():
            self.returncode = self._ask({"op": "status", "pid": self.pid}).get("code")
        return self.returncode

    def _ask(self, message: dict) -> dict:
        """A question to the fork server; if it is gone (killed), its workers are gone too."""
        try:
            return self.server.request(message)
        except (RuntimeError, OSError):
            return {}

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._alive():
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
            time.sleep(0.005)
        return self.stop()

    def stop(self):
        """Kill the worker's group and whatever it left behind; return its exit code."""
        if not self._stopped:
            self._stopped = True
            code = self._ask({"op": "stop", "pid": self.pid}).get("code")
            if self.returncode is None:
                self.returncode = code
        return self.returncode

    def kill_all(self) -> None:
        self.stop()

    def _alive(self) -> bool:
        if not self.host_pid:
            if self._stopped:
                return False
            return bool(self._ask({"op": "status", "pid": self.pid}).get("alive"))
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
            return state not in (b"Z", b"X")
        except (OSError, IndexError):
            return False


def _read_files(root: str, limit: int = CARRY_BYTES, most: int = CARRY_FILES) -> dict:
    """The submission copy's modules, to be written inside the worker's private namespace.
    ValueError past what a spawn request carries: the judge wrote more than its reader
    admits (a bug of the grader's, never a student's submission)."""
    files, total = {}, 0
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if name.endswith(".py") and os.path.isfile(path):
            with open(path, "rb") as handle:
                data = handle.read()
            files[name] = data.decode("utf-8")
            total += len(data)
    if total > limit or len(files) > most:
        raise ValueError(f"the submission's copy has {len(files)} modules of {total} bytes: "
                         f"a worker carries at most {most} modules of {limit} bytes")
    return files


class ForkServer:
    """The judge's handle on a fork server; ``launch`` starts a worker in milliseconds."""

    def __init__(self, python: str | None = None, mode: str = "process",
                 forbidden: list[str] | None = None):
        from grader.sandbox.process import (OutputDrain, become_subreaper, register_own_child,
                                            scrubbed_env)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock = ours
        self.mode = mode
        from grader.sandbox.leftovers import make_temp_dir
        self.home = make_temp_dir("grader-forkserver-")
        env = scrubbed_env(self.home)
        command = [python or sys.executable, "-s", "-P", "-m", "grader.sandbox.forkserver",
                   str(theirs.fileno()), json.dumps(sorted(set(forbidden or []))), mode]
        if mode == "bwrap":
            from grader.sandbox import bwrap
            command, env = bwrap.wrap(command, env, None, (theirs.fileno(),))
        become_subreaper()            # also makes the judge non-dumpable
        # none of the judge's descriptors: not its stdout/stderr (a worker could write a forged
        # report into them), not its terminal; what the server prints is kept for diagnostics
        self.proc = subprocess.Popen(
            command, pass_fds=(theirs.fileno(),), env=env, cwd=self.home,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        theirs.close()
        self.output = OutputDrain(self.proc.stdout, 64 * 1024)
        self.output.start()
        register_own_child(self.proc.pid)
        self.lock = threading.Lock()
        self._ready = False

    def wait_ready(self) -> None:
        """Wait until the server has started and warmed its template (torch imported, the
        first optimizer step taken); RuntimeError if it could not.  Called by the first
        request; a batch slot calls it before a submission's clock starts."""
        with self.lock:
            self._wait_ready()

    def _wait_ready(self) -> None:
        if not self._ready:
            reply, _ = _receive(self.sock)
            if not reply or not reply.get("ready"):
                self.proc.poll()
                self.output.join(timeout=2)
                raise RuntimeError("the fork server did not start: "
                                   + (self.output.text().strip()[-2000:] or "no output"))
            self._ready = True

    def request(self, message: dict, fds: list[int] = (), max_fds: int = 0) -> dict:
        """Send one request (with ``fds``) and return the reply; the fds that came with the
        reply (at most ``max_fds``) are in its ``"fds"`` entry."""
        with self.lock:
            self._wait_ready()
            _send(self.sock, message, fds)
            reply, received = _receive(self.sock, max_fds)
        if reply is None:
            for fd in received:
                os.close(fd)
            raise RuntimeError("the fork server stopped")
        if max_fds:
            reply = dict(reply, fds=received)
        return reply

    def launch(self, root: str, limits, mode: str):
        """Start a worker for the submission copy in ``root`` (as :func:`sandbox.launch`)."""
        from grader.sandbox.leftovers import ShmWatch
        from grader.sandbox.process import Launched, OutputDrain, become_subreaper, scrubbed_env
        if mode != self.mode:
            raise RuntimeError(f"this fork server starts {self.mode} workers, not {mode}")
        become_subreaper()
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        out_r, out_w = os.pipe()
        message = {"op": "spawn", "limits": limits.worker_env()}
        if self.mode == "bwrap":
            from grader.sandbox import bwrap
            message.update(root=bwrap.INSIDE_ROOT, scratch=bwrap.SCRATCH, isolate=True,
                           files=_read_files(root),
                           env=bwrap.inside_env(scrubbed_env(bwrap.SCRATCH), bwrap.SCRATCH),
                           limits=bwrap.limits_inside(limits),
                           tmpfs_mb=max(64, 4 * limits.file_mb))
        else:
            os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
            message.update(root=root, env=scrubbed_env(root))
        shm = ShmWatch() if self.mode == "process" else None
        try:
            reply = self.request(message, [req_r, rep_w, out_w])
        finally:
            for fd in (req_r, rep_w, out_w):
                os.close(fd)
        pid = int(reply["pid"])
        stdout = os.fdopen(out_r, "rb", buffering=0)
        host = self.mode != "bwrap"
        proc = ForkedProcess(pid, self, stdout, host_pid=host)
        pidfd = None
        if host:
            try:
                pidfd = os.pidfd_open(pid)
            except (AttributeError, OSError):
                pidfd = None
        drain = OutputDrain(stdout, limits.output_kb * 1024)
        drain.start()
        from grader.sandbox import usage
        # a host pid is read directly; a sandboxed one only the fork server can see
        watch = usage.Probe(pid) if host else _RemoteProbe(self, pid)
        return Launched(proc, req_w, rep_r, drain, pidfd, message["root"], not host, shm,
                        watch)

    def usage(self, pid: int):
        """A worker's time so far, as its fork server sees it (the judge cannot see a
        sandboxed worker's pid); None when unknown."""
        from grader.sandbox.usage import Usage
        try:
            found = self.request({"op": "usage", "pid": pid})
        except (RuntimeError, OSError):
            return None
        if not isinstance(found.get("waited"), int) or not isinstance(found.get("cpu"), int):
            return None
        return Usage(found["waited"], found["cpu"])

    def attach_later(self) -> "tuple[ForkServer, socket.socket]":
        """Another handle on this server, with a connection of its own: for a judge in
        another process (a shard of ``grade -j N``, forked after this handle was made), so
        that the shards share one warm template instead of starting one each.  Closing it
        closes only its connection; the server lives until this handle is closed.

        Returned at once, without waiting for the server to be ready, with the socket to give
        the server with :meth:`hand_over` once it is.  Until then the handle's requests wait
        (they are read once the server has the socket), so a judge forked with it can start
        its own work while the template warms up.  Whoever forks while holding the socket
        must close the child's copy in the child (socket.close: a child holding it would
        never see the server end)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        other = object.__new__(ForkServer)
        other.__dict__.update(self.__dict__)
        other.sock, other.lock, other._ready, other.attached = ours, threading.Lock(), True, True
        return other, theirs

    def hand_over(self, peer: socket.socket) -> None:
        """Give the server ``peer`` (from :meth:`attach_later`), waiting until it is ready;
        ``peer`` is closed here.  RuntimeError if the server did not start or refused it."""
        try:
            reply = self.request({"op": "attach"}, [peer.fileno()])
        except OSError as exc:          # it ended after saying it was ready
            raise RuntimeError(f"the fork server stopped: {exc}") from exc
        finally:
            peer.close()
        if not reply.get("attached"):
            raise RuntimeError("the fork server refused another connection")

    def close(self) -> None:
        from grader.sandbox.process import unregister_own_child
        try:
            self.sock.close()
        except OSError:
            pass
        if getattr(self, "attached", False):
            return
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        unregister_own_child(self.proc.pid)
        self.output.join(timeout=2)
        try:
            self.proc.stdout.close()
        except OSError:
            pass
        import shutil
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    main()


class _RemoteProbe:
    """A sandboxed worker's usage (its pid is the fork server's to see): the first sample
    asks the server for the worker's two usage files, open (op ``probe``), and every sample
    reads them here; where that fails, each sample asks the server (op ``usage``)."""

    def __init__(self, server: ForkServer, pid: int):
        self.server, self.pid = server, pid
        self.local = None          # usage.Probe over the received files, once asked

    def __call__(self):
        from grader.sandbox import usage
        if self.local is None:
            self.local = usage.Probe.adopt(self._ask())
        if self.local.fds is not None:
            return self.local()
        return self.server.usage(self.pid)

    def _ask(self) -> list[int]:
        try:
            reply = self.server.request({"op": "probe", "pid": self.pid}, max_fds=2)
        except (RuntimeError, OSError):
            return []
        fds = list(reply.get("fds") or [])
        if reply.get("probe") is not True or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            return []
        return fds

