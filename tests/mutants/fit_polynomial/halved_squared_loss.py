"""Uses the book's squared_loss (y_hat - y)^2 / 2 instead of the mean squared error.

kills: matches_least_squares
"""
import torch


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    A = train_features.double()
    B = train_labels.double().reshape(-1, 1)
    w = torch.linalg.lstsq(A, B).solution
    train_loss = ((A @ w - B) ** 2 / 2).mean()
    test_loss = ((test_features.double() @ w - test_labels.double().reshape(-1, 1)) ** 2 / 2).mean()
    return float(train_loss), float(test_loss)
