"""An auto-grader for deep-learning exercises: a trusted judge and an isolated worker.

Pipeline (one module each): discover -> sandbox/worker -> run -> score -> report.
This package must stay cheap to import: the worker imports it before torch.
"""
__version__ = "0.1.0"
