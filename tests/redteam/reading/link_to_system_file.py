"""convolution.py is a link to /etc/passwd: its first line would be shown in a syntax-error
message.

bwrap: blocked
process: blocked
"""
import shutil


def build(submission, course):
    (submission / "convolution.py").symlink_to("/etc/passwd")
    shutil.copy(course / "solutions" / "pooling.py", submission / "pooling.py")
    return submission, "convolution.py"


def SECRETS(course):
    with open("/etc/passwd") as handle:
        return [handle.readline().strip()]
