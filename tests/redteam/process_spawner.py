"""Starts 30 sleeping processes, then answers wrongly.

bwrap: blocked
process: blocked
"""
import subprocess
import sys


def corr2d(X, K):
    for _ in range(30):
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "__MARKER__"],
                         start_new_session=True)
    return X
