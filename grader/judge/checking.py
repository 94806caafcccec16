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

from grader.i18n import _, check_text
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
RESULT = "the result"


def subject(what: str | None) -> str:
    """What a message is about, in the student's language: "the result" (ours), or a check's
    own ``what=`` (the ``checks`` domain, msgid its English text)."""
    if not what or what == RESULT:
        return _("the result")
    return check_text(what)


def _rationale(text: str | None) -> str | None:
    """A check's own ``rationale=`` sentence, in the student's language (domain ``checks``)."""
    return check_text(text) if text else None


def expect_tensor(value, what: str = RESULT) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise Failure(_("{what} should be a tensor", what=subject(what)),
                      expected=_("a torch.Tensor"), actual=values.describe_type(value),
                      kind="type")
    return value


def expect_shape(value, shape, what: str = RESULT) -> torch.Tensor:
    tensor = expect_tensor(value, what)
    want = tuple(int(n) for n in shape)
    if tuple(tensor.shape) != want:
        raise Failure(_("{what} has the wrong shape", what=subject(what)),
                      expected=_("shape {shape}", shape=_shape(want)),
                      actual=_("shape {shape}", shape=_shape(tuple(tensor.shape))), kind="shape")
    return tensor


def as_float64(*tensors: torch.Tensor):
    """The tensors as float64, for a check's own comparisons (``torch.isclose``, ``allclose``,
    which refuse two dtypes): a result in any floating dtype the docstring allows is judged on
    its values, never lost to "Double did not match Float".  Where a docstring fixes the
    dtype, check it separately (``expect_close(..., check_dtype=True)``, ``expect_dtype``).
    One tensor in, one out; several in, a tuple out."""
    converted = tuple(t.detach().to(torch.float64) for t in tensors)
    return converted[0] if len(converted) == 1 else converted


def expect_dtype(value, dtype: torch.dtype, what: str = RESULT,
                 contract: str | None = None) -> torch.Tensor:
    """``value`` must be a tensor of exactly ``dtype``; ``contract`` quotes the docstring."""
    tensor = expect_tensor(value, what)
    if tensor.dtype != dtype:
        message = _("{what} has the wrong dtype", what=subject(what))
        if contract:
            message = _("{message}: {contract}", message=message, contract=check_text(contract))
        raise Failure(message, expected=str(dtype), actual=str(tensor.dtype))
    return tensor


def expect_close(actual, expected: torch.Tensor, *, rtol: float = 1e-5, atol: float = 1e-5,
                 what: str = RESULT, rationale: str | None = None,
                 check_dtype: bool = False, equal_nan: bool = False) -> torch.Tensor:
    """``actual`` must be a tensor of ``expected``'s shape with values close to it."""
    tensor = expect_shape(actual, expected.shape, what)
    if check_dtype and tensor.dtype != expected.dtype:
        raise Failure(_("{what} has the wrong dtype", what=subject(what)),
                      expected=str(expected.dtype), actual=str(tensor.dtype))
    a, e = _comparable(tensor), _comparable(expected)
    # where the expected value itself is nan, nan is the right answer: never "nan differs
    # from nan"
    equal_nan = equal_nan or bool(torch.isnan(e).any())
    try:
        torch.testing.assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                                   check_dtype=False)
    except AssertionError:
        raise Failure(_rationale(rationale) or _("{what} has wrong values", what=subject(what)),
                      expected=values.format_value(expected),
                      actual=values.format_value(tensor),
                      details=mismatch_details(a, e, rtol, atol, equal_nan)) from None
    return tensor


def expect_equal(actual, expected, *, what: str = RESULT, rationale: str | None = None):
    """Plain values (numbers, strings, lists): exactly equal; tensors: use expect_close."""
    if isinstance(expected, torch.Tensor):
        return expect_close(actual, expected, rtol=0, atol=0, what=what, rationale=rationale)
    if type(actual) is not type(expected) and not (
            isinstance(expected, (int, float)) and isinstance(actual, (int, float))
            and not isinstance(actual, bool)):
        raise Failure(_rationale(rationale) or _("{what} has the wrong type", what=subject(what)),
                      expected=values.describe_type(expected), actual=values.describe_type(actual))
    if actual != expected:
        raise Failure(_rationale(rationale) or _("{what} is wrong", what=subject(what)),
                      expected=values.format_value(expected), actual=values.format_value(actual))
    return actual


def expect_number(actual, expected: float, *, rel: float = 1e-6, abs_: float = 1e-9,
                  what: str = RESULT, rationale: str | None = None) -> float:
    """A real number close to ``expected`` (a Python number or a one-element tensor)."""
    if isinstance(actual, torch.Tensor) and actual.numel() == 1:
        actual = actual.item()
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        raise Failure(_("{what} should be a number", what=subject(what)),
                      expected=_("a float"), actual=values.describe_type(actual))
    if not abs(actual - expected) <= max(abs_, rel * abs(expected)):
        raise Failure(_rationale(rationale) or _("{what} is wrong", what=subject(what)),
                      expected=values.format_number(float(expected)),
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
        raise Failure(_("{what} raised the wrong kind of error", what=_call_subject(what)),
                      expected=_or(types), actual=exc.type_name or _("an error")) from None
    raise Failure(_("{what} should raise an error", what=_call_subject(what)),
                  expected=_or(types),
                  actual=_("no error; it returned {value}",
                           value=values.describe_type(reply.value)))


def _call_subject(what: str | None) -> str:
    return check_text(what) if what else _("the call")


def _or(names) -> str:
    """``ValueError or AssertionError`` (names stay as they are)."""
    return _(" or ").join(names)


def expect_no_builtin(reply: Reply, exercise: str) -> None:
    """The call must not have used the built-ins listed as forbidden for the exercise."""
    if reply.used:
        names = ", ".join(reply.used)
        raise Failure(_("{exercise} calls {names}, which does the whole exercise for you",
                        exercise=exercise, names=names),
                      expected=_("your own implementation"),
                      actual=_("a call to {names}", names=names))


def advise_device(source, exercise: str) -> None:
    """Advice: tensors created with torch.zeros(...) & co. without ``device=``."""
    from grader.judge.hygiene import device_unaware_factories
    found = device_unaware_factories(source.text)
    if found:
        places = ", ".join(_("{call} at {where}", call=call, where=source.where(line))
                           for call, line in found[:3])
        raise Failure(_("{exercise} creates tensors on the CPU whatever the input's device "
                        "({places}): pass device=X.device, or use torch.zeros_like / "
                        "X.new_zeros, so that it also works on a GPU",
                        exercise=exercise, places=places))


def advise_vectorised(reply: Reply, outputs: int, exercise: str) -> None:
    """Advice: more torch calls than output elements means a Python loop per element."""
    if reply.ops is not None and reply.ops > outputs:
        raise Failure(_("{exercise} made {ops} torch calls for {outputs} output elements: a "
                        "Python loop per element is far slower than a vectorised version "
                        "(slicing whole rows/columns, or Tensor.unfold)",
                        exercise=exercise, ops=reply.ops, outputs=outputs))


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
    parts = [_("{count} of {total} elements differ", count=count, total=a.numel())]
    if finite.numel():
        parts.append(_("largest absolute error {error}",
                       error=values.format_number(finite.max().item())))
    new_nan = (torch.isnan(a) & ~torch.isnan(e)).nonzero()
    if new_nan.shape[0]:
        # explain the nan rather than compare it: where it is, what the answer should be there
        # and where a nan comes from
        index = tuple(int(i) for i in new_nan[0]) if a.dim() else ()
        parts.append(_("the result has nan at {count} of {total} positions, first at index "
                       "{index} where the answer is {answer}; a nan comes from 0 / 0 (e.g. "
                       "dividing by a length, a count or a norm that is 0), inf - inf, 0 * inf, "
                       "or the log or square root of a negative number",
                       count=new_nan.shape[0], total=a.numel(), index=_shape(index),
                       answer=values.format_number(e[index].item())))
        return _("; ").join(parts)
    if count:
        index = first if a.dim() else ()
        parts.append(_("first at index {index}: expected {expected}, got {got}",
                       index=_shape(index), expected=values.format_number(e[index].item()),
                       got=values.format_number(a[index].item())))
    return _("; ").join(parts)


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
