"""Checks for solutions/convolution.py."""
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader.checking import (Failure, advise_device, advise_vectorised, check, examples, expect_close, expect_no_builtin,
                             expect_shape)
from grader.strategies import input_and_kernel, tensors

CROSS_NOT_CONV = ("cross-correlation slides K over X without flipping it: "
                  "Y[i, j] = (X[i:i+kh, j:j+kw] * K).sum().")


@check("corr2d", hint=CROSS_NOT_CONV)
def test_book_example(student):
    """reproduces the book's example: corr2d(arange(9).reshape(3, 3), [[0, 1], [2, 3]])"""
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    expect_close(student.corr2d(X, K), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


@check("corr2d", hint="with K = [[1, -1]], Y[i, j] = X[i, j] - X[i, j + 1]: 1 where a white "
                      "column meets a black one, -1 where black meets white.")
def test_edge_detection_example(student):
    """finds the vertical edges of the book's 6 x 8 black-and-white image"""
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    expected = torch.zeros(6, 7)
    expected[:, 1] = 1
    expected[:, 5] = -1
    expect_close(student.corr2d(X, K), expected)


@check("corr2d", hint="the output has shape (h - kh + 1, w - kw + 1): one row per vertical "
                      "position of the kernel, one column per horizontal position.")
@examples(40)
@given(data=input_and_kernel(max_side=9))
def test_output_shape(student, data):
    """has shape (h - kh + 1, w - kw + 1), also for non-square and 1-wide inputs and kernels"""
    X, K = data
    expect_shape(student.corr2d(X, K), (X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))


@check("corr2d", hint=CROSS_NOT_CONV)
@examples(40)
@given(data=input_and_kernel(max_side=8))
def test_matches_conv2d(student, data):
    """matches torch's conv2d (which is a cross-correlation) on generated inputs"""
    X, K = data
    expected = F.conv2d(X[None, None], K[None, None])[0, 0]
    expect_close(student.corr2d(X, K), expected, rtol=0, atol=1e-4)


@check("corr2d", hint="compute in floating point: do not round or convert to integers.")
@examples(20)
@given(data=input_and_kernel(max_side=7, integer_valued=False, low=-10, high=10))
def test_matches_reference_on_real_values(student, reference, data):
    """matches the reference on real-valued (non-integer) inputs"""
    X, K = data
    expect_close(student.corr2d(X, K), reference.corr2d(X, K), rtol=1e-4, atol=1e-4)


@st.composite
def _two_inputs_and_kernel(draw):
    X, K = draw(input_and_kernel(max_side=6))
    Z = draw(tensors(tuple(X.shape)))
    a, b = draw(st.integers(-3, 3)), draw(st.integers(-3, 3))
    return X, Z, K, a, b


@check("corr2d", hint="cross-correlation is linear in X: no bias, no clamping, no "
                      "normalisation of the output.")
@examples(20)
@given(data=_two_inputs_and_kernel())
def test_linear_in_the_input(student, data):
    """is linear: corr2d(a*X + b*Z, K) == a*corr2d(X, K) + b*corr2d(Z, K)"""
    X, Z, K, a, b = data
    combined = student.corr2d(a * X + b * Z, K)
    separate = a * expect_shape(student.corr2d(X, K), combined.shape) + \
        b * expect_shape(student.corr2d(Z, K), combined.shape)
    expect_close(combined, separate, atol=1e-3,
                 rationale=f"corr2d({a}*X + {b}*Z, K) differs from {a}*corr2d(X, K) + "
                           f"{b}*corr2d(Z, K)")


@check("corr2d", hint="every output position uses the same rule: the output's size "
                      "depends on X's height for rows and X's width for columns.")
@examples(20)
@given(data=input_and_kernel(max_side=7, min_side=2))
def test_shifting_input_shifts_output(student, data):
    """dropping X's first row (or column) drops the output's first row (or column)"""
    X, K = data
    if K.shape[0] < X.shape[0]:
        full = expect_shape(student.corr2d(X, K), (X.shape[0] - K.shape[0] + 1,
                                                   X.shape[1] - K.shape[1] + 1))
        expect_close(student.corr2d(X[1:], K), full[1:], atol=1e-4,
                     rationale="corr2d(X[1:], K) should equal corr2d(X, K)[1:]")
    if K.shape[1] < X.shape[1]:
        full = expect_shape(student.corr2d(X, K), (X.shape[0] - K.shape[0] + 1,
                                                   X.shape[1] - K.shape[1] + 1))
        expect_close(student.corr2d(X[:, 1:], K), full[:, 1:], atol=1e-4,
                     rationale="corr2d(X[:, 1:], K) should equal corr2d(X, K)[:, 1:]")


@check("corr2d", hint="loop over the output positions (or use tensor slicing); "
                      "F.conv2d does the whole exercise for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch's conv2d"""
    X = torch.arange(20.0).reshape(4, 5)
    K = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
    reply = student.corr2d.reply(X, K, watch=True)
    expect_no_builtin(reply, "corr2d")
    expect_close(reply.value, F.conv2d(X[None, None], K[None, None])[0, 0],
                 rationale="the result is wrong (this point is for a correct corr2d written "
                           "by hand)")


@check("corr2d", advisory=True)
def test_does_not_modify_input(student):
    """leaves X and K unchanged"""
    X = torch.arange(12.0).reshape(3, 4) - 6
    K = torch.tensor([[1.0, -1.0]])
    reply = student.corr2d.reply(X, K, check_mutation=True)
    if reply.mutated:
        raise Failure(f"corr2d changes {', '.join(reply.mutated)} in place: compute a new "
                      "tensor instead")


@check("corr2d", advisory=True)
def test_creates_tensors_on_input_device(student_source):
    """creates its tensors on the input's device"""
    advise_device(student_source, "corr2d")


@check("corr2d", advisory=True)
def test_is_vectorised(student):
    """is vectorised (no Python loop per output element)"""
    X, K = torch.arange(256.0).reshape(16, 16), torch.ones(3, 3)
    advise_vectorised(student.corr2d.reply(X, K, count_ops=True), 14 * 14, "corr2d")
