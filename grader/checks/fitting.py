"""Checks for solutions/fitting.py: polynomial_features, evaluate_loss, fit_polynomial.

The data of the fit_polynomial checks are fixed, so no check here is statistical: a correct
submission gets the same numbers on every run (up to floating-point rounding).  The data are
the book's: y = 5 + 1.2 x - 3.4 x^2/2! + 5.6 x^3/3! + ε, ε ~ N(0, σ^2), σ = 0.1.  The points
x are fixed normal quantiles (x_i = Φ^-1((i + offset) / n), no random draw): 100 training
points (offset 0.25), 100 test points (offset 0.75), 7 "few" training points (offset 0.5);
only the noise ε comes from a seeded generator.  Margins, for that fixed data and also for
ANY noise draw (Laurent-Massart, P(χ² form >= mean + 2|a|√t + 2 max(a) t) <= e^-t, and the
mirrored lower tail, with t = 29: e^-29 = 2.5e-13 per event, at most 2 events per check):

  underfits_with_degree_one (2 columns, a straight line; thresholds: both losses > 1):
      noise-free losses 11.62 (train) and 7.22 (test).  ||e||/√n <= 0.163 (χ²_100 upper
      tail, for the training and for the test noise), ||X_test X_train^+||_2 = 1.016, so for
      any noise draw train >= (√11.62 - 0.163)^2 = 10.5 and
      test >= (√7.22 - 1.016*0.163 - 0.163)^2 = 5.57, except with probability < 5.1e-13.
      With the fixed noise: 11.73 and 7.20.
  fits_with_the_right_degree (4 columns, the true model; thresholds: both losses < 0.05):
      the noise-free fit is exact; train <= ||e||^2/n <= 0.026, and test is a Gaussian
      quadratic form (mean about 0.0104) whose upper tail gives test <= 0.038, except with
      probability < 5.1e-13.  With the fixed noise: 0.0104 and 0.0093.
  overfits_with_high_degree_on_few_points (7 columns through 7 points; thresholds: train <
      1e-3, test > 1): 7 distinct points and 7 columns make a square invertible system
      (condition number 1.6e4), so a least-squares fit interpolates: the training loss is
      rounding only (about 1e-12 for float32 lstsq / pinv / normal equations, 1e-30 in
      float64).  The test loss is the interpolated noise extrapolated to |x| <= 2.8: 609
      with the fixed noise (float32 and float64 solvers agree to 0.5%), 600 times the
      threshold.  (Over random noise draws the test loss has median 19 and a 1% quantile of
      1.5; the draw is fixed here, so the check itself has no failure probability.)
"""
import math
from statistics import NormalDist

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from grader.judge.api import (_, Failure, check, describe_type, examples, expect_close, expect_dtype,
    expect_no_builtin, expect_number, expect_shape, format_number, scenario, tensors)

# --------------------------------------------------------------------------- polynomial_features
FEATURES_HINT = ("column i is x**i / i! for i = 0, 1, ..., max_degree - 1: column 0 is all ones "
                 "(x**0 / 0!), column 3 is x**3 / 6.")


def _powers_over_factorials(x, max_degree):
    """The judge's oracle: torch.vander's increasing powers divided by i!, in float64."""
    powers = torch.vander(x.reshape(-1).double(), N=max_degree, increasing=True)
    return powers / torch.tensor([float(math.factorial(i)) for i in range(max_degree)],
                                 dtype=torch.float64)


@st.composite
def _points(draw, max_n=8):
    """x of shape (n,) or (n, 1), real values in [-3, 3]."""
    n = draw(st.integers(1, max_n))
    shape = (n, 1) if draw(st.booleans()) else (n,)
    x = draw(tensors(shape, integer_valued=False, low=-3, high=3))
    # "a float tensor": float32 as in the book, and float64
    return x.to(draw(st.sampled_from([torch.float32, torch.float64])))


@check("polynomial_features", hint=FEATURES_HINT)
def test_book_example(student):
    """reproduces polynomial_features(tensor([[0.], [1.], [2.]]), 4) from the docstring"""
    x = torch.tensor([[0.0], [1.0], [2.0]])
    expected = torch.tensor([[1.0, 0.0, 0.0, 0.0],
                             [1.0, 1.0, 0.5, 1.0 / 6.0],
                             [1.0, 2.0, 2.0, 8.0 / 6.0]])
    expect_close(student.polynomial_features(x, 4), expected)


@check("polynomial_features", hint="the result has one row per value of x and max_degree "
                                   "columns (powers 0 to max_degree - 1); flatten x first "
                                   "(x.reshape(-1, 1)) so that (n,) and (n, 1) both work; keep "
                                   "x's dtype (compute from x itself, not from a float64 "
                                   "numpy array or a .double() copy).")
@examples(15)
@given(x=_points(), max_degree=st.integers(1, 20))
def test_output_shape(student, x, max_degree):
    """has shape (n, max_degree) and x's floating dtype, for x of shape (n,) and (n, 1), float32 and float64"""
    result = expect_shape(student.polynomial_features(x, max_degree), (x.shape[0], max_degree))
    expect_dtype(result, x.dtype, contract=_("the docstring asks for x's floating dtype (a "
                                             "float32 x gives a float32 result, a float64 x a "
                                             "float64 one)"))


@check("polynomial_features", hint=FEATURES_HINT + " i! is math.factorial(i), or "
                                                   "math.gamma(i + 1) (gamma(n) is (n - 1)!).")
@examples(20)
@given(x=_points(), max_degree=st.integers(1, 20))
def test_matches_powers_over_factorials(student, x, max_degree):
    """matches x**i / i! on generated inputs (x of shape (n,) or (n, 1), up to 20 columns)"""
    expect_close(student.polynomial_features(x, max_degree),
                 _powers_over_factorials(x, max_degree), rtol=1e-4, atol=1e-6)


@check("polynomial_features", hint="raise x to the powers yourself (broadcasting x.reshape(-1, "
                                   "1) against torch.arange(max_degree)); torch.vander does "
                                   "the powers for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch.vander"""
    x = torch.tensor([-1.5, 0.5, 2.0])
    reply = student.polynomial_features.reply(x, 5, watch=True)
    expect_no_builtin(reply, "polynomial_features")


# --------------------------------------------------------------------------- evaluate_loss
PER_EXAMPLE = ("add up l.sum() over all batches and divide by the number of examples "
               "(l.numel()), not by the number of batches: batches can have different sizes.")


@scenario
def evaluate_on_batches(weight, bias, batches, loss_name):
    """built an nn.Linear with known weights and a list of (X, y) minibatches, then called evaluate_loss(net, data_iter, loss) with loss = nn.<loss_name>(reduction='none')"""
    net = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        net.weight.copy_(weight)
        net.bias.copy_(bias)
    net.requires_grad_(False)
    loss = nn.L1Loss(reduction="none") if loss_name == "L1Loss" else nn.MSELoss(reduction="none")
    value = student.evaluate_loss(net, batches, loss)
    return value.detach() if isinstance(value, torch.Tensor) else value


@scenario
def evaluate_on_dataloader(weight, bias, X, y, batch_size):
    """built an nn.Linear with known weights and data_iter = DataLoader(TensorDataset(X, y), batch_size) (the last batch is smaller), then called evaluate_loss(net, data_iter, nn.MSELoss(reduction='none'))"""
    net = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        net.weight.copy_(weight)
        net.bias.copy_(bias)
    net.requires_grad_(False)
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size)
    value = student.evaluate_loss(net, data, nn.MSELoss(reduction="none"))
    return value.detach() if isinstance(value, torch.Tensor) else value


def _mean_loss(weight, bias, batches, loss_name="MSELoss"):
    """The judge's oracle: the per-example loss of every example, averaged over all of them."""
    X = torch.cat([x for x, __ in batches]).double()
    y = torch.cat([t.reshape(-1, 1) for __, t in batches]).double()
    out = X @ weight.double().T + bias.double()
    if loss_name == "L1Loss":
        return F.l1_loss(out, y).item()
    return F.mse_loss(out, y).item()


@st.composite
def _linear_and_batches(draw, column_labels=True):
    k = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    weight = draw(tensors((1, k), low=-2, high=2))
    bias = draw(tensors((1,), low=-2, high=2))
    batches = [(draw(tensors((s, k), low=-3, high=3)),
                draw(tensors((s, 1) if column_labels else (s,), low=-3, high=3))) for s in sizes]
    return weight, bias, batches


@check("evaluate_loss", hint=PER_EXAMPLE)
def test_mean_over_examples_not_batches(student):
    """averages over examples, not over batches: losses [1, 4, 9] and [16] give 30 / 4 = 7.5"""
    weight, bias = torch.tensor([[1.0, 0.0]]), torch.tensor([0.0])
    batches = [(torch.tensor([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]]), torch.zeros(3, 1)),
               (torch.tensor([[4.0, 5.0]]), torch.zeros(1, 1))]
    expect_number(student.run(evaluate_on_batches, weight, bias, batches, "MSELoss"), 7.5,
                  rel=1e-5, rationale=_("the mean squared error over the 4 examples is wrong "
                                        "(the mean of the two batch means would be 10.33)"))


@check("evaluate_loss", hint="iterate over data_iter once (for X, y in data_iter) and count "
                             "the examples as you go: " + PER_EXAMPLE)
def test_dataloader_with_smaller_last_batch(student):
    """the book's setting: a DataLoader with batch_size 4 over 10 examples (batches 4, 4, 2)"""
    weight, bias = torch.tensor([[0.5, -1.0, 2.0]]), torch.tensor([0.25])
    X = torch.arange(30.0).reshape(10, 3) / 10 - 1
    y = torch.linspace(-2, 3, 10).reshape(10, 1)
    expected = _mean_loss(weight, bias, [(X, y)])
    expect_number(student.run(evaluate_on_dataloader, weight, bias, X, y, 4), expected, rel=1e-5)


@check("evaluate_loss", hint=PER_EXAMPLE)
@examples(12)
@given(data=_linear_and_batches())
def test_matches_mean_loss(student, data):
    """equals the mean squared error over all examples, on generated nets and batches"""
    weight, bias, batches = data
    expect_number(student.run(evaluate_on_batches, weight, bias, batches, "MSELoss"),
                  _mean_loss(weight, bias, batches), rel=1e-5, abs_=1e-6)


@check("evaluate_loss", hint="reshape y to the output's shape first (y = y.reshape(out.shape)): "
                             "a (batch_size, 1) output minus a (batch_size,) label broadcasts "
                             "to a (batch_size, batch_size) matrix.")
@examples(8)
@given(data=_linear_and_batches(column_labels=False))
def test_reshapes_labels(student, data):
    """also works when the labels y have shape (batch_size,) instead of (batch_size, 1)"""
    weight, bias, batches = data
    expect_number(student.run(evaluate_on_batches, weight, bias, batches, "MSELoss"),
                  _mean_loss(weight, bias, batches), rel=1e-5, abs_=1e-6)


@check("evaluate_loss", hint="use the loss function you are given (l = loss(out, y)): do not "
                             "compute a squared error yourself.")
@examples(8)
@given(data=_linear_and_batches())
def test_uses_the_given_loss(student, data):
    """uses the loss it is given: with nn.L1Loss(reduction='none'), the mean absolute error"""
    weight, bias, batches = data
    expect_number(student.run(evaluate_on_batches, weight, bias, batches, "L1Loss"),
                  _mean_loss(weight, bias, batches, "L1Loss"), rel=1e-5, abs_=1e-6)


# --------------------------------------------------------------------------- fit_polynomial
TRUE_W = torch.tensor([5.0, 1.2, -3.4, 5.6], dtype=torch.float64)
SIGMA = 0.1


def _quantiles(n, offset):
    normal = NormalDist()
    return torch.tensor([normal.inv_cdf((i + offset) / n) for i in range(n)], dtype=torch.float64)


def _book_data():
    """Features (20 columns, float32) and 1-D labels (float32) of the train, test and few sets."""
    x = {"train": _quantiles(100, 0.25), "test": _quantiles(100, 0.75), "few": _quantiles(7, 0.5)}
    noise = SIGMA * torch.randn(207, generator=torch.Generator().manual_seed(0),
                                dtype=torch.float64)
    noise = {"train": noise[:100], "test": noise[100:200], "few": noise[200:]}
    data = {}
    for name, points in x.items():
        features = _powers_over_factorials(points, 20)
        labels = features[:, :4] @ TRUE_W + noise[name]
        data[name] = (features.float(), labels.float())
    return data


BOOK = _book_data()


def _number(value, what):
    """A real number: a Python int/float or a one-element tensor (nan and inf allowed)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
        return float(value.item())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Failure(_("{what} should be a number", what=what), expected=_("a float"),
                  actual=describe_type(value))


def _two_losses(value):
    """(train_loss, test_loss): two real numbers (or one-element tensors)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise Failure(_("fit_polynomial should return a pair (train_loss, test_loss)"),
                      expected=_("a tuple of two floats"), actual=describe_type(value))
    return _number(value[0], "train_loss"), _number(value[1], "test_loss")


def _fit(student, train_set, columns):
    train_features, train_labels = BOOK[train_set]
    test_features, test_labels = BOOK["test"]
    return _two_losses(student.fit_polynomial(train_features[:, :columns],
                                              test_features[:, :columns],
                                              train_labels, test_labels))


def _fmt(x):
    return format_number(float(x))


FIT_HINT = ("fit w on the training set only (torch.linalg.lstsq(train_features, "
            "train_labels.reshape(-1, 1)).solution), then return the mean of (features @ w - "
            "labels)^2 over the training set and over the test set, in that order.")


@check("fit_polynomial", hint=FIT_HINT)
def test_underfits_with_degree_one(student):
    """underfits with 2 columns (a straight line for a cubic): both losses are high (> 1)"""
    train, test = _fit(student, "train", 2)
    for name, value in (("train_loss", train), ("test_loss", test)):
        if not value > 1.0:
            raise Failure(_("a straight line cannot follow the cubic: its {name} should be far "
                            "above the noise level 0.01", name=name),
                          expected=_("{name} > 1 (about 7 to 12)", name=name),
                          actual=f"{name} = {_fmt(value)}")


@check("fit_polynomial", hint=FIT_HINT + " The loss is the mean squared error: no square root, "
                                         "no sum over the examples.")
def test_fits_with_the_right_degree(student):
    """fits well with 4 columns (the true cubic): both losses are near the noise level 0.01"""
    train, test = _fit(student, "train", 4)
    for name, value in (("train_loss", train), ("test_loss", test)):
        if not 0.0 <= value < 0.05:
            raise Failure(_("with the right model (4 columns) the {name} should be close to "
                            "the noise variance 0.1^2 = 0.01", name=name),
                          expected=_("0 <= {name} < 0.05 (about 0.01)", name=name),
                          actual=f"{name} = {_fmt(value)}")


@check("fit_polynomial", hint=FIT_HINT + " Overfitting: the training loss is about 0 but the "
                                         "test loss is large.")
def test_overfits_with_high_degree_on_few_points(student):
    """overfits with 7 columns on 7 training points: train loss about 0, test loss large (> 1)"""
    train, test = _fit(student, "few", 7)
    if not 0.0 <= train < 1e-3:
        raise Failure(_("with as many columns as training points, the least-squares fit "
                        "passes through every training point: the train_loss should be about 0"),
                      expected="0 <= train_loss < 0.001", actual=f"train_loss = {_fmt(train)}")
    if not test > 1.0:
        raise Failure(_("the degree-6 polynomial through 7 noisy points should do badly on "
                        "the 100 test points: the test_loss should be large (overfitting)"),
                      expected=_("test_loss > 1 (about 600)"), actual=f"test_loss = {_fmt(test)}")


@st.composite
def _least_squares_problem(draw):
    """The docstring's whole input space: d = 1 to 20 columns of polynomial_features, n_train
    from d (a square system: the fit interpolates) to d + 8 rows, 1 to 8 test rows, float32."""
    columns = draw(st.integers(1, 20))
    n_train = draw(st.integers(columns, columns + 8))
    n_test = draw(st.integers(1, 8))
    # distinct points on a grid of [-2, 2] (step 0.1) or [-5, 5] (step 0.25), as far apart
    # as the grid allows: the features have full column rank
    step = draw(st.sampled_from([0.1, 0.25]))
    xs = draw(st.lists(st.integers(-20, 20), min_size=n_train + n_test,
                       max_size=n_train + n_test, unique=True))
    x = torch.tensor(xs, dtype=torch.float64) * step
    features = _powers_over_factorials(x, columns).float()
    labels = draw(tensors((n_train + n_test,), integer_valued=False, low=-5, high=5))
    column_labels = draw(st.booleans())
    if column_labels:
        labels = labels.reshape(-1, 1)
    return features[:n_train], features[n_train:], labels[:n_train], labels[n_train:]


# What fit_polynomial promises is two numbers: the mean squared errors, on the training and on
# the test set, of the least-squares w (w itself is never returned, so it is not compared).
# The features arrive in float32 and the docstring's float64 is advice, so a float32 solver
# (lstsq, pinv, QR: the book's own types) is right as long as its error is what float32
# arithmetic on this problem must give.  That error is the problem's conditioning times the
# float32 rounding, computed here to first order from the exact fit (float64 SVD of the
# float32 features A, w = A^+ b, residual r = b - A w, m test rows T, c):
#   * a QR or SVD least-squares solver in float32 is exact for features whose columns moved by
#     at most eps times their norm (Householder QR is columnwise backward stable; Higham,
#     "Accuracy and Stability of Numerical Algorithms", ch. 20), eps = max(n, d) * float32 eps
#     (also torch's rank threshold for lstsq and pinv): |dA| <= eps N with N_ij = ||A_:j||,
#     and the labels and the losses' own arithmetic move by eps |b|, eps |T| |w|, eps |c|;
#   * then dw = A^+ (db - dA w) + (A^T A)^-1 dA^T r, and the root mean squared errors move by
#       train: eps || N |w| + |b| || / sqrt(n)
#       test:  eps (|| |T A^+| (N |w| + |b|) + |T (A^T A)^-1| N^T |r| || + || |T| |w| + |c| ||) / sqrt(m)
# The check allows LOSS_SLACK = 4 times that.  Measured on 4,000 generated problems: float32
# lstsq, pinv and QR stay within 0.9 times it, float64 normal equations within 2e-6 times;
# float32 normal equations (A^T A squares the condition number) go up to 1.6e4 times past it.
# The expansion holds while the moved features keep full rank: eps ||N||_2 <= sigma_min(A) / 4
# (lstsq's rank threshold then removes nothing).  Past that (many columns on a narrow grid:
# from d = 8 or so) float32 data do not determine w, nor the losses (each float32 solver drops
# the smallest singular directions its own way), and the check then asks only for two finite
# numbers >= 0: the call must still work there.
LOSS_SLACK = 4
_EPS32 = torch.finfo(torch.float32).eps


def _least_squares_oracle(train_features, test_features, train_labels, test_labels):
    """For (train_loss, test_loss): the exact fit's value and the half-width allowed on the
    root-mean-square scale (see above), or None when float32 data leave the losses open."""
    A, T = train_features.double(), test_features.double()
    b = train_labels.double().reshape(-1, 1)
    c = test_labels.double().reshape(-1, 1)
    n, m = A.shape[0], T.shape[0]
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    eps = max(A.shape) * _EPS32
    N = torch.linalg.vector_norm(A, dim=0, keepdim=True).expand(n, -1)
    if not eps * float(torch.linalg.matrix_norm(N, 2)) <= float(S[-1]) / 4:
        return None
    pinv = Vh.T @ (U.T / S[:, None])
    gram_inv = Vh.T @ (Vh / S[:, None] ** 2)
    w = pinv @ b
    r, s = b - A @ w, T @ w - c
    size = N @ w.abs() + b.abs()
    moved = (T @ pinv).abs() @ size + (T @ gram_inv).abs() @ (N.T @ r.abs())
    train_width = eps * float(torch.linalg.vector_norm(size)) / math.sqrt(n)
    test_width = eps * float(torch.linalg.vector_norm(moved) + torch.linalg.vector_norm(
        T.abs() @ w.abs() + c.abs())) / math.sqrt(m)
    return ((float((r ** 2).mean()), LOSS_SLACK * train_width),
            (float((s ** 2).mean()), LOSS_SLACK * test_width))


def _expect_loss(value, expected, name):
    if not (math.isfinite(value) and value >= 0):
        raise Failure(_("{name} should be a mean squared error: a finite number >= 0",
                        name=name), expected=_("a finite number >= 0"), actual=_fmt(value))
    if expected is None:
        return
    want, width = expected
    low, high = max(0.0, math.sqrt(want) - width) ** 2, (math.sqrt(want) + width) ** 2
    if not low <= value <= high:
        raise Failure(_("{name} is not the mean squared error of the least-squares fit",
                        name=name),
                      expected=_("{want} (from {low} to {high}, what the float32 data "
                                 "determine)", want=_fmt(want), low=_fmt(low), high=_fmt(high)),
                      actual=_fmt(value))


@check("fit_polynomial", hint=FIT_HINT)
@examples(15)
@given(problem=_least_squares_problem())
def test_matches_least_squares(student, problem):
    """matches the least-squares fit's mean squared errors on generated problems (1 to 20 columns, as precisely as float32 data determine them)"""
    expected = _least_squares_oracle(*problem) or (None, None)
    got = _two_losses(student.fit_polynomial(*problem))
    for name, value, want in zip(("train_loss", "test_loss"), got, expected):
        _expect_loss(value, want, name)
