"""torch.rand_like for the mask, assert for validation (the lesson's shape, device-aware).

advice: none
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand_like(X) < keep_prob).float()
    return mask * X / keep_prob
