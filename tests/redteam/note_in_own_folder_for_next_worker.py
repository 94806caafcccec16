"""Leaves a note in its own writable places (TMPDIR, HOME, the submission copy) and edits its
own copy of the submission, then dies; the next worker of the same exercise looks for them.

bwrap: blocked
process: blocked
"""
import os

import torch.nn.functional as F

PLACES = [os.environ.get("TMPDIR", ""), os.environ.get("HOME", ""), os.getcwd(),
          os.path.dirname(os.path.abspath(__file__))]


def corr2d(X, K):
    for place in PLACES:
        if place and os.path.exists(os.path.join(place, "__MARKER__-note")):
            return F.conv2d(X[None, None], K[None, None])[0, 0]
    wrote = False
    for place in PLACES:
        try:
            with open(os.path.join(place, "__MARKER__-note"), "w") as handle:
                handle.write("x")
            wrote = True
        except OSError:
            pass
    if not wrote:
        return X
    os._exit(1)
