"""Checks for solutions/convolution.py."""
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn  # noqa: F401 - scenarios use nn (their own namespace has it too)

from grader.judge.api import (_, Failure, Mismatch, advise_device, advise_vectorised, check,
    examples, expect_close, expect_no_builtin, expect_shape, scenario, shapes, values)

CROSS_NOT_CONV = ("cross-correlation slides K over X without flipping it: "
                  "Y[i, j] = (X[i:i+kh, j:j+kw] * K).sum().")


# ============================================================================ generated inputs
# Hypothesis draws the shapes; the values come from one drawn seed (as in attention.py).  Drawn
# element by element (hypothesis.extra.numpy), an input cost twice the judge's CPU per example,
# shrinking a failing one cost a student call per element, and most arrays were one repeated
# fill value (of the 8 x 8 inputs of corr2d's checks, the median had 95% of its elements equal
# and 2 in 5 were constant, on which a flipped kernel gives the right answer).  With a seed,
# every element is random, hypothesis shrinks only the sides and the seed, and the values are
# small integers (sums exact in float32), so a counterexample still prints short.
def _values(draw, *shapes_, low=-5, high=5, real=False):
    """One tensor per shape, from a drawn seed: integers in [low, high] as float32, or with
    ``real`` uniform reals in [low, high)."""
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2 ** 16)))
    if real:
        return tuple(torch.rand(shape, generator=generator) * (high - low) + low
                     for shape in shapes_)
    return tuple(torch.randint(low, high + 1, shape, generator=generator).float()
                 for shape in shapes_)


@st.composite
def _input_and_kernel(draw, max_side, min_side=1, real=False, extra=0):
    """X (h, w) and a kernel K that fits in it, both sides from min_side (K from 1) to
    max_side, square or not; ``extra`` more tensors of X's shape follow."""
    h, w = draw(st.integers(min_side, max_side)), draw(st.integers(min_side, max_side))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    low, high = (-10, 10) if real else (-5, 5)
    X, K, *more = _values(draw, (h, w), (kh, kw), *[(h, w)] * extra, low=low, high=high,
                          real=real)
    return (X, K, *more)


def _case(h, w, kh, kw, seed=0):
    """An explicit example (hypothesis' @example) of the shape (h, w) with kernel (kh, kw)."""
    generator = torch.Generator().manual_seed(seed)
    return (torch.randint(-5, 6, (h, w), generator=generator).float(),
            torch.randint(-5, 6, (kh, kw), generator=generator).float())


# the corners of corr2d's shape space, in every check that draws shapes: 1 x 1 kernel, kernel
# as large as X, 1-high and 1-wide inputs and kernels, non-square both ways
EDGE_SHAPES = [(1, 1, 1, 1), (1, 7, 1, 3), (6, 1, 4, 1), (4, 6, 4, 6), (5, 3, 1, 1),
               (3, 7, 2, 5)]


def _at(*cases):
    """Run a check first on the explicit inputs of shapes ``cases`` (h, w, kh, kw)."""
    def decorate(fn):
        for case in reversed(cases):
            fn = example(data=_case(*case))(fn)
        return fn
    return decorate


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
@examples(12)
@given(data=_input_and_kernel(max_side=9))
@_at(*EDGE_SHAPES)
def test_output_shape(student, data):
    """has shape (h - kh + 1, w - kw + 1), also for non-square and 1-wide inputs and kernels"""
    X, K = data
    expect_shape(student.corr2d(X, K), (X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))


@check("corr2d", hint=CROSS_NOT_CONV)
@examples(14)
@given(data=_input_and_kernel(max_side=8))
@_at(*EDGE_SHAPES)
def test_matches_conv2d(student, data):
    """matches torch's conv2d (which is a cross-correlation) on generated inputs"""
    X, K = data
    expected = F.conv2d(X[None, None], K[None, None])[0, 0]
    expect_close(student.corr2d(X, K), expected, rtol=0, atol=1e-4)


@check("corr2d", hint="compute in floating point: do not round or convert to integers.")
@examples(10)
@given(data=_input_and_kernel(max_side=7, real=True))
def test_matches_reference_on_real_values(student, reference, data):
    """matches the reference on real-valued (non-integer) inputs"""
    X, K = data
    expect_close(student.corr2d(X, K), reference.corr2d(X, K), rtol=1e-4, atol=1e-4)


def _linear_case(h, w, kh, kw, a, b):
    (X, K), (Z, __) = _case(h, w, kh, kw), _case(h, w, kh, kw, seed=1)
    return X, Z, K, a, b


@st.composite
def _two_inputs_and_kernel(draw):
    X, K, Z = draw(_input_and_kernel(max_side=6, extra=1))
    a, b = draw(st.integers(-3, 3)), draw(st.integers(-3, 3))
    return X, Z, K, a, b


@check("corr2d", hint="cross-correlation is linear in X: no bias, no clamping, no "
                      "normalisation of the output.")
@examples(8)
@given(data=_two_inputs_and_kernel())
@example(data=_linear_case(4, 6, 4, 6, 2, -3))          # kernel as large as X
@example(data=_linear_case(3, 5, 3, 2, -1, 3))          # kernel as tall as X
def test_linear_in_the_input(student, data):
    """is linear: corr2d(a*X + b*Z, K) == a*corr2d(X, K) + b*corr2d(Z, K)"""
    X, Z, K, a, b = data
    combined = student.corr2d(a * X + b * Z, K)
    separate = a * expect_shape(student.corr2d(X, K), combined.shape) + \
        b * expect_shape(student.corr2d(Z, K), combined.shape)
    expect_close(combined, separate, atol=1e-3,
                 rationale=_("corr2d({a}*X + {b}*Z, K) differs from {a}*corr2d(X, K) + "
                             "{b}*corr2d(Z, K)", a=a, b=b))


@check("corr2d", hint="every output position uses the same rule: the output's size "
                      "depends on X's height for rows and X's width for columns.")
@examples(10)
@given(data=_input_and_kernel(max_side=7, min_side=2))
@_at((2, 7, 1, 3), (6, 2, 4, 1), (5, 3, 1, 1), (3, 7, 2, 5))
def test_shifting_input_shifts_output(student, data):
    """dropping X's first row (or column) drops the output's first row (or column)"""
    X, K = data
    if K.shape[0] == X.shape[0] and K.shape[1] == X.shape[1]:
        return                        # one output element: nothing to shift
    # one call for both directions (the whole output, then each shifted input)
    full = expect_shape(student.corr2d(X, K), (X.shape[0] - K.shape[0] + 1,
                                               X.shape[1] - K.shape[1] + 1))
    if K.shape[0] < X.shape[0]:
        expect_close(student.corr2d(X[1:], K), full[1:], atol=1e-4,
                     rationale=_("corr2d(X[1:], K) should equal corr2d(X, K)[1:]"))
    if K.shape[1] < X.shape[1]:
        expect_close(student.corr2d(X[:, 1:], K), full[:, 1:], atol=1e-4,
                     rationale=_("corr2d(X[:, 1:], K) should equal corr2d(X, K)[:, 1:]"))


@check("corr2d", hint="loop over the output positions (or use tensor slicing); "
                      "F.conv2d does the whole exercise for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch's conv2d"""
    X = torch.arange(20.0).reshape(4, 5)
    K = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
    reply = student.corr2d.reply(X, K, watch=True)
    expect_no_builtin(reply, "corr2d")


@check("corr2d", advisory=True)
def test_does_not_modify_input(student):
    """leaves X and K unchanged"""
    X = torch.arange(12.0).reshape(3, 4) - 6
    K = torch.tensor([[1.0, -1.0]])
    reply = student.corr2d.reply(X, K, check_mutation=True)
    if reply.mutated:
        raise Failure(_("corr2d changes {names} in place: compute a new tensor instead",
                        names=", ".join(reply.mutated)))


@check("corr2d", advisory=True)
def test_creates_tensors_on_input_device(student_source):
    """creates its tensors on the input's device"""
    advise_device(student_source, "corr2d")


@check("corr2d", advisory=True)
def test_is_vectorised(student):
    """is vectorised (no Python loop per output element)"""
    X, K = torch.arange(256.0).reshape(16, 16), torch.ones(3, 3)
    advise_vectorised(student.corr2d.reply(X, K, count_ops=True), 14 * 14, "corr2d")


# =============================================================================== Conv2D
EDGE_X = torch.ones(6, 8)
EDGE_X[:, 2:6] = 0
EDGE_K = torch.tensor([[1.0, -1.0]])
EDGE_Y = F.conv2d(EDGE_X[None, None], EDGE_K[None, None])[0, 0]     # the book's Y, by torch

# Learning the edge kernel (the book's experiment, with the student's Conv2D).  The bias is
# held at 0, as the book's experiment ignores it (it trains a bias-free layer): trained
# together with lr 3e-2 the bias makes gradient descent diverge (largest Hessian eigenvalue
# 62, so |1 - 2 lr 62| = 2.7 > 1).  Why the check is robust, whatever the seed: the loss is
# the quadratic sum((X * w - Y)^2) of the kernel w, so one step maps the error e = w - [1, -1]
# to (I - 2 lr H) e with H = [[18, 12], [12, 18]] (eigenvalues 30 and 6): the eigenvalues of
# I - 2 lr H are -0.8 and 0.64, so |e| shrinks by at least 0.8 per epoch.  After 20 epochs
# |e| <= 0.8^20 |e_0| = 0.0115 |e_0|; the book's torch.rand start (in [0, 1)^2) has
# |e_0| <= sqrt(5), hence every component is within 0.026 of the target (exactly: 0.0117 at
# the worst corner), and the tolerance 0.05 holds for any start within 4.3 of [1, -1].
LEARN_EPOCHS = 20
LEARN_LR = 3e-2
LEARN_ATOL = 0.05
assert 0.8 ** LEARN_EPOCHS * 5 ** 0.5 < LEARN_ATOL
# The judge, not the student's code, picks the start (a draw of the book's torch.rand, fixed so
# that grading is reproducible) and re-derives every epoch's step from its own gradient: the
# worker only reports the kernel after each epoch (see _verified_training).  A correct float32
# step differs from the judge's float64 one by about 1e-6 (|lr * gradient| <= 4 here).
LEARN_START = torch.rand(1, 2, generator=torch.Generator().manual_seed(2))
LEARN_STEP_ATOL = 1e-4


@scenario
def conv2d_parameters(kernel_size):
    """built Conv2D(kernel_size=kernel_size) and listed its parameters"""
    net = student.Conv2D(kernel_size=kernel_size)
    if not isinstance(net, nn.Module):
        raise Mismatch("Conv2D(...) is a {kind}, not an nn.Module: subclass nn.Module and "
                       "call super().__init__()", kind=type(net).__name__)
    return [tuple(p.shape) for p in parameters_of(net)]


@scenario
def conv2d_forward(kernel_size, weight, bias, X):
    """built Conv2D(kernel_size), loaded weight and bias into it by shape, ran it on X"""
    net = student.Conv2D(kernel_size=kernel_size)
    load_by_shape(net, [weight, bias], inputs=(X,))
    return net(X)


@scenario
def conv2d_learn_edges(X, Y, start, epochs, lr):
    """trained Conv2D(kernel_size=(1, 2)) on the book's edge image (squared error, bias at 0), from a given start kernel"""
    net = student.Conv2D(kernel_size=(1, 2))
    params = parameters_of(net)
    kernels = [p for p in params if tuple(p.shape) == (1, 2)]
    if len(kernels) != 1:
        raise Mismatch("expected one parameter of shape (1, 2) (the kernel), found {shapes}",
                       shapes=str([tuple(p.shape) for p in params]))
    kernel = kernels[0]
    with torch.no_grad():
        for p in params:
            if p is not kernel:
                p.zero_()
        kernel.copy_(start)
    trajectory = [kernel.detach().clone()]
    for epoch in range(epochs):
        Y_hat = net(X)
        if tuple(Y_hat.shape) != tuple(Y.shape):
            raise Mismatch("Conv2D's output on the 6 x 8 image has shape {shape}, expected "
                           "{expected}", shape=str(tuple(Y_hat.shape)),
                           expected=str(tuple(Y.shape)))
        l = (Y_hat - Y) ** 2
        net.zero_grad()
        if not l.requires_grad:
            raise Mismatch("the output does not depend on any parameter (no gradient): build "
                           "forward, and corr2d, from torch operations on the parameters, "
                           "without .item(), .detach(), .data or numpy")
        l.sum().backward()
        if kernel.grad is None:
            raise Mismatch("the kernel gets no gradient: forward (or corr2d) cuts the graph "
                           "(.item(), .detach(), .data, numpy, or a new tensor built from "
                           "Python numbers)")
        with torch.no_grad():
            kernel -= lr * kernel.grad
        trajectory.append(kernel.detach().clone())
    return trajectory


@check("Conv2D", hint="register exactly two nn.Parameter: the kernel, of shape kernel_size, "
                      "and the bias, of shape (1,) (a plain tensor attribute is not a "
                      "parameter and is never learnt).")
def test_has_weight_and_bias(student):
    """has exactly two parameters: a kernel of shape kernel_size and a bias of shape (1,)"""
    for size in ((1, 2), (3, 2)):
        shapes_found = student.run(conv2d_parameters, size)
        if not isinstance(shapes_found, list):
            raise Failure(_("could not list Conv2D's parameters"))
        expected = sorted([size, (1,)])
        if sorted(tuple(s) for s in shapes_found) != expected:
            raise Failure(_("Conv2D(kernel_size={size}) has the wrong parameters", size=size),
                          expected=_("parameters of shapes {first} and {second}",
                                     first=expected[0], second=expected[1]),
                          actual=_("parameters of shapes {shapes}", shapes=(
                              ", ".join(str(tuple(s)) for s in shapes_found) or _("(none)"))))


@check("Conv2D", hint="forward(x) is corr2d(x, weight) + bias: the bias is added to every "
                      "output element.")
def test_forward_book_example(student):
    """with kernel [[1, -1]] and bias 0.5, finds the book's edges shifted by 0.5"""
    Y = student.run(conv2d_forward, (1, 2), EDGE_K, torch.tensor([0.5]), EDGE_X)
    expect_close(Y, EDGE_Y + 0.5)


def _edge_loss_and_gradient(kernel: torch.Tensor) -> tuple[float, torch.Tensor]:
    """The judge's own loss sum((X * kernel - Y)^2) on the edge image, and its gradient."""
    k = kernel.detach().double().clone().requires_grad_(True)
    loss = ((F.conv2d(EDGE_X.double()[None, None], k[None, None])[0, 0] - EDGE_Y.double()) ** 2).sum()
    loss.backward()
    return float(loss), k.grad


def _verified_training(trajectory) -> list[float]:
    """Check, in the judge, that ``trajectory`` (the kernel before every epoch and at the end)
    is gradient descent on the squared error from LEARN_START; return the judge's losses.

    The worker only reports kernels: each step is re-derived here from the judge's own image
    and gradient, so a trajectory passes only if it really is the book's training run.
    """
    if not (isinstance(trajectory, list) and len(trajectory) == LEARN_EPOCHS + 1
            and all(isinstance(k, torch.Tensor) and tuple(k.shape) == (1, 2)
                    and k.is_floating_point() for k in trajectory)):
        raise Failure(_("the training run did not return the kernel of every epoch"),
                      expected=_("{count} kernels of shape (1, 2)", count=LEARN_EPOCHS + 1),
                      actual=values.describe_type(trajectory))
    if not torch.equal(trajectory[0].float(), LEARN_START):
        raise Failure(_("the training run did not start from the kernel it was given"),
                      expected=values.format_value(LEARN_START),
                      actual=values.format_value(trajectory[0]))
    losses = []
    for epoch, (before, after) in enumerate(zip(trajectory, trajectory[1:]), 1):
        loss, gradient = _edge_loss_and_gradient(before)
        losses.append(round(loss, 4))
        expected = (before.double() - LEARN_LR * gradient).float()
        if not torch.allclose(after.float(), expected, rtol=0, atol=LEARN_STEP_ATOL):
            raise Failure(_("epoch {epoch} is not a gradient-descent step on the squared "
                            "error: the gradient that reaches the kernel is wrong (forward is "
                            "not corr2d(x, weight) + bias, or it is not differentiable)",
                            epoch=epoch),
                          expected=_("kernel {kernel} = kernel - lr * gradient",
                                     kernel=values.format_value(expected)),
                          actual=_("kernel {kernel} (loss per epoch so far: {losses})",
                                   kernel=values.format_value(after), losses=losses))
    losses.append(round(_edge_loss_and_gradient(trajectory[-1])[0], 4))
    return losses


@check("Conv2D", hint="keep forward differentiable (corr2d + bias with torch operations, no "
                      ".item()/.detach()/numpy) and register the kernel as an nn.Parameter "
                      "of shape kernel_size.")
def test_learns_edge_kernel(student):
    """learns the edge kernel [[1, -1]] by gradient descent, as in the book (20 epochs, lr 3e-2)"""
    trajectory = student.run(conv2d_learn_edges, EDGE_X, EDGE_Y, LEARN_START, LEARN_EPOCHS,
                             LEARN_LR)
    losses = _verified_training(trajectory)
    expect_close(trajectory[-1], EDGE_K, rtol=0, atol=LEARN_ATOL,
                 rationale=_("after {epochs} epochs the learnt kernel is not close to "
                             "[[1, -1]] (loss per epoch: {losses})", epochs=LEARN_EPOCHS,
                             losses=losses))


@st.composite
def _conv2d_case(draw):
    X, K = draw(_input_and_kernel(max_side=7))
    b = draw(st.integers(-3, 3))
    return X, K, torch.tensor([float(b)])


@check("Conv2D", hint="forward(x) is corr2d(x, weight) + bias with the layer's own weight "
                      "(shape kernel_size) and bias (shape (1,)).")
@examples(10)
@given(data=_conv2d_case())
def test_forward_matches_corr2d_plus_bias(student, data):
    """with given weights, forward(x) equals torch's conv2d plus the bias, any kernel size"""
    X, K, b = data
    Y = student.run(conv2d_forward, tuple(K.shape), K, b, X)
    expect_close(Y, F.conv2d(X[None, None], K[None, None])[0, 0] + b, rtol=0, atol=1e-4)


@check("Conv2D", hint="build the layer on your corr2d; nn.Conv2d / F.conv2d do the whole "
                      "exercise for you.", name="does_not_call_builtin")
def test_layer_does_not_call_builtin(student):
    """is built on corr2d, not on nn.Conv2d or torch's conv2d"""
    X = torch.arange(20.0).reshape(4, 5)
    K = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0]])
    b = torch.tensor([-2.0])
    reply = student.run_reply(conv2d_forward, (2, 3), K, b, X, watch=True)
    expect_no_builtin(reply, "Conv2D")


# ========================================================= padding and stride (填充、步幅)
PAD_STRIDE_HINT = ("pad X with p_h rows of zeros above and below and p_w columns left and "
                   "right, then move the kernel s_h rows down and s_w columns right at each "
                   "step; padding and stride are each an int or a (height, width) pair.")
BOOK_X = torch.arange(9.0).reshape(3, 3)
BOOK_K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


def _pair(value, default):
    if value is None:
        return default, default
    return (value, value) if isinstance(value, int) else tuple(value)


@st.composite
def _hyper(draw, low, high):
    """A padding or stride argument: None (left out), an int, or a (height, width) pair."""
    form = draw(st.sampled_from(["omit", "int", "pair"]))
    if form == "int":
        return draw(st.integers(low, high))
    if form == "pair":
        return draw(st.integers(low, high)), draw(st.integers(low, high))
    return None


def _keywords(**arguments):
    """The keyword arguments of a call, leaving out those drawn as None (the defaults)."""
    return {name: value for name, value in arguments.items() if value is not None}


@st.composite
def _pad_stride_case(draw, max_side=6, max_pad=2, max_stride=3):
    """X, K, the keyword arguments (padding, stride) and their (height, width) pairs."""
    padding, stride = draw(_hyper(0, max_pad)), draw(_hyper(1, max_stride))
    (ph, pw), (sh, sw) = _pair(padding, 0), _pair(stride, 1)
    h, w = draw(shapes(2, 1, max_side))
    kh = draw(st.integers(1, min(h + 2 * ph, 5)))
    kw = draw(st.integers(1, min(w + 2 * pw, 5)))
    X, K = _values(draw, (h, w), (kh, kw))
    return X, K, _keywords(padding=padding, stride=stride), (ph, pw), (sh, sw)


def _expected_shape(n, k, p, s):
    return tuple((n[i] - k[i] + 2 * p[i]) // s[i] + 1 for i in range(2))


@check("corr2d_pad_stride", hint=PAD_STRIDE_HINT)
def test_book_padding_example(student):
    """reproduces the book's padding example (3 x 3 input, 2 x 2 kernel, padding 1)"""
    expected = torch.tensor([[0.0, 3.0, 8.0, 4.0], [9.0, 19.0, 25.0, 10.0],
                             [21.0, 37.0, 43.0, 16.0], [6.0, 7.0, 8.0, 0.0]])
    expect_close(student.corr2d_pad_stride(BOOK_X, BOOK_K, padding=1), expected)


@check("corr2d_pad_stride", hint="stride=(3, 2) moves the kernel 3 rows down and 2 columns "
                                 "right; the window of output (i, j) starts at row i * s_h, "
                                 "column j * s_w of the padded input.")
def test_book_stride_example(student):
    """reproduces the book's stride example (padding 1, stride 3 down and 2 across)"""
    expect_close(student.corr2d_pad_stride(BOOK_X, BOOK_K, padding=1, stride=(3, 2)),
                 torch.tensor([[0.0, 8.0], [6.0, 8.0]]))


@check("corr2d_pad_stride", hint="the output has floor((n_h - k_h + 2 p_h) / s_h) + 1 rows and "
                                 "floor((n_w - k_w + 2 p_w) / s_w) + 1 columns: padding adds "
                                 "p on BOTH sides.", name="output_shape")
@examples(20)
@given(case=_pad_stride_case())
def test_padded_strided_shape(student, case):
    """has shape (floor((n_h - k_h + 2 p_h) / s_h) + 1, floor((n_w - k_w + 2 p_w) / s_w) + 1)"""
    X, K, kwargs, p, s = case
    expect_shape(student.corr2d_pad_stride(X, K, **kwargs), _expected_shape(X.shape, K.shape, p, s))


@check("corr2d_pad_stride", hint=PAD_STRIDE_HINT, name="matches_conv2d")
@examples(25)
@given(case=_pad_stride_case())
@example(case=(*_case(5, 7, 2, 3), {"padding": (1, 0), "stride": (2, 3)}, (1, 0), (2, 3)))
def test_padded_strided_matches_conv2d(student, case):
    """matches torch's conv2d with the same padding and stride (ints, pairs, or left out)"""
    X, K, kwargs, p, s = case
    expected = F.conv2d(X[None, None], K[None, None], padding=p, stride=s)[0, 0]
    expect_close(student.corr2d_pad_stride(X, K, **kwargs), expected, rtol=0, atol=1e-4)


@check("corr2d_pad_stride", hint="pad by hand (a tensor of zeros, with X copied into its "
                                 "middle) and use your corr2d; F.conv2d does the whole "
                                 "exercise for you.", name="does_not_call_builtin")
def test_padded_strided_does_not_call_builtin(student):
    """is implemented by hand, not with torch's conv2d"""
    X = torch.arange(30.0).reshape(5, 6)
    K = torch.tensor([[1.0, 2.0], [0.0, -1.0], [1.0, 1.0]])
    reply = student.corr2d_pad_stride.reply(X, K, padding=(1, 2), stride=(2, 3), watch=True)
    expect_no_builtin(reply, "corr2d_pad_stride")


@check("corr2d_pad_stride", advisory=True, name="creates_tensors_on_input_device")
def test_padded_tensor_on_input_device(student_source):
    """creates its padded tensor on the input's device"""
    advise_device(student_source, "corr2d_pad_stride")


# ------------------------------------------------------------------------ conv_output_shape
SHAPE_HINT = ("floor((n - k + 2 p) / s) + 1 in each direction, with p the padding on ONE side; "
              "use integer division // and return a tuple of two ints.")


def _expect_pair(value, expected):
    if not (isinstance(value, (tuple, list)) and len(value) == 2
            and all(type(v) is int for v in value)):
        raise Failure(_("the result should be a tuple of two ints (height, width)"),
                      expected=str(expected), actual=values.format_value(value))
    if tuple(value) != tuple(expected):
        raise Failure(_("the output shape is wrong"), expected=str(tuple(expected)),
                      actual=str(tuple(value)))


@check("conv_output_shape", hint=SHAPE_HINT, name="book_examples")
def test_shape_book_examples(student):
    """gives the book's four output shapes (8 x 8 input; kernels, paddings, strides)"""
    cases = [(((8, 8), (3, 3)), {"padding": 1}, (8, 8)),
             (((8, 8), (5, 3)), {"padding": (2, 1)}, (8, 8)),
             (((8, 8), (3, 3)), {"padding": 1, "stride": 2}, (4, 4)),
             (((8, 8), (3, 5)), {"padding": (0, 1), "stride": (3, 4)}, (2, 2))]
    for args, kwargs, expected in cases:
        _expect_pair(student.conv_output_shape(*args, **kwargs), expected)


@st.composite
def _shape_case(draw):
    padding, stride = draw(_hyper(0, 3)), draw(_hyper(1, 4))
    p, s = _pair(padding, 0), _pair(stride, 1)
    n = draw(shapes(2, 1, 12))
    k = tuple(draw(st.integers(1, n[i] + 2 * p[i])) for i in range(2))
    return tuple(n), k, _keywords(padding=padding, stride=stride), p, s


@check("conv_output_shape", hint=SHAPE_HINT, name="matches_conv2d")
@examples(25)
@given(case=_shape_case())
def test_shape_matches_conv2d(student, case):
    """gives the shape of torch's conv2d output for generated sizes, paddings and strides"""
    n, k, kwargs, p, s = case
    out = F.conv2d(torch.zeros(1, 1, *n), torch.zeros(1, 1, *k), padding=p, stride=s)
    _expect_pair(student.conv_output_shape(n, k, **kwargs), tuple(out.shape[-2:]))


@check("conv_output_shape", hint="compute the shape with the formula; running F.conv2d on "
                                 "zeros does the whole exercise for you.",
       name="does_not_call_builtin")
def test_shape_does_not_call_builtin(student):
    """computes the shape with the formula, not by running torch's conv2d"""
    reply = student.conv_output_shape.reply((7, 9), (2, 4), padding=(1, 2), stride=(2, 3),
                                            watch=True)
    expect_no_builtin(reply, "conv_output_shape")


# ============================================== multiple input and output channels (多通道)
MULTI_X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                        [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
MULTI_K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])


@st.composite
def _multi_case(draw, out_channels: bool, max_side=5, max_channels=3):
    """X (c_i, h, w) and K (c_i, kh, kw), or (c_o, c_i, kh, kw) with out_channels."""
    c_i = draw(st.integers(1, max_channels))
    h, w = draw(shapes(2, 1, max_side))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    if out_channels:
        c_o = draw(st.integers(1, max_channels))
        return _values(draw, (c_i, h, w), (c_o, c_i, kh, kw))
    return _values(draw, (c_i, h, w), (c_i, kh, kw))


MULTI_IN_HINT = ("cross-correlate each input channel with its own kernel (X[c] with K[c]) "
                 "and add the results: the output is one 2-D channel.")


@check("corr2d_multi_in", hint=MULTI_IN_HINT, name="book_example")
def test_multi_in_book_example(student):
    """reproduces the book's two-channel example"""
    expect_close(student.corr2d_multi_in(MULTI_X, MULTI_K),
                 torch.tensor([[56.0, 72.0], [104.0, 120.0]]))


@check("corr2d_multi_in", hint="summing over the input channels leaves one 2-D output of shape "
                               "(h - k_h + 1, w - k_w + 1): add the channels, do not stack them.",
       name="output_shape")
@examples(15)
@given(data=_multi_case(out_channels=False))
def test_multi_in_output_shape(student, data):
    """has shape (h - k_h + 1, w - k_w + 1) for any number of input channels"""
    X, K = data
    expect_shape(student.corr2d_multi_in(X, K),
                 (X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1))


@check("corr2d_multi_in", hint=MULTI_IN_HINT, name="matches_conv2d")
@examples(20)
@given(data=_multi_case(out_channels=False))
def test_multi_in_matches_conv2d(student, data):
    """matches torch's conv2d with one output channel, for 1 to 3 input channels"""
    X, K = data
    expect_close(student.corr2d_multi_in(X, K), F.conv2d(X[None], K[None])[0, 0],
                 rtol=0, atol=1e-4)


@check("corr2d_multi_in", hint="add up your corr2d over the channels; F.conv2d does the whole "
                               "exercise for you (also when your corr2d calls it).",
       name="does_not_call_builtin")
def test_multi_in_does_not_call_builtin(student):
    """is built on corr2d, not on torch's conv2d"""
    X = torch.arange(40.0).reshape(2, 4, 5)
    K = torch.tensor([[[1.0, 2.0], [0.0, -1.0]], [[3.0, 0.0], [1.0, 1.0]]])
    reply = student.corr2d_multi_in.reply(X, K, watch=True)
    expect_no_builtin(reply, "corr2d_multi_in")


MULTI_OUT_HINT = ("output channel o is corr2d_multi_in(X, K[o]); stack the c_o results along "
                  "a new first dimension.")


@check("corr2d_multi_in_out", hint=MULTI_OUT_HINT, name="book_example")
def test_multi_in_out_book_example(student):
    """reproduces the book's example: three output channels with kernels K, K + 1, K + 2"""
    K = torch.stack((MULTI_K, MULTI_K + 1, MULTI_K + 2), 0)
    expected = torch.tensor([[[56.0, 72.0], [104.0, 120.0]], [[76.0, 100.0], [148.0, 172.0]],
                             [[96.0, 128.0], [192.0, 224.0]]])
    expect_close(student.corr2d_multi_in_out(MULTI_X, K), expected)


@check("corr2d_multi_in_out", hint="the result has shape (c_o, h - k_h + 1, w - k_w + 1): "
                                   "output channels first, also when c_o is 1.",
       name="output_shape")
@examples(15)
@given(data=_multi_case(out_channels=True))
def test_multi_in_out_output_shape(student, data):
    """has shape (c_o, h - k_h + 1, w - k_w + 1)"""
    X, K = data
    expect_shape(student.corr2d_multi_in_out(X, K),
                 (K.shape[0], X.shape[1] - K.shape[2] + 1, X.shape[2] - K.shape[3] + 1))


@check("corr2d_multi_in_out", hint=MULTI_OUT_HINT, name="matches_conv2d")
@examples(20)
@given(data=_multi_case(out_channels=True))
def test_multi_in_out_matches_conv2d(student, data):
    """matches torch's conv2d for 1 to 3 input and output channels"""
    X, K = data
    expect_close(student.corr2d_multi_in_out(X, K), F.conv2d(X[None], K)[0], rtol=0, atol=1e-4)


@check("corr2d_multi_in_out", hint="stack your corr2d_multi_in over the output channels; "
                                   "F.conv2d does the whole exercise for you.",
       name="does_not_call_builtin")
def test_multi_in_out_does_not_call_builtin(student):
    """is built on corr2d_multi_in, not on torch's conv2d"""
    X = torch.arange(40.0).reshape(2, 4, 5)
    K = torch.arange(24.0).reshape(3, 2, 2, 2) - 12
    reply = student.corr2d_multi_in_out.reply(X, K, watch=True)
    expect_no_builtin(reply, "corr2d_multi_in_out")


ONE_BY_ONE_HINT = ("a 1 x 1 convolution mixes channels pixel by pixel: with X as a "
                   "(c_i, h * w) matrix and K as a (c_o, c_i) matrix, Y[o] = sum over c of "
                   "K[o, c] * X[c]; keep the channel order when you reshape.")


@st.composite
def _one_by_one_case(draw, max_side=6, max_channels=4):
    c_i, c_o = draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    h, w = draw(shapes(2, 1, max_side))
    return _values(draw, (c_i, h, w), (c_o, c_i, 1, 1))


@check("corr2d_multi_in_out_1x1", hint=ONE_BY_ONE_HINT, name="small_example")
def test_one_by_one_small_example(student):
    """gives Y[o] = sum over c of K[o, c] * X[c] (2 input, 3 output channels, a 2 x 3 image)"""
    X = torch.arange(12.0).reshape(2, 2, 3)
    K = torch.tensor([[1.0, 10.0], [-1.0, 0.0], [2.0, -3.0]]).reshape(3, 2, 1, 1)
    expected = torch.tensor([[[60.0, 71.0, 82.0], [93.0, 104.0, 115.0]],
                             [[0.0, -1.0, -2.0], [-3.0, -4.0, -5.0]],
                             [[-18.0, -19.0, -20.0], [-21.0, -22.0, -23.0]]])
    expect_close(student.corr2d_multi_in_out_1x1(X, K), expected)


@check("corr2d_multi_in_out_1x1", hint="the result has shape (c_o, h, w): reshape the "
                                       "(c_o, h * w) product back to an image.",
       name="output_shape")
@examples(15)
@given(data=_one_by_one_case())
def test_one_by_one_output_shape(student, data):
    """has shape (c_o, h, w)"""
    X, K = data
    expect_shape(student.corr2d_multi_in_out_1x1(X, K), (K.shape[0],) + tuple(X.shape[1:]))


@check("corr2d_multi_in_out_1x1", hint=ONE_BY_ONE_HINT, name="matches_conv2d")
@examples(20)
@given(data=_one_by_one_case())
def test_one_by_one_matches_conv2d(student, data):
    """equals the general multi-channel cross-correlation (torch's conv2d) for 1 x 1 kernels"""
    X, K = data
    expect_close(student.corr2d_multi_in_out_1x1(X, K), F.conv2d(X[None], K)[0],
                 rtol=0, atol=1e-4)


# Deterministic test of "one matrix multiplication": the worker counts the torch calls of a
# call (count_ops).  A matrix product (matmul, @, einsum, or a broadcast multiply-and-sum)
# makes the same number of calls for any size; a loop over channels (e.g. calling
# corr2d_multi_in_out) or over pixels makes more calls for more channels or pixels.
@check("corr2d_multi_in_out_1x1", hint="do not loop over channels or pixels (nor call "
                                       "corr2d_multi_in_out): reshape X to (c_i, h * w) and "
                                       "K to (c_o, c_i) and multiply the two matrices once.")
def test_one_matrix_product(student):
    """is one matrix product: its number of torch calls does not grow with channels or pixels"""
    small_X, small_K = torch.arange(18.0).reshape(2, 3, 3), torch.arange(6.0).reshape(3, 2, 1, 1)
    large_X = torch.arange(270.0).reshape(9, 5, 6) % 7
    large_K = torch.arange(63.0).reshape(7, 9, 1, 1) % 5 - 2
    counts = []
    for X, K in ((large_X, large_K), (small_X, small_K)):      # the small call is shown
        reply = student.corr2d_multi_in_out_1x1.reply(X, K, count_ops=True)
        expect_close(reply.value, F.conv2d(X[None], K)[0], rtol=0, atol=1e-3)
        counts.append(reply.ops)
    if None in counts:
        raise Failure(_("the number of torch operations could not be counted"))
    counts.reverse()
    if counts[1] > counts[0]:
        raise Failure(_("the number of torch operations grows with the size: the code loops "
                        "over channels or pixels instead of using one matrix product"),
                      expected=_("{count} operations in both calls", count=counts[0]),
                      actual=_("{small} operations for 2 input / 3 output channels on a "
                               "3 x 3 image, {large} for 9 / 7 channels on a 5 x 6 image",
                               small=counts[0], large=counts[1]))


@check("corr2d_multi_in_out_1x1", hint="use a matrix multiplication (torch.matmul or @); "
                                       "F.conv2d does the whole exercise for you.",
       name="does_not_call_builtin")
def test_one_by_one_does_not_call_builtin(student):
    """is a matrix product written by hand, not torch's conv2d"""
    X = torch.arange(24.0).reshape(2, 3, 4)
    K = torch.tensor([[2.0, -1.0], [0.5, 3.0], [1.0, 1.0]]).reshape(3, 2, 1, 1)
    reply = student.corr2d_multi_in_out_1x1.reply(X, K, watch=True)
    expect_no_builtin(reply, "corr2d_multi_in_out_1x1")
