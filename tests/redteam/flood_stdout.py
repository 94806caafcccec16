"""Floods stdout and stderr (through Python and directly through the file descriptors).

bwrap: blocked
process: blocked
"""
import os
import sys


def corr2d(X, K):
    chunk = "A" * (1 << 20)
    for _ in range(50):
        print(chunk)
        sys.stderr.write(chunk)
        os.write(1, chunk.encode())
        os.write(2, chunk.encode())
    return X
