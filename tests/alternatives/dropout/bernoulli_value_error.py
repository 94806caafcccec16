"""torch.bernoulli for the mask, ValueError for a bad probability, device-aware.

advice: none
"""
import torch


def dropout(X, drop_prob):
    if not 0 <= drop_prob <= 1:
        raise ValueError(f"drop_prob must be in [0, 1], got {drop_prob}")
    X = X.float()
    if drop_prob == 1:
        return torch.zeros_like(X)
    mask = torch.bernoulli(torch.full_like(X, 1 - drop_prob))
    return X * mask / (1 - drop_prob)
