"""Has no special case for drop_prob == 1: divides by zero.

kills: p1_gives_zeros
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    mask = (torch.rand(X.shape) < keep_prob).float()
    return mask * X / keep_prob
