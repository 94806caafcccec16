"""Does not check that drop_prob is a probability.

kills: invalid_probability_raises
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < keep_prob).float()
    return mask * X / keep_prob
