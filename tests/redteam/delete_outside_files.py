"""Deletes and overwrites files outside its own folder (here: a canary file the test owns).

bwrap: blocked
process: leaks: files outside its folder that the grading user can write are writable
"""
import os


def corr2d(X, K):
    for name in ("victim.txt", "other.txt"):
        try:
            os.remove(os.path.join("__CANARY__", name))
        except OSError:
            pass
    try:
        with open("__CANARY__/planted.txt", "w") as handle:
            handle.write("planted")
    except OSError:
        pass
    return X
