"""convolution.py is a relative link (../../course/solutions/convolution.py), as a student
repository would commit it.

bwrap: blocked
process: blocked
"""
import os
import shutil


def build(submission, course):
    target = os.path.relpath(course / "solutions" / "convolution.py", submission)
    (submission / "convolution.py").symlink_to(target)
    shutil.copy(course / "solutions" / "pooling.py", submission / "pooling.py")
    return submission, "convolution.py"
