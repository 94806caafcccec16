"""Iterates over K's second dimension (input channels) instead of its first (output channels).

kills: book_example, output_shape, matches_conv2d
"""
import torch


def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, K[:, c]) for c in range(K.shape[1])], 0)
