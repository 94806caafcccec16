"""The worker side of the trust boundary: everything that runs in or starts the worker.

The worker is the only process that imports student code.  Modules here never import the
judge's (tests/test_layout.py): ``worker`` and ``scenario_lib`` (in the worker), ``wire`` (the
format back to the judge), ``forkserver``, ``process`` and ``bwrap`` (start, limit and kill
workers), ``notebook_support`` (what a graded notebook's module runs first), ``client`` (the
judge's end of the pipe).
"""
