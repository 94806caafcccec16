"""The framework's own errors (not the student's), caught once at the top of the CLI.

Exit codes of ``grade`` (also in ``grade --help`` and the README):
    0  graded (whatever the score), or the command did what it was asked
    1  graded, but the score is below ``--fail-under``; or ``grade validate`` found problems
    2  usage error: bad option, unknown exercise, missing or unreadable submission
    3  internal error: the assignment or a check is broken (a bug for the instructor), or an
       official run (``--sandbox bwrap``) whose OS sandbox cannot start
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_BELOW_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class GraderError(Exception):
    """Base of every error the CLI reports as a one-line message with an exit code."""
    exit_code = EXIT_INTERNAL


class UsageError(GraderError):
    """The user asked for something that cannot be done (bad path, unknown exercise)."""
    exit_code = EXIT_USAGE


class ConfigError(GraderError):
    """The assignment description ([tool.grader]) is missing or inconsistent."""
    exit_code = EXIT_INTERNAL


class InternalError(GraderError):
    """The judge itself failed (a broken check, a collection error): never the student's fault."""
    exit_code = EXIT_INTERNAL


class SandboxUnavailable(GraderError):
    """Official grading asked for the OS sandbox and it cannot start here: grading refuses
    rather than run student code unsandboxed (exit 3: the machine's fault, not the student's)."""
    exit_code = EXIT_INTERNAL
