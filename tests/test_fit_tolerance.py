"""fit_polynomial.matches_least_squares compares the two losses as precisely as float32 data
determine them (grader/checks/fitting.py, the comment above ``_least_squares_oracle``): every
correct float32 or float64 least-squares answer passes over the docstring's whole range (1 to
20 columns, n_train from d), the usual wrong losses do not, and the comparison is strict
wherever the problem is well conditioned.  Judge-side only: no grading, about a second."""
from __future__ import annotations

import functools
import math
import random
import warnings

import pytest
import torch

from grader.judge.api import Failure

with warnings.catch_warnings():     # the grader marker is registered by the judge's plugin only
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    from grader.checks import fitting


@functools.cache
def _problems(seed=0, count=120):
    """[(problem, the judge's expectation)] for problems drawn as the check draws them (d =
    1..20, n_train = d..d+8, grids of [-2, 2] and [-5, 5]), with a fixed random source."""
    return [(problem, fitting._least_squares_oracle(*problem))
            for problem in _draw(random.Random(seed), count)]


def _draw(rng, count):
    for _ in range(count):
        d = rng.randint(1, 20)
        n, m = rng.randint(d, d + 8), rng.randint(1, 8)
        step = rng.choice([0.1, 0.25])
        x = torch.tensor(rng.sample(range(-20, 21), n + m), dtype=torch.float64) * step
        features = fitting._powers_over_factorials(x, d).float()
        labels = torch.tensor([rng.uniform(-5, 5) for _ in range(n + m)])
        if rng.random() < 0.5:
            labels = labels.reshape(-1, 1)
        yield features[:n], features[n:], labels[:n], labels[n:]


def _losses(A, T, b, c, w):
    b, c = b.reshape(-1, 1).to(w.dtype), c.reshape(-1, 1).to(w.dtype)
    A, T = A.to(w.dtype), T.to(w.dtype)
    return ((A @ w - b) ** 2).mean().item(), ((T @ w - c) ** 2).mean().item()


def _qr(A, b):
    Q, R = torch.linalg.qr(A)
    return torch.linalg.solve_triangular(R, Q.T @ b, upper=True)


# correct answers: the alternatives' ways (tests/alternatives/fit_polynomial) and a QR solve
SOLVERS = {
    "lstsq in float32": lambda A, b: torch.linalg.lstsq(A, b).solution,
    "pinv in float32": lambda A, b: torch.linalg.pinv(A) @ b,
    "QR in float32": _qr,
    "lstsq in float64": lambda A, b: torch.linalg.lstsq(A.double(), b.double()).solution,
    "normal equations in float64": lambda A, b: torch.linalg.solve(
        A.double().T @ A.double(), A.double().T @ b.double()),
}


def _judge(expected, got):
    expected = expected or (None, None)
    for name, value, want in zip(("train_loss", "test_loss"), got, expected):
        fitting._expect_loss(value, want, name)


@pytest.mark.parametrize("solver", SOLVERS, ids=list(SOLVERS))
def test_correct_answers_pass_over_the_whole_range(solver):
    # With the former comparison (rel=1e-3 against the float64 fit) float32 lstsq failed from
    # d = 8 on; here every correct solver passes, at every d.
    columns = set()
    for problem, exact in _problems():
        A, _, b, _ = problem
        _judge(exact, _losses(*problem, SOLVERS[solver](A, b.reshape(-1, 1))))
        columns.add(A.shape[1])
    assert columns == set(range(1, 21))


WRONG = {
    "halved": lambda train, test: (train / 2, test / 2),
    "root mean square": lambda train, test: (math.sqrt(train), math.sqrt(test)),
    "swapped": lambda train, test: (test, train),
    "summed over 10 examples": lambda train, test: (10 * train, 10 * test),
}


@pytest.mark.parametrize("mistake", WRONG, ids=list(WRONG))
def test_wrong_losses_fail_where_the_problem_is_determined(mistake):
    caught = determined = 0
    for problem, exact in _problems(1):
        if exact is None:
            continue
        (train, _), (test, _) = exact
        wrong = WRONG[mistake](train, test)
        if all(math.isclose(a, b, rel_tol=0.05, abs_tol=1e-6) for a, b in zip(wrong, (train, test))):
            continue            # this mistake changes nothing here (e.g. both losses near 1)
        determined += 1
        with pytest.raises(Failure):
            _judge(exact, wrong)
        caught += 1
    assert caught == determined > 20


def test_comparison_is_strict_where_few_columns():
    # up to 5 columns the problem is always determined, and each loss is pinned within 1%
    for problem, exact in _problems(2):
        if problem[0].shape[1] <= 5:
            assert exact is not None
            for value, width in exact:
                assert width <= 5e-3 * max(math.sqrt(value), 0.1)


def test_undetermined_problems_still_need_two_real_losses():
    assert any(exact is None for _, exact in _problems()), "no undetermined problem drawn"
    for bad in ((float("nan"), 1.0), (1.0, float("inf")), (-1.0, 1.0)):
        with pytest.raises(Failure):
            _judge(None, bad)
