"""Fits w on the test set (data leakage) and evaluates it on both sets.

kills: overfits_with_high_degree_on_few_points, matches_least_squares
"""
import torch


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    A = test_features.double()
    B = test_labels.double().reshape(-1, 1)
    w = torch.linalg.lstsq(A, B).solution
    train_loss = ((train_features.double() @ w - train_labels.double().reshape(-1, 1)) ** 2).mean()
    test_loss = ((A @ w - B) ** 2).mean()
    return float(train_loss), float(test_loss)
