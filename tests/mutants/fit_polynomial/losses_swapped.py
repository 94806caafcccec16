"""Returns (test_loss, train_loss): the pair in the wrong order.

kills: overfits_with_high_degree_on_few_points, matches_least_squares
"""
import torch


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    A = train_features.double()
    B = train_labels.double().reshape(-1, 1)
    w = torch.linalg.lstsq(A, B).solution
    train_loss = ((A @ w - B) ** 2).mean()
    test_loss = ((test_features.double() @ w - test_labels.double().reshape(-1, 1)) ** 2).mean()
    return float(test_loss), float(train_loss)
