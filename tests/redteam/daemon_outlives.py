"""Double-forks a daemon in a new session that tries to outlive grading.

bwrap: blocked
process: blocked
"""
import os
import subprocess
import sys


def corr2d(X, K):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)",
                              "__MARKER__"], start_new_session=True)
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)",
                                      "__MARKER__"])
        os._exit(0)
    return X
