"""Draws the mask for X.numel() elements and returns the flattened result.

kills: keeps_shape
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros(X.numel())
    mask = (torch.rand(X.numel()) < keep_prob).float()
    return mask * X.flatten() / keep_prob
