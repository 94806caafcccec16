"""Checks for solutions/pooling.py."""
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader.checking import (Failure, advise_device, advise_vectorised, check, examples, expect_close, expect_no_builtin,
                             expect_shape, expect_tensor)
from grader.strategies import input_and_window

BOOK_X = torch.arange(9.0).reshape(3, 3)


@check("pool2d", hint="mode defaults to 'max': Y[i, j] = X[i:i+p_h, j:j+p_w].max().")
def test_book_example_max(student):
    """reproduces the book's max-pooling example (mode left at its default)"""
    expect_close(student.pool2d(BOOK_X, (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))


@check("pool2d", hint="mode 'avg': Y[i, j] = X[i:i+p_h, j:j+p_w].mean().")
def test_book_example_avg(student):
    """reproduces the book's average-pooling example"""
    expect_close(student.pool2d(BOOK_X, (2, 2), 'avg'), torch.tensor([[2.0, 3.0], [5.0, 6.0]]))


@check("pool2d", hint="with stride 1 and no padding the output has shape "
                      "(h - p_h + 1, w - p_w + 1); pool_size is (height, width).")
@examples(30)
@given(data=input_and_window(max_side=9), mode=st.sampled_from(["max", "avg"]))
def test_output_shape(student, data, mode):
    """has shape (h - p_h + 1, w - p_w + 1) for both modes, non-square windows included"""
    X, (ph, pw) = data
    expect_shape(student.pool2d(X, (ph, pw), mode), (X.shape[0] - ph + 1, X.shape[1] - pw + 1))


@check("pool2d", hint="take the maximum over the whole p_h x p_w window at every position.")
@examples(40)
@given(data=input_and_window(max_side=8))
def test_max_matches_max_pool2d(student, data):
    """mode 'max' matches torch's max_pool2d with stride 1"""
    X, size = data
    expected = F.max_pool2d(X[None, None], size, stride=1)[0, 0]
    expect_close(student.pool2d(X, size, 'max'), expected, rtol=0, atol=0)


@check("pool2d", hint="the mean of the window: its sum divided by p_h * p_w.")
@examples(40)
@given(data=input_and_window(max_side=8, integer_valued=False, low=-10, high=10))
def test_avg_matches_avg_pool2d(student, data):
    """mode 'avg' matches torch's avg_pool2d with stride 1"""
    X, size = data
    expected = F.avg_pool2d(X[None, None], size, stride=1)[0, 0]
    expect_close(student.pool2d(X, size, 'avg'), expected, rtol=1e-5, atol=1e-5)


@check("pool2d", hint="the maximum of a window is never smaller than its mean.")
@examples(25)
@given(data=input_and_window(max_side=7))
def test_max_is_at_least_avg(student, data):
    """max pooling is never below average pooling"""
    X, size = data
    high = expect_tensor(student.pool2d(X, size, 'max'))
    low = expect_shape(student.pool2d(X, size, 'avg'), high.shape)
    below = high < low - 1e-5
    if bool(below.any()):
        index = tuple(int(i) for i in below.nonzero()[0])
        raise Failure("pool2d(X, size, 'max') is below pool2d(X, size, 'avg')",
                      expected=f"max >= avg at index {index}",
                      actual=f"max {float(high[index]):.6g} < avg {float(low[index]):.6g}")


@check("pool2d", hint="loop over the output positions; F.max_pool2d / F.avg_pool2d do the "
                      "whole exercise for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch's pooling functions"""
    X = torch.arange(20.0).reshape(4, 5)
    for mode, builtin in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        reply = student.pool2d.reply(X, (2, 3), mode, watch=True)
        expect_no_builtin(reply, "pool2d")
        expect_close(reply.value, builtin(X[None, None], (2, 3), stride=1)[0, 0],
                     rationale="the result is wrong (this point is for a correct pool2d "
                               "written by hand)")


@check("pool2d", advisory=True)
def test_does_not_modify_input(student):
    """leaves X unchanged"""
    X = torch.arange(12.0).reshape(3, 4)
    for mode in ("max", "avg"):
        reply = student.pool2d.reply(X, (2, 2), mode, check_mutation=True)
        if reply.mutated:
            raise Failure("pool2d changes X in place: compute a new tensor instead")


@check("pool2d", advisory=True)
def test_creates_tensors_on_input_device(student_source):
    """creates its tensors on the input's device"""
    advise_device(student_source, "pool2d")


@check("pool2d", advisory=True)
def test_is_vectorised(student):
    """is vectorised (no Python loop per output element)"""
    X = torch.arange(256.0).reshape(16, 16)
    advise_vectorised(student.pool2d.reply(X, (3, 3), count_ops=True), 14 * 14, "pool2d")
