"""Leaves a note in /dev/shm for the next worker (in `grade batch`: the next student graded in
the same slot), then dies; the next worker finds the note and knows the answer.

bwrap: blocked
process: blocked
"""
import os

import torch.nn.functional as F

NOTE = "/dev/shm/__MARKER__-note"


def corr2d(X, K):
    if os.path.exists(NOTE):
        return F.conv2d(X[None, None], K[None, None])[0, 0]
    try:
        with open(NOTE, "w") as handle:
            handle.write("the answer is F.conv2d")
    except OSError:
        return X
    os._exit(1)       # a fresh worker is started for the next check
