"""Vectorised pooling with Tensor.unfold; ValueError on an unknown mode.

advice: none
"""
import torch


def pool2d(X, pool_size, mode='max'):
    ph, pw = pool_size
    windows = X.float().unfold(0, ph, 1).unfold(1, pw, 1)
    if mode == 'max':
        return windows.amax(dim=(-1, -2))
    if mode == 'avg':
        return windows.mean(dim=(-1, -2))
    raise ValueError(f"unknown mode {mode!r}")
