"""Returns objects whose unpickling would run code (and the raw pickle bytes).

bwrap: blocked
process: blocked
"""
import os
import pickle


class Payload:
    def __reduce__(self):
        return (os.system, ("touch __CANARY__/pwned",))


def corr2d(X, K):
    return [Payload(), pickle.dumps(Payload())]
