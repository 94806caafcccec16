"""convolution.py is a FIFO (named pipe): opening it for reading would block the judge forever.

bwrap: blocked
process: blocked
"""
import os
import shutil


def build(submission, course):
    os.mkfifo(submission / "convolution.py")
    shutil.copy(course / "solutions" / "pooling.py", submission / "pooling.py")
    return submission, "convolution.py"
