"""Evaluates the "test" loss on the training data again: overfitting cannot show.

kills: overfits_with_high_degree_on_few_points, matches_least_squares
"""
import torch


def fit_polynomial(train_features, test_features, train_labels, test_labels):
    A = train_features.double()
    B = train_labels.double().reshape(-1, 1)
    w = torch.linalg.lstsq(A, B).solution
    train_loss = ((A @ w - B) ** 2).mean()
    return float(train_loss), float(train_loss)
