"""Fills a preallocated output channel by channel.

advice: none
"""
import torch


def corr2d_multi_in_out(X, K):
    c_o, _, kh, kw = K.shape
    Y = torch.zeros((c_o, X.shape[1] - kh + 1, X.shape[2] - kw + 1), device=X.device)
    for o in range(c_o):
        Y[o] = corr2d_multi_in(X, K[o])
    return Y
