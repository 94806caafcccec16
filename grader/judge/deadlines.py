"""Per-call deadlines from the reference's cost on the same input.

A call of student code gets :data:`FLOOR` worker seconds (grader/sandbox/usage.py: time the
worker spent computing or blocked on its own account, never time it waited for a CPU on a busy
machine).  A call still running then is timed against the reference: the judge runs the
reference solution on a copy of the same input (same seed) while the worker goes on, and the
call's limit becomes :data:`MULTIPLE` times the reference's CPU seconds, never less than the
floor and never more than the assignment's ``call_timeout``.  So a hanging function costs about
``FLOOR`` seconds of its own time, not ``call_timeout``, and slow but finite code still gets
fifty times what the model answer needs.

Why this never fails correct code on a loaded machine: both sides are measured in time that
load does not stretch (the reference in the judge thread's CPU seconds, the call in worker
seconds), the floor covers what a first call pays once (lazy initialisation in torch), and
where worker seconds cannot be measured the deadline is the assignment's ``call_timeout`` in
wall seconds, as before.  Nearly every call answers within the floor, so the reference is run
only for the few that do not; its cost is cached per process (a batch slot) by the input's
bytes, so a class full of the same hang pays for it once.

The report never shows the measured figure (it varies from run to run; the same submission
must give the same bytes): a timeout names the rule, not the number.
"""
from __future__ import annotations

import copy
import hashlib
import pickle
import random
import textwrap
import time
from pathlib import Path
from typing import Callable

# worker seconds every call gets: a first call pays torch's lazy initialisation once (the
# first optimizer step alone is ~2.8 s of CPU on the course machine, before the fork server
# warmed it), and a slower CPU pays more: the floor keeps well clear of that
FLOOR = 5.0
MULTIPLE = 50          # times the reference's CPU seconds on the same input

_COSTS: dict[tuple, float | None] = {}     # (reference file, input digest) -> seconds
_COSTS_LIMIT = 100_000


def limit_text(cap: float, from_reference: bool) -> str:
    """The rule a timed-out call broke, in the words of the report (no measured figure)."""
    from grader.i18n import _
    if from_reference:
        return _("its time limit ({multiple} times what the model solution takes on the same "
                 "input, at least {floor} s)", multiple=MULTIPLE, floor=f"{FLOOR:g}")
    return _("{seconds} s", seconds=f"{cap:g}")


class ReferenceCosts:
    """The reference's cost on a call's input; ``module_for(topic)`` is the reference module
    of a topic, or None where there is none (a student release)."""

    def __init__(self, module_for: Callable[[str], object | None]):
        self.module_for = module_for

    def limit(self, topic: str, message: dict) -> float | None:
        """MULTIPLE x the reference's CPU seconds on ``message`` (a request to the worker),
        or None when the reference cannot say (no reference, no such function, it raised)."""
        module = self.module_for(topic)
        if module is None:
            return None
        path = getattr(module, "__file__", None) or topic
        try:
            mtime = Path(path).stat().st_mtime_ns
        except OSError:
            mtime = 0
        key = (path, mtime, _digest(message))
        if key not in _COSTS:
            if len(_COSTS) >= _COSTS_LIMIT:
                _COSTS.clear()
            _COSTS[key] = _measure(module, message)
        cost = _COSTS[key]
        return None if cost is None else MULTIPLE * cost


def _digest(message: dict) -> str:
    from grader.sandbox import wire
    wanted = {k: message.get(k) for k in ("op", "name", "source", "args", "kwargs", "seed")}
    try:
        data = wire.encode(wanted, strict=True)
    except Exception:  # noqa: BLE001 - objects a check passes on purpose: pickled instead
        data = pickle.dumps(wanted, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(data).hexdigest()


def _measure(module, message: dict) -> float | None:
    """The judge thread's CPU seconds for the reference on a copy of the input."""
    import torch

    from grader.sandbox.worker import seed_torch
    target = _target(module, message)
    if target is None:
        return None
    try:
        args = copy.deepcopy(tuple(message.get("args", ())))
        kwargs = copy.deepcopy(dict(message.get("kwargs", {})))
    except Exception:  # noqa: BLE001 - an argument that cannot be copied: no measure
        return None
    # the judge's own random streams are left as they were: the check draws after this
    python_state = random.getstate()
    with torch.random.fork_rng(devices=[]):
        seed = int(message.get("seed", 0))
        seed_torch(torch, seed)
        random.seed(seed)
        started = time.thread_time()
        try:
            target(*args, **kwargs)
        except Exception:  # noqa: BLE001 - this input is not one the reference takes
            return None
        finally:
            random.setstate(python_state)
        return time.thread_time() - started


def _target(module, message: dict):
    if message.get("op") == "call":
        target = getattr(module, str(message.get("name")), None)
        return target if callable(target) else None
    if message.get("op") == "scenario":
        from grader.sandbox import scenario_lib
        namespace = scenario_lib.namespace(module)
        try:
            exec(compile(textwrap.dedent(message["source"]), "<scenario>", "exec"), namespace)
        except Exception:  # noqa: BLE001
            return None
        return namespace.get(message.get("name"))
    return None
