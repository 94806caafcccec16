"""``check()`` in a running Jupyter kernel: grade what the kernel has run, isolated.

The kernel side of in-notebook grading.  Importing this package is cheap (no torch, no
judge); the grading itself happens in a separate ``grade`` process.

- ``history.py``: the cells the kernel executed (IPython's history), as a notebook the grader
  reads; the notebook file, when known, for its tags and for cells edited since they ran.
- ``judge_process.py``: ``grade -s`` as a child process, its progress, stopping it.
- ``render.py``: the result inline, as escaped HTML (collapsible) and plain text.
- ``checker.py``: ``check()`` itself, one at a time per kernel, and the ``%check`` magic.

Students write ``from grader import check`` then ``check("dropout")``, or ``%load_ext grader``
then ``%check dropout``.
"""
from __future__ import annotations


def check(*exercises, **options):
    """Grade exercises as this kernel has them; see :func:`grader.kernel.checker.check`."""
    from grader.kernel.checker import check as run
    return run(*exercises, **options)


def load_ipython_extension(shell) -> None:
    from grader.kernel.checker import load_ipython_extension as load
    load(shell)
