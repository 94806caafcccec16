"""convolution.py is the reference followed by 1 GB of nothing (a sparse file): reading it
whole would cost the judge a gigabyte.

bwrap: blocked
process: blocked
"""
import shutil


def build(submission, course):
    target = submission / "convolution.py"
    shutil.copy(course / "solutions" / "convolution.py", target)
    with open(target, "r+b") as handle:
        handle.truncate(1 << 30)
    shutil.copy(course / "solutions" / "pooling.py", submission / "pooling.py")
    return submission, "convolution.py"
