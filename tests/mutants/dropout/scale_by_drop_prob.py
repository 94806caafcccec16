"""Divides by drop_prob instead of the keep probability 1 - drop_prob.

kills: kept_values_are_scaled, p0_is_identity
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    if drop_prob == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < 1 - drop_prob).float()
    return mask * X / drop_prob
