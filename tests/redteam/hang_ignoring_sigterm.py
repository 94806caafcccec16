"""Ignores SIGTERM (and SIGINT) and spins forever.

bwrap: blocked
process: blocked
"""
import signal


def corr2d(X, K):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
