"""The last steps before a worker runs student code: no privileges, no inherited descriptors.

Called in every worker, in both modes, after its namespaces and private mounts exist and
before anything of the student's is imported:

- :func:`drop_privileges`: an empty capability set (effective, permitted, inheritable,
  ambient, and the bounding set where the process may change it), ``no_new_privs`` (no
  set-user-ID or file-capability program can give any back) and ``SECBIT_NOROOT`` where
  allowed (uid 0 gains nothing by ``execve``).  A worker forked in a user namespace of its
  own holds every capability *in that namespace* until this runs: with them it could unmount
  its private mounts or mount a tmpfs of any size.
- :func:`forbid_namespaces`: a seccomp filter, so that no capability comes back through a
  new user namespace and nothing is mounted or unmounted (see there).
- :func:`close_inherited`: every descriptor but the worker's own (its request and reply
  pipes, stdin on ``/dev/null``, stdout/stderr on its output pipe) is closed, so nothing of
  the judge's (its stdout, its terminal, the gradebook) can be written through an inherited
  or ``/proc``-reopened descriptor.
- :func:`not_dumpable`: a process that holds something a worker must not reach (the judge, a
  fork server, an isolated worker's keeper) makes itself non-dumpable: its ``/proc/<pid>/fd``,
  ``mem`` and ``environ`` are then closed to other processes of the same user that lack
  ``CAP_SYS_PTRACE`` (which a worker never has, by :func:`drop_privileges`).

Only the standard library: this runs in the worker and in the fork server.  Every step is
Linux-only and a no-op elsewhere.
"""
from __future__ import annotations

import ctypes
import os
import sys

PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
# SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_SETUID_FIXUP(_LOCKED), SECBIT_KEEP_CAPS_LOCKED
_SECUREBITS = 0x1 | 0x2 | 0x4 | 0x8 | 0x20


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _last_capability() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as handle:
            return int(handle.read())
    except (OSError, ValueError):
        return 63


def drop_privileges() -> None:
    """Drop every capability and set no_new_privs.  Raises OSError if the capability sets
    could not be emptied (the worker must then not run student code)."""
    if not sys.platform.startswith("linux"):
        return
    libc = _libc()
    libc.prctl(PR_SET_SECUREBITS, _SECUREBITS, 0, 0, 0)      # needs CAP_SETPCAP: best effort
    for cap in range(_last_capability() + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)              # likewise
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), ctypes.byref(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"capset: {os.strerror(errno)}")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(errno)}")


# --------------------------------------------------------------------------- seccomp
# Capabilities come back with a new user namespace (``unshare(CLONE_NEWUSER)`` needs none): in
# its own, a worker could mount a tmpfs of any size again.  A seccomp filter refuses, with
# EPERM, every call that makes or enters namespaces or mounts anything; ``clone3`` (whose
# flags a filter cannot read) gets ENOSYS, so the C library falls back to ``clone``.
_ARCHES = {  # AUDIT_ARCH_*: syscall numbers of (unshare, setns, clone, clone3) and the mount calls
    "x86_64": (0xC000003E, dict(unshare=272, setns=308, clone=56, clone3=435),
               (165, 166, 155, 428, 429, 430, 431, 432, 442)),
    "aarch64": (0xC00000B7, dict(unshare=97, setns=268, clone=220, clone3=435),
                (40, 39, 41, 428, 429, 430, 431, 432, 442)),
}
NAMESPACE_FLAGS = 0x20000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x8000000 | 0x4000000 \
    | 0x2000000 | 0x80          # NEWNS USER PID NET IPC UTS CGROUP, NEWTIME
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_EPERM, _ENOSYS = 1, 38


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Instruction))]


def _filter(arch: int, calls: dict, mounts) -> list[tuple[int, int, int, int]]:
    load, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06
    deny = _RET_ERRNO | _EPERM
    code = [(load, 0, 0, 4),                       # A = seccomp_data.arch
            (jeq, 1, 0, arch), (ret, 0, 0, _RET_ALLOW),   # another ABI: not filtered
            (load, 0, 0, 0)]                       # A = seccomp_data.nr
    for number in (calls["unshare"], calls["setns"], *mounts):
        code += [(jeq, 0, 1, number), (ret, 0, 0, deny)]
    code += [(jeq, 0, 1, calls["clone3"]), (ret, 0, 0, _RET_ERRNO | _ENOSYS)]
    code += [(jeq, 1, 0, calls["clone"]), (ret, 0, 0, _RET_ALLOW),
             (load, 0, 0, 16),                     # A = low half of args[0]: clone's flags
             (jset, 0, 1, NAMESPACE_FLAGS), (ret, 0, 0, deny),
             (ret, 0, 0, _RET_ALLOW)]
    return code


def forbid_namespaces() -> bool:
    """Install the filter (needs no_new_privs, set by :func:`drop_privileges`).  Returns False
    where it is not available (another OS or architecture); raises OSError if it failed."""
    if not sys.platform.startswith("linux") or os.uname().machine not in _ARCHES:
        return False
    arch, calls, mounts = _ARCHES[os.uname().machine]
    code = _filter(arch, calls, mounts)
    instructions = (_Instruction * len(code))(*[_Instruction(*i) for i in code])
    program = _Program(len(code), instructions)
    if _libc().prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"seccomp: {os.strerror(errno)}")
    return True


def close_inherited(keep) -> None:
    """Close every descriptor of this process but stdin/stdout/stderr and ``keep``."""
    keep = {0, 1, 2, *keep}
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(3, 1024))
    for fd in open_fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def not_dumpable() -> None:
    """Make this process's /proc files unreachable for other unprivileged processes."""
    if sys.platform.startswith("linux"):
        try:
            _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except OSError:
            pass
