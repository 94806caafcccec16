"""The reference convolution.py at the bottom of 40 nested folders, next to a normal
pooling.py at the top: the walk must stop at its depth limit and name the folder.

bwrap: blocked
process: blocked
"""
import shutil


def build(submission, course):
    deep = submission.joinpath(*["deeper"] * 40)
    deep.mkdir(parents=True)
    shutil.copy(course / "solutions" / "convolution.py", deep / "convolution.py")
    shutil.copy(course / "solutions" / "pooling.py", submission / "pooling.py")
    return submission, "deeper"
