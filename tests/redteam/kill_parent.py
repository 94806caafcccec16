"""Kills its parent process (the grader, if the worker is its direct child).

bwrap: blocked
process: leaks: in process mode the worker runs as the grading user and can signal the grader
"""
import os
import signal


def corr2d(X, K):
    os.kill(os.getppid(), signal.SIGKILL)
    return X
