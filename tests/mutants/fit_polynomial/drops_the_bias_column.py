"""Skips column 0 (thinking the bias is separate) and fits the other columns only.

kills: fits_with_the_right_degree, matches_least_squares
"""
import torch


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    A = train_features[:, 1:].double()
    B = train_labels.double().reshape(-1, 1)
    w = torch.linalg.lstsq(A, B).solution
    train_loss = ((A @ w - B) ** 2).mean()
    test_loss = ((test_features[:, 1:].double() @ w - test_labels.double().reshape(-1, 1)) ** 2).mean()
    return float(train_loss), float(test_loss)
