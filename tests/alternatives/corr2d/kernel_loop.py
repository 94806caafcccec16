"""Loops over the kernel instead of the output: kh * kw shifted, scaled copies of X.

advice: none
"""
import torch


def corr2d(X, K):
    kh, kw = K.shape
    h, w = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    Y = torch.zeros_like(X[:h, :w])
    for a in range(kh):
        for b in range(kw):
            Y = Y + K[a, b] * X[a:a + h, b:b + w]
    return Y
