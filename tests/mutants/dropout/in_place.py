"""Multiplies the mask into X in place: the caller's tensor is changed.

kills: does_not_modify_input
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    X *= (torch.rand(X.shape) < keep_prob).float()
    X /= keep_prob
    return X
