"""leak.py is a link to the hidden checks of convolution; convolution.py imports it and puts
its text in an exception message, which would land in the public feedback.

bwrap: blocked
process: blocked
"""
import shutil

ATTACK = '''

def corr2d(X, K):
    import leak, inspect
    raise RuntimeError(inspect.getsource(leak)[:4000])
'''


def build(submission, course):
    (submission / "leak.py").symlink_to(course / "grader" / "checks" / "convolution.py")
    (submission / "convolution.py").write_text(ATTACK)
    shutil.copy(course / "solutions" / "pooling.py", submission / "pooling.py")
    return submission, "leak.py"


def SECRETS(course):
    # the source of the checks, never shown: their definitions and the import path of the API
    return ["def test_", "@check(", "grader.judge"]
