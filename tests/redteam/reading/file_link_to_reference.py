"""convolution.py is a symbolic link to the course's solutions/convolution.py.

bwrap: blocked
process: blocked
"""
import shutil


def build(submission, course):
    (submission / "convolution.py").symlink_to(course / "solutions" / "convolution.py")
    shutil.copy(course / "solutions" / "pooling.py", submission / "pooling.py")
    return submission, "convolution.py"
