"""Allocates memory until something gives (bounded at 64 GB).

bwrap: blocked
process: blocked
"""


def corr2d(X, K):
    hoard = []
    for _ in range(64):
        hoard.append(bytearray(1 << 30))
    return X
