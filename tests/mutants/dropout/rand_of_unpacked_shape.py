"""Draws the mask with torch.rand(*X.shape): for a 0-d X (a single number) that is torch.rand()
with no size at all, a TypeError.  torch.rand(X.shape) (or torch.rand_like(X)) works for a tensor
of any shape, 0-d included.

kills: keeps_shape, p0_is_identity, kept_values_are_scaled
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(*X.shape) < keep_prob).float()
    return mask * X / keep_prob
