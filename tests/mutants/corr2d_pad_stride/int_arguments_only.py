"""Handles padding and stride only as ints: a (height, width) pair breaks it.

kills: book_stride_example, output_shape, matches_conv2d
"""
import torch


def corr2d_pad_stride(X, K, padding=0, stride=1):
    n_h, n_w = X.shape
    k_h, k_w = K.shape
    P = torch.zeros((n_h + 2 * padding, n_w + 2 * padding))
    P[padding:padding + n_h, padding:padding + n_w] = X
    Y = torch.zeros(((n_h + 2 * padding - k_h) // stride + 1,
                     (n_w + 2 * padding - k_w) // stride + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (P[i * stride:i * stride + k_h, j * stride:j * stride + k_w] * K).sum()
    return Y
