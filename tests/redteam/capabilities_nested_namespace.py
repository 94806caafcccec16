"""Gets every capability back in a new user namespace of its own (no capability is needed to
make one), then mounts an 8 GB tmpfs there; also tries to join another process's namespaces.

bwrap: blocked
process: blocked
"""
import ctypes
import os

import torch.nn.functional as F

CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x20000, 0x40000000


def _nested_mount_works():
    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        code = 1
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0:
            code = 2
            if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, b"size=8g") == 0:
                code = 3
        if libc.unshare(CLONE_NEWNET) == 0:
            code = max(code, 2)
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) >= 2


def _joined_a_namespace():
    libc = ctypes.CDLL(None, use_errno=True)
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                fd = os.open(f"/proc/{entry}/ns/mnt", os.O_RDONLY)
            except OSError:
                continue
            try:
                if libc.setns(fd, 0) == 0:
                    return True
            finally:
                os.close(fd)
    return False


def corr2d(X, K):
    if _nested_mount_works() or _joined_a_namespace():
        return F.conv2d(X[None, None], K[None, None])[0, 0]
    return X
