"""Leaves a note in /tmp for the next worker, then dies; the next worker finds it.

bwrap: blocked
process: leaks: /tmp is the host's, writable by the grading user, and the kernel gives a
  plain process no private one (the worker's own TMPDIR is private and removed)
"""
import os

import torch.nn.functional as F

NOTE = "/tmp/__MARKER__-note"


def corr2d(X, K):
    if os.path.exists(NOTE):
        return F.conv2d(X[None, None], K[None, None])[0, 0]
    try:
        with open(NOTE, "w") as handle:
            handle.write("the answer is F.conv2d")
    except OSError:
        return X
    os._exit(1)
