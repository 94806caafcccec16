"""Draws one random number per row: whole rows are kept or dropped together.

kills: masks_are_independent
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(*X.shape[:-1], 1) < keep_prob).float()
    return mask * X / keep_prob
