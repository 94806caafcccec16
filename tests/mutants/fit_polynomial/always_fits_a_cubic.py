"""Rebuilds cubic features from the x column (features[:, 1]) instead of using the columns given.

kills: underfits_with_degree_one, overfits_with_high_degree_on_few_points, matches_least_squares
"""
import torch


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    A = polynomial_features(train_features[:, 1].double(), 4)
    B = train_labels.double().reshape(-1, 1)
    w = torch.linalg.lstsq(A, B).solution
    train_loss = ((A @ w - B) ** 2).mean()
    T = polynomial_features(test_features[:, 1].double(), 4)
    test_loss = ((T @ w - test_labels.double().reshape(-1, 1)) ** 2).mean()
    return float(train_loss), float(test_loss)
