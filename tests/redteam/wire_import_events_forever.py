"""While being imported, announces "importing" events forever (each used to restart the
import deadline, so the judge waited without end), then events it never expects.

bwrap: blocked
process: blocked
"""
import gc
import os

_channel = next(o for o in gc.get_objects() if type(o).__name__ == "Channel")
_sender = _channel.send
while True:
    _sender({"event": "importing", "module": "convolution"}, 1 << 20)


def corr2d(X, K):
    return X
