"""A student repository that holds only `exercises -> ../solutions` (a folder link); graded as
the repository and as the `exercises` folder (what the workflow's checkout grades).

bwrap: blocked
process: blocked
"""
import os


def build(submission, course):
    repo = submission / "repo"
    repo.mkdir()
    solutions = submission / "solutions"
    solutions.symlink_to(course / "solutions")
    (repo / "exercises").symlink_to(os.path.relpath(course / "solutions", repo))
    return repo / "exercises", "exercises"


def build_repository(submission, course):
    root, _ = build(submission, course)
    return root.parent, "exercises"
