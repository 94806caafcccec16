"""Subtracts 1-D labels from (n, 1) predictions: broadcasting makes an (n, n) matrix.

kills: fits_with_the_right_degree, overfits_with_high_degree_on_few_points, matches_least_squares
"""
import torch


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    A = train_features.double()
    w = torch.linalg.lstsq(A, train_labels.double().reshape(-1, 1)).solution
    train_loss = ((A @ w - train_labels.double()) ** 2).mean()
    test_loss = ((test_features.double() @ w - test_labels.double()) ** 2).mean()
    return float(train_loss), float(test_loss)
