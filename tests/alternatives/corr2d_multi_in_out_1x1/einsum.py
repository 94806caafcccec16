"""One einsum over the channel index.

advice: none
"""
import torch


def corr2d_multi_in_out_1x1(X, K):
    return torch.einsum('oi,ihw->ohw', K[:, :, 0, 0], X)
