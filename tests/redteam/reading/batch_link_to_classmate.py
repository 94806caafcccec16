"""In `grade batch`, hw2-mallory/convolution.py -> ../hw2-alice/convolution.py: mallory would be
graded on a classmate's code.  Graded as `grade batch` finds the entry.

bwrap: blocked
process: blocked
"""
import shutil


def build(submission, course):
    from grader.classroom import batch
    alice = submission / "class" / "hw2-alice"
    mallory = submission / "class" / "hw2-mallory"
    for folder in (alice, mallory):
        folder.mkdir(parents=True)
        shutil.copy(course / "solutions" / "pooling.py", folder / "pooling.py")
    shutil.copy(course / "solutions" / "convolution.py", alice / "convolution.py")
    (mallory / "convolution.py").symlink_to("../hw2-alice/convolution.py")
    entries = batch.find_entries(submission / "class", submission / "work")
    entry = next(e for e in entries if e.name == "hw2-mallory")
    return entry.path, "convolution.py"
