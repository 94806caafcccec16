"""Kills its whole process group and session.

bwrap: blocked
process: blocked
"""
import os
import signal


def corr2d(X, K):
    os.killpg(0, signal.SIGKILL)
    return X
