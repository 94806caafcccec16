"""Checks for solutions/dropout.py.

Statistical checks and their false-failure bounds (a correct dropout, whatever the mask it
draws, fails with at most this probability; Hoeffding: P(|mean - E| >= t) <= 2 exp(-2 n t^2)):
    kept_fraction_matches_probability: 2 tests x 2 exp(-2 * 100_000 * 0.012^2) = 1.3e-12
    masks_are_independent:             2 tests x 2 exp(-2 * 100_000 * 0.012^2) = 1.3e-12
Total for this file: < 3e-12, far under the 1e-9 the course promises.
"""
import math

import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.checking import (Failure, advise_device, check, examples, expect_close, expect_no_builtin,
                             expect_raises, expect_shape, expect_tensor)
from grader.strategies import shapes, tensors

ANY_SHAPE = st.integers(1, 3).flatmap(lambda d: shapes(d, 1, 6))
HOEFFDING_T = 0.012        # with n = 100_000: 2 exp(-2 n t^2) = 6.3e-13 per test
N_STAT = 100_000


def hoeffding_bound(n: int, t: float) -> float:
    return 2 * math.exp(-2 * n * t * t)


assert hoeffding_bound(N_STAT, HOEFFDING_T) < 1e-12


def _only_zeros_or_scaled(Y, X, p, what="the result"):
    """Every element of Y is 0 or X / (1 - p)."""
    scaled = X.float() / (1 - p)
    ok = (Y == 0) | torch.isclose(Y, scaled, rtol=1e-5, atol=1e-6)
    if not bool(ok.all()):
        index = tuple(int(i) for i in (~ok).nonzero()[0])
        raise Failure(f"{what} has an element that is neither dropped (0) nor scaled by "
                      f"1 / (1 - drop_prob)",
                      expected=f"0 or {float(scaled[index]):.6g} at index {index}",
                      actual=f"{float(Y[index]):.6g}")


@check("dropout", hint="dropout only zeroes elements: the output has exactly X's shape.")
@examples(25)
@given(X=ANY_SHAPE.flatmap(tensors), p=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_keeps_shape(student, X, p):
    """returns a tensor of the input's shape"""
    expect_shape(student.dropout(X, p), X.shape)


@check("dropout", hint="start with X = X.float(): integer inputs must give a float result, "
                       "also when drop_prob is 0 or 1.")
def test_converts_to_float(student):
    """converts an integer input to float (for every drop_prob)"""
    X = torch.arange(12).reshape(3, 4)
    for p in (0.0, 0.5, 1.0):
        Y = expect_tensor(student.dropout(X, p))
        if not Y.is_floating_point():
            raise Failure(f"with an int64 input and drop_prob={p}, the result is not float",
                          expected="a floating-point dtype", actual=str(Y.dtype))
    expect_close(student.dropout(X, 0.0), X.float(), rtol=0, atol=0)


@check("dropout", hint="with drop_prob = 0 every element is kept and divided by 1 - 0 = 1.")
@examples(25)
@given(X=ANY_SHAPE.flatmap(lambda s: tensors(s, integer_valued=False, low=-100, high=100)))
def test_p0_is_identity(student, X):
    """drop_prob = 0 returns the input unchanged"""
    expect_close(student.dropout(X, 0.0), X, rtol=0, atol=0,
                 rationale="dropout(X, 0) must equal X")


@check("dropout", hint="with drop_prob = 1 nothing is kept; 1 - drop_prob is 0, so return "
                       "zeros before dividing by it.")
@examples(20)
@given(X=ANY_SHAPE.flatmap(tensors), p=st.sampled_from([1, 1.0]))
def test_p1_gives_zeros(student, X, p):
    """drop_prob = 1 returns all zeros (no division by zero)"""
    expect_close(student.dropout(X, p), torch.zeros(X.shape), rtol=0, atol=0,
                 rationale="dropout(X, 1) must be all zeros")


@check("dropout", hint="check 0 <= drop_prob <= 1 first: assert it, or raise ValueError.")
def test_invalid_probability_raises(student):
    """a drop_prob outside [0, 1] raises AssertionError or ValueError"""
    X = torch.ones(2, 3)
    for p in (-0.1, 1.5, 2.0, -1.0):
        expect_raises(student.dropout, X, p, what=f"dropout(X, {p})")


@check("dropout", hint="inverted dropout divides the kept elements by 1 - drop_prob "
                       "(the keep probability), not by drop_prob, and keeps X's sign and value.")
@examples(30)
@given(X=st.integers(1, 2).flatmap(lambda d: shapes(d, 1, 8)).flatmap(
    lambda s: tensors(s, integer_valued=False, low=-50, high=50, nonzero=True)),
    p=st.floats(0.05, 0.95))
def test_kept_values_are_scaled(student, X, p):
    """every element is either dropped (0) or scaled to X / (1 - drop_prob)"""
    Y = expect_shape(student.dropout(X, p), X.shape)
    _only_zeros_or_scaled(Y, X, p)


@check("dropout", hint="an element is dropped with probability drop_prob: keep it when "
                       "torch.rand(...) < 1 - drop_prob.")
def test_kept_fraction_matches_probability(student):
    """drops a fraction drop_prob of 100,000 elements (statistical; false failure < 1e-12)"""
    X = torch.ones(200, N_STAT // 200)
    for p in (0.2, 0.7):
        Y = expect_shape(student.dropout(X, p), X.shape)
        _only_zeros_or_scaled(Y, X, p)
        kept = float((Y != 0).float().mean())
        if abs(kept - (1 - p)) >= HOEFFDING_T:
            raise Failure(f"with drop_prob={p}, the fraction of kept elements is far from "
                          f"1 - drop_prob", expected=f"about {1 - p:.3f} (within {HOEFFDING_T})",
                          actual=f"{kept:.4f}")


@check("dropout", hint="draw one random number per element: torch.rand(X.shape), not one "
                       "per row or per column.")
def test_masks_are_independent(student):
    """drops elements independently, not whole rows or columns (statistical; < 1e-12)"""
    X = torch.ones(400, 500)
    Y = expect_shape(student.dropout(X, 0.5), X.shape)
    kept = (Y != 0).float()
    # disjoint pairs of rows (and of columns) are independent: they agree half of the time
    rows = float((kept[0::2] == kept[1::2]).float().mean())       # 200 x 500 = 100,000 pairs
    cols = float((kept[:, 0::2] == kept[:, 1::2]).float().mean())  # 400 x 250 = 100,000 pairs
    for name, agree in (("rows", rows), ("columns", cols)):
        if abs(agree - 0.5) >= HOEFFDING_T:
            raise Failure(f"neighbouring {name} have almost the same mask: elements are not "
                          f"dropped independently", expected="masks agree on about 50% of "
                          "positions", actual=f"they agree on {agree:.1%}")


@check("dropout", hint="write the mask yourself with torch.rand; F.dropout does the whole "
                       "exercise for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch's dropout"""
    X = torch.arange(1.0, 41.0).reshape(5, 8)
    reply = student.dropout.reply(X, 0.5, watch=True)
    expect_no_builtin(reply, "dropout")
    _only_zeros_or_scaled(expect_shape(reply.value, X.shape), X, 0.5)


@check("dropout", advisory=True)
def test_does_not_modify_input(student):
    """leaves its input tensor unchanged"""
    X = torch.arange(1.0, 13.0).reshape(3, 4)
    reply = student.dropout.reply(X, 0.5, check_mutation=True)
    if reply.mutated:
        raise Failure("dropout changes its argument X in place (X.float() does not copy a "
                      "float tensor): compute a new tensor instead of writing into X")


@check("dropout", advisory=True)
def test_creates_tensors_on_input_device(student_source):
    """creates its mask on the input's device"""
    advise_device(student_source, "dropout")
