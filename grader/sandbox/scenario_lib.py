"""What a scenario (a small trusted script a check runs inside the worker) can use.

Scenarios exist for exercises that need objects rather than values: build the student's
network, copy known weights into it, run it, return tensors.  They are sent to the worker as
source text and executed there with this namespace; they must only use their arguments and
the names below.  Nothing here may know about references or hidden checks: the worker
imports this module next to student code.  Its sentences are in the student's language (the
worker's, set from its start-up message: grader/i18n.py), as text to show, nothing more.

A scenario returns observations (tensors, numbers, strings), never a verdict: student code
runs in the same process and can replace this module, the worker's scenario op or
``Mismatch``, so whatever a scenario returns may be forged.  The judge decides every check from
observations it verifies on its own inputs (e.g. it recomputes each training step, or the loss
of the returned parameters in its own network).  ``Mismatch`` may only cost points.
"""
from __future__ import annotations

import contextlib
import math

from grader.i18n import _, check_text


class Mismatch(Exception):
    """Raised by a scenario when the student's object does not have the expected structure.

    The judge reports it as a failed check (with this message), not as a crash of student code.
    ``Mismatch("... {name} ...", name=value)``: the message is a template with named
    placeholders (a msgid of the ``checks`` domain), so that the judge can show it in the
    student's language; the worker sends the template and the values (as text) along.
    """

    def __init__(self, message: str = "", **values):
        self.template, self.values = message, values
        super().__init__(message.format(**values) if values else message)


def parameters_of(module) -> list:
    """A module's parameters in registration order, or a list/generator of tensors as given."""
    import torch
    if isinstance(module, torch.nn.Module):
        return list(module.parameters())
    return list(module)


def materialise(module, inputs=None) -> None:
    """Give a module's lazy layers (``nn.LazyLinear``, ``nn.LazyConv2d``...: the book's latest
    edition uses them) their shapes with one forward pass on ``inputs`` (a tuple of
    arguments), in eval mode and without gradients; the module's mode is restored.  Nothing
    happens for a module without lazy parameters, or when ``inputs`` is None."""
    import torch
    from torch.nn.parameter import is_lazy
    if inputs is None or not isinstance(module, torch.nn.Module):
        return
    if not any(is_lazy(p) for p in module.parameters()):
        return
    training = module.training
    module.eval()
    try:
        with torch.no_grad():
            module(*inputs)
    finally:
        module.train(training)


def load_by_shape(module, tensors, inputs=None) -> None:
    """Copy ``tensors`` into ``module``'s parameters, matching them by shape, never by name.

    Within a group of equal shapes, tensors are assigned in registration order: tests choose
    sizes that make every shape distinct wherever the order could matter.  ``inputs``: the
    arguments of a forward pass that materialises lazy layers first (see materialise).
    """
    import torch
    materialise(module, inputs)
    params = parameters_of(module)
    want = sorted(tuple(t.shape) for t in tensors)
    have = sorted(tuple(p.shape) for p in params)
    if want != have:
        raise Mismatch(describe_shape_difference(want, have))
    pool: dict[tuple, list] = {}
    for tensor in tensors:
        pool.setdefault(tuple(tensor.shape), []).append(tensor)
    with torch.no_grad():
        for param in params:
            param.copy_(pool[tuple(param.shape)].pop(0))


def fill_by_shape(module, seed: int, inputs=None) -> None:
    """Give ``module``'s parameters known values that depend only on their shapes and ``seed``.

    The judge fills the reference the same way, so both networks hold the same weights without
    sending any over the pipe (an AlexNet's are 230 MB).  Parameters are taken in order of
    shape, and within one shape in registration order; values are normal with std
    1/sqrt(fan_in), so activations stay in a sensible range however deep the network is.
    ``inputs``: the arguments of a forward pass that materialises lazy layers first (every
    scenario that builds a student's network passes them: see materialise).
    """
    import zlib

    import torch
    materialise(module, inputs)
    params = parameters_of(module)
    order = sorted(range(len(params)), key=lambda i: (tuple(params[i].shape), i))
    seen: dict[tuple, int] = {}
    with torch.no_grad():
        for index in order:
            param = params[index]
            shape = tuple(param.shape)
            nth = seen[shape] = seen.get(shape, -1) + 1
            generator = torch.Generator().manual_seed(zlib.crc32(repr((seed, shape, nth)).encode()))
            fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
            values = torch.randn(shape, generator=generator) / math.sqrt(fan_in)
            param.copy_(values.to(param.dtype))


@contextlib.contextmanager
def gru_state_contract(module, what: str):
    """Run a block that feeds a GRU's state, one tensor (num_layers, batch_size, num_hiddens),
    to ``module`` (``what``: "the decoder").  When the block raises and ``module`` holds an
    LSTM (whose state is a pair (h, c): the course notebooks' variant, where the exercise pins
    the docstring's nn.GRU), raise :class:`Mismatch` naming that contract instead of letting
    torch's internal error stand; anything else is re-raised unchanged."""
    import torch
    try:
        yield
    except Mismatch:
        raise
    except Exception:  # noqa: BLE001 - re-raised below unless the contract explains it
        lstm = isinstance(module, torch.nn.Module) and any(
            isinstance(m, (torch.nn.LSTM, torch.nn.LSTMCell)) for m in module.modules())
        if not lstm:
            raise
        raise Mismatch(_("{what} is built on an nn.LSTM and failed when given a GRU's state: "
                         "this exercise pins the recurrent cell to the docstring's nn.GRU, whose "
                         "state is one tensor (num_layers, batch_size, num_hiddens), not an "
                         "LSTM's pair (h, c)", what=check_text(what))) from None


def describe_shape_difference(want: list[tuple], have: list[tuple]) -> str:
    from collections import Counter
    missing = Counter(want) - Counter(have)
    extra = Counter(have) - Counter(want)
    parts = [_("expected {want} parameter tensors, found {have}", want=len(want), have=len(have))]
    if missing:
        parts.append(_("missing shapes {shapes}",
                       shapes=", ".join(_shape(s) for s in sorted(missing.elements()))))
    if extra:
        parts.append(_("unexpected shapes {shapes}",
                       shapes=", ".join(_shape(s) for s in sorted(extra.elements()))))
    return _("; ").join(parts)


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"


def stage_outputs(module, X) -> list:
    """Run X through the children of a sequential-like module, returning each stage's output.

    Works for ``nn.Sequential`` and for modules whose children, applied in registration order,
    are the forward pass; for anything else, only the final output is returned.
    """
    import torch
    children = list(module.children()) if isinstance(module, torch.nn.Module) else []
    outputs, value = [], X
    try:
        for child in children:
            value = child(value)
            outputs.append(value)
    except Exception:  # noqa: BLE001 - not a pure pipeline: fall back to the whole forward
        return [module(X)]
    return outputs or [module(X)]


def namespace(student) -> dict:
    """Globals for a scenario's source."""
    import torch
    from torch import nn
    from torch.nn import functional as F
    return {
        "__name__": "grader_scenario", "__builtins__": __builtins__,
        "torch": torch, "nn": nn, "F": F, "math": math, "student": student,
        "scenario": lambda fn: fn, "Mismatch": Mismatch, "N_": lambda message: message,
        "parameters_of": parameters_of, "load_by_shape": load_by_shape,
        "fill_by_shape": fill_by_shape, "materialise": materialise,
        "stage_outputs": stage_outputs, "gru_state_contract": gru_state_contract,
    }
