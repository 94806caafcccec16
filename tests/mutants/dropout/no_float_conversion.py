"""Never converts X to float: an integer input with drop_prob == 1 gives integer zeros.

kills: converts_to_float
"""
import torch


def dropout(X, drop_prob):
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < keep_prob).float()
    return mask * X / keep_prob
