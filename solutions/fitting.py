"""Over- and underfitting (过拟合、欠拟合): the book's polynomial regression experiment.

The data come from a cubic polynomial with noise,
    y = 5 + 1.2 x - 3.4 x^2 / 2! + 5.6 x^3 / 3! + ε,    ε ~ N(0, 0.1^2),
and the models are linear in the features x^i / i! (i = 0, 1, ..., max_degree - 1).  Keeping
only the first 2 features gives a straight line (too simple: underfitting, the training and
the test loss are both high); the first 4 give the right model (both losses near the noise
level 0.01); as many features as training points let the model pass through every noisy
training point (too complex: overfitting, a training loss near 0 and a large test loss).
"""
import math

import torch


def polynomial_features(x, max_degree):
    """The book's polynomial features: column i is x**i / i!, for i = 0, 1, ..., max_degree - 1.

    x: a float tensor of n values, of shape (n,) or (n, 1) (the book draws its features with
       shape (n, 1); accept both).
    max_degree: the number of columns (the book uses max_degree = 20: powers 0 to 19).

    Returns a tensor of shape (n, max_degree), of x's floating dtype.  Column 0 is all ones
    (it plays the role of the bias), column 1 is x, column 2 is x**2 / 2, column 3 is x**3 / 6, ...
    Dividing by i! (math.factorial(i), or math.gamma(i + 1) as in the book) keeps the large
    powers from producing huge values, and so huge gradients.

    Example:
        >>> polynomial_features(torch.tensor([[0.], [1.], [2.]]), 4)
        tensor([[1.0000, 0.0000, 0.0000, 0.0000],
                [1.0000, 1.0000, 0.5000, 0.1667],
                [1.0000, 2.0000, 2.0000, 1.3333]])

    Write the powers yourself (torch.pow with broadcasting, or a loop over the columns); do
    not call torch.vander.
    """
    # BEGIN SOLUTION
    x = x.reshape(-1, 1)
    poly = torch.pow(x, torch.arange(max_degree, device=x.device).reshape(1, -1))
    for i in range(max_degree):
        poly[:, i] /= math.gamma(i + 1)   # gamma(i + 1) = i!
    return poly
    # END SOLUTION


def evaluate_loss(net, data_iter, loss):
    """The mean loss per example of ``net`` over a whole dataset (the book's evaluate_loss).

    net: a model (e.g. an nn.Linear); net(X) has shape (batch_size, 1).
    data_iter: an iterable of minibatches (X, y) — a DataLoader or a list; the batches may
       have different sizes (a DataLoader's last batch is often smaller).  y may have shape
       (batch_size,) or (batch_size, 1): reshape it to net(X)'s shape, as the book does.
    loss: an *unreduced* loss, e.g. nn.MSELoss(reduction='none'): loss(out, y) has one value
       per example.

    Returns a Python float: (sum of the losses of all examples) / (number of examples).  Not
    the mean of the per-batch means: with batches of 3 and 1 examples, the single example of
    the small batch must not weigh as much as the three others.

    Example: batches with per-example losses [1, 2, 3] and [6] give (1 + 2 + 3 + 6) / 4 = 3.0
    (the mean of the batch means would be (2 + 6) / 2 = 4.0).
    """
    # BEGIN SOLUTION
    total, count = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        y = y.reshape(out.shape)
        l = loss(out, y)
        total += float(l.sum())
        count += l.numel()
    return total / count
    # END SOLUTION


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    """Fit a model linear in the features by least squares; return its train and test loss.

    train_features: (n_train, d) — e.g. the first d columns of polynomial_features(x, 20)
       for the training points (n_train >= d).
    test_features: (n_test, d), the same columns for the test points.
    train_labels, test_labels: (n_train,) and (n_test,) (or with a trailing 1).

    The model is y_hat = features @ w with no separate bias (column 0, all ones, is the bias,
    like the book's nn.Linear(d, 1, bias=False)).  Choose w minimising the training squared
    error ||train_features @ w - train_labels||^2 — the model the book's train() approaches
    by SGD, here in closed form: torch.linalg.lstsq (compute in float64: with many columns
    the system is badly conditioned in float32).

    Returns (train_loss, test_loss): two Python floats, each the mean squared error
    mean((y_hat - y)^2) of that w over the training set and over the test set (the book's
    nn.MSELoss, averaged over the examples).

    Example (the book's cubic, 100 training points): with d = 4 both losses are about 0.01
    (the noise variance); with d = 2 (a straight line) both are far higher, about 7 to 12
    (underfitting); with only 7 training points and d = 7 columns the training loss is about
    0 but the test loss is in the hundreds (overfitting).
    """
    # BEGIN SOLUTION
    A = train_features.double()
    B = train_labels.double().reshape(-1, 1)
    w = torch.linalg.lstsq(A, B).solution
    train_loss = ((A @ w - B) ** 2).mean()
    test_pred = test_features.double() @ w
    test_loss = ((test_pred - test_labels.double().reshape(-1, 1)) ** 2).mean()
    return float(train_loss), float(test_loss)
    # END SOLUTION
