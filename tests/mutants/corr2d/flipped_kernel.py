"""Flips the kernel: computes a true convolution instead of a cross-correlation.

kills: book_example, edge_detection_example, matches_conv2d, matches_reference_on_real_values
"""
import torch


def corr2d(X, K):
    h, w = K.shape
    K = torch.flip(K, dims=(0, 1))
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
