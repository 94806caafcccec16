"""Forgets to divide the kept elements by 1 - drop_prob.

kills: kept_values_are_scaled, creates_tensors_on_input_device
"""
import torch


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    if drop_prob == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < 1 - drop_prob).float()
    return mask * X
