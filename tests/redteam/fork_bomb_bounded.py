"""Forks 60 sleeping copies of itself (a bounded fork bomb), then answers wrongly.

bwrap: blocked
process: blocked
"""
import os
import time


def corr2d(X, K):
    for _ in range(60):
        try:
            if os.fork() == 0:
                os.setsid()
                time.sleep(600)
                os._exit(0)
        except OSError:
            break
    return X
