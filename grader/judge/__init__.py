"""The trusted judge: one pytest session over the checks, which decides every verdict.

``run`` (the entry point), ``plugin`` (pytest hooks), ``student`` (the ``student`` fixture: calls
go to the worker, values come back), ``api`` (the one import path of the checks: ``checking``,
``strategies``, ``values``), ``score`` (results and the JSON schema), ``hygiene`` (static advice).
"""
