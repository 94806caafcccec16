"""Checks for solutions/pooling.py."""
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.api import (_, Failure, advise_device, advise_vectorised, check, examples,
    expect_close, expect_no_builtin, expect_shape, expect_tensor)

BOOK_X = torch.arange(9.0).reshape(3, 3)


# ============================================================================ generated inputs
# Hypothesis draws the shapes and arguments; the values come from one drawn seed (as in
# attention.py and convolution.py).  Drawn element by element (hypothesis.extra.numpy), an
# input cost twice the judge's CPU, shrinking a failing one a student call per element, and
# most arrays were one repeated fill value, on which max and average pooling agree.  With a
# seed every element is random (small integers, or reals for 'avg'), and hypothesis shrinks
# only the sides, the arguments and the seed.
def _values(draw, shape, real=False):
    """A float32 tensor of ``shape`` from a drawn seed: integers in [-5, 5], or with ``real``
    uniform reals in [-10, 10)."""
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2 ** 16)))
    if real:
        return torch.rand(shape, generator=generator) * 20 - 10
    return torch.randint(-5, 6, shape, generator=generator).float()


@st.composite
def _input_and_window(draw, max_side, real=False):
    """X (h, w), sides 1 to max_side, and a window (p_h, p_w) that fits in it."""
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    size = draw(st.integers(1, h)), draw(st.integers(1, w))
    return _values(draw, (h, w), real), size


def _case(h, w, ph, pw, real=False):
    """An explicit example: X of shape (h, w) from seed 0 and the window (ph, pw)."""
    generator = torch.Generator().manual_seed(0)
    X = torch.rand((h, w), generator=generator) * 20 - 10 if real else \
        torch.randint(-5, 6, (h, w), generator=generator).float()
    return X, (ph, pw)


# the corners of pool2d's shape space: 1 x 1 window, window as large as X, 1-high and 1-wide
# inputs and windows, non-square both ways
EDGE_SHAPES = [(1, 1, 1, 1), (1, 7, 1, 3), (6, 1, 4, 1), (4, 6, 4, 6), (5, 3, 1, 1),
               (3, 7, 2, 5)]


def _at(*cases, real=False, **more):
    """Run a check first on the explicit inputs of shapes ``cases`` (h, w, p_h, p_w)."""
    def decorate(fn):
        for case in reversed(cases):
            fn = example(data=_case(*case, real=real), **more)(fn)
        return fn
    return decorate


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
@examples(10)
@given(data=_input_and_window(max_side=9), mode=st.sampled_from(["max", "avg"]))
@_at(*EDGE_SHAPES[::2], mode="avg")
@_at(*EDGE_SHAPES[1::2], mode="max")
def test_output_shape(student, data, mode):
    """has shape (h - p_h + 1, w - p_w + 1) for both modes, non-square windows included"""
    X, (ph, pw) = data
    expect_shape(student.pool2d(X, (ph, pw), mode), (X.shape[0] - ph + 1, X.shape[1] - pw + 1))


@check("pool2d", hint="take the maximum over the whole p_h x p_w window at every position.")
@examples(12)
@given(data=_input_and_window(max_side=8))
@_at(*EDGE_SHAPES)
def test_max_matches_max_pool2d(student, data):
    """mode 'max' matches torch's max_pool2d with stride 1"""
    X, size = data
    expected = F.max_pool2d(X[None, None], size, stride=1)[0, 0]
    expect_close(student.pool2d(X, size, 'max'), expected, rtol=0, atol=0)


@check("pool2d", hint="the mean of the window: its sum divided by p_h * p_w.")
@examples(12)
@given(data=_input_and_window(max_side=8, real=True))
@_at(*EDGE_SHAPES, real=True)
def test_avg_matches_avg_pool2d(student, data):
    """mode 'avg' matches torch's avg_pool2d with stride 1"""
    X, size = data
    expected = F.avg_pool2d(X[None, None], size, stride=1)[0, 0]
    expect_close(student.pool2d(X, size, 'avg'), expected, rtol=1e-5, atol=1e-5)


@check("pool2d", hint="the maximum of a window is never smaller than its mean.")
@examples(8)
@given(data=_input_and_window(max_side=7))
def test_max_is_at_least_avg(student, data):
    """max pooling is never below average pooling"""
    X, size = data
    high = expect_tensor(student.pool2d(X, size, 'max'))
    low = expect_shape(student.pool2d(X, size, 'avg'), high.shape)
    below = high < low - 1e-5
    if bool(below.any()):
        index = tuple(int(i) for i in below.nonzero()[0])
        raise Failure(_("pool2d(X, size, 'max') is below pool2d(X, size, 'avg')"),
                      expected=_("max >= avg at index {index}", index=index),
                      actual=f"max {float(high[index]):.6g} < avg {float(low[index]):.6g}")


@check("pool2d", hint="loop over the output positions; F.max_pool2d / F.avg_pool2d do the "
                      "whole exercise for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch's pooling functions"""
    X = torch.arange(20.0).reshape(4, 5)
    for mode, builtin in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        reply = student.pool2d.reply(X, (2, 3), mode, watch=True)
        expect_no_builtin(reply, "pool2d")


@check("pool2d", advisory=True)
def test_does_not_modify_input(student):
    """leaves X unchanged"""
    X = torch.arange(12.0).reshape(3, 4)
    for mode in ("max", "avg"):
        reply = student.pool2d.reply(X, (2, 2), mode, check_mutation=True)
        if reply.mutated:
            raise Failure(_("pool2d changes X in place: compute a new tensor instead"))


@check("pool2d", advisory=True)
def test_creates_tensors_on_input_device(student_source):
    """creates its tensors on the input's device"""
    advise_device(student_source, "pool2d")


@check("pool2d", advisory=True)
def test_is_vectorised(student):
    """is vectorised (no Python loop per output element)"""
    X = torch.arange(256.0).reshape(16, 16)
    advise_vectorised(student.pool2d.reply(X, (3, 3), count_ops=True), 14 * 14, "pool2d")


# ================================================ pool2d_multi: padding, stride, channels
BOOK_X4 = torch.arange(16.0).reshape(1, 4, 4)
MULTI_HINT = ("pool every channel separately: pad it (for 'max' with -inf, so that padding "
              "never wins; for 'avg' with zeros), then take the window at rows i * s_h, "
              "columns j * s_w of the padded input; stride defaults to pool_size.")


def _pair(value, default):
    if value is None:
        return default
    return (value, value) if isinstance(value, int) else tuple(value)


@st.composite
def _int_or_pair(draw, first, second):
    """first/second: the two values; as an int when they are equal and the draw says so."""
    if first == second and draw(st.booleans()):
        return first
    return first, second


@st.composite
def _pool_multi_case(draw, max_side=6, max_window=3, max_stride=3, modes=("max", "avg")):
    """X (c, h, w), the call's arguments, and the (height, width) pairs torch needs.

    padding <= window / 2 (torch's own limit), so no window lies entirely in the padding."""
    window, padding = [], []
    for __ in range(2):
        k = draw(st.integers(1, max_window))
        window.append(k)
        padding.append(draw(st.integers(0, k // 2)))
    size = draw(_int_or_pair(*window))
    pad = draw(st.one_of(st.none(), _int_or_pair(*padding))) if padding == [0, 0] else \
        draw(_int_or_pair(*padding))
    stride = draw(st.one_of(st.none(), st.integers(1, max_stride),
                            st.tuples(st.integers(1, max_stride), st.integers(1, max_stride))))
    h = draw(st.integers(max(1, window[0] - 2 * padding[0]), max_side))
    w = draw(st.integers(max(1, window[1] - 2 * padding[1]), max_side))
    c = draw(st.integers(1, 3))
    X = _values(draw, (c, h, w))
    mode = draw(st.sampled_from(modes))
    kwargs = {"padding": pad, "stride": stride, "mode": mode}
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if mode == "max" and draw(st.booleans()):
        del kwargs["mode"]                    # the default mode
    torch_args = {"kernel_size": tuple(window), "padding": tuple(padding),
                  "stride": _pair(stride, tuple(window))}
    return X, size, kwargs, torch_args, mode


def _multi_example(c, h, w, size, mode, **kwargs):
    """An explicit example of _pool_multi_case: X (c, h, w) from seed 0, the window ``size``
    ((height, width)) and the call's keyword arguments (padding, stride; left out: defaults)."""
    generator = torch.Generator().manual_seed(0)
    X = torch.randint(-5, 6, (c, h, w), generator=generator).float()
    padding, stride = kwargs.get("padding", 0), kwargs.get("stride")
    torch_args = {"kernel_size": size, "padding": _pair(padding, (0, 0)),
                  "stride": _pair(stride, size)}
    if mode == "avg":
        kwargs["mode"] = "avg"
    return X, size, kwargs, torch_args, mode


# what random draws reach least often: the default stride with a non-square window (the
# stride is the window, not its height twice), and every argument a (height, width) pair
# with different values
MULTI_EDGES = [dict(c=2, h=5, w=7, size=(2, 3)),
               dict(c=1, h=6, w=5, size=(3, 2), padding=(1, 0), stride=(1, 2))]


def _multi_at(mode):
    def decorate(fn):
        for case in reversed(MULTI_EDGES):
            fn = example(case=_multi_example(mode=mode, **case))(fn)
        return fn
    return decorate


def _torch_pool(X, mode, torch_args):
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(X[None], **torch_args)[0]


@check("pool2d_multi", hint="stride defaults to pool_size (windows do not overlap); "
                            "pad with -inf for 'max', and pool each channel on its own.",
       name="book_examples_max")
def test_multi_book_examples_max(student):
    """reproduces the book's max-pooling examples (default stride, padding, stride, 2 channels)"""
    expect_close(student.pool2d_multi(BOOK_X4, 3), torch.tensor([[[10.0]]]))
    expected = torch.tensor([[[5.0, 7.0], [13.0, 15.0]]])
    expect_close(student.pool2d_multi(BOOK_X4, 3, padding=1, stride=2), expected)
    expect_close(student.pool2d_multi(BOOK_X4, (2, 3), padding=(0, 1), stride=(2, 3)), expected)
    expect_close(student.pool2d_multi(torch.cat((BOOK_X4, BOOK_X4 + 1)), 3, padding=1, stride=2),
                 torch.cat((expected, expected + 1)))


@check("pool2d_multi", hint="for 'avg' the padding counts as zeros and every window is "
                            "divided by p_h * p_w (as F.avg_pool2d does by default).",
       name="book_example_avg")
def test_multi_book_example_avg(student):
    """averages with padded zeros counted (book's 4 x 4 input, window 3, padding 1, stride 2)"""
    expect_close(student.pool2d_multi(BOOK_X4, 3, padding=1, stride=2, mode='avg'),
                 torch.tensor([[[10.0, 24.0], [51.0, 90.0]]]) / 9)


@check("pool2d_multi", hint="the result has shape (c, floor((h - p_h + 2 q_h) / s_h) + 1, "
                            "floor((w - p_w + 2 q_w) / s_w) + 1): one output channel per "
                            "input channel; stride defaults to pool_size.", name="output_shape")
@examples(10)
@given(case=_pool_multi_case())
def test_multi_output_shape(student, case):
    """has the shape of torch's pooling output (c channels kept), for both modes"""
    X, size, kwargs, torch_args, mode = case
    expect_shape(student.pool2d_multi(X, size, **kwargs), _torch_pool(X, mode, torch_args).shape)


@check("pool2d_multi", hint=MULTI_HINT, name="max_matches_max_pool2d")
@examples(12)
@given(case=_pool_multi_case(modes=("max",)))
@_multi_at("max")
def test_multi_max_matches_max_pool2d(student, case):
    """mode 'max' matches torch's max_pool2d with the same window, padding and stride"""
    X, size, kwargs, torch_args, mode = case
    expect_close(student.pool2d_multi(X, size, **kwargs), _torch_pool(X, mode, torch_args),
                 rtol=0, atol=0)


@check("pool2d_multi", hint="average with the padded zeros counted: divide every window's "
                            "sum by p_h * p_w, also at the border.", name="avg_matches_avg_pool2d")
@examples(12)
@given(case=_pool_multi_case(modes=("avg",)))
@_multi_at("avg")
def test_multi_avg_matches_avg_pool2d(student, case):
    """mode 'avg' matches torch's avg_pool2d (padding counted as zeros)"""
    X, size, kwargs, torch_args, mode = case
    expect_close(student.pool2d_multi(X, size, **kwargs), _torch_pool(X, mode, torch_args),
                 rtol=1e-5, atol=1e-5)


@check("pool2d_multi", hint="max pooling pads with -inf (float('-inf')), not with zeros: a "
                            "padded position must never be the maximum.")
def test_padding_never_wins_max(student):
    """mode 'max' ignores the padding, also when every input value is negative"""
    X = -1 - torch.arange(32.0).reshape(2, 4, 4)
    expect_close(student.pool2d_multi(X, 3, padding=1, stride=2),
                 F.max_pool2d(X[None], 3, padding=1, stride=2)[0], rtol=0, atol=0)


@check("pool2d_multi", hint="use your pool2d (or loops) on the padded channels; "
                            "F.max_pool2d / F.avg_pool2d do the whole exercise for you.",
       name="does_not_call_builtin")
def test_multi_does_not_call_builtin(student):
    """is implemented by hand, not with torch's pooling functions"""
    X = torch.arange(40.0).reshape(2, 4, 5)
    for mode, builtin in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        reply = student.pool2d_multi.reply(X, (2, 3), padding=(1, 1), stride=(2, 1), mode=mode,
                                           watch=True)
        expect_no_builtin(reply, "pool2d_multi")


@check("pool2d_multi", advisory=True, name="creates_tensors_on_input_device")
def test_multi_padded_tensor_on_input_device(student_source):
    """creates its padded tensor on the input's device"""
    advise_device(student_source, "pool2d_multi")
