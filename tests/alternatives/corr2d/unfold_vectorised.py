"""A vectorised cross-correlation with Tensor.unfold, device-aware.

advice: none
"""
import torch


def corr2d(X, K):
    kh, kw = K.shape
    windows = X.unfold(0, kh, 1).unfold(1, kw, 1)
    return (windows * K).sum(dim=(-1, -2))
