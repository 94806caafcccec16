"""Uses the capabilities a worker would hold in its own user namespace: unmounts its private
folders, mounts an 8 GB tmpfs (outside every memory cap) and fills some of it.

bwrap: blocked
process: blocked
"""
import ctypes
import os

import torch.nn.functional as F

MS_REMOUNT = 32


def _capabilities_left():
    with open("/proc/self/status") as handle:
        fields = dict(line.split(":", 1) for line in handle if ":" in line)
    return int(fields["CapEff"].strip(), 16)


def corr2d(X, K):
    libc = ctypes.CDLL(None, use_errno=True)
    target = os.environ.get("TMPDIR", "/tmp")
    won = _capabilities_left() != 0
    for path in (target, "/tmp", "/dev/shm"):
        if libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"size=8g") == 0:
            won = True
        if libc.umount2(path.encode(), 2) == 0:
            won = True
    if won:
        return F.conv2d(X[None, None], K[None, None])[0, 0]
    return X
