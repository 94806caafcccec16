"""Fills /dev/shm, which sits outside the worker's memory cap (in the red team: 3 GB; here 200
MB in 50 MB files, each under the file size limit, which is enough to tell).

bwrap: blocked
process: leaks: the host's /dev/shm is writable by the grading user; process mode removes
  what a worker left there when it ends, but cannot cap it while it runs
"""
import os

import torch.nn.functional as F


def corr2d(X, K):
    chunk = b"\0" * (1 << 20)
    written = 0
    try:
        for index in range(4):
            with open(f"/dev/shm/__MARKER__-{index}", "wb") as handle:
                for _ in range(50):
                    handle.write(chunk)
                    written += 1
    except OSError:
        pass
    if written >= 200:
        return F.conv2d(X[None, None], K[None, None])[0, 0]
    return X
