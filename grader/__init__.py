"""An auto-grader for deep-learning exercises: a trusted judge and an isolated worker.

Pipeline (one module each): discover -> sandbox/worker -> run -> score -> report.
This package must stay cheap to import: the worker imports it before torch.
In a notebook: ``from grader import check`` or ``%load_ext grader`` (see grader/kernel/).
"""
__version__ = "0.1.0"


def __getattr__(name):
    if name == "check":                       # from grader import check (in a notebook)
        from grader.kernel import check
        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")


def load_ipython_extension(shell) -> None:
    """``%load_ext grader``: the ``%check`` magic and ``check()`` (grader/kernel/)."""
    from grader.kernel import load_ipython_extension as load
    load(shell)
