"""Keeps an element with probability drop_prob (the mask test is the wrong way round).

kills: kept_fraction_matches_probability, p0_is_identity
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < drop_prob).float()
    return mask * X / keep_prob
