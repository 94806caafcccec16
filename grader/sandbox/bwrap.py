"""The OS-level sandbox for the worker: bubblewrap (``bwrap``).

Inside the sandbox the worker sees:
- a read-only view of the system (``/usr`` and its ``/bin``, ``/lib`` links) and of the Python
  installation and virtualenv that run it (torch included);
- its private copy of the submission at ``/submission`` (writable, and nothing else of the
  grading machine: not the course's solutions, not the checks, not the gradebook, not the
  grader's own files, only the four modules the worker is made of, at ``/opt/grader-worker``);
- a private ``/tmp`` and ``/dev/shm``: a forked worker gets its own small, capped tmpfs for
  each (and for its ``/scratch`` and ``/submission``), gone when it ends; no network (a new,
  empty network namespace); its own PID namespace, so nothing it starts outlives it; a fresh
  session (no terminal to inject keystrokes into); no descriptor of the judge's but its own
  pipes; no capabilities (dropped in every worker after its namespaces are made, with
  ``no_new_privs``: :mod:`grader.sandbox.harden`), running as ``nobody``; an environment
  scrubbed to a known minimum.
Resource limits (address space, CPU time, file size, open files, processes) are applied by the
worker itself before it imports anything of the student's.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import lru_cache
from pathlib import Path

INSIDE_ROOT = "/submission"
SCRATCH = "/scratch"           # a forked worker's private temp dir
WORKER_LIB = "/opt/grader-worker"
# what the worker may import of the grader: the package's root (``__init__``, ``errors``,
# ``i18n``: the standard library's gettext) and the whole worker side, ``grader/sandbox/``
# (which never imports the judge: tests/test_layout.py); and what it may read: the compiled
# catalogs of the framework's and the checks' prose (WORKER_CATALOGS), so that the words the
# worker makes (its exceptions' messages, a scenario's Mismatch) are in the student's language
WORKER_MODULES = ("__init__.py", "errors.py", "i18n.py", "sandbox/__init__.py",
                  "sandbox/worker.py", "sandbox/wire.py", "sandbox/scenario_lib.py",
                  "sandbox/forkserver.py", "sandbox/process.py", "sandbox/notebook_support.py",
                  "sandbox/harden.py", "sandbox/leftovers.py", "sandbox/usage.py")
WORKER_CATALOGS = ("locale/*/LC_MESSAGES/grader.mo", "checks/locale/*/LC_MESSAGES/checks.mo")


@lru_cache(maxsize=None)
def worker_library() -> str:
    """A folder holding only what the worker imports of the grader (copied once per judge)."""
    source = Path(__file__).resolve().parent.parent
    from grader.sandbox.leftovers import make_temp_dir
    folder = Path(make_temp_dir("grader-worker-lib-"))
    package = folder / "grader"
    names = list(WORKER_MODULES)
    names += [str(p.relative_to(source)) for pattern in WORKER_CATALOGS
              for p in sorted(source.glob(pattern))]
    for name in names:
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / name, package / name)
    import atexit
    atexit.register(shutil.rmtree, folder, True)
    return str(folder)


def _python_roots() -> list[str]:
    """Folders the interpreter needs: its installation, the virtualenv, site-packages."""
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                           sys.base_exec_prefix)}
    for key in ("purelib", "platlib", "stdlib", "platstdlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    # keep the outermost folders only
    ordered = sorted(roots, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path == k or path.startswith(k + os.sep) for k in kept):
            kept.append(path)
    return kept


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime"):
        args += ["--ro-bind-try", path, path]
    return args


def inside_env(env: dict, scratch: str = "/tmp") -> dict:
    inside = dict(env)
    inside.update({"HOME": scratch, "TMPDIR": scratch, "PYTHONPATH": WORKER_LIB})
    return inside


def wrap(command: list[str], env: dict, root: str | None, fds) -> tuple[list[str], dict]:
    """The bwrap command line that runs ``command`` sandboxed.

    ``root``: the submission copy to mount at /submission; None for the fork server, whose
    workers each mount a private /submission of their own (see :func:`forkserver.isolate`).
    """
    env = inside_env(env, "/tmp" if root is not None else SCRATCH)
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--uid", "65534", "--gid", "65534",
            "--hostname", "sandbox", "--clearenv"]
    for key, value in sorted(env.items()):
        args += ["--setenv", key, value]
    args += _system_binds()
    if root is not None:
        args += ["--tmpfs", "/tmp"]      # before the python roots: a venv may live in /tmp
    args += ["--proc", "/proc", "--dev", "/dev"]
    for path in _python_roots():
        args += ["--ro-bind", path, path]
    args += ["--ro-bind", worker_library(), WORKER_LIB]
    if root is None:
        # the fork server: nothing writable but its own /scratch (a tmpfs torch's lazy
        # imports need); each worker mounts a fresh /submission and /scratch (TMPDIR, HOME)
        # over these in its own mount namespace, so no worker sees another's files
        args += ["--dir", INSIDE_ROOT, "--dir", "/tmp", "--tmpfs", SCRATCH, "--chdir", SCRATCH,
                 "--remount-ro", "/"]
    else:
        args += ["--bind", root, INSIDE_ROOT, "--chdir", INSIDE_ROOT]
    # the interpreter by its real path: a venv's python is a link into the base installation,
    # and pyvenv.cfg next to the link is what makes the venv's site-packages visible
    return args + ["--", *command], {}


def limits_inside(limits) -> dict:
    """The worker's limits; RLIMIT_NPROC counts every process of the user the sandbox maps
    to (the grading user outside), so the cap is what runs now plus the allowance."""
    values = limits.worker_env()
    if values.get("processes"):
        values["processes"] = _processes_of(os.getuid()) + int(values["processes"])
    return values


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


@lru_cache(maxsize=None)
def probe() -> bool:
    """Can this machine create the sandbox (user namespaces, bwrap present)?"""
    if shutil.which("bwrap") is None:
        return False
    try:
        done = subprocess.run(
            ["bwrap", "--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
             "--uid", "65534", "--gid", "65534", *_system_binds(), "--proc", "/proc",
             "--dev", "/dev", "--", "/bin/true"],
            capture_output=True, timeout=20)
        return done.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
