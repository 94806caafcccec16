"""The API for writing checks (``grader/checks/<topic>.py``).

A check is a pytest function decorated with :func:`check`; its docstring is the sentence the
student sees, and its ``hint`` is the help shown when it fails.  Checks take the ``student``
fixture (calls go to the worker) and, for hidden checks only, the ``reference`` fixture (the
solution module, imported in the judge).  They say what is wrong by raising :class:`Failure`,
usually through the ``expect_*`` helpers, which compare with ``torch.testing.assert_close``
and describe the difference (shape, dtype, largest error, first mismatching index).

Points and visibility are not here: they are data, in the assignment table.
"""
from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, Phase, Verbosity, settings

from grader.judge import values
from grader.judge.student import (Failure, Mismatch, NotImplementedYet, Reply, StudentError,  # noqa: F401
                            scenario)
from grader.sandbox.wire import Opaque

# assert_close imports torch.distributed.tensor on first use (0.6 s here) only to unwrap
# DTensors, which grading never sees: skip that import.
if getattr(torch.testing._comparison, "_HAS_DTENSOR", False):
    torch.testing._comparison._HAS_DTENSOR = False

# Grading is deterministic: a fixed derivation of every random choice from the check's own
# source, no example database, no deadline (timing belongs to the worker's limits).
GRADER_SETTINGS = settings(
    derandomize=True, database=None, deadline=None, print_blob=False,
    report_multiple_bugs=False, suppress_health_check=list(HealthCheck), max_examples=25,
    phases=(Phase.explicit, Phase.generate, Phase.shrink), verbosity=Verbosity.quiet)


def examples(n: int) -> settings:
    """``@examples(40)``: how many generated inputs a property check runs."""
    return settings(GRADER_SETTINGS, max_examples=n)


def check(exercise: str, *, hint: str = "", advisory: bool = False, name: str | None = None):
    """Declare a check of ``exercise``.  Its name is ``name``, or the function's name without
    ``test_`` (give ``name`` when two exercises of one topic file have a check of that name).

    ``advisory=True``: a failure is reported as advice and never costs points (e.g. "mutates
    its input"); such checks have 0 points in the assignment table.
    """
    def decorate(fn):
        return pytest.mark.grader(exercise=exercise, hint=hint, advisory=advisory,
                                  name=name)(fn)
    return decorate


# --------------------------------------------------------------------------- expectations
def expect_tensor(value, what: str = "the result") -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise Failure(f"{what} should be a tensor", expected="a torch.Tensor",
                      actual=values.describe_type(value), kind="type")
    return value


def expect_shape(value, shape, what: str = "the result") -> torch.Tensor:
    tensor = expect_tensor(value, what)
    want = tuple(int(n) for n in shape)
    if tuple(tensor.shape) != want:
        raise Failure(f"{what} has the wrong shape", expected=f"shape {_shape(want)}",
                      actual=f"shape {_shape(tuple(tensor.shape))}", kind="shape")
    return tensor


def as_float64(*tensors: torch.Tensor):
    """The tensors as float64, for a check's own comparisons (``torch.isclose``, ``allclose``,
    which refuse two dtypes): a result in any floating dtype the docstring allows is judged on
    its values, never lost to "Double did not match Float".  Where a docstring fixes the
    dtype, check it separately (``expect_close(..., check_dtype=True)``, ``expect_dtype``).
    One tensor in, one out; several in, a tuple out."""
    converted = tuple(t.detach().to(torch.float64) for t in tensors)
    return converted[0] if len(converted) == 1 else converted


def expect_dtype(value, dtype: torch.dtype, what: str = "the result",
                 contract: str | None = None) -> torch.Tensor:
    """``value`` must be a tensor of exactly ``dtype``; ``contract`` quotes the docstring."""
    tensor = expect_tensor(value, what)
    if tensor.dtype != dtype:
        raise Failure(f"{what} has the wrong dtype" + (f": {contract}" if contract else ""),
                      expected=str(dtype), actual=str(tensor.dtype))
    return tensor


def expect_close(actual, expected: torch.Tensor, *, rtol: float = 1e-5, atol: float = 1e-5,
                 what: str = "the result", rationale: str | None = None,
                 check_dtype: bool = False, equal_nan: bool = False) -> torch.Tensor:
    """``actual`` must be a tensor of ``expected``'s shape with values close to it."""
    tensor = expect_shape(actual, expected.shape, what)
    if check_dtype and tensor.dtype != expected.dtype:
        raise Failure(f"{what} has the wrong dtype", expected=str(expected.dtype),
                      actual=str(tensor.dtype))
    a, e = _comparable(tensor), _comparable(expected)
    # where the expected value itself is nan, nan is the right answer: never "nan differs
    # from nan"
    equal_nan = equal_nan or bool(torch.isnan(e).any())
    try:
        torch.testing.assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                                   check_dtype=False)
    except AssertionError:
        raise Failure(rationale or f"{what} has wrong values", expected=values.format_value(expected),
                      actual=values.format_value(tensor),
                      details=mismatch_details(a, e, rtol, atol, equal_nan)) from None
    return tensor


def expect_equal(actual, expected, *, what: str = "the result", rationale: str | None = None):
    """Plain values (numbers, strings, lists): exactly equal; tensors: use expect_close."""
    if isinstance(expected, torch.Tensor):
        return expect_close(actual, expected, rtol=0, atol=0, what=what, rationale=rationale)
    if type(actual) is not type(expected) and not (
            isinstance(expected, (int, float)) and isinstance(actual, (int, float))
            and not isinstance(actual, bool)):
        raise Failure(rationale or f"{what} has the wrong type",
                      expected=values.describe_type(expected), actual=values.describe_type(actual))
    if actual != expected:
        raise Failure(rationale or f"{what} is wrong", expected=values.format_value(expected),
                      actual=values.format_value(actual))
    return actual


def expect_number(actual, expected: float, *, rel: float = 1e-6, abs_: float = 1e-9,
                  what: str = "the result", rationale: str | None = None) -> float:
    """A real number close to ``expected`` (a Python number or a one-element tensor)."""
    if isinstance(actual, torch.Tensor) and actual.numel() == 1:
        actual = actual.item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        raise Failure(f"{what} should be a number", expected="a float",
                      actual=values.describe_type(actual))
    if not abs(actual - expected) <= max(abs_, rel * abs(expected)):
        raise Failure(rationale or f"{what} is wrong", expected=values.format_number(float(expected)),
                      actual=values.format_number(float(actual)))
    return float(actual)


def expect_raises(call, *args, types=("AssertionError", "ValueError"), what: str | None = None,
                  **kwargs) -> str:
    """``call(*args)`` (a student function) must raise one of ``types`` (names)."""
    try:
        reply = call.reply(*args, **kwargs)
    except NotImplementedYet:
        raise
    except StudentError as exc:
        if exc.type_name in types:
            return exc.type_name
        raise Failure(f"{what or 'the call'} raised the wrong kind of error",
                      expected=" or ".join(types), actual=exc.type_name or "an error") from None
    raise Failure(f"{what or 'the call'} should raise an error", expected=" or ".join(types),
                  actual=f"no error; it returned {values.describe_type(reply.value)}")


def expect_no_builtin(reply: Reply, exercise: str) -> None:
    """The call must not have used the built-ins listed as forbidden for the exercise."""
    if reply.used:
        names = ", ".join(reply.used)
        raise Failure(f"{exercise} calls {names}, which does the whole exercise for you",
                      expected="your own implementation", actual=f"a call to {names}")


def advise_device(source, exercise: str) -> None:
    """Advice: tensors created with torch.zeros(...) & co. without ``device=``."""
    from grader.judge.hygiene import device_unaware_factories
    found = device_unaware_factories(source.text)
    if found:
        places = ", ".join(f"{call} at {source.where(line)}" for call, line in found[:3])
        raise Failure(f"{exercise} creates tensors on the CPU whatever the input's device "
                      f"({places}): pass device=X.device, or use torch.zeros_like / "
                      f"X.new_zeros, so that it also works on a GPU")


def advise_vectorised(reply: Reply, outputs: int, exercise: str) -> None:
    """Advice: more torch calls than output elements means a Python loop per element."""
    if reply.ops is not None and reply.ops > outputs:
        raise Failure(f"{exercise} made {reply.ops} torch calls for {outputs} output elements: "
                      f"a Python loop per element is far slower than a vectorised version "
                      f"(slicing whole rows/columns, or Tensor.unfold)")


def mismatch_details(a: torch.Tensor, e: torch.Tensor, rtol: float, atol: float,
                     equal_nan: bool = False) -> str:
    if a.numel() == 0:
        return ""
    close = torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    bad = (~close).nonzero()
    count = bad.shape[0]
    first = tuple(int(i) for i in bad[0]) if count else ()
    diff = (a - e).abs()
    finite = diff[torch.isfinite(diff)]
    parts = [f"{count} of {a.numel()} elements differ"]
    if finite.numel():
        parts.append(f"largest absolute error {values.format_number(finite.max().item())}")
    new_nan = (torch.isnan(a) & ~torch.isnan(e)).nonzero()
    if new_nan.shape[0]:
        # explain the nan rather than compare it: where it is, what the answer should be there
        # and where a nan comes from
        index = tuple(int(i) for i in new_nan[0]) if a.dim() else ()
        parts.append(f"the result has nan at {new_nan.shape[0]} of {a.numel()} positions, "
                     f"first at index {_shape(index)} where the answer is "
                     f"{values.format_number(e[index].item())}; a nan comes from 0 / 0 (e.g. "
                     "dividing by a length, a count or a norm that is 0), inf - inf, 0 * inf, "
                     "or the log or square root of a negative number")
        return "; ".join(parts)
    if count:
        index = first if a.dim() else ()
        parts.append(f"first at index {_shape(index)}: expected "
                     f"{values.format_number(e[index].item())}, got "
                     f"{values.format_number(a[index].item())}")
    return "; ".join(parts)


def _comparable(t: torch.Tensor) -> torch.Tensor:
    if t.is_complex():
        return t.to(torch.complex128)
    return t.to(torch.float64)


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


__all__ = ["GRADER_SETTINGS", "examples", "check", "scenario", "Failure", "Mismatch",
           "expect_tensor", "expect_shape", "expect_close", "expect_equal", "expect_number",
           "expect_raises", "expect_no_builtin", "advise_device", "advise_vectorised",
           "mismatch_details", "Opaque", "StudentError",
           "NotImplementedYet", "Reply"]
